import { createHash } from "node:crypto";
import { cp, mkdtemp, readFile, readdir, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { migrate, MigrationError, migrationStatus } from "../../src/db/migrate.ts";
import { loadMigrationList, openSchemaEngine } from "../../src/db/schemaEngine.ts";
import { createEmptyDatabase } from "../support/db.ts";
import { MIGRATIONS_DIR } from "../support/template.ts";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function emptyDatabase(): Promise<string> {
  const database = await createEmptyDatabase();
  cleanups.push(database.drop);
  return database.url;
}

/** A writable copy of prisma/migrations. */
async function migrationsCopy(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-migrations-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await cp(MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

async function query<R extends pg.QueryResultRow>(
  url: string,
  sql: string,
  values: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

async function folderNames(): Promise<string[]> {
  return (await readdir(MIGRATIONS_DIR, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

interface MigrationRow {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  started_at: Date;
  applied_steps_count: number;
}

const COLUMNS_SQL = `SELECT column_name, data_type, character_maximum_length, is_nullable, column_default
                       FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`;
const NO_FILTERS = { externalTables: [], externalEnums: [] };

describe("migrate", () => {
  it("applies every migration to an empty database and records each row as Prisma does", async () => {
    const url = await emptyDatabase();
    const names = await folderNames();

    const result = await migrate(url, { migrationsDir: MIGRATIONS_DIR });

    expect(result.applied).toEqual(names);
    const rows = await query<MigrationRow>(url, `SELECT * FROM "_prisma_migrations" ORDER BY migration_name`);
    expect(rows.map((row) => row.migration_name)).toEqual(names);
    for (const row of rows) {
      const script = await readFile(path.join(MIGRATIONS_DIR, row.migration_name, "migration.sql"));
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(row.checksum).toBe(createHash("sha256").update(script).digest("hex"));
      expect(row.logs).toBeNull();
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
      expect(row.finished_at?.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
    }
    const tables = await query<{ n: number }>(
      url,
      "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name IN ('community', 'ledger_entry')",
    );
    expect(tables[0]?.n).toBe(2);
  });

  it("writes a history Prisma's own schema engine accepts and a table identical to the one it creates", async () => {
    const ours = await emptyDatabase();
    const prismas = await emptyDatabase();
    await migrate(ours, { migrationsDir: MIGRATIONS_DIR });
    const schema = { path: "schema.prisma", content: 'datasource db {\n  provider = "postgresql"\n}\n' };
    const migrationsList = await loadMigrationList(MIGRATIONS_DIR);

    const onOurs = await openSchemaEngine(ours, schema);
    const diagnosis = await onOurs.engine
      .diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase: false, filters: NO_FILTERS })
      .finally(onOurs.close);
    const onPrismas = await openSchemaEngine(prismas, schema);
    await onPrismas.engine.applyMigrations({ migrationsList, filters: NO_FILTERS }).finally(onPrismas.close);

    expect(diagnosis).toEqual({
      editedMigrationNames: [],
      failedMigrationNames: [],
      hasMigrationsTable: true,
      history: null,
    });
    expect(await query(ours, COLUMNS_SQL)).toEqual(await query(prismas, COLUMNS_SQL));
    const shape = `SELECT migration_name, checksum, logs, rolled_back_at, applied_steps_count, finished_at IS NOT NULL AS finished
                     FROM "_prisma_migrations" ORDER BY migration_name`;
    expect(await query(ours, shape)).toEqual(await query(prismas, shape));
  });

  it("applies nothing the second time", async () => {
    const url = await emptyDatabase();
    await migrate(url, { migrationsDir: MIGRATIONS_DIR });

    const again = await migrate(url, { migrationsDir: MIGRATIONS_DIR });

    expect(again.applied).toEqual([]);
    const rows = await query<{ n: number }>(url, `SELECT count(*)::int AS n FROM "_prisma_migrations"`);
    expect(rows[0]?.n).toBe((await folderNames()).length);
  });

  it("lets two processes start at once on a fresh database and applies each migration once", async () => {
    const url = await emptyDatabase();
    const names = await folderNames();

    const [first, second] = await Promise.all([
      migrate(url, { migrationsDir: MIGRATIONS_DIR }),
      migrate(url, { migrationsDir: MIGRATIONS_DIR }),
    ]);

    expect([...first.applied, ...second.applied].sort()).toEqual(names);
    const rows = await query<{ migration_name: string }>(
      url,
      `SELECT migration_name FROM "_prisma_migrations"`,
    );
    expect(rows.map((row) => row.migration_name).sort()).toEqual(names);
  });

  it("refuses, in one line, a migration edited after it was applied", async () => {
    const url = await emptyDatabase();
    const dir = await migrationsCopy();
    await migrate(url, { migrationsDir: dir });
    const [first] = await folderNames();
    await writeFile(path.join(dir, first ?? "", "migration.sql"), "\n-- an afterthought\n", { flag: "a" });

    const refusal = migrate(url, { migrationsDir: dir });

    await expect(refusal).rejects.toBeInstanceOf(MigrationError);
    await expect(refusal).rejects.toThrow(/^migration \S+ was changed after it was applied[^\n]*$/);
  });

  it("accepts an applied migration whose line endings git converted, as Prisma does", async () => {
    const url = await emptyDatabase();
    const dir = await migrationsCopy();
    await migrate(url, { migrationsDir: dir });
    const [first] = await folderNames();
    const file = path.join(dir, first ?? "", "migration.sql");
    await writeFile(file, (await readFile(file, "utf8")).replaceAll("\n", "\r\n"));

    await expect(migrate(url, { migrationsDir: dir })).resolves.toEqual({ applied: [] });
  });

  it("refuses to run while a failed migration is recorded", async () => {
    const url = await emptyDatabase();
    await migrate(url, { migrationsDir: MIGRATIONS_DIR });
    await query(
      url,
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, logs) VALUES ($1, $2, $3, 'boom')`,
      ["00000000-0000-4000-8000-000000000000", "0".repeat(64), "29991231000000_half_done"],
    );

    await expect(migrate(url, { migrationsDir: MIGRATIONS_DIR })).rejects.toThrow(
      /^migration 29991231000000_half_done is recorded as failed/,
    );
  });

  it("rolls a failing migration back completely and names it with the line", async () => {
    const url = await emptyDatabase();
    const dir = await migrationsCopy();
    await mkdir(path.join(dir, "29991231000000_broken"));
    await writeFile(
      path.join(dir, "29991231000000_broken", "migration.sql"),
      'CREATE TABLE "half" (id INT);\n\nSELECT * FROM "missing_table";\n',
    );

    await expect(migrate(url, { migrationsDir: dir })).rejects.toThrow(
      /^migration 29991231000000_broken failed and was rolled back \(migration\.sql line 3\): relation "missing_table" does not exist$/,
    );
    const half = await query<{ present: boolean }>(url, "SELECT to_regclass('half') IS NOT NULL AS present");
    expect(half[0]?.present).toBe(false);
    const status = await migrationStatus(url, { migrationsDir: dir });
    expect(status.pending).toEqual(["29991231000000_broken"]);
    expect(status.failed).toEqual([]);
  });

  it("reports status without changing anything", async () => {
    const url = await emptyDatabase();
    const names = await folderNames();

    const before = await migrationStatus(url, { migrationsDir: MIGRATIONS_DIR });
    await migrate(url, { migrationsDir: MIGRATIONS_DIR });
    const after = await migrationStatus(url, { migrationsDir: MIGRATIONS_DIR });

    expect(before).toEqual({ applied: [], pending: names, edited: [], failed: [], missingLocally: [] });
    expect(after).toEqual({ applied: names, pending: [], edited: [], failed: [], missingLocally: [] });
  });

  it("waits for another process holding the migration lock, and gives up after the timeout", async () => {
    const url = await emptyDatabase();
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    cleanups.push(() => holder.end());
    await holder.query("SELECT pg_advisory_lock(72707369)");
    const lines: string[] = [];

    await expect(
      migrate(url, { migrationsDir: MIGRATIONS_DIR, lockTimeoutMs: 300, log: (line) => lines.push(line) }),
    ).rejects.toThrow(/^gave up waiting 300 ms for the migration lock/);
    expect(lines).toContain("another process is applying migrations; waiting for it");

    await holder.query("SELECT pg_advisory_unlock(72707369)");
    await expect(migrate(url, { migrationsDir: MIGRATIONS_DIR })).resolves.toMatchObject({
      applied: await folderNames(),
    });
  });

  it("says which server it cannot reach, without the password", async () => {
    const refusal = migrate("postgresql://cairn:hunter2secret@127.0.0.1:1/cairn", {
      migrationsDir: MIGRATIONS_DIR,
    });

    await expect(refusal).rejects.toThrow(/^cannot connect to 127\.0\.0\.1:1\/cairn: /);
    await expect(refusal).rejects.not.toThrow(/hunter2secret/);
  });
});
