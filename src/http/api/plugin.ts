// /api/v1 on the HTTP server: bearer-token authentication with scope checks,
// zod-checked requests, refusals as problem+json, Idempotency-Key for
// creation, the server's per-token rate limit (shared with /mcp, on Redis when
// REDIS_URL is set), and the OpenAPI document and reference page built from
// the same route list.
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from "fastify";
import type { Deps } from "../../app/deps.ts";
import type { Prisma } from "../../generated/prisma/client.ts";
import { onceForKey } from "../../app/idempotency.ts";
import type { Log } from "../../logger.ts";
import { INLINE_EXPORT_MEMBERS } from "../../app/exports.ts";
import type { ExportJobs } from "../../ports/exportJobs.ts";
import { clientErrorStatus } from "../server.ts";
import { bearerOf, tokenRateLimitHook } from "../tokenRateLimit.ts";
import { answerAndAudit, callerFor, parseRouteInput } from "./call.ts";
import { apiRoutes } from "./routes.ts";
import { openApiDocument, referencePage } from "./openapi.ts";
import { refusalStatus, sendProblem } from "./problem.ts";
import { isDatabaseUnavailable } from "../../db/errors.ts";
import type { AnyApiRoute, ApiAnswer } from "./route.ts";

export const API_PREFIX = "/api/v1";

export interface ApiOptions {
  readonly deps: Deps;
  readonly log: Log;
  /** Largest request body; default 64 KiB. */
  readonly bodyLimitBytes?: number;
  /** The export queue, so large exports are built by a worker (POST /exports answers 202). */
  readonly exportJobs?: ExportJobs;
  /** Members with a balance an inline export takes at most; default INLINE_EXPORT_MEMBERS, as /export. */
  readonly inlineExportMembers?: number;
}

const BODY_LIMIT_BYTES = 64 * 1024;

/** The API as a plugin for startHttpServer. */
export function apiPlugin(options: ApiOptions): (app: FastifyInstance) => Promise<void> {
  return async (app) => {
    await app.register(
      async (api) => {
        api.setErrorHandler((error, request, reply) => answerApiError(error, request, reply, options.log));
        api.setNotFoundHandler((_request, reply) => sendProblem(reply, { code: "NOT_FOUND" }));
        const limited = tokenRateLimitHook(api);
        for (const route of apiRoutes) registerRoute(api, route, options, limited);
        // The document and the reference page are not limited: they are the same for everyone.
        const document = openApiDocument(apiRoutes);
        api.get("/openapi.json", (_request, reply) =>
          reply.header("content-type", "application/json").send(JSON.stringify(document)),
        );
        const page = referencePage(apiRoutes);
        api.get("/docs", (_request, reply) =>
          reply.header("content-type", "text/html; charset=utf-8").send(page),
        );
      },
      { prefix: API_PREFIX },
    );
  };
}

/** A fastify error (the rate limit, a body too large or not JSON, a crash) as the API's problem+json. */
export function answerApiError(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  log: Log,
): FastifyReply {
  const status = clientErrorStatus(error);
  if (status === 429) return sendProblem(reply, { code: "RATE_LIMITED" });
  if (status === 413)
    return sendProblem(reply, { code: "BODY_TOO_LARGE", detail: { max: BODY_LIMIT_BYTES } });
  if (status < 500)
    return sendProblem(reply, { code: "BAD_REQUEST", detail: { problem: "the body is not JSON" } });
  if (isDatabaseUnavailable(error)) {
    log.warn({ path: request.url }, "api request refused: the database is unreachable");
    reply.header("retry-after", "5");
    return sendProblem(reply, { code: "DATABASE_UNAVAILABLE" });
  }
  log.error({ err: error, path: request.url }, "api request failed");
  return reply
    .code(500)
    .header("content-type", "application/problem+json")
    .send(
      JSON.stringify({
        type: "about:blank",
        title: "Internal Server Error",
        status: 500,
        detail: "Something went wrong on our side; nothing was changed. Please try again.",
      }),
    );
}

function registerRoute(
  api: FastifyInstance,
  route: AnyApiRoute,
  options: ApiOptions,
  limited: onRequestAsyncHookHandler,
): void {
  const exports =
    options.exportJobs === undefined
      ? {}
      : {
          exports: {
            jobs: options.exportJobs,
            inlineMembers: options.inlineExportMembers ?? INLINE_EXPORT_MEMBERS,
          },
        };
  api.route({
    method: route.method,
    url: route.path.replace(/\{(\w+)\}/g, ":$1"),
    bodyLimit: options.bodyLimitBytes ?? BODY_LIMIT_BYTES,
    onRequest: limited,
    handler: async (request, reply) => {
      const caller = await callerFor(options.deps, bearerOf(request), route);
      if (!caller.ok) return sendProblem(reply, caller.error);
      const input = parseRouteInput(route, {
        params: request.params,
        query: request.query,
        body: request.body,
      });
      if (!input.ok) return sendProblem(reply, input.error);
      const call = { deps: options.deps, ...exports, caller: caller.value, ...input.value };
      const idempotencyKey = request.headers["idempotency-key"];
      if (route.idempotent === true && typeof idempotencyKey === "string") {
        const kept = await onceForKey(
          options.deps,
          {
            tokenId: caller.value.tokenId,
            key: idempotencyKey,
            fingerprint: requestFingerprint(request.method, request.url, request.body),
          },
          async () => {
            const answer = await answerAndAudit(route, call);
            // A refusal's status is not 2xx, so it is not kept: the key can be used again.
            const status = answer.ok ? answer.status : refusalStatus(answer.error.code);
            return { status, body: answer as unknown as Prisma.InputJsonValue };
          },
        );
        if (!kept.ok) return sendProblem(reply, kept.error);
        if (kept.value.replayed) reply.header("idempotent-replayed", "true");
        return sendAnswer(reply, kept.value.body as unknown as ApiAnswer);
      }
      return sendAnswer(reply, await answerAndAudit(route, call));
    },
  });
}

/** What an Idempotency-Key is bound to: the request's method, path and body. */
export function requestFingerprint(method: string, url: string, body: unknown): string {
  return createHash("sha256")
    .update(`${method} ${url}\n${JSON.stringify(body ?? null)}`)
    .digest("hex");
}

function sendAnswer(reply: FastifyReply, answer: ApiAnswer): FastifyReply {
  if (!answer.ok) return sendProblem(reply, answer.error);
  if (answer.location !== undefined) reply.header("location", answer.location);
  for (const [name, value] of Object.entries(answer.headers ?? {})) reply.header(name, value);
  reply.code(answer.status).header("cache-control", "no-store");
  const { body } = answer;
  if (typeof body === "object" && body !== null && Symbol.asyncIterator in body)
    return reply
      .header("content-type", answer.contentType ?? "application/octet-stream")
      .send(Readable.from(body as AsyncIterable<string>));
  if (answer.contentType !== undefined) return reply.header("content-type", answer.contentType).send(body);
  return reply.header("content-type", "application/json").send(JSON.stringify(body));
}
