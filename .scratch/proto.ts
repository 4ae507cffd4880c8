import { diffMigrationsToSchema } from "/work/main/src/db/schemaEngine.ts";
const t = Date.now();
const sql = await diffMigrationsToSchema("postgresql://postgres@127.0.0.1:5432/postgres", { log: (l) => console.error("LOG", l) });
console.log(sql.slice(0, 1500));
console.error("len", sql.length, Date.now() - t, "ms");
