// Applies prisma/migrations the way `prisma migrate deploy` does, without
// Prisma's native schema engine (which cannot be downloaded here). The
// bookkeeping table is Prisma's own, row for row, so a deployment that has the
// real CLI can switch to `prisma migrate deploy` at any time.
import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

export interface MigrateOptions {
  /** Folder of `<timestamp>_<name>/migration.sql`; default `prisma/migrations` in the working directory. */
  migrationsDir?: string;
  log?: (line: string) => void;
  /** How long to wait for another process applying migrations; default 5 minutes. */
  lockTimeoutMs?: number;
}

export interface MigrationFolder {
  /** The folder name, which Prisma records as `migration_name`. */
  name: string;
  script: Buffer;
  checksum: string;
}

export interface MigrationStatus {
  applied: string[];
  pending: string[];
  /** Applied, but migration.sql changed since. */
  edited: string[];
  /** Started and never finished (a failed `prisma migrate deploy`). */
  failed: string[];
  /** Recorded in the database but absent from the folder. */
  missingLocally: string[];
}

/** A migration problem a person must resolve; the message is one line. */
export class MigrationError extends Error {
  override readonly name = "MigrationError";
}

/** The key Prisma's schema engine locks, so this runner and `prisma migrate` exclude each other. */
const PRISMA_ADVISORY_LOCK_KEY = 72707369;

/** Prisma's DDL for its bookkeeping table (sql-schema-connector, PostgreSQL flavour). */
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
}

/** sha256 hex of the script bytes, as Prisma computes `checksum`. */
export function migrationChecksum(script: Buffer | string): string {
  return createHash("sha256").update(script).digest("hex");
}

/**
 * Prisma also accepts a script whose line endings git converted (CRLF <-> LF)
 * since it was applied; so does this runner.
 */
function checksumMatches(script: Buffer, checksum: string): boolean {
  const text = script.toString("utf8");
  const variants = [script, text.replaceAll("\r\n", "\n"), text.replaceAll(/\r?\n/g, "\r\n")];
  return variants.some((variant) => migrationChecksum(variant) === checksum);
}

/** The migration folders in `migrationsDir`, oldest first. */
export async function readMigrationFolders(migrationsDir: string): Promise<MigrationFolder[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true }).catch((error: unknown) => {
    throw new MigrationError(`cannot read migrations folder ${migrationsDir}: ${describe(error)}`);
  });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const script = await readFile(path.join(migrationsDir, name, "migration.sql")).catch(() => {
        throw new MigrationError(`migration folder ${name} has no readable migration.sql`);
      });
      return { name, script, checksum: migrationChecksum(script) };
    }),
  );
}

async function checkLockfile(migrationsDir: string): Promise<void> {
  const lock = await readFile(path.join(migrationsDir, "migration_lock.toml"), "utf8").catch(() => null);
  const provider = lock?.match(/^\s*provider\s*=\s*"([^"]*)"/m)?.[1];
  if (provider !== undefined && provider !== "postgresql") {
    throw new MigrationError(`migration_lock.toml names provider "${provider}", expected "postgresql"`);
  }
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describe(error.errors[0]);
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0] ?? message;
}

/** Host, port and database of `databaseUrl`, never its password. */
function describeTarget(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    return `${url.hostname}:${url.port || "5432"}${url.pathname}`;
  } catch {
    return "the database (unparsable URL)";
  }
}

async function connect(databaseUrl: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
  } catch (error) {
    throw new MigrationError(`cannot connect to ${describeTarget(databaseUrl)}: ${describe(error)}`);
  }
  return client;
}

async function readAppliedRows(client: pg.Client): Promise<MigrationRow[]> {
  const exists = await client.query<{ present: boolean }>(
    "SELECT to_regclass('_prisma_migrations') IS NOT NULL AS present",
  );
  if (exists.rows[0]?.present !== true) return [];
  const result = await client.query<MigrationRow>(
    `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations"
      WHERE rolled_back_at IS NULL ORDER BY started_at, migration_name`,
  );
  return result.rows;
}

function compare(folders: MigrationFolder[], rows: MigrationRow[]): MigrationStatus {
  const byName = new Map(folders.map((folder) => [folder.name, folder]));
  const recorded = new Set(rows.map((row) => row.migration_name));
  const finished = rows.filter((row) => row.finished_at !== null);
  return {
    applied: finished.map((row) => row.migration_name),
    pending: folders.filter((folder) => !recorded.has(folder.name)).map((folder) => folder.name),
    edited: finished
      .filter((row) => {
        const folder = byName.get(row.migration_name);
        return folder !== undefined && !checksumMatches(folder.script, row.checksum);
      })
      .map((row) => row.migration_name),
    failed: rows.filter((row) => row.finished_at === null).map((row) => row.migration_name),
    missingLocally: finished
      .filter((row) => !byName.has(row.migration_name))
      .map((row) => row.migration_name),
  };
}

