import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../generated/prisma/client.ts";
import { trackConnections } from "./pools.ts";

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

/**
 * The pg pool behind a client from openDb, for the few hot paths written as plain
 * prepared SQL (casting a vote); null for a client made elsewhere.
 */
export function poolOf(db: Db): pg.Pool | null {
  return pools.get(db) ?? null;
}
