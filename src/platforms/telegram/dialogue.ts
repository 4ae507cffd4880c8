// The guided /contribute on Telegram: always in the person's private chat,
// for the community of the group they started from. The steps, their checks,
// cancel and the timeout are the shared dialogue's (commands/contributeDialogue.ts);
// this keeps each person's open dialogue and the group it belongs to.
import { resolveActor } from "../../app/actors.ts";
import { listCategories } from "../../app/community.ts";
import {
  DIALOGUE_TIMEOUT_MS,
  answerContributeDialogue,
  startContributeDialogue,
  type ContributeDialogue,
} from "../../commands/contributeDialogue.ts";
import { findCommand, runCommand } from "../../commands/dispatch.ts";
import { refusalText } from "../../views/refusals.ts";
import { privateView, refusalView, type View } from "../../views/view.ts";
import type { GroupChat } from "./homeGroup.ts";
import { ChatClosed, isChatClosed, sendView, type Origin } from "./replies.ts";
import { invocationFor, platformUser, type TelegramAdapter } from "./adapter.ts";

/** A person's dialogue and the group whose community it logs into. */
export interface OpenDialogue {
  readonly dialogue: ContributeDialogue;
  readonly group: GroupChat;
}

/** Dialogues are forgotten a while after they time out; the shared dialogue tells the person it timed out first. */
export const DIALOGUE_MEMORY_MS = 2 * DIALOGUE_TIMEOUT_MS;

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
  const user = await platformUser(adapter, origin.from, group);
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
    adapter.dialogues.set(origin.from.id, { dialogue: turn.dialogue, group });
    return "started";
  } catch (error) {
    if (error instanceof ChatClosed || isChatClosed(error)) return "closed";
    throw error;
  }
}

/** Takes one answer (typed or pressed); the last one logs the contribution through the catalog's /contribute. */
export async function answerDialogue(
  adapter: TelegramAdapter,
  origin: Origin,
  answer: string,
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
  const turn = answerContributeDialogue(open.dialogue, answer, deps.clock.now());
  if (turn.kind === "ask") {
    adapter.dialogues.set(userId, { ...open, dialogue: turn.dialogue });
    await sendPrivately(adapter, userId, turn.view);
    return;
  }
  adapter.dialogues.delete(userId);
  if (turn.kind === "ended") {
    await sendPrivately(adapter, userId, turn.view);
    return;
  }
  const contribute = findCommand(catalog, "contribute");
  if (contribute === undefined) return;
  const invocation = await invocationFor(adapter, origin.from, open.group);
  const view = await runCommand(contribute, invocation, { ...turn.input, credits: [...turn.input.credits] });
  await sendPrivately(adapter, userId, view);
}
