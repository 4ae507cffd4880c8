// POST /mcp: the MCP server over streamable HTTP, stateless (a server and a
// transport per request, answered as JSON), for the holder of the request's
// bearer token. A request without a live token gets the API's 401 problem
// before any MCP message is read; each tool call checks the token again with
// the route's scope, through the same path as /api/v1. Each request counts
// against the token's rate limit, the one /api/v1 counts against.
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Deps } from "../app/deps.ts";
import { authenticateToken } from "../app/tokens.ts";
import type { Log } from "../logger.ts";
import { answerApiError } from "../http/api/plugin.ts";
import { bearerOf, tokenRateLimitHook } from "../http/tokenRateLimit.ts";
import { sendProblem } from "../http/api/problem.ts";
import { createMcpServer } from "./server.ts";

export const MCP_PATH = "/mcp";

export interface McpHttpOptions {
  readonly deps: Deps;
  readonly log: Log;
  /** Largest request body; default 64 KiB, as the API's. */
  readonly bodyLimitBytes?: number;
}

const BODY_LIMIT_BYTES = 64 * 1024;

/** /mcp as a plugin for startHttpServer. */
export function mcpPlugin(options: McpHttpOptions): (app: FastifyInstance) => Promise<void> {
  return async (app) => {
    // A refused request (over the token's limit, a body too large) is the API's problem+json.
    app.setErrorHandler((error, request, reply) => answerApiError(error, request, reply, options.log));
    app.post(
      MCP_PATH,
      { bodyLimit: options.bodyLimitBytes ?? BODY_LIMIT_BYTES, onRequest: tokenRateLimitHook(app) },
      (request, reply) => answerMcp(options, request, reply),
    );
    // Stateless: no session to stream to or to end.
    for (const method of ["GET", "DELETE"] as const)
      app.route({
        method,
        url: MCP_PATH,
        handler: (_request, reply) => reply.code(405).header("allow", "POST").send(),
      });
  };
}

async function answerMcp(
  options: McpHttpOptions,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const bearer = bearerOf(request);
  const caller = bearer === null ? null : await authenticateToken(options.deps, bearer);
  if (caller === null || !caller.ok) {
    reply.header("www-authenticate", 'Bearer realm="cairn"');
    await sendProblem(reply, caller?.ok === false ? caller.error : { code: "UNAUTHENTICATED" });
    return;
  }
  const server = createMcpServer(options.deps, () => bearer);
  // Omitting sessionIdGenerator is the SDK's stateless mode.
  const transport = new StreamableHTTPServerTransport({ enableJsonResponse: true });
  reply.hijack();
  reply.raw.on("close", () => {
    void transport.close().catch(() => {});
    void server.close().catch(() => {});
  });
  try {
    await server.connect(transport);
    await transport.handleRequest(request.raw, reply.raw, request.body);
  } catch (error) {
    options.log.error({ err: error, path: MCP_PATH }, "mcp request failed");
    if (!reply.raw.headersSent) reply.raw.writeHead(500, { "content-type": "application/json" });
    reply.raw.end();
  }
}
