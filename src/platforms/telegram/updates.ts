// What the bot does with each kind of update routes.ts hands it: commands in
// groups and private chats, button presses, answers to the guided /contribute
// dialogue and to a needs-info prompt, a group becoming a supergroup, and the
// bot being added to or removed from a group. Each maps to the one command
// catalog; the views it returns are rendered by replies.ts.
import type {
  CallbackQuery,
  Chat,
  ChatMemberUpdated,
  Message,
  MessageEntity,
  Update,
  User,
} from "telegraf/types";
import { deactivateSpace, moveSpace, recordUsername, spaceOf } from "../../app/actors.ts";
import type { Conversation } from "../../ports/conversations.ts";
import { asMember, findCommand, runCommand, whenAdmitted } from "../../commands/dispatch.ts";
import { mayAskForInfo } from "../../app/votes.ts";
import { refusalText } from "../../views/refusals.ts";
import { refusalView, privateView, type View } from "../../views/view.ts";
import { decodeButtonPress, type ButtonPress } from "./callbackData.ts";
import { toCatalogCommand } from "./commandNames.ts";
import { answerDialogue, followMovedGroup, hasOpenDialogue, startDialogue } from "./dialogue.ts";
import { awaitQuestion, pendingQuestionOf, takeQuestion, type PendingQuestion } from "./conversations.ts";
import { homeGroupOf, verifiedGroup, type GroupChat } from "./homeGroup.ts";
import { invocationFor, platformChat, type TelegramAdapter } from "./adapter.ts";
import { renderHtml, htmlToText, escapeHtml } from "./html.ts";
import { roleOf } from "./membership.ts";
import { personLookup, withMentionHandles } from "./mentions.ts";
import { answer, mentionHtml, openTheBotNote, readGroupPayload, type Origin } from "./replies.ts";
import { runTypedCommand } from "./typedCommand.ts";
import { joinChat } from "../bot.ts";
import { rewriteValues } from "../memory.ts";

const CALLBACK_TEXT_LIMIT = 200;

/** A text message as typed: its words and the entities Telegram marked in them (mentions). */
export interface Typed {
  readonly text: string;
  readonly entities: readonly MessageEntity[];
  /** A /contribute with nothing after it: the guided dialogue. */
  readonly bareContribute: boolean;
}

/** Stores the sender's current username on their identities: an @name is resolved only by it. */
export async function recordSenderUsername(adapter: TelegramAdapter, update: Update): Promise<void> {
  const from =
    "message" in update
      ? update.message.from
      : "callback_query" in update
        ? update.callback_query.from
        : undefined;
  if (from === undefined || from.is_bot) return;
  await recordUsername(
    adapter.services.deps,
    { platform: "TELEGRAM", userId: String(from.id) },
    from.username ?? null,
  );
}

/** Remembers who wrote in a group, so an @username typed later can be tied to their account. */
export function rememberSender(adapter: TelegramAdapter, chat: Chat, from: User): void {
  if (isGroup(chat)) adapter.seen.remember(String(chat.id), from);
}

export function isGroup(chat: Chat): chat is Chat.GroupChat | Chat.SupergroupChat {
  return chat.type === "group" || chat.type === "supergroup";
}

export function groupOf(chat: Chat.GroupChat | Chat.SupergroupChat): GroupChat {
  return { chatId: String(chat.id), title: chat.title };
}

export function originOf(message: Message, from: User): Origin {
  const topic =
    "is_topic_message" in message && message.is_topic_message === true
      ? message.message_thread_id
      : undefined;
  const repliesTo = "reply_to_message" in message ? message.reply_to_message?.message_id : undefined;
  return {
    chatId: message.chat.id,
    isPrivate: message.chat.type === "private",
    messageId: message.message_id,
    from,
    ...(topic === undefined ? {} : { topic }),
    ...(repliesTo === undefined ? {} : { repliesTo }),
  };
}

async function reply(adapter: TelegramAdapter, origin: Origin, view: View): Promise<void> {
  await answer(adapter.telegram, adapter.botUsername(), origin, view);
}

/**
 * A group upgraded to a supergroup gets a new chat id; Telegram says so twice
 * (in the old chat and in the new one). The first moves the space, with its
 * community, members and ledger; the second finds nothing left to move. What
 * this process remembers about the old chat follows it.
 */
export async function onGroupUpgraded(adapter: TelegramAdapter, from: number, to: number): Promise<void> {
  const [fromChatId, toChatId] = [String(from), String(to)];
  const moved = await moveSpace(adapter.services.deps, { platform: "TELEGRAM", fromChatId, toChatId });
  followMovedHomes(adapter, fromChatId, toChatId);
  await followMovedGroup(adapter, fromChatId, toChatId);
  const log = adapter.services.log;
  if (moved) log.info({ from: fromChatId, to: toChatId }, "telegram group became a supergroup");
  else if (await hasSpace(adapter, fromChatId))
    log.warn(
      { from: fromChatId, to: toChatId },
      "telegram supergroup already had its own space; the group's community stays on the old chat id",
    );
}

