// The migrated template every test database is cloned from. Named by the
// checksum of prisma/migrations, so a changed or new migration gets a new
// template while concurrent test runs on the same server (several developers,
// CI) share the current one instead of dropping it under each other. Each run
// stamps the template it uses (a comment on the database); one of other
// migrations is dropped only when no run has used it for STALE_AFTER_MS, so a
// run on a branch with a new migration never drops the template another run
// on the same server is cloning from.
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
/** A template of other migrations that no run has used for this long is dropped. */
const STALE_AFTER_MS = 6 * 60 * 60_000;

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
      if (found.rowCount !== 0) return await stampUse(client, name);
      const building = `${name}_building`;
      await client.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
      await client.query(`CREATE DATABASE "${building}"`);
      await migrate(databaseUrl(building), { migrationsDir: MIGRATIONS_DIR });
      await client.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
      await stampUse(client, name);
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [TEMPLATE_LOCK]);
    }
  });
  return name;
}

/** Records when a run last used the template (its name is ours: no quoting needed beyond the identifier). */
async function stampUse(client: pg.Client, name: string): Promise<void> {
  await client.query(`COMMENT ON DATABASE "${name}" IS 'used ${new Date().toISOString()}'`);
}

/** Drops templates of other migrations that no session is connected to and no run has used lately. */
export async function dropStaleTemplates(current: string): Promise<void> {
  await withServer(async (client) => {
    const stale = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database
        WHERE datname LIKE $1 AND datname <> $2
          AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = pg_database.datname)
          AND coalesce(substring(shobj_description(oid, 'pg_database') FROM '^used (.*)$')::timestamptz,
                       '-infinity') < now() - make_interval(secs => $3)`,
      [`${TEMPLATE_PREFIX}\\_%`, current, STALE_AFTER_MS / 1000],
    );
    for (const { datname } of stale.rows) {
      await client.query(`DROP DATABASE IF EXISTS "${datname}"`).catch(() => {});
    }
  });
}
