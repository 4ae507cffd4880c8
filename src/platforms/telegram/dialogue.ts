// The guided /contribute on Telegram: always in the person's private chat,
// for the community of the group they started from. The steps, their checks,
// cancel and the timeout are the shared dialogue's (commands/contributeDialogue.ts);
// the open dialogue is kept in the shared conversation store (any bot process
// takes the next answer; a restart loses nothing), and each process that took
// an answer arms a timer that tells the person when it expired unanswered.
import type { MessageEntity } from "telegraf/types";
import { resolveActor } from "../../app/actors.ts";
import { listCategories } from "../../app/community.ts";
import { answerContributeDialogue, startContributeDialogue } from "../../commands/contributeDialogue.ts";
import { findCommand, runCommand } from "../../commands/dispatch.ts";
import { withoutInvisibleCharacters } from "../../core/text.ts";
import type { Conversation } from "../../ports/conversations.ts";
import { refusalText } from "../../views/refusals.ts";
import { privateView, refusalView, type View } from "../../views/view.ts";
import type { GroupChat } from "./homeGroup.ts";
import { dialogueKind, followGroup, questionKind, type OpenDialogue } from "./conversations.ts";
import { loggableError } from "./errors.ts";
import { creditClaims, personLookup, withMentionHandles } from "./mentions.ts";
import { ChatClosed, isChatClosed, sendView, type Origin } from "./replies.ts";
import { invocationFor, platformUser, type TelegramAdapter } from "./adapter.ts";

export const TIMED_OUT_TEXT =
  "Your contribution dialogue timed out; nothing was logged. Start again with /contribute.";

/** An answer that came while another (a double press, or a second bot process) moved the dialogue on. */
export const CROSSED_ANSWER_TEXT =
  "That answer crossed another one, so it was not used; answer my latest question (or type cancel).";

function kindOf(adapter: TelegramAdapter) {
  return dialogueKind(adapter.dialogueTimers.timeoutMs);
}

/** Arms this process's timer for the dialogue as it now stands (its version); overdue ones fire at once. */
function armTimeout(adapter: TelegramAdapter, open: Conversation<OpenDialogue>): void {
  const userId = Number(open.key);
  const delay = Math.max(0, open.expiresAt.getTime() - adapter.services.deps.clock.now().getTime());
  adapter.dialogueTimers.arm(userId, () => void expireDialogue(adapter, open), delay);
}

/** Tells the person their unanswered dialogue expired, unless it moved on meanwhile (here or in another process). */
async function expireDialogue(adapter: TelegramAdapter, open: Conversation<OpenDialogue>): Promise<void> {
  try {
    if (!(await adapter.services.conversations.close(kindOf(adapter), open))) return;
    await sendPrivately(adapter, Number(open.key), privateView([TIMED_OUT_TEXT]));
  } catch (error) {
    if (isChatClosed(error)) return;
    adapter.services.log.warn(
      { err: loggableError(error, adapter.telegram.token) },
      "could not tell a person their dialogue timed out",
    );
  }
}

/**
 * On start: a timer for every dialogue waiting in the store, so one opened
 * before a restart (or in another process) still times out with a word to
 * the person, and one that expired while no bot ran is told at once.
 */
export async function armWaitingDialogues(adapter: TelegramAdapter): Promise<void> {
  for (const open of await adapter.services.conversations.held(kindOf(adapter))) armTimeout(adapter, open);
}

/** Whether the person has a dialogue waiting for their answer. */
export async function hasOpenDialogue(adapter: TelegramAdapter, userId: number): Promise<boolean> {
  return (await adapter.services.conversations.find(kindOf(adapter), String(userId))) !== null;
}

/** A group that became a supergroup: the dialogues and questions waiting in it follow it to its new chat id. */
export async function followMovedGroup(
  adapter: TelegramAdapter,
  fromChatId: string,
  toChatId: string,
): Promise<void> {
  const dialogues = await followGroup(adapter, kindOf(adapter), fromChatId, toChatId);
  for (const open of dialogues) armTimeout(adapter, open);
  await followGroup(adapter, questionKind, fromChatId, toChatId);
}

async function sendPrivately(adapter: TelegramAdapter, userId: number, view: View): Promise<void> {
  await sendView(adapter.telegram, userId, view);
}

