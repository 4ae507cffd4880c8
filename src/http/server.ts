// Cairn's one HTTP server, on fastify: the operations endpoints (/healthz,
// /readyz, /metrics), the platforms' webhooks mounted raw, and whatever
// plugins the process adds (the /api/v1 API, the moderator pages, the
// operator's /admin/queues).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import type { Db } from "../db/client.ts";
import type { QueueBackend } from "../jobs/backend.ts";
import type { JobObserver } from "../jobs/definition.ts";
import { silentLog, type Log } from "../logger.ts";
import type { Queues } from "../jobs/queues.ts";
import { createMetrics, type CairnMetrics } from "./metrics.ts";
import { registerOperations, sendJson } from "./operations.ts";
import { registerRawRoutes, type HttpRoute } from "./rawRoutes.ts";
import { registerTokenRateLimit, type TokenRateLimitSettings } from "./tokenRateLimit.ts";

export type { HttpRoute } from "./rawRoutes.ts";

/** Something mounted on the server (the API); registered after the operations endpoints. */
export type HttpPlugin = (app: FastifyInstance) => Promise<void>;

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
  /** More POST routes by exact path (a platform's webhook), handled by plain Node handlers. */
  readonly routes?: readonly HttpRoute[];
  /** More routes (the API), each in its own fastify context. */
  readonly plugins?: readonly HttpPlugin[];
  /** The per-token limit /api/v1 and /mcp share (tokenRateLimit.ts); default 300 requests a minute, in memory. */
  readonly tokenRateLimit?: TokenRateLimitSettings;
}

export interface HttpServer {
  /** http://host:port, without a trailing slash. */
  readonly url: string;
  readonly metrics: CairnMetrics;
  close(): Promise<void>;
}

/** Slow or idle clients lose their socket; more than MAX_CONNECTIONS are refused. */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
const KEEP_ALIVE_TIMEOUT_MS = 5_000;
const MAX_CONNECTIONS = 256;
/** No route takes more (a Telegram update is far smaller; the API sets its own, smaller limit). */
const BODY_LIMIT_BYTES = 1_000_000;

export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const log = options.log ?? silentLog;
  const metrics = createMetrics({
    db: options.db,
    log,
    ...(options.runtime === undefined ? {} : { queues: options.runtime.queues }),
  });
  const stopObserving = options.runtime?.observe?.(metrics.observer) ?? (() => {});
  const app = buildApp(options, log);
  registerOperations(app, {
    db: options.db,
    metrics,
    log,
    ...(options.metricsToken === undefined ? {} : { metricsToken: options.metricsToken }),
    ...(options.backend === undefined ? {} : { backend: options.backend }),
    ...(options.ping === undefined ? {} : { ping: options.ping }),
    ...(options.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: options.readyTimeoutMs }),
  });
  await registerRawRoutes(app, options.routes ?? [], log);
  await registerTokenRateLimit(app, options.tokenRateLimit);
  for (const plugin of options.plugins ?? []) await app.register(plugin);
  try {
    await app.listen({ port: options.port, host: options.host ?? "0.0.0.0" });
  } catch (error) {
    stopObserving();
    throw error;
  }
  app.server.maxConnections = options.maxConnections ?? MAX_CONNECTIONS;
  const { port, address } = app.server.address() as AddressInfo;
  log.info({ port }, "http server listening (/healthz, /readyz, /metrics)");
  return {
    url: `http://${urlHost(address)}:${port}`,
    metrics,
    async close() {
      stopObserving();
      await app.close();
    },
  };
}

function urlHost(address: string): string {
  if (address === "0.0.0.0" || address === "::") return "127.0.0.1";
  return address.includes(":") ? `[${address}]` : address;
}

function buildApp(options: HttpServerOptions, log: Log): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT_BYTES,
    forceCloseConnections: true,
    // The Node server is built here so its header timeout and check interval are ours.
    serverFactory: (handler) => nodeServer(handler, options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS),
  });
  app.setNotFoundHandler((_request, reply) => sendJson(reply, 404, { status: "not found" }));
  app.setErrorHandler((error, request, reply) => {
    const status = clientErrorStatus(error);
    if (status === 500) log.error({ err: error, path: request.url }, "http request failed");
    return sendJson(reply, status, { status: status === 500 ? "error" : "bad request" });
  });
  return app;
}

/** The 4xx status fastify gave a client's mistake (a body too large, bad JSON), else 500. */
export function clientErrorStatus(error: unknown): number {
  const status =
    typeof error === "object" && error !== null && "statusCode" in error ? error.statusCode : undefined;
  return typeof status === "number" && status >= 400 && status < 500 ? status : 500;
}

function nodeServer(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
  headersTimeout: number,
): Server {
  return createServer(
    {
      headersTimeout,
      requestTimeout: REQUEST_TIMEOUT_MS,
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      // How often those timeouts are enforced (Node's default is 30 s).
      connectionsCheckingInterval: 1000,
    },
    handler,
  );
}
