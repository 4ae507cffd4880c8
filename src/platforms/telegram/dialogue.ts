// The guided /contribute on Telegram: always in the person's private chat,
// for the community of the group they started from. The steps, their checks,
// cancel and the timeout are the shared dialogue's (commands/contributeDialogue.ts);
// this opens, moves on and closes each person's dialogue (dialogueState.ts
// holds what is kept of it) and tells the person when it expired unanswered.
import type { MessageEntity } from "telegraf/types";
import { resolveActor } from "../../app/actors.ts";
import { listCategories } from "../../app/community.ts";
import { answerContributeDialogue, startContributeDialogue } from "../../commands/contributeDialogue.ts";
import { findCommand, runCommand } from "../../commands/dispatch.ts";
import { withoutInvisibleCharacters } from "../../core/text.ts";
import { refusalText } from "../../views/refusals.ts";
import { privateView, refusalView, type View } from "../../views/view.ts";
import type { GroupChat } from "./homeGroup.ts";
import { loggableError } from "./errors.ts";
import { creditClaims, personLookup, withMentionHandles } from "./mentions.ts";
import { ChatClosed, isChatClosed, sendView, type Origin } from "./replies.ts";
import { invocationFor, platformUser, type TelegramAdapter } from "./adapter.ts";
import type { OpenDialogue } from "./dialogueState.ts";

export const TIMED_OUT_TEXT =
  "Your contribution dialogue timed out; nothing was logged. Start again with /contribute.";

/** Keeps a dialogue open for its next answer, with its timer restarted. */
function keepDialogue(adapter: TelegramAdapter, userId: number, open: OpenDialogue): void {
  adapter.dialogues.set(userId, open);
  adapter.dialogueTimers.arm(userId, () => void expireDialogue(adapter, userId, open));
}

function closeDialogue(adapter: TelegramAdapter, userId: number): void {
  adapter.dialogues.delete(userId);
  adapter.dialogueTimers.disarm(userId);
}

/** Tells the person their unanswered dialogue expired, unless it moved on meanwhile. */
async function expireDialogue(adapter: TelegramAdapter, userId: number, open: OpenDialogue): Promise<void> {
  if (adapter.dialogues.get(userId) !== open) return;
  adapter.dialogues.delete(userId);
  try {
    await sendPrivately(adapter, userId, privateView([TIMED_OUT_TEXT]));
  } catch (error) {
    if (isChatClosed(error)) return;
    adapter.services.log.warn(
      { err: loggableError(error, adapter.telegram.token) },
      "could not tell a person their dialogue timed out",
    );
  }
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
    keepDialogue(adapter, origin.from.id, { dialogue: turn.dialogue, group, people: new Map() });
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
  const open = adapter.dialogues.get(userId);
  if (open === undefined) {
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
  const turn = answerContributeDialogue(open.dialogue, text, deps.clock.now());
  if (turn.kind === "ask") {
    keepDialogue(adapter, userId, {
      ...open,
      dialogue: turn.dialogue,
      people: new Map([...open.people, ...answer.people]),
    });
    await sendPrivately(adapter, userId, turn.view);
    return;
  }
  closeDialogue(adapter, userId);
  if (turn.kind === "ended") {
    await sendPrivately(adapter, userId, turn.view);
    return;
  }
  const contribute = findCommand(catalog, "contribute");
  if (contribute === undefined) return;
  const invocation = await invocationFor(adapter, origin.from, open.group);
  const lookup = personLookup(open.people, adapter.seen, open.group.chatId);
  const credits = creditClaims(turn.input.credits, lookup) ?? [...turn.input.credits];
  const view = await runCommand(contribute, invocation, { ...turn.input, credits });
  if (view !== null) await sendPrivately(adapter, userId, view);
}
