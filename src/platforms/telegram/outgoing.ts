// The bot's own messages (vote cards, tally edits, announcements, leaderboards,
// digests, exports) through the ChatPlatform port. One Bot API request per
// call; pacing and retries are the delivery jobs'.
import { Input, Telegram } from "telegraf";
import type { InlineKeyboardMarkup, LinkPreviewOptions } from "telegraf/types";
import { attachmentBytes, isImage, type Attachment, type View } from "../../views/view.ts";
import {
  PlatformError,
  type ChatPlatform,
  type ChatTarget,
  type MessageRef,
  type PlatformLimits,
} from "../../ports/chatPlatform.ts";
import { isNotModified, toPlatformError } from "./errors.ts";
import { CAPTION_LIMIT, renderSingle } from "./html.ts";
import { inlineKeyboard } from "./keyboard.ts";

export interface TelegramConnection {
  readonly token: string;
  /** Another Bot API server (a local one, or the emulator in tests). */
  readonly apiRoot?: string;
}

/**
 * A Bot API client. Answers never ride in a webhook's HTTP response
 * (webhookReply off): such calls cannot report errors or return the sent message.
 */
export function telegramClient(connection: TelegramConnection): Telegram {
  return new Telegram(connection.token, {
    webhookReply: false,
    ...(connection.apiRoot === undefined ? {} : { apiRoot: connection.apiRoot }),
  });
}

/**
 * Telegram's limits for bots: about 30 messages a second overall and 20 a
 * minute in one group (topics included). A bucket of capacity C refilled at r
 * lets C + r·T through in any window of T seconds: 10 + 20 in a second, 5 +
 * 0.25 × 60 in a minute.
 */
export const TELEGRAM_LIMITS: PlatformLimits = {
  global: { capacity: 10, perSecond: 20 },
  perChat: { capacity: 5, perSecond: 0.25 },
  perChatScope: "chat",
};

/** Links in cards and boards are evidence, not something to preview. */
export const NO_PREVIEW: LinkPreviewOptions = { is_disabled: true };

/** Where a target's messages go: the group (or the person's private chat). */
export function chatIdOf(target: ChatTarget): string {
  return target.kind === "chat" ? target.chatId : target.userId;
}

/**
 * The forum topic a target names. A community may also have a Discord space,
 * whose channel ids (17-20 digit snowflakes) land in the same setting, so only
 * a plain small integer is taken as a Telegram topic; anything else posts to
 * the group itself.
 */
export function topicOf(target: ChatTarget): number | undefined {
  if (target.kind !== "chat" || target.channelRef === null) return undefined;
  return topicNumber(target.channelRef);
}

function topicNumber(chatRef: string): number | undefined {
  if (!/^\d{1,9}$/.test(chatRef)) return undefined;
  const topic = Number(chatRef);
  return topic > 0 ? topic : undefined;
}

/**
 * The chat that owns what a chat setting set in group `inChat` names: a
 * topic is one of that group's; a group's chat id (negative) is that group;
 * anything else (a Discord channel) names no Telegram place.
 */
export function telegramChatOwner(chatRef: string, inChat: string): string | undefined {
  const ref = chatRef.trim();
  if (topicNumber(ref) !== undefined) return inChat;
  return /^-\d{1,20}$/.test(ref) ? ref : undefined;
}

/** The keyboard of a view; an empty one removes the buttons of an edited card (it is locked). */
export function keyboardOf(view: View): InlineKeyboardMarkup {
  return inlineKeyboard(view.buttons ?? []);
}

function messageIdOf(ref: MessageRef): number {
  if (!/^\d{1,15}$/.test(ref.messageId))
    throw new PlatformError(
      "TELEGRAM",
      { kind: "permanent", reason: "bad_request" },
      "telegram: bad message id",
    );
  return Number(ref.messageId);
}

/** Runs one Bot API call; any failure becomes a PlatformError without the token in it. */
async function call<T>(method: string, token: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toPlatformError(error, method, token);
  }
}