async function hasSpace(adapter: TelegramAdapter, chatId: string): Promise<boolean> {
  return (await spaceOf(adapter.services.deps, { platform: "TELEGRAM", chatId })) !== null;
}

function followMovedHomes(adapter: TelegramAdapter, fromChatId: string, toChatId: string): void {
  const follow = (group: GroupChat): GroupChat =>
    group.chatId === fromChatId ? { ...group, chatId: toChatId } : group;
  adapter.knownGroups.delete(fromChatId);
  rewriteValues(adapter.homes, follow);
}

/** Makes sure a group the bot hears from is a community's space (in case its joining was missed). */
async function ensureSpace(adapter: TelegramAdapter, group: GroupChat): Promise<void> {
  if (adapter.knownGroups.has(group.chatId)) return;
  await joinChat(adapter.services, platformChat(group));
  adapter.knownGroups.add(group.chatId);
}

/**
 * A command of this bot typed in a group: the group is (made) a community's
 * space and the person's home group; a bare /contribute opens the guided
 * dialogue in their private chat, anything else runs through the catalog.
 */
export async function onGroupCommand(
  adapter: TelegramAdapter,
  group: GroupChat,
  origin: Origin,
  typed: Typed,
): Promise<void> {
  await ensureSpace(adapter, group);
  adapter.homes.set(origin.from.id, group);
  if (typed.bareContribute) await startDialogueFromGroup(adapter, group, origin);
  else await runTyped(adapter, group, origin, typed);
}

/** Runs a typed command; people it names by text mention or a known @username count as their accounts. */
async function runTyped(
  adapter: TelegramAdapter,
  group: GroupChat,
  origin: Origin,
  typed: Typed,
): Promise<void> {
  const invocation = await invocationFor(adapter, origin.from, group);
  const named = withMentionHandles(typed.text, typed.entities);
  const view = await runTypedCommand(
    adapter.services.catalog,
    invocation,
    toCatalogCommand(named.text, adapter.names),
    adapter.botUsername(),
    personLookup(named.people, adapter.seen, group.chatId),
  );
  if (view !== null) await reply(adapter, origin, view);
}

/**
 * A private text that is no command: the question a Needs-info press waits
 * for, else an answer to the person's open dialogue, else a hint.
 */
export async function onPrivateText(adapter: TelegramAdapter, origin: Origin, typed: Typed): Promise<void> {
  const pending = await pendingQuestionOf(adapter, origin.chatId, origin.from.id);
  if (pending !== null) {
    await askQuestion(adapter, pending, origin, typed.text);
    return;
  }
  if (await hasOpenDialogue(adapter, origin.from.id)) {
    await answerInDialogue(adapter, origin, typed);
    return;
  }
  await reply(
    adapter,
    origin,
    privateView([
      "Commands start with /; type /help for the list, or /contribute to log a contribution step by step.",
    ]),
  );
}

/** A text (or /cancel) for the person's open dialogue. */
export async function answerInDialogue(
  adapter: TelegramAdapter,
  origin: Origin,
  typed: Typed,
): Promise<void> {
  await answerDialogue(adapter, origin, typed.text, typed.entities);
}

/** A command in private chat runs in the community of the person's group (homeGroup.ts). */
export async function onPrivateCommand(
  adapter: TelegramAdapter,
  origin: Origin,
  typed: Typed,
): Promise<void> {
  const home = await homeGroupOf(adapter.services.deps, adapter.membership, adapter.homes, origin.from.id);
  if (home.kind !== "found") {
    await reply(adapter, origin, refusalView(noHomeGroupText(home.kind)));
    return;
  }
  if (typed.bareContribute) await beginDialogue(adapter, home.group, origin);
  else await runTyped(adapter, home.group, origin, typed);
}

function noHomeGroupText(kind: "none" | "several" | "outsider"): string {
  switch (kind) {
    case "none":
      return "I don't know your group yet: add me to your group, or type a command there first; then try again here.";
    case "several":
      return "You are in more than one Cairn community: type the command in your group first, so I know which one you mean.";
    case "outsider":
      return "You are not a member of your community's group (any longer), so I can't act for you there.";
  }
}

