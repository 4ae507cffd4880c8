import path from "node:path";
import { defineConfig } from "prisma/config";

// Prisma's CLI downloads a native schema engine unless this names a file; the
// download is impossible offline and the project applies migrations itself.
// `||=` so an empty variable never falls back to downloading.
process.env["PRISMA_SCHEMA_ENGINE_BINARY"] ||= path.resolve("scripts/no-schema-engine.cjs");

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
