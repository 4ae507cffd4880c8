// The operations endpoints: /healthz (the process lives), /readyz (the database
// and the queue backend answer), /metrics (Prometheus). /readyz and /metrics
// answer a bearer of METRICS_TOKEN, or without one, loopback clients only.
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Db } from "../db/client.ts";
import type { QueueBackend } from "../jobs/backend.ts";
import type { Log } from "../logger.ts";
import { withTimeout } from "../timing.ts";
import type { CairnMetrics } from "./metrics.ts";

export interface OperationsOptions {
  readonly db: Db;
  readonly metrics: CairnMetrics;
  readonly log: Log;
  readonly metricsToken?: string;
  readonly backend?: Pick<QueueBackend, "ping">;
  readonly ping?: () => Promise<void>;
  readonly readyTimeoutMs?: number;
}

const READ_METHODS = ["GET", "HEAD"];

/** Registers /healthz, /readyz and /metrics; any other method than GET or HEAD is answered 405. */
export function registerOperations(app: FastifyInstance, options: OperationsOptions): void {
  const allowed = access(options.metricsToken);
  const ready = readiness(options);
  const route = (
    path: string,
    open: boolean,
    answer: (reply: FastifyReply) => Promise<FastifyReply> | FastifyReply,
  ): void => {
    app.all(path, { exposeHeadRoute: false }, async (request, reply) => {
      if (!READ_METHODS.includes(request.method))
        return sendJson(reply.header("allow", "GET, HEAD"), 405, { status: "method not allowed" });
      if (!open && !allowed(request)) return sendJson(reply, 403, { status: "forbidden" });
      return answer(reply);
    });
  };
  route("/healthz", true, (reply) => sendJson(reply, 200, { status: "ok" }));
  route("/readyz", false, async (reply) => {
    const reason = await ready();
    return sendJson(
      reply,
      reason === null ? 200 : 503,
      reason === null ? { status: "ok" } : { status: "unavailable", reason },
    );
  });
  route("/metrics", false, async (reply) => {
    const { registry } = options.metrics;
    return reply
      .code(200)
      .header("content-type", registry.contentType)
      .header("cache-control", "no-store")
      .send(await registry.metrics());
  });
}

/**
 * One JSON line, never cached; a HEAD request gets the headers only (fastify
 * drops the body). Sent as bytes, so fastify keeps the content type as given.
 */
export function sendJson(reply: FastifyReply, status: number, body: object): FastifyReply {
  return reply
    .code(status)
    .header("content-type", "application/json")
    .header("cache-control", "no-store")
    .send(Buffer.from(`${JSON.stringify(body)}\n`));
}

const digest = (text: string): Buffer => createHash("sha256").update(text).digest();

/** Who may read /metrics and /readyz: a bearer of the token, or without one, a loopback client. */
function access(token: string | undefined): (request: FastifyRequest) => boolean {
  if (token === undefined) return (request) => isLoopback(request.socket.remoteAddress ?? "");
  const expected = digest(`Bearer ${token}`);
  return (request) => timingSafeEqual(digest(request.headers.authorization ?? ""), expected);
}

export function isLoopback(address: string): boolean {
  return address === "::1" || /^(::ffff:)?127\./.test(address);
}

/**
 * The readiness check: null when the database answers `SELECT 1` and the queue
 * backend answers its ping, else a fixed one-line reason. The error itself goes
 * to the (redacting) log only: it may hold a host, a user or a database name.
 */
function readiness(options: OperationsOptions): () => Promise<string | null> {
  const { log } = options;
  const timeoutMs = options.readyTimeoutMs ?? 2000;
  const ping =
    options.ping ??
    (options.backend === undefined ? null : () => options.backend?.ping() ?? Promise.resolve());
  const check = async (what: string, work: () => Promise<unknown>): Promise<boolean> => {
    const outcome = await withTimeout(
      work().then(
        () => null,
        (error: unknown) => error,
      ),
      timeoutMs,
    );
    if (outcome === null) log.warn({ check: what, timeoutMs }, "not ready: no answer in time");
    else if (outcome.value !== null) log.warn({ check: what, err: outcome.value }, "not ready");
    return outcome !== null && outcome.value === null;
  };
  return async () => {
    const [database, queues] = await Promise.all([
      check("database", () => options.db.$queryRaw`SELECT 1`),
      ping === null ? Promise.resolve(true) : check("queues", ping),
    ]);
    if (!database) return "database did not answer SELECT 1";
    if (!queues) return "queue backend did not answer its ping";
    return null;
  };
}
