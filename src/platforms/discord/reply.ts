import { MessageFlags } from "discord-api-types/v10";
import type { InteractionEditReplyOptions, InteractionReplyOptions, RepliableInteraction } from "discord.js";
import type { JobLog } from "../../jobs/definition.ts";
import type { View } from "../../views/view.ts";
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
  readonly log: JobLog;
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
 * quick, else a deferral within the budget and the answer as an edit. A
 * public view after an ephemeral deferral goes out as a public follow-up.
 */
export async function answerInteraction(
  interaction: RepliableInteraction,
  work: () => Promise<View>,
  settings: ReplySettings,
): Promise<void> {
  // Held in an object: the timer sets it while `work` runs.
  const ack: { deferral: Promise<unknown> | null } = { deferral: null };
  const timer = setTimeout(() => {
    ack.deferral = interaction.deferReply({ flags: MessageFlags.Ephemeral });
  }, settings.ackBudgetMs);
  let view: View;
  try {
    view = await work();
  } catch (error) {
    settings.log.error({ err: error, interaction: interaction.id }, "discord interaction failed");
    view = {
      visibility: "private",
      tone: "refusal",
      lines: ["Something went wrong on our side; nothing was changed. Please try again."],
    };
  } finally {
    clearTimeout(timer);
  }
  try {
    if (ack.deferral === null) {
      await interaction.reply(
        replyOptions(renderMessage(view, { ephemeral: view.visibility === "private" }), view),
      );
      return;
    }
    await ack.deferral;
    if (view.visibility === "private") {
      await interaction.editReply(editOptions(renderMessage(view), view));
      return;
    }
    await interaction.editReply(
      editOptions(
        renderMessage({
          ...view,
          visibility: "private",
          lines: ["Posted below."],
          tone: "success",
          fields: [],
          buttons: [],
        }),
        null,
      ),
    );
    await interaction.followUp(replyOptions(renderMessage(view), view));
  } catch (error) {
    await apologise(interaction, error, settings.log);
  }
}

/** Answers privately with a fixed view (refusals before any work, like a malformed button). */
export async function answerNow(interaction: RepliableInteraction, view: View, log: JobLog): Promise<void> {
  try {
    await interaction.reply(
      replyOptions(renderMessage(view, { ephemeral: view.visibility === "private" }), view),
    );
  } catch (error) {
    await apologise(interaction, error, log);
  }
}

/** The answer failed (Discord refused it or the token expired): say so privately, log the rest. */
export async function apologise(
  interaction: RepliableInteraction,
  error: unknown,
  log: JobLog,
): Promise<void> {
  log.warn(
    { err: errorSummary(error), interaction: interaction.id },
    "discord refused an interaction answer",
  );
  const apology = replyOptions(plainMessage(UNDELIVERABLE), null);
  try {
    if (interaction.replied || interaction.deferred) await interaction.followUp(apology);
    else await interaction.reply(apology);
  } catch (second) {
    log.error(
      { err: errorSummary(second), interaction: interaction.id },
      "discord interaction left unanswered",
    );
  }
}

/** What is worth logging of a discord.js error: its name, code and status, without the request's URL or body. */
function errorSummary(error: unknown): object {
  if (typeof error !== "object" || error === null) return { message: String(error) };
  const { name, code, status } = error as { name?: unknown; code?: unknown; status?: unknown };
  const message = error instanceof Error ? error.message.split("\n")[0] : undefined;
  return { name, code, status, message };
}