/** /start, possibly from a group's deep link (g_<chat> for answers, c_<chat> to log a contribution). */
export async function onStart(adapter: TelegramAdapter, origin: Origin, payload: string): Promise<void> {
  const fromGroup = readGroupPayload(payload);
  if (fromGroup === null) {
    await reply(
      adapter,
      origin,
      privateView(
        [
          "Hi! I keep your community's contribution ledger. I answer you here when you use me in your group.",
          "Type /help for the commands, or /contribute to log a contribution step by step.",
        ],
        { title: "Cairn" },
      ),
    );
    return;
  }
  // A link anyone can craft must not make them a member of a community they are not part of.
  const group = await verifiedGroup(
    adapter.services.deps,
    adapter.membership,
    String(fromGroup.chatId),
    origin.from.id,
  );
  if (group === null) {
    await reply(
      adapter,
      origin,
      refusalView("That link is for a group you are not in; type a command in your group instead."),
    );
    return;
  }
  adapter.homes.set(origin.from.id, group);
  if (fromGroup.kind === "c") await beginDialogue(adapter, group, origin);
  else
    await reply(
      adapter,
      origin,
      privateView([`You will get my answers for ${group.title} here now. Repeat your command to see it.`]),
    );
}

async function startDialogueFromGroup(
  adapter: TelegramAdapter,
  group: GroupChat,
  origin: Origin,
): Promise<void> {
  const privately: Origin = { chatId: origin.from.id, isPrivate: true, from: origin.from };
  const started = await startDialogue(adapter, group, privately, { notify: true });
  if (started === "closed") {
    await openTheBotNote(adapter.telegram, adapter.botUsername(), origin, "c");
  }
}

async function beginDialogue(adapter: TelegramAdapter, group: GroupChat, origin: Origin): Promise<void> {
  await startDialogue(adapter, group, origin, { notify: false });
}

/**
 * A text in a group from someone who pressed Needs info there, written as a
 * reply to the bot's prompt: their question. (With privacy mode off the bot
 * sees every message; their other chatter is not a question.)
 */
export async function onPossibleQuestion(
  adapter: TelegramAdapter,
  origin: Origin,
  text: string,
): Promise<void> {
  // Most group chatter replies to nothing: no need to look for a waiting question then.
  if (origin.repliesTo === undefined) return;
  const pending = await pendingQuestionOf(adapter, origin.chatId, origin.from.id);
  if (pending === null || origin.repliesTo !== pending.state.promptMessageId) return;
  await askQuestion(adapter, pending, origin, text);
}

async function askQuestion(
  adapter: TelegramAdapter,
  pending: Conversation<PendingQuestion>,
  origin: Origin,
  text: string,
): Promise<void> {
  // Another process may have taken this question's text already (a retried update): asked once.
  if (!(await takeQuestion(adapter, pending))) return;
  const view = await runVote(
    adapter,
    pending.state.group,
    origin.from,
    {
      kind: "vote",
      number: pending.state.number,
      choice: "info",
    },
    text.trim(),
  );
  if (view !== null) await reply(adapter, origin, view);
}

/** Runs a vote (or a needs-info question) from a button, through the catalog's /vote; null past the rate limit. */
async function runVote(
  adapter: TelegramAdapter,
  group: GroupChat,
  from: User,
  press: Extract<ButtonPress, { kind: "vote" }>,
  question?: string,
): Promise<View | null> {
  const spec = findCommand(adapter.services.catalog, "vote");
  if (spec === undefined) return refusalView("Voting is not available.");
  const detail =
    press.choice === "info" ? question : press.impact === undefined ? undefined : String(press.impact);
  const invocation = await invocationFor(adapter, from, group);
  return runCommand(spec, invocation, {
    contribution: `#${press.number}`,
    choice: press.choice,
    ...(detail === undefined ? {} : { detail }),
  });
}

/** The plain text of a view for a callback answer (no markup there), cut to Telegram's 200 characters. */
export function callbackText(view: View): string {
  const text = htmlToText(renderHtml(view))
    .replace(/\s*\n\s*/g, " ")
    .trim();
  return text.length <= CALLBACK_TEXT_LIMIT ? text : `${text.slice(0, CALLBACK_TEXT_LIMIT - 1)}…`;
}

/** Every press is answered exactly once, with the outcome or the reason it was refused. */
export async function onButtonPress(adapter: TelegramAdapter, query: CallbackQuery): Promise<void> {
  let answered = false;
  const answerPress = async (text: string, alert = false): Promise<void> => {
    answered = true;
    await adapter.telegram.answerCbQuery(query.id, text, { show_alert: alert });
  };
  try {
    await pressButton(adapter, query, answerPress);
  } finally {
    if (!answered)
      await answerPress("Something went wrong on our side; nothing was changed.", true).catch(() => {});
  }
}

type AnswerPress = (text: string, alert?: boolean) => Promise<void>;

