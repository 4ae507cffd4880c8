import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { diffMigrationsToSchema, isEmptyMigration } from "../../src/db/schemaEngine.ts";
import { MIGRATIONS_DIR, TEST_SERVER_URL } from "../support/template.ts";

const SCHEMA = path.resolve(MIGRATIONS_DIR, "..", "schema.prisma");

describe("prisma/migrations against prisma/schema.prisma", () => {
  it("leaves nothing to migrate (else run `npm run migration:new -- <name>`)", async () => {
    const sql = await diffMigrationsToSchema(TEST_SERVER_URL, {
      schemaPath: SCHEMA,
      migrationsDir: MIGRATIONS_DIR,
    });

    expect(isEmptyMigration(sql), `schema.prisma differs from the migrations by:\n${sql}`).toBe(true);
  });

  it("notices a model the migrations lack", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "cairn-schema-"));
    try {
      const schemaPath = path.join(dir, "schema.prisma");
      const extra = '\nmodel DriftProbe {\n  id Int @id\n  @@map("drift_probe")\n}\n';
      await writeFile(schemaPath, (await readFile(SCHEMA, "utf8")) + extra);

      const sql = await diffMigrationsToSchema(TEST_SERVER_URL, {
        schemaPath,
        migrationsDir: MIGRATIONS_DIR,
      });

      expect(sql).toContain('CREATE TABLE "drift_probe"');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
