import { MessageFlags } from "discord-api-types/v10";
import type { InteractionEditReplyOptions, InteractionReplyOptions, RepliableInteraction } from "discord.js";
import type { Log } from "../../logger.ts";
import type { View } from "../../views/view.ts";
import { loggableError } from "./errors.ts";
import { plainMessage, renderFiles, renderMessage, type DiscordMessage } from "./render.ts";

/**
 * Discord drops an interaction not acknowledged within 3 s. A command that
 * has not answered after this long is deferred (ephemerally: most answers are
 * personal) and its answer follows through the interaction webhook, which
 * stays open for 15 minutes.
 */
export const DEFAULT_ACK_BUDGET_MS = 2_000;

export interface ReplySettings {
  readonly ackBudgetMs: number;
  readonly log: Log;
}

/** Tells the person, privately, that their answer could not be shown; never a silent "interaction failed". */
export const UNDELIVERABLE =
  "Discord did not accept Cairn's answer, so it cannot be shown here; please try again in a moment.";

/** The discord.js form of a rendered message (camelCase mentions, files as buffers). */
function replyOptions(message: DiscordMessage, view: View | null): InteractionReplyOptions {
  const files = view === null ? undefined : renderFiles(view);
  return {
    embeds: message.embeds,
    components: message.components,
    allowedMentions: { parse: [] },
    ...(message.flags === undefined ? {} : { flags: MessageFlags.Ephemeral }),
    ...(files === undefined
      ? {}
      : { files: files.map((f) => ({ attachment: Buffer.from(f.content), name: f.name })) }),
  };
}

function editOptions(message: DiscordMessage, view: View | null): InteractionEditReplyOptions {
  const { flags: _fixedAtDefer, ...options } = replyOptions(message, view);
  return options as InteractionEditReplyOptions;
}

/**
 * Runs `work` and answers the interaction with its view: a reply when it is
 * quick, else a deferral within the budget and the answer after it.
 *
 * Whether an answer is public is known only once the command has run (a
 * profile may be private or public, a refusal is always private), and a
 * deferral fixes the original reply's visibility: Discord cannot turn an
 * ephemeral reply public nor a public one ephemeral. So the deferral is
 * ephemeral (most answers are personal, and a public "thinking…" must not
 * turn into a refusal everyone sees). A private answer is that reply, edited.
 * A public one is posted as a follow-up and the private placeholder deleted,
 * leaving what a quick answer leaves: one public message. The placeholder is
 * edited before the follow-up because Discord turns the first follow-up to a
 * reply still "thinking" into that (ephemeral) reply.
 */
export async function answerInteraction(
  interaction: RepliableInteraction,
  work: () => Promise<View | null>,
  settings: ReplySettings,
): Promise<void> {
  // Held in an object: the timer sets it while `work` runs.
  const ack: { deferral: Promise<unknown> | null } = { deferral: null };
  const timer = setTimeout(() => {
    ack.deferral = interaction.deferReply({ flags: MessageFlags.Ephemeral });
  }, settings.ackBudgetMs);
  const view = await viewOrApology(interaction, work, settings.log).finally(() => clearTimeout(timer));
  try {
    if (view === null) await acknowledgeSilently(interaction, ack.deferral);
    else if (ack.deferral === null) await interaction.reply(replyOptions(messageFor(view), view));
    else await answerAfterDeferral(interaction, ack.deferral, view, settings.log);
  } catch (error) {
    await apologise(interaction, error, settings.log);
  }
}

/** What a slash command past the rate limit's one refusal is acknowledged with, privately. */
export const SILENT_ACK = "…";

/**
 * Acknowledges an interaction that gets no answer (its sender is past the
 * rate limit's one refusal) in one request, so Discord shows no "interaction
 * failed": a button, a select or a form opened from a message is deferred as
 * an update, which shows nothing and changes nothing. A slash command (or a
 * form it opened) has no answer without a message: a deferred reply would
 * stay "thinking…" for 15 minutes unless deleted by a second request, so it
 * gets a one-character reply only its sender sees. A deferral already made
 * (the work outlasted the budget) is deleted.
 */
async function acknowledgeSilently(
  interaction: RepliableInteraction,
  deferral: Promise<unknown> | null,
): Promise<void> {
  if (deferral !== null) {
    await deferral;
    await interaction.deleteReply();
  } else if (interaction.isMessageComponent() || (interaction.isModalSubmit() && interaction.isFromMessage()))
    await interaction.deferUpdate();
  else await interaction.reply({ content: SILENT_ACK, flags: MessageFlags.Ephemeral });
}

const SOMETHING_WENT_WRONG: View = {
  visibility: "private",
  tone: "refusal",
  lines: ["Something went wrong on our side; nothing was changed. Please try again."],
};

async function viewOrApology(
  interaction: RepliableInteraction,
  work: () => Promise<View | null>,
  log: Log,
): Promise<View | null> {
  try {
    return await work();
  } catch (error) {
    log.error({ err: loggableError(error), interaction: interaction.id }, "discord interaction failed");
    return SOMETHING_WENT_WRONG;
  }
}

function messageFor(view: View): DiscordMessage {
  return renderMessage(view, { ephemeral: view.visibility === "private" });
}

/** What the private placeholder says while the public answer is posted (seen only if deleting it fails). */
const POSTED_BELOW: View = { visibility: "private", tone: "success", lines: ["Posted below."] };

async function answerAfterDeferral(
  interaction: RepliableInteraction,
  deferral: Promise<unknown>,
  view: View,
  log: Log,
): Promise<void> {
  await deferral;
  if (view.visibility === "private") {
    await interaction.editReply(editOptions(renderMessage(view), view));
    return;
  }
  await interaction.editReply(editOptions(renderMessage(POSTED_BELOW), null));
  await interaction.followUp(replyOptions(renderMessage(view), view));
  try {
    await interaction.deleteReply();
  } catch (error) {
    log.warn({ err: loggableError(error), interaction: interaction.id }, "discord kept the placeholder");
  }
}

/** Answers privately with a fixed view (refusals before any work, like a malformed button). */
export async function answerNow(interaction: RepliableInteraction, view: View, log: Log): Promise<void> {
  try {
    await interaction.reply(replyOptions(messageFor(view), view));
  } catch (error) {
    await apologise(interaction, error, log);
  }
}

/** The answer failed (Discord refused it or the token expired): say so privately, log the rest. */
export async function apologise(interaction: RepliableInteraction, error: unknown, log: Log): Promise<void> {
  log.warn(
    { err: loggableError(error), interaction: interaction.id },
    "discord refused an interaction answer",
  );
  const apology = replyOptions(plainMessage(UNDELIVERABLE), null);
  try {
    if (interaction.replied || interaction.deferred) await interaction.followUp(apology);
    else await interaction.reply(apology);
  } catch (second) {
    log.error(
      { err: loggableError(second), interaction: interaction.id },
      "discord interaction left unanswered",
    );
  }
}
