// The bot's answers to commands go through the same pacing buckets as the
// delivery jobs' posts, so a burst of commands in one group cannot push the bot
// past Telegram's per-group limit (nor the jobs' cards with it). Every Bot API
// call that puts a message in a chat waits for a token of the platform's and
// the chat's bucket; a 429 empties the chat's bucket for its retry_after.
import { setTimeout as sleep } from "node:timers/promises";
import { Telegram } from "telegraf";
import type { Opts, Telegram as BotApi } from "telegraf/types";
import { PlatformError, type ChatTarget, type PlatformLimits } from "../../ports/chatPlatform.ts";
import { bucketsFor, type PaceBuckets } from "../../ports/pacing.ts";
import { paceKey } from "../../ports/chatPlatform.ts";
import { telegramFailure } from "./errors.ts";
import { TELEGRAM_LIMITS, type TelegramConnection } from "./outgoing.ts";

/** Calls that put (or change) a message in a chat; everything else (getChatMember, answerCallbackQuery…) is not paced. */
const MESSAGE_CALLS: ReadonlySet<string> = new Set([
  "sendMessage",
  "sendPhoto",
  "sendDocument",
  "editMessageText",
  "editMessageReplyMarkup",
]);

/** How long an answer waits for its chat's bucket by default before it is dropped. */
export const REPLY_WAIT_MS = 30_000;

export interface ReplyPacing {
  readonly buckets: PaceBuckets;
  /** Default Telegram's own limits (the ones the delivery jobs use). */
  readonly limits?: PlatformLimits;
  /** How long one answer may wait for a token (default 30 s). */
  readonly waitAtMostMs?: number;
}

/**
 * An answer that would have had to wait longer than allowed: the chat is
 * flooded, the answer is not sent. A rate limit of the port, so the reply
 * code passes it on as it is.
 */
export class ReplyDropped extends PlatformError {
  constructor(
    readonly chatId: string,
    waitMs: number,
  ) {
    super(
      "TELEGRAM",
      { kind: "rate_limited", retryAfterMs: waitMs, scope: "chat" },
      "telegram: an answer was dropped, its chat is over Telegram's message limit",
    );
    this.name = "ReplyDropped";
  }
}

/** The target the jobs would name for a chat: a private chat's id is the person's, a group's is negative. */
export function replyTarget(chatId: string): ChatTarget {
  return chatId.startsWith("-")
    ? // With Telegram's per-group scope the channel does not change the bucket.
      {
        kind: "chat",
        platform: "TELEGRAM",
        chatId,
        channel: "verification",
        channelRef: null,
        label: "group",
      }
    : { kind: "direct", platform: "TELEGRAM", userId: chatId, label: "private chat" };
}

type CallOptions = Parameters<Telegram["callApi"]>[2];

/** A Bot API client whose message calls are paced; the bot answers commands through it. */
export class PacedTelegram extends Telegram {
  private readonly limits: PlatformLimits;
  private readonly waitAtMostMs: number;

  constructor(
    connection: TelegramConnection,
    private readonly pacing: ReplyPacing,
  ) {
    super(connection.token, {
      webhookReply: false,
      ...(connection.apiRoot === undefined ? {} : { apiRoot: connection.apiRoot }),
    });
    this.limits = pacing.limits ?? TELEGRAM_LIMITS;
    this.waitAtMostMs = pacing.waitAtMostMs ?? REPLY_WAIT_MS;
  }

  override async callApi<M extends keyof BotApi>(
    method: M,
    payload: Opts<M>,
    options?: CallOptions,
  ): Promise<ReturnType<BotApi[M]>> {
    const chatId = MESSAGE_CALLS.has(method) ? chatIdOf(payload) : null;
    if (chatId === null) return super.callApi(method, payload, options);
    const target = replyTarget(chatId);
    await this.waitForTurn(target);
    try {
      return await super.callApi(method, payload, options);
    } catch (error) {
      const failure = telegramFailure(error);
      if (failure.kind === "rate_limited")
        await this.pacing.buckets.block(paceKey(target, this.limits), failure.retryAfterMs);
      throw error;
    }
  }

  private async waitForTurn(target: ChatTarget): Promise<void> {
    const buckets = bucketsFor(target, this.limits);
    const started = Date.now();
    for (;;) {
      const wait = await this.pacing.buckets.take(buckets);
      if (wait === 0) return;
      if (Date.now() - started + wait > this.waitAtMostMs)
        throw new ReplyDropped(target.kind === "chat" ? target.chatId : target.userId, wait);
      await sleep(wait);
    }
  }
}

function chatIdOf(payload: unknown): string | null {
  if (typeof payload !== "object" || payload === null || !("chat_id" in payload)) return null;
  const chatId = payload.chat_id;
  return typeof chatId === "number" || typeof chatId === "string" ? String(chatId) : null;
}
