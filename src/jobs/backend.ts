import {
  Queue,
  Worker,
  createPostgresBackend,
  runMigrations,
  type PgPool,
  type Processor,
  type WorkerOptions,
} from "bullmq";
import { Redis } from "ioredis";
import pg from "pg";
import { postgresCoordination, redisCoordination, type Coordination } from "./coordination.ts";
import { trackConnections } from "../db/pools.ts";
import { withTimeout } from "../timing.ts";

export interface QueueBackendSettings {
  /** BullMQ on Redis (or Valkey) when set; otherwise BullMQ's PostgreSQL backend on the ledger's database. */
  readonly redisUrl: string | undefined;
  readonly databaseUrl: string;
  /**
   * Redis key prefix: several Cairn deployments (or test runs) on one Redis each
   * take their own. On PostgreSQL the queues live in schema `bullmq` of the
   * ledger's own database, which is namespace enough.
   */
  readonly namespace?: string;
}

/**
 * The one place that knows which store runs the queues. Everything else asks it
 * for a queue or a worker and never learns which backend answered.
 */
export interface QueueBackend {
  readonly kind: "redis" | "postgres";
  /** For `cairn start` and the logs: "BullMQ on Redis at 127.0.0.1:6379 (prefix cairn)". */
  readonly description: string;
  readonly namespace: string;
  readonly coordination: Coordination;
  queue(name: string): Queue;
  worker(name: string, processor: Processor, options: Omit<WorkerOptions, "connection">): Worker;
  /** Throws unless the store answers. */
  ping(): Promise<void>;
  /** Closes what this backend opened (after the queues and workers made with it are closed). */
  close(): Promise<void>;
}

export const DEFAULT_NAMESPACE = "cairn";
/**
 * BullMQ's schema. Its PostgreSQL backend, given a shared pg.Pool (one pool per
 * process instead of one per queue and worker), always works in this schema.
 */
export const DEFAULT_PG_SCHEMA = "bullmq";

export async function openQueueBackend(settings: QueueBackendSettings): Promise<QueueBackend> {
  return settings.redisUrl === undefined || settings.redisUrl === ""
    ? openPostgresBackend(settings.databaseUrl, DEFAULT_PG_SCHEMA)
    : openRedisBackend(settings.redisUrl, settings.namespace ?? DEFAULT_NAMESPACE);
}

/** How long start-up waits for Redis to answer before giving up. */
const REDIS_CONNECT_TIMEOUT_MS = 10_000;

async function openRedisBackend(url: string, prefix: string): Promise<QueueBackend> {
  const clients: Redis[] = [];
  const connect = (): Redis => {
    // BullMQ needs maxRetriesPerRequest null so a worker's blocking call survives a reconnect.
    const client = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
    client.on("error", () => {
      // Reconnects on its own; readiness reports the outage.
    });
    clients.push(client);
    return client;
  };
  const shared = connect();
  let refusal: string | null = null;
  const noteRefusal = (error: unknown): void => {
    refusal ??= authRefusal(error);
  };
  shared.on("error", noteRefusal);
  const where = new URL(url);
  const address = `${where.hostname}:${where.port || "6379"}`;
  // Fail at start with one line (no URL, so no password) instead of waiting for ever.
  const answer = await withTimeout(
    shared.ping().catch((error: unknown) => {
      noteRefusal(error);
      throw error;
    }),
    REDIS_CONNECT_TIMEOUT_MS,
  );
  shared.off("error", noteRefusal);
  if (answer === null) {
    for (const client of clients) client.disconnect();
    throw new Error(
      refusal === null
        ? `cannot reach Redis at ${address} (no answer within ${REDIS_CONNECT_TIMEOUT_MS / 1000} s)`
        : `Redis at ${address} refused the password (${refusal})`,
    );
  }
  return {
    kind: "redis",
    description: `BullMQ on Redis at ${address} (prefix ${prefix})`,
    namespace: prefix,
    coordination: redisCoordination(shared, prefix),
    queue: (name) => new Queue(name, { connection: shared, prefix }),
    worker: (name, processor, options) =>
      new Worker(name, processor, { ...options, connection: connect(), prefix }),
    async ping() {
      await shared.ping();
    },
    async close() {
      await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}

/**
 * Redis's own reply when it refuses the credentials (NOAUTH, WRONGPASS, or an
 * older server's "invalid password"), as one line; null for any other error.
 * The reply is the server's text, which never repeats the password.
 */
function authRefusal(error: unknown): string | null {
  const message = error instanceof Error ? error.message : "";
  if (!/^(NOAUTH|WRONGPASS)\b|invalid password|ERR AUTH/i.test(message)) return null;
  const line = message.split("\n")[0] ?? "";
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}

async function openPostgresBackend(databaseUrl: string, schema: string): Promise<QueueBackend> {
  // One pool for every queue and worker of the process (each worker keeps one
  // LISTEN connection from it), with search_path pinned to the queue schema.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 24, options: `-c search_path="${schema}"` });
  pool.on("error", () => {
    // An idle client dropped; the pool replaces it and readiness reports outages.
  });
  // Every queue, worker and event stream of BullMQ's backend adds its own error
  // listener to the shared pool; a dozen is expected, not a leak.
  pool.setMaxListeners(64);
  const connections = trackConnections(pool);
  const client = await pool.connect();
  try {
    await runMigrations(client, schema);
  } finally {
    client.release();
  }
  const coordination = await postgresCoordination(pool, schema);
  // pg's Pool is BullMQ's PgPool; their typings differ only in event overloads.
  const connection = pool as unknown as PgPool;
  const where = new URL(databaseUrl);
  return {
    kind: "postgres",
    description: `BullMQ on PostgreSQL at ${where.hostname}:${where.port || "5432"}${where.pathname} (schema ${schema})`,
    namespace: schema,
    coordination,
    // The PostgreSQL backend is typed by its connection; callers see plain Queue/Worker.
    queue: (name) => new Queue(name, { connection }, createPostgresBackend) as unknown as Queue,
    worker: (name, processor, options) =>
      new Worker(name, processor, { ...options, connection }, createPostgresBackend) as unknown as Worker,
    async ping() {
      await pool.query("SELECT 1");
    },
    async close() {
      await pool.end();
      await connections.hungUp();
    },
  };
}