async function pressButton(
  adapter: TelegramAdapter,
  query: CallbackQuery,
  answerPress: AnswerPress,
): Promise<void> {
  const press = "data" in query ? decodeButtonPress(query.data) : null;
  const message = query.message;
  if (message !== undefined) rememberSender(adapter, message.chat, query.from);
  if (press === null || message === undefined) {
    await answerPress("That button is not one of mine (or too old); type the command instead.", true);
    return;
  }
  if (press.kind === "dialogue") {
    await answerPress("");
    await removeButtons(adapter, message.chat.id, message.message_id);
    await answerDialogue(adapter, { chatId: query.from.id, isPrivate: true, from: query.from }, press.answer);
    return;
  }
  const group = await groupOfPress(adapter, message.chat, query.from.id);
  if (group === null) {
    await answerPress(noHomeGroupText("none"), true);
    return;
  }
  if (press.choice === "info") {
    // A prompt is a group message per press: counted like a command, so a flood of presses posts 20 at most.
    const invocation = await invocationFor(adapter, query.from, group);
    // Asked before the prompt is posted: a press on a card the presser may not ask about posts nothing.
    const prompted = await whenAdmitted(invocation, () =>
      asMember(invocation, "vote", async (actor) => {
        const askable = await mayAskForInfo(adapter.services.deps, actor, press.number);
        if (!askable.ok) return refusalView(refusalText(askable.error));
        await promptForQuestion(
          adapter,
          group,
          message.chat.id,
          message.message_id,
          query.from,
          press.number,
        );
        return privateView([`Send your question about #${press.number} as a reply to my message.`]);
      }),
    );
    await answerPressWith(answerPress, prompted);
    return;
  }
  await answerPressWith(answerPress, await runVote(adapter, group, query.from, press));
}

/** A press past the rate limit's one refusal is still answered (Telegram shows a spinner until then), bare. */
function answerPressWith(answerPress: AnswerPress, view: View | null): Promise<void> {
  if (view === null) return answerPress("");
  return answerPress(callbackText(view), view.tone === "refusal");
}

async function groupOfPress(adapter: TelegramAdapter, chat: Chat, userId: number): Promise<GroupChat | null> {
  if (isGroup(chat)) {
    const group = groupOf(chat);
    await ensureSpace(adapter, group);
    return group;
  }
  const home = await homeGroupOf(adapter.services.deps, adapter.membership, adapter.homes, userId);
  return home.kind === "found" ? home.group : null;
}

/** Asks the presser of Needs info for their question, as a reply they are prompted to write. */
async function promptForQuestion(
  adapter: TelegramAdapter,
  group: GroupChat,
  chatId: number,
  cardMessageId: number,
  from: User,
  number: number,
): Promise<void> {
  const html = `${mentionHtml(from)}, what would you like to ask about #${number}? Reply to this message with your question.`;
  const prompt = await adapter.telegram.sendMessage(chatId, html, {
    parse_mode: "HTML",
    reply_parameters: { message_id: cardMessageId, allow_sending_without_reply: true },
    reply_markup: {
      force_reply: true,
      selective: true,
      input_field_placeholder: `Question about #${number}`,
    },
  });
  await awaitQuestion(adapter, chatId, from.id, { number, group, promptMessageId: prompt.message_id });
}

async function removeButtons(adapter: TelegramAdapter, chatId: number, messageId: number): Promise<void> {
  try {
    await adapter.telegram.editMessageReplyMarkup(chatId, messageId, undefined, { inline_keyboard: [] });
  } catch {
    // The buttons staying is harmless: a stale answer is checked by the dialogue's step.
  }
}

/** The bot added to a group makes it a community's space; removed, the space goes inactive. */
export async function onBotMembership(adapter: TelegramAdapter, change: ChatMemberUpdated): Promise<void> {
  if (!isGroup(change.chat)) return;
  const group = groupOf(change.chat);
  const wasIn = roleOf(change.old_chat_member) !== "outsider";
  const isInNow = roleOf(change.new_chat_member) !== "outsider";
  if (!wasIn && isInNow) {
    await joinChat(adapter.services, platformChat(group));
    adapter.knownGroups.add(group.chatId);
    await adapter.telegram.sendMessage(change.chat.id, welcomeHtml(adapter.botUsername()), {
      parse_mode: "HTML",
    });
  } else if (wasIn && !isInNow) {
    adapter.knownGroups.delete(group.chatId);
    await deactivateSpace(adapter.services.deps, { platform: "TELEGRAM", chatId: group.chatId });
  }
}

function welcomeHtml(botUsername: string): string {
  return [
    "<b>Cairn keeps this group's contribution ledger.</b>",
    "Log what you did with /contribute, peers verify it with the buttons on its card, verified work earns points.",
    `Type /help@${escapeHtml(botUsername)} for the commands. Moderators: /community join CODE attaches this group to an existing community.`,
  ].join("\n");
}
