import type { Redis } from "ioredis";
import type pg from "pg";
import type { Bucket, PaceBuckets } from "../ports/pacing.ts";

export type { Bucket };

/**
 * What several worker processes share to pace platform calls and to serialise
 * deliveries: token buckets and short leases, kept in the queue backend's store
 * (Redis or PostgreSQL) and timed by that store's clock, so every process sees
 * one bucket.
 */
export interface Coordination extends PaceBuckets {
  /** Takes the lease `key` for `owner` unless someone else holds an unexpired one. */
  lease(key: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Extends `owner`'s unexpired lease `key` to `ttlMs` from now; false when it is no longer theirs. */
  renew(key: string, owner: string, ttlMs: number): Promise<boolean>;
  release(key: string, owner: string): Promise<void>;
  close(): Promise<void>;
}

// Buckets: tokens, ts (ms of the last refill), blocked (ms until which the bucket stays empty).
const TAKE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local wait = 0
local tokens = {}
for i = 1, #KEYS do
  local cap = tonumber(ARGV[i * 2 - 1])
  local rate = tonumber(ARGV[i * 2])
  local h = redis.call('HMGET', KEYS[i], 'tokens', 'ts', 'blocked')
  local have = tonumber(h[1]) or cap
  local ts = tonumber(h[2]) or now
  local blocked = tonumber(h[3]) or 0
  have = math.min(cap, have + math.max(0, now - ts) * rate / 1000)
  local w = 0
  if blocked > now then w = blocked - now
  elseif have < 1 then w = math.ceil((1 - have) * 1000 / rate) end
  if w > wait then wait = w end
  tokens[i] = have
end
if wait == 0 then
  for i = 1, #KEYS do
    local cap = tonumber(ARGV[i * 2 - 1])
    local rate = tonumber(ARGV[i * 2])
    redis.call('HSET', KEYS[i], 'tokens', tostring(tokens[i] - 1), 'ts', tostring(now))
    redis.call('PEXPIRE', KEYS[i], math.ceil(cap * 1000 / rate) + 60000)
  end
end
return wait
`;

const BLOCK_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilMs = now + tonumber(ARGV[1])
local blocked = tonumber(redis.call('HGET', KEYS[1], 'blocked')) or 0
if untilMs > blocked then redis.call('HSET', KEYS[1], 'blocked', tostring(untilMs)) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) + 60000)
return 1
`;

const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

const RENEW_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

/** Buckets and leases in Redis, next to the queues (`prefix` namespaces the keys). */
export function redisCoordination(redis: Redis, prefix: string): Coordination {
  const bucketKey = (key: string) => `${prefix}:pace:${key}`;
  return {
    async take(buckets) {
      const args = buckets.flatMap((b) => [String(b.capacity), String(b.perSecond)]);
      const wait = await redis.eval(
        TAKE_SCRIPT,
        buckets.length,
        ...buckets.map((b) => bucketKey(b.key)),
        ...args,
      );
      return Number(wait);
    },
    async block(key, ms) {
      await redis.eval(BLOCK_SCRIPT, 1, bucketKey(key), String(Math.ceil(ms)));
    },
    async lease(key, owner, ttlMs) {
      return (await redis.set(`${prefix}:lease:${key}`, owner, "PX", ttlMs, "NX")) === "OK";
    },
    async renew(key, owner, ttlMs) {
      return Number(await redis.eval(RENEW_SCRIPT, 1, `${prefix}:lease:${key}`, owner, String(ttlMs))) === 1;
    },
    async release(key, owner) {
      await redis.eval(RELEASE_SCRIPT, 1, `${prefix}:lease:${key}`, owner);
    },
    async close() {},
  };
}

/**
 * Buckets and leases in PostgreSQL, in the queue schema next to BullMQ's own
 * tables. A take locks its bucket rows in key order, so concurrent takes of
 * overlapping buckets cannot deadlock.
 */
export async function postgresCoordination(pool: pg.Pool, schema: string): Promise<Coordination> {
  const s = `"${schema}"`;
  await pool.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
  await pool.query(`CREATE TABLE IF NOT EXISTS ${s}.cairn_pace (
    key text PRIMARY KEY, tokens double precision NOT NULL, ts_ms bigint NOT NULL, blocked_ms bigint NOT NULL DEFAULT 0)`);
  await pool.query(`CREATE TABLE IF NOT EXISTS ${s}.cairn_lease (
    key text PRIMARY KEY, owner text NOT NULL, expires_ms bigint NOT NULL)`);
  const NOW = `(extract(epoch from clock_timestamp()) * 1000)::bigint`;
  return {
    async take(buckets) {
      const sorted = [...buckets].sort((a, b) => a.key.localeCompare(b.key));
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const keys = sorted.map((b) => b.key);
        const caps = sorted.map((b) => b.capacity);
        await client.query(
          `INSERT INTO ${s}.cairn_pace (key, tokens, ts_ms) SELECT k, c, ${NOW} FROM unnest($1::text[], $2::float8[]) AS u(k, c)
           ON CONFLICT (key) DO NOTHING`,
          [keys, caps],
        );
        const rows = await client.query<{
          key: string;
          tokens: number;
          ts_ms: string;
          blocked_ms: string;
          now: string;
        }>(
          `SELECT key, tokens, ts_ms, blocked_ms, ${NOW} AS now FROM ${s}.cairn_pace WHERE key = ANY($1) ORDER BY key FOR UPDATE`,
          [keys],
        );
        let wait = 0;
        const refilled = new Map<string, number>();
        let now = 0;
        for (const row of rows.rows) {
          const bucket = sorted.find((b) => b.key === row.key);
          if (bucket === undefined) continue;
          now = Number(row.now);
          const have = Math.min(
            bucket.capacity,
            row.tokens + (Math.max(0, now - Number(row.ts_ms)) * bucket.perSecond) / 1000,
          );
          const blocked = Number(row.blocked_ms);
          const w =
            blocked > now ? blocked - now : have < 1 ? Math.ceil(((1 - have) * 1000) / bucket.perSecond) : 0;
          wait = Math.max(wait, w);
          refilled.set(row.key, have);
        }
        if (wait === 0) {
          await client.query(
            `UPDATE ${s}.cairn_pace p SET tokens = u.t - 1, ts_ms = $3 FROM unnest($1::text[], $2::float8[]) AS u(k, t) WHERE p.key = u.k`,
            [[...refilled.keys()], [...refilled.values()], now],
          );
        }
        await client.query("COMMIT");
        return wait;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    async block(key, ms) {
      await pool.query(
        `INSERT INTO ${s}.cairn_pace (key, tokens, ts_ms, blocked_ms) VALUES ($1, 0, ${NOW}, ${NOW} + $2)
         ON CONFLICT (key) DO UPDATE SET blocked_ms = GREATEST(${s}.cairn_pace.blocked_ms, EXCLUDED.blocked_ms)`,
        [key, Math.ceil(ms)],
      );
    },
    async lease(key, owner, ttlMs) {
      const result = await pool.query(
        `INSERT INTO ${s}.cairn_lease (key, owner, expires_ms) VALUES ($1, $2, ${NOW} + $3)
         ON CONFLICT (key) DO UPDATE SET owner = EXCLUDED.owner, expires_ms = EXCLUDED.expires_ms
         WHERE ${s}.cairn_lease.expires_ms < ${NOW} OR ${s}.cairn_lease.owner = EXCLUDED.owner
         RETURNING key`,
        [key, owner, ttlMs],
      );
      return result.rowCount === 1;
    },
    async renew(key, owner, ttlMs) {
      const result = await pool.query(
        `UPDATE ${s}.cairn_lease SET expires_ms = ${NOW} + $3 WHERE key = $1 AND owner = $2 AND expires_ms >= ${NOW}`,
        [key, owner, ttlMs],
      );
      return result.rowCount === 1;
    },
    async release(key, owner) {
      await pool.query(`DELETE FROM ${s}.cairn_lease WHERE key = $1 AND owner = $2`, [key, owner]);
    },
    async close() {},
  };
}
