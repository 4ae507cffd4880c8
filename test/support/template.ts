// The migrated template every test database is cloned from. Named by the
// checksum of prisma/migrations, so a changed or new migration gets a new
// template while concurrent test runs on the same server (several developers,
// CI) share the current one instead of dropping it under each other.
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { migrate, readMigrationFolders } from "../../src/db/migrate.ts";

export const TEST_SERVER_URL =
  process.env["TEST_DATABASE_URL"] || "postgresql://postgres@127.0.0.1:5432/postgres";
export const MIGRATIONS_DIR = fileURLToPath(new URL("../../prisma/migrations", import.meta.url));
const TEMPLATE_PREFIX = "cairn_test_template";
/** Serialises template builds between test processes; any constant distinct from Prisma's. */
const TEMPLATE_LOCK = 7_262_024;

/** `TEST_DATABASE_URL` pointing at another database of the same server. */
export function databaseUrl(database: string): string {
  const url = new URL(TEST_SERVER_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function withServer<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_SERVER_URL });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `test PostgreSQL unreachable at ${new URL(TEST_SERVER_URL).host} (set TEST_DATABASE_URL or start the server): ${String(error)}`,
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function templateName(): Promise<string> {
  const hash = createHash("sha256");
  for (const folder of await readMigrationFolders(MIGRATIONS_DIR))
    hash.update(`${folder.name}\n${folder.checksum}\n`);
  return `${TEMPLATE_PREFIX}_${hash.digest("hex").slice(0, 16)}`;
}

/**
 * Builds the template for the current migrations when it is missing (under a
 * temporary name, renamed when complete, so a half-built one is never cloned)
 * and returns its name.
 */
export async function ensureTemplate(): Promise<string> {
  const name = await templateName();
  await withServer(async (client) => {
    await client.query("SELECT pg_advisory_lock($1)", [TEMPLATE_LOCK]);
    try {
      const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
      if (found.rowCount !== 0) return;
      const building = `${name}_building`;
      await client.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
      await client.query(`CREATE DATABASE "${building}"`);
      await migrate(databaseUrl(building), { migrationsDir: MIGRATIONS_DIR });
      await client.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [TEMPLATE_LOCK]);
    }
  });
  return name;
}

/** Drops templates of older migrations that no session uses. */
export async function dropStaleTemplates(current: string): Promise<void> {
  await withServer(async (client) => {
    const stale = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database
        WHERE datname LIKE $1 AND datname <> $2
          AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = pg_database.datname)`,
      [`${TEMPLATE_PREFIX}\\_%`, current],
    );
    for (const { datname } of stale.rows) {
      await client.query(`DROP DATABASE IF EXISTS "${datname}"`).catch(() => {});
    }
  });
}
