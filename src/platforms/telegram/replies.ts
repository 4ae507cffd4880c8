// How the bot answers a person: public answers in the chat they wrote in (as a
// reply to their message), private ones in their private chat with the bot —
// what Discord shows ephemerally. Telegram lets a bot write privately only to
// someone who has started it; anyone else gets a short note in the group with
// a link that opens the bot.
import type { Telegram } from "telegraf";
import type { User } from "telegraf/types";
import type { View } from "../../views/view.ts";
import { PlatformError } from "../../ports/chatPlatform.ts";
import { cannotMessagePrivately, toPlatformError } from "./errors.ts";
import { escapeHtml, renderMessages } from "./html.ts";
import { NO_PREVIEW, keyboardOf, postView } from "./outgoing.ts";

/** Where a command came from: the chat, the message (to reply to), and who wrote it. */
export interface Origin {
  readonly chatId: number;
  readonly isPrivate: boolean;
  readonly messageId?: number;
  /** The forum topic the message was written in, so a public answer lands there too. */
  readonly topic?: number;
  /** The message this one replies to, if any (a question answering the bot's needs-info prompt). */
  readonly repliesTo?: number;
  readonly from: User;
}

/** The chat refused the bot (403): in a private chat, the person has not started the bot or blocked it. */
export class ChatClosed extends Error {
  constructor() {
    super("telegram: the chat does not accept messages from the bot");
    this.name = "ChatClosed";
  }
}

export function isChatClosed(error: unknown): boolean {
  return (
    error instanceof ChatClosed ||
    (error instanceof PlatformError &&
      error.failure.kind === "permanent" &&
      (error.failure.reason === "bot_removed" || error.failure.reason === "forbidden"))
  );
}

/** Sends a view as one or more messages (split at 4096 characters), the buttons on the last. */
export async function sendView(
  telegram: Telegram,
  chatId: number,
  view: View,
  extra: { readonly replyTo?: number; readonly topic?: number } = {},
): Promise<number | null> {
  if (view.attachment !== undefined) {
    const ref = await postView(telegram, String(chatId), view, extra.topic);
    return Number(ref.messageId);
  }
  const parts = renderMessages(view);
  const keyboard = keyboardOf(view);
  let last: number | null = null;
  for (const [index, html] of parts.entries()) {
    const isLast = index === parts.length - 1;
    try {
      const sent = await telegram.sendMessage(chatId, html, {
        parse_mode: "HTML",
        link_preview_options: NO_PREVIEW,
        ...(extra.topic === undefined ? {} : { message_thread_id: extra.topic }),
        ...(index === 0 && extra.replyTo !== undefined
          ? { reply_parameters: { message_id: extra.replyTo, allow_sending_without_reply: true } }
          : {}),
        ...(isLast && keyboard.inline_keyboard.length > 0 ? { reply_markup: keyboard } : {}),
      });
      last = sent.message_id;
    } catch (error) {
      if (cannotMessagePrivately(error)) throw new ChatClosed();
      throw toPlatformError(error, "sendMessage", telegram.token);
    }
  }
  return last;
}

/** The t.me link that opens a private chat with the bot, carrying `payload` as /start's argument. */
export function deepLink(botUsername: string, payload: string): string {
  return `https://t.me/${botUsername}?start=${encodeURIComponent(payload)}`;
}

/** The /start payload that tells the bot which group a person came from (g_-100123). */
export function groupPayload(kind: "g" | "c", chatId: number): string {
  return `${kind}_${chatId}`;
}

/** Reads a /start payload written by groupPayload. */
export function readGroupPayload(payload: string): { kind: "g" | "c"; chatId: number } | null {
  const match = /^([gc])_(-?\d{1,20})$/.exec(payload);
  if (match === null) return null;
  const chatId = Number(match[2]);
  return Number.isSafeInteger(chatId) && chatId < 0 ? { kind: match[1] as "g" | "c", chatId } : null;
}

/** A mention of a person that links to them without depending on a username. */
export function mentionHtml(user: User): string {
  return `<a href="tg://user?id=${user.id}">${escapeHtml(displayNameOf(user))}</a>`;
}

/** The name a person goes by on Telegram: first and last name, else the username. */
export function displayNameOf(user: User): string {
  const name = [user.first_name, user.last_name ?? ""].join(" ").replace(/\s+/g, " ").trim();
  return (name === "" ? (user.username ?? `user ${user.id}`) : name).slice(0, 64);
}

/**
 * Answers a command: a public view where it was asked, a private view in the
 * person's private chat or, when they have not started the bot, a short note
 * in the group with the link to do so.
 */
export async function answer(
  telegram: Telegram,
  botUsername: string,
  origin: Origin,
  view: View,
): Promise<void> {
  if (origin.isPrivate || view.visibility === "public") {
    await sendView(telegram, origin.chatId, view, {
      ...(origin.isPrivate || origin.messageId === undefined ? {} : { replyTo: origin.messageId }),
      ...(origin.topic === undefined ? {} : { topic: origin.topic }),
    });
    return;
  }
  try {
    await sendView(telegram, origin.from.id, view);
  } catch (error) {
    if (!isChatClosed(error)) throw error;
    await openTheBotNote(telegram, botUsername, origin, "g");
  }
}

/** The group note for someone the bot cannot write to privately yet. */
export async function openTheBotNote(
  telegram: Telegram,
  botUsername: string,
  origin: Origin,
  kind: "g" | "c",
): Promise<void> {
  const link = deepLink(botUsername, groupPayload(kind, origin.chatId));
  const what = kind === "c" ? "log your contribution step by step" : "see my answer";
  const html = `${mentionHtml(origin.from)}, I answer that privately: <a href="${escapeHtml(link)}">open a chat with @${escapeHtml(botUsername)}</a>, press Start, and ${kind === "c" ? what : `repeat the command to ${what}`}.`;
  try {
    await telegram.sendMessage(origin.chatId, html, {
      parse_mode: "HTML",
      link_preview_options: NO_PREVIEW,
      ...(origin.topic === undefined ? {} : { message_thread_id: origin.topic }),
      ...(origin.messageId === undefined
        ? {}
        : { reply_parameters: { message_id: origin.messageId, allow_sending_without_reply: true } }),
    });
  } catch (error) {
    throw toPlatformError(error, "sendMessage", telegram.token);
  }
}