/**
 * Opens the dialogue in the person's private chat. "closed" when they have not
 * started the bot (the caller then points them to it from the group).
 */
export async function startDialogue(
  adapter: TelegramAdapter,
  group: GroupChat,
  origin: Origin,
  options: { readonly notify: boolean },
): Promise<"started" | "refused" | "closed"> {
  const { deps } = adapter.services;
  // The member this may create gets the same clean name a command would give it.
  const user = withoutInvisibleCharacters(await platformUser(adapter, origin.from, group));
  const actor = await resolveActor(deps, { platform: "TELEGRAM", chatId: group.chatId }, user);
  try {
    if (!actor.ok) {
      await sendPrivately(adapter, origin.from.id, refusalView(refusalText(actor.error)));
      return "refused";
    }
    const categories = (await listCategories(deps, actor.value.communityId)).map((c) => c.slug);
    const turn = startContributeDialogue(categories, deps.clock.now());
    if (turn.kind !== "ask") return "refused";
    const intro = options.notify ? [privateView([`Let's log your contribution to ${group.title}.`])] : [];
    for (const view of [...intro, turn.view]) await sendPrivately(adapter, origin.from.id, view);
    // Its time starts once it is asked (a person cannot answer sooner, in whichever process).
    const state: OpenDialogue = { dialogue: turn.dialogue, group, people: {} };
    armTimeout(
      adapter,
      await adapter.services.conversations.open(kindOf(adapter), String(origin.from.id), state),
    );
    return "started";
  } catch (error) {
    if (error instanceof ChatClosed || isChatClosed(error)) return "closed";
    throw error;
  }
}

/**
 * Takes one answer (typed or pressed); the last one logs the contribution
 * through the catalog's /contribute. Co-authors named by text mention are
 * written as handles and remembered with their accounts.
 */
export async function answerDialogue(
  adapter: TelegramAdapter,
  origin: Origin,
  typed: string,
  entities: readonly MessageEntity[] = [],
): Promise<void> {
  const userId = origin.from.id;
  const store = adapter.services.conversations;
  const kind = kindOf(adapter);
  const open = await store.find(kind, String(userId));
  if (open === null) {
    await sendPrivately(
      adapter,
      userId,
      privateView(["No contribution is being logged; type /contribute to start."]),
    );
    return;
  }
  const { deps, catalog } = adapter.services;
  const answer = withMentionHandles(typed, entities);
  // As for a typed command: a NUL or a direction override never reaches a title or a name.
  const text = withoutInvisibleCharacters(answer.text);
  const { dialogue, group, people } = open.state;
  const turn = answerContributeDialogue(dialogue, text, deps.clock.now());
  if (turn.kind === "ask") {
    const named = { ...people, ...Object.fromEntries(answer.people) };
    const moved = await store.advance(kind, open, { dialogue: turn.dialogue, group, people: named });
    if (moved !== null) armTimeout(adapter, moved);
    await sendPrivately(adapter, userId, moved === null ? privateView([CROSSED_ANSWER_TEXT]) : turn.view);
    return;
  }
  // Only the process that ends the dialogue at the version it read answers its end (and logs it).
  if (!(await forgetDialogue(adapter, open))) {
    await sendPrivately(adapter, userId, privateView([CROSSED_ANSWER_TEXT]));
    return;
  }
  if (turn.kind === "ended") {
    await sendPrivately(adapter, userId, turn.view);
    return;
  }
  const contribute = findCommand(catalog, "contribute");
  if (contribute === undefined) return;
  const invocation = await invocationFor(adapter, origin.from, group);
  const lookup = personLookup(new Map(Object.entries(people)), adapter.seen, group.chatId);
  const credits = creditClaims(turn.input.credits, lookup) ?? [...turn.input.credits];
  const view = await runCommand(contribute, invocation, { ...turn.input, credits });
  if (view !== null) await sendPrivately(adapter, userId, view);
}

/** Ends the dialogue at the version read and clears this process's timer; false when it had moved on. */
async function forgetDialogue(adapter: TelegramAdapter, open: Conversation<OpenDialogue>): Promise<boolean> {
  const closed = await adapter.services.conversations.close(kindOf(adapter), open);
  if (closed) adapter.dialogueTimers.disarm(Number(open.key));
  return closed;
}
