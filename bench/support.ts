// Small helpers shared by the benchmark phases: database set-up, timing, statistics.
import pg from "pg";
import { migrate } from "../src/db/migrate.ts";

/** The server URL the bench connects to; its database part is replaced per phase. */
export const serverUrl = process.env["BENCH_DATABASE_URL"] ?? "postgresql://postgres@127.0.0.1:5432/postgres";

/** `serverUrl` pointing at another database on the same server. */
export function databaseUrl(database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Drops (WITH FORCE) and creates `database` through the server's maintenance database. */
export async function recreateDatabase(database: string): Promise<void> {
  const admin = new pg.Client({
    connectionString: databaseUrl(new URL(serverUrl).pathname.slice(1) || "postgres"),
  });
  await admin.connect();
  try {
    const name = pg.escapeIdentifier(database);
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
}

/** A fresh, migrated `cairn_bench`-style database; returns its URL. */
export async function freshMigratedDatabase(database: string, log: (line: string) => void): Promise<string> {
  await recreateDatabase(database);
  const url = databaseUrl(database);
  await migrate(url, { log: (line) => log(`  migrate: ${line}`) });
  return url;
}

export function log(line: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
}

export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await work();
  return { value, ms: performance.now() - start };
}

/** The q-quantile (0..1) of `samples` by the nearest-rank method. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

/** A deterministic PRNG (mulberry32) so every run seeds the same data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const round = (n: number, digits = 1): number => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

/**
 * Starts a measured phase on a quiet server with fresh statistics: a CHECKPOINT
 * flushes what the previous phase dirtied (pgbench -i writes a million rows),
 * and ANALYZE gives the planner the rows the set-up just inserted, as a live
 * database's autovacuum would have. Measured: without them the first vote
 * phase ran at under half its rate (plans made for empty tables).
 */
export async function quietServer(database: string): Promise<void> {
  const client = new pg.Client({ connectionString: database });
  await client.connect();
  try {
    await client.query("ANALYZE");
    await client.query("CHECKPOINT");
  } finally {
    await client.end();
  }
}
