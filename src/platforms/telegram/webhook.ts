// Telegram's webhook as a route on Cairn's own HTTP server: a plain Node
// (request, response) handler in front of telegraf's own webhookCallback.
// Telegram sends the secret given to setWebhook in a header with every update;
// a request without it is not from Telegram and is refused here, before its
// body is read. telegraf checks the secret too, but accepts every request when
// none is set, compares in time that follows the secret's length and, with
// DEBUG on, logs both on a mismatch; so the digest comparison below runs first.
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Update } from "telegraf/types";

export const SECRET_HEADER = "x-telegram-bot-api-secret-token";
/** Updates are small; anything larger is not one. */
const MAX_BODY_BYTES = 1_000_000;

export interface WebhookRoute {
  readonly path: string;
  handle(request: IncomingMessage, response: ServerResponse): Promise<void>;
}

/** The path Telegram posts to: the webhook URL's path. */
export function webhookPath(url: string): string {
  return new URL(url).pathname;
}

/**
 * Whether the header holds the secret. The sha256 digests are compared in
 * constant time, so neither the secret's content nor its length shows in the
 * time taken; a missing or repeated header never matches.
 */
export function secretMatches(expected: string, given: string | string[] | undefined): boolean {
  if (typeof given !== "string") return false;
  return timingSafeEqual(digest(expected), digest(given));
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/**
 * Answers 200 once the update is handled (or was a duplicate), so Telegram
 * sends it again only when the bot did not get it: 403 for a wrong secret,
 * 400 for a body that is not an update, 503 while the bot is stopped. The
 * update read here is handed to telegraf's handler as the request's body.
 */
export function webhookRoute(
  path: string,
  secret: string,
  accepting: () => boolean,
  telegrafHandler: TelegrafWebhook,
): WebhookRoute {
  return {
    path,
    async handle(request, response) {
      if (request.method !== "POST") return end(response, 405);
      if (!secretMatches(secret, request.headers[SECRET_HEADER])) return end(response, 403);
      if (!accepting()) return end(response, 503);
      const update = readUpdate(await readBody(request));
      if (update === null) return end(response, 400);
      await telegrafHandler(Object.assign(request, { body: update }), response, () => end(response, 403));
      if (!response.writableEnded) end(response, 200);
    },
  };
}

/** What telegraf's `webhookCallback` returns. */
export type TelegrafWebhook = (
  request: IncomingMessage & { body?: Update },
  response: ServerResponse,
  next?: () => void,
) => Promise<void>;

function end(response: ServerResponse, status: number): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(status === 200 ? "{}" : JSON.stringify({ status }));
}

async function readBody(request: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** An update is an object with an integer update_id; what else it holds the handlers check. */
export function readUpdate(body: string | null): Update | null {
  if (body === null) return null;
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== "object" || parsed === null || !("update_id" in parsed)) return null;
    return Number.isSafeInteger(parsed.update_id) ? (parsed as Update) : null;
  } catch {
    return null;
  }
}
