// Telegram's failures as the port's PlatformError. Telegraf's errors may carry
// the request (and a network error's message the URL, which holds the bot
// token), so nothing of them is passed on but the method, the status code and
// Telegram's description with any token scrubbed out.
import { TelegramError } from "telegraf";
import { PlatformError, type PlatformFailure } from "../../ports/chatPlatform.ts";

/** Telegram's descriptions that mean the chat is no longer there for the bot. */
const CHAT_GONE = [/chat not found/i, /upgraded to a supergroup/i, /group chat was deactivated/i];
const BOT_REMOVED = [
  /bot was kicked/i,
  /bot is not a member/i,
  /bot was blocked by the user/i,
  /user is deactivated/i,
  /can't initiate conversation/i,
  /bot can't send messages to bots/i,
];
const MESSAGE_GONE = [
  /message to (edit|delete) not found/i,
  /message_id_invalid/i,
  /message can't be edited/i,
];

/** Bot tokens look like 123456:ABC-def; scrubbed from any text that leaves this adapter. */
export function scrubToken(text: string, token?: string): string {
  const generic = text.replace(/\d{5,}:[A-Za-z0-9_-]{20,}/g, "[token]");
  return token === undefined || token === "" ? generic : generic.replaceAll(token, "[token]");
}

/** "message is not modified": an edit that changed nothing, which is what was wanted. */
export function isNotModified(error: unknown): boolean {
  return error instanceof TelegramError && /message is not modified/i.test(error.description);
}

/** The chat id a group moved to when it became a supergroup, when Telegram says so. */
export function migratedTo(error: unknown): number | null {
  if (!(error instanceof TelegramError)) return null;
  return error.parameters?.migrate_to_chat_id ?? null;
}

/** Whether the person has not started the bot in private (or blocked it): a private message cannot reach them. */
export function cannotMessagePrivately(error: unknown): boolean {
  return error instanceof TelegramError && error.code === 403;
}

export function telegramFailure(error: unknown): PlatformFailure {
  if (!(error instanceof TelegramError)) return { kind: "transient", reason: "network" };
  const description = error.description ?? "";
  if (error.code === 429) {
    const seconds = error.parameters?.retry_after ?? 1;
    return { kind: "rate_limited", retryAfterMs: Math.max(1, seconds) * 1000, scope: "chat" };
  }
  if (error.code >= 500) return { kind: "transient", reason: `status ${error.code}` };
  if (error.parameters?.migrate_to_chat_id !== undefined || CHAT_GONE.some((p) => p.test(description)))
    return { kind: "permanent", reason: "chat_gone" };
  if (BOT_REMOVED.some((p) => p.test(description))) return { kind: "permanent", reason: "bot_removed" };
  if (MESSAGE_GONE.some((p) => p.test(description))) return { kind: "permanent", reason: "message_deleted" };
  if (error.code === 403) return { kind: "permanent", reason: "forbidden" };
  if (error.code === 401 || error.code === 404) return { kind: "permanent", reason: "forbidden" };
  return { kind: "permanent", reason: "bad_request" };
}

/** Any error of a Bot API call as a PlatformError whose message names the method and never the token. */
export function toPlatformError(error: unknown, method: string, token: string): PlatformError {
  if (error instanceof PlatformError) return error;
  const failure = telegramFailure(error);
  const detail =
    error instanceof TelegramError
      ? `${error.code} ${error.description ?? ""}`.trim()
      : error instanceof Error
        ? error.name
        : "unknown error";
  return new PlatformError("TELEGRAM", failure, `telegram ${method}: ${scrubToken(detail, token)}`);
}

/** An error safe to log: the platform failure when it is one, else its name and scrubbed message. */
export function loggableError(error: unknown, token: string): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: scrubToken(error.message, token) };
  return { name: "unknown", message: scrubToken(String(error), token) };
}
