import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../generated/prisma/client.ts";
import { trackConnections } from "./pools.ts";
import { openSqlStore, type SqlStore } from "./sql.ts";

export type Db = PrismaClient;
/** The client handed to a use case inside its transaction. */
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

const pools = new WeakMap<Db, pg.Pool>();
const connections = new WeakMap<Db, ReturnType<typeof trackConnections>>();

/**
 * Opens a Prisma client on `databaseUrl` through the pg driver adapter (no native
 * engine). The client and the hot paths that bypass Prisma share one pg pool,
 * which `db.$disconnect()` closes.
 */
export function openDb(databaseUrl: string, options: { poolSize?: number } = {}): Db {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: options.poolSize ?? 10 });
  // Prisma listens for idle-client errors only once it has connected; until then an idle
  // connection the server ends (57P01) would be thrown out of the process. The pool drops it.
  pool.on("error", () => undefined);
  const db = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  pools.set(db, pool);
  connections.set(db, trackConnections(pool));
  return db;
}

/**
 * Disconnects a client from openDb and waits until every connection of its pool
 * has hung up, so the database can be stopped right after without terminating
 * a session (57P01).
 */
export async function closeDb(db: Db): Promise<void> {
  await db.$disconnect();
  await connections.get(db)?.hungUp();
}

/** The two ways to the database a process holds: Prisma, and the typed store of the hot write paths. */
export interface Connections {
  readonly db: Db;
  readonly store: SqlStore;
  /** Closes both and waits until every connection has hung up (so the database can stop right after). */
  close(): Promise<void>;
}

/**
 * Opens Prisma and the typed SQL store on `databaseUrl`, each on a pool of
 * `poolSize` connections (the store's opens only when a hot path runs). Whoever
 * opens them owns both and closes them with `close()`.
 */
export function openConnections(databaseUrl: string, options: { poolSize?: number } = {}): Connections {
  const db = openDb(databaseUrl, options);
  const store = openSqlStore(databaseUrl, options);
  let closed: Promise<void> | null = null;
  return {
    db,
    store,
    close: () => (closed ??= Promise.all([closeDb(db), store.close()]).then(() => undefined)),
  };
}

/**
 * The pg pool behind a client from openDb, for the few hot paths written as plain
 * prepared SQL (the leaderboards); null for a client made elsewhere.
 */
export function poolOf(db: Db): pg.Pool | null {
  return pools.get(db) ?? null;
}