async function acquireLock(client: pg.Client, timeoutMs: number, log: (line: string) => void): Promise<void> {
  const attempt = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [
    PRISMA_ADVISORY_LOCK_KEY,
  ]);
  if (attempt.rows[0]?.locked === true) return;
  log("another process is applying migrations; waiting for it");
  await client.query(`SET lock_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
  try {
    await client.query("SELECT pg_advisory_lock($1)", [PRISMA_ADVISORY_LOCK_KEY]);
  } catch (error) {
    throw new MigrationError(`gave up waiting ${timeoutMs} ms for the migration lock: ${describe(error)}`);
  } finally {
    await client.query("RESET lock_timeout");
  }
}

/** "line N" of the statement a Postgres error points at, when it says. */
function errorLine(script: Buffer, error: unknown): string {
  const position = Number((error as { position?: unknown }).position);
  if (!Number.isInteger(position) || position < 1) return "";
  const before = script.toString("utf8").slice(0, position - 1);
  return ` (migration.sql line ${before.split("\n").length})`;
}

async function applyOne(client: pg.Client, folder: MigrationFolder): Promise<void> {
  await client.query("BEGIN");
  try {
    // Same row Prisma writes: started (steps 0), script, one step, finished.
    const id = randomUUID();
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
       VALUES ($1, $2, $3, now(), 0)`,
      [id, folder.checksum, folder.name],
    );
    try {
      await client.query(folder.script.toString("utf8"));
    } catch (error) {
      throw new MigrationError(
        `migration ${folder.name} failed and was rolled back${errorLine(folder.script, error)}: ${describe(error)}`,
      );
    }
    await client.query(
      `UPDATE "_prisma_migrations"
          SET applied_steps_count = applied_steps_count + 1, finished_at = clock_timestamp()
        WHERE id = $1`,
      [id],
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}

function refuseUnsafeHistory(status: MigrationStatus): void {
  const [failed] = status.failed;
  if (failed !== undefined) {
    throw new MigrationError(
      `migration ${failed} is recorded as failed in _prisma_migrations; repair the database, then set its rolled_back_at`,
    );
  }
  const [edited] = status.edited;
  if (edited !== undefined) {
    throw new MigrationError(
      `migration ${edited} was changed after it was applied (checksum differs); restore it and add a new migration instead`,
    );
  }
}

/**
 * Applies the pending migrations of `opts.migrationsDir` to `databaseUrl`, each
 * in its own transaction, oldest first, recording them in `_prisma_migrations`
 * exactly as Prisma does. Safe to call from several processes at once.
 * Throws MigrationError (one line) when an applied migration was edited, a
 * failed one is recorded, or a migration fails.
 */
export async function migrate(
  databaseUrl: string,
  opts: MigrateOptions = {},
): Promise<{ applied: string[] }> {
  const migrationsDir = path.resolve(opts.migrationsDir ?? "prisma/migrations");
  const log = opts.log ?? (() => {});
  await checkLockfile(migrationsDir);
  const folders = await readMigrationFolders(migrationsDir);
  const client = await connect(databaseUrl);
  try {
    await acquireLock(client, opts.lockTimeoutMs ?? 300_000, log);
    try {
      await client.query(CREATE_MIGRATIONS_TABLE);
      const status = compare(folders, await readAppliedRows(client));
      refuseUnsafeHistory(status);
      for (const name of status.missingLocally) {
        log(`migration ${name} is applied in the database but missing from ${migrationsDir}`);
      }
      const applied: string[] = [];
      for (const folder of folders.filter((candidate) => status.pending.includes(candidate.name))) {
        log(`applying migration ${folder.name}`);
        await applyOne(client, folder);
        applied.push(folder.name);
      }
      log(applied.length === 0 ? "database is up to date" : `applied ${applied.length} migration(s)`);
      return { applied };
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [PRISMA_ADVISORY_LOCK_KEY]).catch(() => {});
    }
  } finally {
    await client.end().catch(() => {});
  }
}

/** How the database's migration history compares to the folder; changes nothing. */
export async function migrationStatus(
  databaseUrl: string,
  opts: Pick<MigrateOptions, "migrationsDir"> = {},
): Promise<MigrationStatus> {
  const folders = await readMigrationFolders(path.resolve(opts.migrationsDir ?? "prisma/migrations"));
  const client = await connect(databaseUrl);
  try {
    return compare(folders, await readAppliedRows(client));
  } finally {
    await client.end().catch(() => {});
  }
}
