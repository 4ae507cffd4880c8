// What the Telegram bot waits for between two updates of one person — their
// guided /contribute and a needs-info question's text — kept in the shared
// conversation store, so any bot process behind the webhook takes the next
// update, and a restart loses nothing.
import type { User } from "telegraf/types";
import { z } from "zod";
import { contributeDialogueSchema, type ContributeDialogue } from "../../commands/contributeDialogue.ts";
import type { Conversation, ConversationKind } from "../../ports/conversations.ts";
import { groupChatSchema, type GroupChat } from "./homeGroup.ts";
import type { TelegramAdapter } from "./adapter.ts";

/** A person's dialogue, the group whose community it logs into, and the people they named by text mention. */
export interface OpenDialogue {
  readonly dialogue: ContributeDialogue;
  readonly group: GroupChat;
  /** Lowercased handle → account, for co-authors named by a text mention. */
  readonly people: Readonly<Record<string, User>>;
}

/** A needs-info press waiting for the presser's question. */
export interface PendingQuestion {
  readonly number: number;
  readonly group: GroupChat;
  /** The bot's prompt: in a group, only a reply to it is taken as the question. */
  readonly promptMessageId: number;
}

/** What a text mention carries of an account, all a credit needs. */
const mentionedUserSchema: z.ZodType<User> = z.object({
  id: z.number().int(),
  is_bot: z.boolean(),
  first_name: z.string(),
  last_name: z.string().exactOptional(),
  username: z.string().exactOptional(),
});

const openDialogueSchema: z.ZodType<OpenDialogue> = z.object({
  dialogue: contributeDialogueSchema,
  group: groupChatSchema,
  people: z.record(z.string(), mentionedUserSchema),
});

const pendingQuestionSchema: z.ZodType<PendingQuestion> = z.object({
  number: z.number().int().positive(),
  group: groupChatSchema,
  promptMessageId: z.number().int(),
});

const QUESTION_WAIT_MS = 3_600_000;

/** A person's guided /contribute, keyed by their account; it waits as long as the bot's dialogue timeout. */
export function dialogueKind(timeoutMs: number): ConversationKind<OpenDialogue> {
  return { platform: "TELEGRAM", name: "dialogue", schema: openDialogueSchema, ttlMs: timeoutMs };
}

/** A needs-info question waiting for its text, keyed by `chat:person`, for an hour. */
export const questionKind: ConversationKind<PendingQuestion> = {
  platform: "TELEGRAM",
  name: "question",
  schema: pendingQuestionSchema,
  ttlMs: QUESTION_WAIT_MS,
};

function questionKey(chatId: number, userId: number): string {
  return `${chatId}:${userId}`;
}

/** Waits for the question of the person who pressed Needs info in `chatId`. */
export async function awaitQuestion(
  adapter: TelegramAdapter,
  chatId: number,
  userId: number,
  pending: PendingQuestion,
): Promise<void> {
  await adapter.services.conversations.open(questionKind, questionKey(chatId, userId), pending);
}

/** The needs-info press waiting for this person's question in `chatId`, if any. */
export function pendingQuestionOf(
  adapter: TelegramAdapter,
  chatId: number,
  userId: number,
): Promise<Conversation<PendingQuestion> | null> {
  return adapter.services.conversations.find(questionKind, questionKey(chatId, userId));
}

/** Takes the waiting question for this answer; false when another process took it first. */
export function takeQuestion(
  adapter: TelegramAdapter,
  pending: Conversation<PendingQuestion>,
): Promise<boolean> {
  return adapter.services.conversations.close(questionKind, pending);
}

/** The conversations of a kind waiting in a group that moved to a new chat id, moved with it. */
export async function followGroup<S extends { readonly group: GroupChat }>(
  adapter: TelegramAdapter,
  kind: ConversationKind<S>,
  fromChatId: string,
  toChatId: string,
): Promise<Array<Conversation<S>>> {
  const store = adapter.services.conversations;
  const moved: Array<Conversation<S>> = [];
  for (const held of await store.held(kind)) {
    if (held.state.group.chatId !== fromChatId) continue;
    const group = { ...held.state.group, chatId: toChatId };
    const advanced = await store.advance(kind, held, { ...held.state, group });
    if (advanced !== null) moved.push(advanced);
  }
  return moved;
}
