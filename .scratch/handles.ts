import { diffMigrationsToSchema } from "../src/db/schemaEngine.ts";
await diffMigrationsToSchema("postgresql://postgres@127.0.0.1:5432/postgres");
setTimeout(() => {
  // @ts-ignore
  const hs = process._getActiveHandles(); console.log(hs.map((h: any) => h.constructor?.name + " " + (h._idleTimeout ?? "") + " " + (h.remoteAddress ?? "")));
}, 200).unref();
