// Handlers written for plain Node (request, response), such as a platform's
// webhook callback, mounted on the fastify server with their request body left
// unread: fastify parses nothing on these paths, the handler reads the stream.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FastifyInstance } from "fastify";
import type { Log } from "../logger.ts";

/** A POST route handled by a plain Node handler (Telegram's webhook). */
export interface HttpRoute {
  readonly path: string;
  handle(request: IncomingMessage, response: ServerResponse): void | Promise<void>;
}

/** Mounts each route in a context of its own whose body parser passes the stream through untouched. */
export async function registerRawRoutes(
  app: FastifyInstance,
  routes: readonly HttpRoute[],
  log: Log,
): Promise<void> {
  await app.register(async (raw) => {
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser("*", (_request, _payload, done) => done(null));
    for (const route of routes) {
      raw.all(route.path, { exposeHeadRoute: false }, async (request, reply) => {
        if (request.method !== "POST") {
          return reply
            .code(405)
            .header("allow", "POST")
            .header("content-type", "application/json")
            .send(`${JSON.stringify({ status: "method not allowed" })}\n`);
        }
        reply.hijack();
        try {
          await route.handle(request.raw, reply.raw);
        } catch (error) {
          log.error({ err: error, path: route.path }, "http request failed");
          if (!reply.raw.headersSent) {
            reply.raw.writeHead(500, { "content-type": "application/json" });
            reply.raw.end(`${JSON.stringify({ status: "error" })}\n`);
          } else reply.raw.destroy();
        }
        return reply;
      });
    }
  });
}
