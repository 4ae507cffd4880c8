// The per-token rate limit of everything a bearer token calls on this server:
// /api/v1 and /mcp count against one limit, kept by one @fastify/rate-limit
// registered once at the server's root (in Redis when REDIS_URL is set, so
// every process shares the counts; else in this process). Routes opt in with
// tokenRateLimitHook; nothing else on the server is limited by it.
import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from "fastify";
import { Redis } from "ioredis";
import { tokenPrefix } from "../core/tokens.ts";

export interface TokenRateLimitSettings {
  /** Requests a token (or an address without one) may make per window; default 300 a minute. */
  readonly max: number;
  readonly windowMs: number;
  /** Counts are kept in Redis when given, so every process shares them. */
  readonly redisUrl?: string;
}

export const DEFAULT_TOKEN_RATE: TokenRateLimitSettings = { max: 300, windowMs: 60_000 };

/** The key space in Redis: the same for every process and every route that opts in. */
const NAMESPACE = "cairn-api-rate:";

/** The token of an `Authorization: Bearer …` header, if there is one. */
export function bearerOf(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  const match = typeof header === "string" ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1] ?? null;
}

/** Whom a request counts against: its token's public prefix, else its address. */
function rateKeyOf(request: FastifyRequest): string {
  return tokenPrefix(bearerOf(request) ?? "") ?? `ip:${request.ip}`;
}

/**
 * Registers the limit at the root of `app` (startHttpServer does, before any
 * plugin), limiting no route by itself. A refusal is thrown as an error with
 * status 429 and code RATE_LIMITED, after Retry-After is set, for the route's
 * error handler to answer (the API's problem+json).
 */
export async function registerTokenRateLimit(
  app: FastifyInstance,
  settings: TokenRateLimitSettings = DEFAULT_TOKEN_RATE,
): Promise<void> {
  const redis =
    settings.redisUrl === undefined
      ? undefined
      : new Redis(settings.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: false });
  if (redis !== undefined) app.addHook("onClose", async () => void (await redis.quit().catch(() => {})));
  await app.register(rateLimit, {
    global: false,
    max: settings.max,
    timeWindow: settings.windowMs,
    nameSpace: NAMESPACE,
    ...(redis === undefined ? {} : { redis, skipOnError: true }),
    keyGenerator: rateKeyOf,
    errorResponseBuilder: (_request, context) =>
      Object.assign(new Error("rate limited"), { statusCode: context.statusCode, code: "RATE_LIMITED" }),
  });
}

/**
 * The limit as an onRequest hook for a route of any plugin on the server: every
 * hook made here counts in the one store registerTokenRateLimit made.
 */
export function tokenRateLimitHook(scope: FastifyInstance): onRequestAsyncHookHandler {
  if (!scope.hasDecorator("rateLimit"))
    throw new Error("the token rate limit is registered at the server's root (startHttpServer) first");
  // Without options, the handler is over the root registration's own store and settings.
  return scope.rateLimit() as unknown as onRequestAsyncHookHandler;
}
