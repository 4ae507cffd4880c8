// Cairn's operations endpoints on node:http: /healthz (the process lives),
// /readyz (the database and the queue backend answer), /metrics (Prometheus).
import { createHash, timingSafeEqual } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Db } from "../db/client.ts";
import type { QueueBackend } from "../jobs/backend.ts";
import type { JobObserver } from "../jobs/definition.ts";
import { silentLog, type Log } from "../logger.ts";
import type { Queues } from "../jobs/queues.ts";
import { withTimeout } from "../timing.ts";
import { createMetrics, type CairnMetrics } from "./metrics.ts";

export interface HttpServerOptions {
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** Default 0.0.0.0, so a container's probes reach it. */
  readonly host?: string;
  /**
   * With it, /metrics and /readyz answer any client sending `Authorization:
   * Bearer <token>`; without it, loopback clients only. /healthz and the extra
   * routes stay open (a webhook checks its own secret).
   */
  readonly metricsToken?: string;
  readonly db: Db;
  /** What /readyz pings: the queue backend, or any check that throws when the queues are unreachable. */
  readonly backend?: Pick<QueueBackend, "ping">;
  readonly ping?: () => Promise<void>;
  /**
   * The jobs of this process: their queues are counted at each scrape and, when
   * it can be observed (a worker runtime), job durations and delivery failures
   * are measured. `cairn bot` passes its queues only.
   */
  readonly runtime?: { readonly queues: Queues; observe?(observer: JobObserver): () => void };
  readonly log?: Log;
  /** How long /readyz waits for each check; default 2 s. */
  readonly readyTimeoutMs?: number;
  /** Default 10 s: a client that has not sent its headers by then is cut off. */
  readonly headersTimeoutMs?: number;
  /** Default 256 open connections; more are closed on arrival. */
  readonly maxConnections?: number;
  /** More POST routes by exact path (a platform's webhook). */
  readonly routes?: readonly HttpRoute[];
}

export interface HttpRoute {
  readonly path: string;
  handle(request: IncomingMessage, response: ServerResponse): void | Promise<void>;
}

export interface HttpServer {
  /** http://host:port, without a trailing slash. */
  readonly url: string;
  readonly metrics: CairnMetrics;
  close(): Promise<void>;
}

/** Every live server's metrics: observeCommand records into each (normally the one). */
const liveMetrics = new Set<CairnMetrics>();

/**
 * Records one command's latency on every running HTTP server's metrics; a no-op
 * in a process without one (the console). Adapters pass it to runCommand as
 * `observe: (command, seconds) => observeCommand(command, platform, seconds)`.
 */
export function observeCommand(command: string, platform: string, seconds: number): void {
  for (const metrics of liveMetrics) metrics.observeCommand(command, platform, seconds);
}

export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const log = options.log ?? silentLog;
  const metrics = createMetrics({
    db: options.db,
    log,
    ...(options.runtime === undefined ? {} : { queues: options.runtime.queues }),
  });
  const stopObserving = options.runtime?.observe?.(metrics.observer) ?? (() => {});
  const ready = readiness(options, log);
  const server = createServer(
    {
      headersTimeout: options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      // How often those timeouts are enforced (Node's default is 30 s).
      connectionsCheckingInterval: 1000,
    },
    (request, response) => {
      route(request, response, {
        ready,
        metrics,
        routes: options.routes ?? [],
        allowed: access(options.metricsToken),
      }).catch((error: unknown) => {
        log.error({ err: error, path: request.url }, "http request failed");
        if (!response.headersSent)
          reply(response, 500, "application/json", `${JSON.stringify({ status: "error" })}\n`);
        else response.destroy();
      });
    },
  );
  server.maxConnections = options.maxConnections ?? MAX_CONNECTIONS;
  server.listen(options.port, options.host ?? "0.0.0.0");
  await once(server, "listening");
  liveMetrics.add(metrics);
  const { port, address } = server.address() as AddressInfo;
  const host =
    address === "0.0.0.0" || address === "::"
      ? "127.0.0.1"
      : address.includes(":")
        ? `[${address}]`
        : address;
  log.info({ port }, "http server listening (/healthz, /readyz, /metrics)");
  return {
    url: `http://${host}:${port}`,
    metrics,
    async close() {
      liveMetrics.delete(metrics);
      stopObserving();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

/** Slow or idle clients lose their socket; more than MAX_CONNECTIONS are refused. */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
const KEEP_ALIVE_TIMEOUT_MS = 5_000;
const MAX_CONNECTIONS = 256;

const digest = (text: string): Buffer => createHash("sha256").update(text).digest();

/** Who may read /metrics and /readyz: a bearer of the token, or without one, a loopback client. */
function access(token: string | undefined): (request: IncomingMessage) => boolean {
  if (token === undefined) return (request) => isLoopback(request.socket.remoteAddress ?? "");
  const expected = digest(`Bearer ${token}`);
  return (request) => timingSafeEqual(digest(request.headers.authorization ?? ""), expected);
}

function isLoopback(address: string): boolean {
  return address === "::1" || /^(::ffff:)?127\./.test(address);
}

interface Handlers {
  readonly allowed: (request: IncomingMessage) => boolean;
  readonly ready: () => Promise<string | null>;
  readonly metrics: CairnMetrics;
  readonly routes: readonly HttpRoute[];
}

async function route(request: IncomingMessage, response: ServerResponse, handlers: Handlers): Promise<void> {
  const path = new URL(request.url ?? "/", "http://localhost").pathname;
  const extra = handlers.routes.find((r) => r.path === path);
  if (extra !== undefined) {
    if (request.method !== "POST") {
      response.setHeader("allow", "POST");
      reply(response, 405, "application/json", `${JSON.stringify({ status: "method not allowed" })}\n`);
      return;
    }
    await extra.handle(request, response);
    return;
  }
  if (path !== "/healthz" && path !== "/readyz" && path !== "/metrics") {
    reply(response, 404, "application/json", `${JSON.stringify({ status: "not found" })}\n`);
    return;
  }
  if (request.method !== "GET" && request.method !== "HEAD") {
    response.setHeader("allow", "GET, HEAD");
    reply(response, 405, "application/json", `${JSON.stringify({ status: "method not allowed" })}\n`);
    return;
  }
  if (path !== "/healthz" && !handlers.allowed(request)) {
    reply(response, 403, "application/json", `${JSON.stringify({ status: "forbidden" })}\n`);
    return;
  }
  if (path === "/healthz") {
    reply(response, 200, "application/json", `${JSON.stringify({ status: "ok" })}\n`);
  } else if (path === "/readyz") {
    const reason = await handlers.ready();
    const body = reason === null ? { status: "ok" } : { status: "unavailable", reason };
    reply(response, reason === null ? 200 : 503, "application/json", `${JSON.stringify(body)}\n`);
  } else {
    const { registry } = handlers.metrics;
    reply(response, 200, registry.contentType, await registry.metrics());
  }
}

function reply(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { "content-type": contentType, "cache-control": "no-store" });
  response.end(response.req.method === "HEAD" ? undefined : body);
}

/**
 * The readiness check: null when the database answers `SELECT 1` and the queue
 * backend answers its ping, else a fixed one-line reason. The error itself goes
 * to the (redacting) log only: it may hold a host, a user or a database name.
 */
function readiness(options: HttpServerOptions, log: Log): () => Promise<string | null> {
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