/** Posts a view as one message (a file or picture with a caption when it has one), cut to fit Telegram's limits. */
export async function postView(
  telegram: Telegram,
  chatId: string,
  view: View,
  topic?: number,
): Promise<MessageRef> {
  const thread = topic === undefined ? {} : { message_thread_id: topic };
  if (view.attachment !== undefined && isImage(view.attachment))
    return postPhoto(telegram, chatId, view, view.attachment, thread);
  if (view.attachment !== undefined) {
    const file = Input.fromBuffer(Buffer.from(attachmentBytes(view.attachment)), view.attachment.filename);
    const sent = await call("sendDocument", telegram.token, () =>
      telegram.sendDocument(chatId, file, {
        caption: renderSingle(view, CAPTION_LIMIT),
        parse_mode: "HTML",
        ...thread,
      }),
    );
    return { messageId: String(sent.message_id) };
  }
  return postText(telegram, chatId, view, thread);
}

type Thread = { message_thread_id?: number };

async function postText(telegram: Telegram, chatId: string, view: View, thread: Thread): Promise<MessageRef> {
  const keyboard = keyboardOf(view);
  const sent = await call("sendMessage", telegram.token, () =>
    telegram.sendMessage(chatId, renderSingle(view), {
      parse_mode: "HTML",
      link_preview_options: NO_PREVIEW,
      ...(keyboard.inline_keyboard.length === 0 ? {} : { reply_markup: keyboard }),
      ...thread,
    }),
  );
  return { messageId: String(sent.message_id) };
}

/**
 * A picture with the view as its caption. A caption holds 1024 characters, so
 * a longer view goes first as a text message and the picture follows without
 * one; the text message is then the one the reference names.
 */
async function postPhoto(
  telegram: Telegram,
  chatId: string,
  view: View,
  picture: Attachment,
  thread: Thread,
): Promise<MessageRef> {
  const html = renderSingle(view);
  const fits = html.length <= CAPTION_LIMIT;
  const text = fits ? null : await postText(telegram, chatId, view, thread);
  const photo = Input.fromBuffer(Buffer.from(attachmentBytes(picture)), picture.filename);
  const sent = await call("sendPhoto", telegram.token, () =>
    telegram.sendPhoto(chatId, photo, { ...(fits ? { caption: html, parse_mode: "HTML" } : {}), ...thread }),
  );
  return text ?? { messageId: String(sent.message_id) };
}

/** Edits a posted message to show a view; an edit that changes nothing is success. */
export async function editView(
  telegram: Telegram,
  chatId: string,
  ref: MessageRef,
  view: View,
): Promise<void> {
  const messageId = messageIdOf(ref);
  try {
    await telegram.editMessageText(chatId, messageId, undefined, renderSingle(view), {
      parse_mode: "HTML",
      link_preview_options: NO_PREVIEW,
      reply_markup: keyboardOf(view),
    });
  } catch (error) {
    if (isNotModified(error)) return;
    throw toPlatformError(error, "editMessageText", telegram.token);
  }
}

/** The bot's outgoing side: what the delivery jobs post through. */
export function telegramPlatform(telegram: Telegram): ChatPlatform {
  return {
    platform: "TELEGRAM",
    limits: TELEGRAM_LIMITS,
    // The Bot API's sendDocument limit.
    uploadLimitBytes: 50 * 1024 * 1024,
    post: (target, view) => postView(telegram, chatIdOf(target), view, topicOf(target)),
    edit: (target, ref, view) => editView(telegram, chatIdOf(target), ref, view),
    chatOwner: (chatRef, inChat) => Promise.resolve(telegramChatOwner(chatRef, inChat)),
    async delete(target, ref) {
      try {
        await call("deleteMessage", telegram.token, () =>
          telegram.deleteMessage(chatIdOf(target), messageIdOf(ref)),
        );
      } catch (error) {
        // Already gone is what deleting wanted.
        if (
          error instanceof PlatformError &&
          error.failure.kind === "permanent" &&
          error.failure.reason === "message_deleted"
        )
          return;
        throw error;
      }
    },
  };
}

/** `cairn worker`: Telegram's outgoing side only, no updates taken. */
export function telegramOutgoing(connection: TelegramConnection): ChatPlatform {
  return telegramPlatform(telegramClient(connection));
}
