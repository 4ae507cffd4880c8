import type { Platform } from "../app/actors.ts";
import type { View } from "../views/view.ts";

/**
 * Where a message goes on a platform: a community's chat (with the configured
 * channel inside it, when there is one) or one person directly.
 */
export type ChatTarget =
  | {
      readonly kind: "chat";
      readonly platform: Platform;
      /** The space's chat: a Discord guild, a Telegram group, the console room. */
      readonly chatId: string;
      readonly channel: "verification" | "modlog" | "leaderboard";
      /** A configured channel inside the chat (verificationChat, modLogChat, leaderboardChat), or null for the chat itself. */
      readonly channelRef: string | null;
      /** How logs and the console name it: "#verification". */
      readonly label: string;
    }
  | {
      readonly kind: "direct";
      readonly platform: Platform;
      readonly userId: string;
      readonly label: string;
    };

/** A message the platform posted, so it can be edited or deleted later. */
export interface MessageRef {
  readonly messageId: string;
}

/** A token bucket: `capacity` requests at once, refilled at `perSecond`. */
export interface Pace {
  readonly capacity: number;
  readonly perSecond: number;
}

/** The key a target's per-chat pacing bucket is kept under. */
export function paceKey(target: ChatTarget, limits: PlatformLimits): string {
  return target.kind === "chat" && limits.perChatScope === "chat"
    ? `${target.platform}:${target.chatId}`
    : targetKey(target);
}

/** The most a bucket lets through in any window of `seconds`: a full bucket, then its refill. */
export function mostInWindow(pace: Pace, seconds: number): number {
  return pace.capacity + pace.perSecond * seconds;
}

/** What a platform allows a bot: overall, and per chat (or per direct conversation). */
export interface PlatformLimits {
  readonly global: Pace;
  readonly perChat: Pace;
  /**
   * What `perChat` counts: each channel on its own (Discord's per-channel
   * buckets), or the whole chat with its topics (Telegram's per-group limit).
   * Default "channel".
   */
  readonly perChatScope?: "channel" | "chat";
}

export type PermanentReason =
  | "chat_gone"
  | "bot_removed"
  | "message_deleted"
  | "forbidden"
  | "bad_request"
  /** A delivery's post was interrupted (between posting and recording) more often than it is repeated. */
  | "post_interrupted"
  /** This process has no token for the platform: every worker must be given the tokens of every platform in use. */
  | "not_configured";

/** Why a platform call failed, with what the caller needs to react. */
export type PlatformFailure =
  | { readonly kind: "rate_limited"; readonly retryAfterMs: number; readonly scope: "chat" | "global" }
  | { readonly kind: "permanent"; readonly reason: PermanentReason }
  | { readonly kind: "transient"; readonly reason: string };

/**
 * The one error a ChatPlatform throws. The message names what failed and never
 * a token or a request body.
 */
export class PlatformError extends Error {
  constructor(
    readonly platform: Platform,
    readonly failure: PlatformFailure,
    message?: string,
  ) {
    super(message ?? `${platform.toLowerCase()}: ${describeFailure(failure)}`);
    this.name = "PlatformError";
  }
}

export function describeFailure(failure: PlatformFailure): string {
  switch (failure.kind) {
    case "rate_limited":
      return `rate limited (${failure.scope}) for ${failure.retryAfterMs} ms`;
    case "permanent":
      return `permanent: ${failure.reason}`;
    case "transient":
      return `transient: ${failure.reason}`;
  }
}

export interface PostOptions {
  readonly idempotencyKey?: string;
}

/**
 * The port every platform adapter implements for the bot's own messages (vote
 * cards, tally edits, announcements, leaderboards, digests, exports). Pacing and
 * retries are the caller's: an implementation makes one request per call.
 */
export interface ChatPlatform {
  readonly platform: Platform;
  readonly limits: PlatformLimits;
  /** The largest file a bot may upload, when the platform has a limit (told to a moderator whose export is over it). */
  readonly uploadLimitBytes?: number;
  /**
   * `options.idempotencyKey` (at most 25 characters) names this post: a platform
   * that can de-duplicate (Discord's enforce_nonce) returns the first message for
   * a repeated key; one that cannot (Telegram) ignores it and posts again.
   */
  post(target: ChatTarget, view: View, options?: PostOptions): Promise<MessageRef>;
  edit(target: ChatTarget, ref: MessageRef, view: View): Promise<void>;
  delete(target: ChatTarget, ref: MessageRef): Promise<void>;
  /**
   * The chat (a Discord server, a Telegram group) that owns the place a chat
   * setting names (`chatRef`: a channel, a topic, a chat id) when it is set in
   * chat `inChat`; undefined when it names no place the platform knows. Asked
   * by `/config set`, and by a platform's own delivery where a setting could
   * point outside the space's chat. A platform without places (the console)
   * has none.
   */
  chatOwner?(chatRef: string, inChat: string): Promise<string | undefined>;
}

/**
 * The key a target is paced and its card references are stored under: the chat
 * and the channel inside it, since a channel reference (a Telegram topic id)
 * is only unique within its chat.
 */
export function targetKey(target: ChatTarget): string {
  return target.kind === "chat"
    ? `${target.platform}:${target.chatId}${target.channelRef === null ? "" : `:${target.channelRef}`}`
    : `${target.platform}:dm:${target.userId}`;
}
