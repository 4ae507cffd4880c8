// The operator's queue dashboard: Bull Board at /admin/queues over this
// process's BullMQ queues (on Redis or on BullMQ's PostgreSQL backend alike),
// behind ADMIN_TOKEN. Without the token nothing is mounted (404).
import { createHash, timingSafeEqual } from "node:crypto";
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { FastifyAdapter } from "@bull-board/fastify";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { QUEUE_KEYS, type Queues } from "../../jobs/queues.ts";
import { readCookie } from "../web/moderation/cookies.ts";

export const ADMIN_PATH = "/admin/queues";
const ADMIN_COOKIE = "cairn_admin";
/** The operator stays signed in to the dashboard for a working day. */
const COOKIE_MAX_AGE_S = 12 * 3600;

export interface AdminQueuesOptions {
  /** ADMIN_TOKEN; undefined mounts nothing. */
  readonly adminToken: string | undefined;
  readonly queues: Queues;
  /** Marks the cookie Secure (PUBLIC_URL is https). */
  readonly secure: boolean;
}

const sha256 = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest();

/** Equal texts, compared in constant time whatever their lengths. */
function sameSecret(given: string, expected: Buffer): boolean {
  return timingSafeEqual(sha256(given), expected);
}

export function adminQueuesPlugin(options: AdminQueuesOptions): (app: FastifyInstance) => Promise<void> {
  return async (app) => {
    const token = options.adminToken;
    if (token === undefined || token === "") return;
    const bearer = sha256(`Bearer ${token}`);
    // The cookie holds a digest of the token, never the token itself.
    const cookieValue = sha256(`cairn-admin\0${token}`).toString("hex");
    const cookie = sha256(cookieValue);
    const allowed = (request: FastifyRequest): boolean =>
      sameSecret(request.headers.authorization ?? "", bearer) ||
      sameSecret(readCookie(request.headers.cookie, ADMIN_COOKIE) ?? "", cookie);

    app.addHook("onRequest", async (request, reply) => {
      if (allowed(request)) return;
      const url = new URL(request.url, "http://local");
      const given = url.searchParams.get("token");
      if (given !== null && sameSecret(given, sha256(token)))
        return signIn(reply, url, cookieValue, options.secure);
      return reply
        .code(401)
        .header("cache-control", "no-store")
        .header("www-authenticate", 'Bearer realm="cairn-admin"')
        .type("text/plain; charset=utf-8")
        .send(
          "Send ADMIN_TOKEN as Authorization: Bearer <token>, or open /admin/queues?token=<token> once.\n",
        );
    });

    const server = new FastifyAdapter();
    server.setBasePath(ADMIN_PATH);
    createBullBoard({
      queues: QUEUE_KEYS.map((key) => new BullMQAdapter(options.queues[key])),
      serverAdapter: server,
      options: { uiConfig: { boardTitle: "Cairn queues" } },
    });
    await app.register(server.registerPlugin(), { prefix: ADMIN_PATH });
  };
}

/** Sets the dashboard cookie and sends the browser on without the token in its address bar or history. */
function signIn(reply: FastifyReply, url: URL, value: string, secure: boolean): FastifyReply {
  url.searchParams.delete("token");
  const cookie = [
    `${ADMIN_COOKIE}=${value}`,
    `Path=${ADMIN_PATH}`,
    `Max-Age=${COOKIE_MAX_AGE_S}`,
    "HttpOnly",
    "SameSite=Strict",
    ...(secure ? ["Secure"] : []),
  ].join("; ");
  return reply
    .header("set-cookie", cookie)
    .header("cache-control", "no-store")
    .header("referrer-policy", "no-referrer")
    .redirect(`${url.pathname}${url.search}`, 303);
}
