import {
  ComponentType,
  TextInputStyle,
  type APIModalInteractionResponseCallbackData,
} from "discord-api-types/v10";
import type {
  AutocompleteInteraction,
  ButtonInteraction,
  ChatInputCommandInteraction,
  Interaction,
  ModalSubmitInteraction,
  RepliableInteraction,
  StringSelectMenuInteraction,
} from "discord.js";
import type { PlatformUser } from "../../app/actors.ts";
import { findCommand, runCommand, type Invocation } from "../../commands/dispatch.ts";
import { commandJobs } from "../../jobs/exports.ts";
import type { AnyCommandSpec, OptionSpec } from "../../commands/types.ts";
import { MAX_DESCRIPTION_LENGTH, MAX_REASON_LENGTH, MAX_TITLE_LENGTH } from "../../core/text.ts";
import { refusalText } from "../../views/refusals.ts";
import { refusalView, type View } from "../../views/view.ts";
import type { BotServices } from "../bot.ts";
import { decodeComponent, decodeImpact, decodeModal, encodeModal, type ModalAction } from "./customIds.ts";
import { coAuthorClaims, parseCreditText, slashInput, splitWords } from "./input.ts";
import { guildChat, interactionUser, mentionedUser } from "./people.ts";
import { MODAL_COMMANDS, modalOptions } from "./registration.ts";
import { answerInteraction, answerNow, type ReplySettings } from "./reply.ts";
import { suggest } from "./suggestions.ts";

export interface InteractionSettings extends ReplySettings {
  readonly services: BotServices;
}

const GUILD_ONLY = refusalView("Cairn works inside a server; use its commands there.");
const STALE_BUTTON = refusalView(
  "That button is no longer valid; use the command instead (/help lists them).",
);

/** Routes one interaction to the catalog; every path answers or logs why it could not. */
export async function handleInteraction(
  interaction: Interaction,
  settings: InteractionSettings,
): Promise<void> {
  if (interaction.isAutocomplete()) return autocomplete(interaction, settings);
  if (!interaction.isRepliable()) return;
  if (interaction.guildId === null) return answerNow(interaction, GUILD_ONLY, settings.log);
  if (interaction.isChatInputCommand()) return slashCommand(interaction, settings);
  if (interaction.isButton()) return button(interaction, settings);
  if (interaction.isStringSelectMenu()) return impactSelect(interaction, settings);
  if (interaction.isModalSubmit()) return modalSubmit(interaction, settings);
  return answerNow(interaction, STALE_BUTTON, settings.log);
}

function invocation(interaction: RepliableInteraction, settings: InteractionSettings): Invocation {
  const { services } = settings;
  return {
    deps: services.deps,
    chat: guildChat({
      id: interaction.guildId ?? "",
      name: interaction.guild?.name ?? interaction.guildId ?? "",
    }),
    user: interactionUser(interaction),
    onError: (error, command) => services.log.error({ err: error, command }, "command failed"),
    observe: (command, seconds) => services.observeCommand?.(command, "discord", seconds),
    jobs: commandJobs(services.queues),
  };
}

/** Runs a catalog entry for the interaction and answers with its view. */
function run(
  interaction: RepliableInteraction,
  settings: InteractionSettings,
  spec: AnyCommandSpec | undefined,
  raw: () => Promise<Record<string, unknown> | View> | Record<string, unknown> | View,
): Promise<void> {
  if (spec === undefined) return answerNow(interaction, STALE_BUTTON, settings.log);
  return answerInteraction(
    interaction,
    async () => {
      const input = await raw();
      return isView(input) ? input : runCommand(spec, invocation(interaction, settings), input);
    },
    settings,
  );
}

function isView(value: Record<string, unknown> | View): value is View {
  return "visibility" in value && "lines" in value && "tone" in value;
}

async function slashCommand(
  interaction: ChatInputCommandInteraction,
  settings: InteractionSettings,
): Promise<void> {
  const sub = interaction.options.getSubcommand(false) ?? undefined;
  const spec = findCommand(settings.services.catalog, interaction.commandName, sub);
  if (spec === undefined) {
    const unknown = refusalText({
      code: "UNKNOWN_COMMAND",
      detail: { command: `/${interaction.commandName}` },
    });
    return answerNow(interaction, refusalView(unknown), settings.log);
  }
  if (MODAL_COMMANDS.has(spec.name)) return openContributeModal(interaction, spec, settings);
  return run(interaction, settings, spec, () => slashInput(spec, (name) => interaction.options.get(name)));
}

/** /contribute: the category and co-authors come as options, the text in a modal that carries them. */
async function openContributeModal(
  interaction: ChatInputCommandInteraction,
  spec: AnyCommandSpec,
  settings: InteractionSettings,
): Promise<void> {
  const category = interaction.options.getString("category") ?? "";
  const creditText = interaction.options.getString("credits") ?? "";
  const credits = parseCreditText(creditText);
  if (!credits.ok) return answerNow(interaction, refusalView(refusalText(credits.error)), settings.log);
  const customId = encodeModal({
    kind: "contribute",
    category: category.toLowerCase(),
    credits: credits.value,
  });
  if (customId === null || !/^[A-Za-z0-9][A-Za-z0-9-]{0,31}$/.test(category))
    return answerNow(
      interaction,
      refusalView(
        customId === null
          ? "Too many co-authors for Discord's form; list at most three, or log it with fewer and ask a moderator."
          : refusalText({ code: "UNKNOWN_CATEGORY", detail: { category } }),
      ),
      settings.log,
    );
  try {
    await interaction.showModal(contributeModal(customId, modalOptions(spec)));
  } catch (error) {
    settings.log.warn({ err: error }, "discord refused the contribute modal");
  }
}

const TEXT_LIMITS: Record<string, number> = {
  title: MAX_TITLE_LENGTH,
  description: MAX_DESCRIPTION_LENGTH,
  links: 4000,
};

/** The /contribute modal, its fields derived from the command's text and links options. */
export function contributeModal(
  customId: string,
  fields: readonly OptionSpec[],
): APIModalInteractionResponseCallbackData {
  return {
    custom_id: customId,
    title: "Log a contribution",
    components: fields.slice(0, 5).map((option) => ({
      type: ComponentType.ActionRow,
      components: [
        {
          type: ComponentType.TextInput,
          custom_id: option.name,
          label: option.description.slice(0, 45),
          style: option.name === "description" ? TextInputStyle.Paragraph : TextInputStyle.Short,
          required: option.required,
          max_length: TEXT_LIMITS[option.name] ?? 4000,
          ...(option.kind === "links" ? { placeholder: "https://… https://…" } : {}),
        },
      ],
    })),
  };
}

/** The needs-info modal: the question for the submitter. */
export function questionModal(customId: string): APIModalInteractionResponseCallbackData {
  return {
    custom_id: customId,
    title: "Ask the submitter",
    components: [
      {
        type: ComponentType.ActionRow,
        components: [
          {
            type: ComponentType.TextInput,
            custom_id: "question",
            label: "Your question",
            style: TextInputStyle.Paragraph,
            required: true,
            max_length: MAX_REASON_LENGTH,
          },
        ],
      },
    ],
  };
}

async function button(interaction: ButtonInteraction, settings: InteractionSettings): Promise<void> {
  const action = decodeComponent(interaction.customId);
  const vote = findCommand(settings.services.catalog, "vote");
  if (action === null || action.kind === "impact") return answerNow(interaction, STALE_BUTTON, settings.log);
  if (action.kind === "ask") {
    const customId = encodeModal({ kind: "question", number: action.number });
    if (customId === null) return answerNow(interaction, STALE_BUTTON, settings.log);
    try {
      await interaction.showModal(questionModal(customId));
    } catch (error) {
      settings.log.warn({ err: error }, "discord refused the question modal");
    }
    return;
  }
  return run(interaction, settings, vote, () => ({ contribution: action.number, choice: action.choice }));
}

async function impactSelect(
  interaction: StringSelectMenuInteraction,
  settings: InteractionSettings,
): Promise<void> {
  const action = decodeComponent(interaction.customId);
  const impact = decodeImpact(interaction.values[0]);
  if (action?.kind !== "impact" || impact === null) return answerNow(interaction, STALE_BUTTON, settings.log);
  const vote = findCommand(settings.services.catalog, "vote");
  return run(interaction, settings, vote, () => ({
    contribution: action.number,
    choice: "approve",
    detail: String(impact),
  }));
}

async function modalSubmit(
  interaction: ModalSubmitInteraction,
  settings: InteractionSettings,
): Promise<void> {
  const action = decodeModal(interaction.customId);
  if (action === null) return answerNow(interaction, STALE_BUTTON, settings.log);
  const field = (name: string): string => {
    const found = interaction.fields.fields.get(name);
    return found !== undefined && "value" in found && typeof found.value === "string" ? found.value : "";
  };
  if (action.kind === "question") {
    const vote = findCommand(settings.services.catalog, "vote");
    return run(interaction, settings, vote, () => ({
      contribution: action.number,
      choice: "info",
      detail: field("question"),
    }));
  }
  const contribute = findCommand(settings.services.catalog, "contribute");
  return run(interaction, settings, contribute, () => contributeInput(interaction, action, field));
}

async function contributeInput(
  interaction: ModalSubmitInteraction,
  action: Extract<ModalAction, { kind: "contribute" }>,
  field: (name: string) => string,
): Promise<Record<string, unknown> | View> {
  const claims = await coAuthorClaims(action.credits, (userId) => serverMember(interaction, userId));
  if (!claims.ok) return refusalView(refusalText(claims.error));
  const description = field("description").trim();
  return {
    category: action.category,
    title: field("title").trim(),
    links: splitWords(field("links")),
    credits: claims.value,
    ...(description === "" ? {} : { description }),
  };
}

/** A mentioned co-author as the server knows them now (one REST call; no member intent needed). */
async function serverMember(
  interaction: ModalSubmitInteraction,
  userId: string,
): Promise<PlatformUser | null> {
  const guild = interaction.guild;
  if (guild === null) return null;
  try {
    const member = await guild.members.fetch({ user: userId, cache: false });
    return mentionedUser(member.user, member);
  } catch {
    return null;
  }
}

async function autocomplete(
  interaction: AutocompleteInteraction,
  settings: InteractionSettings,
): Promise<void> {
  try {
    const focused = interaction.options.getFocused(true);
    const sub = interaction.options.getSubcommand(false) ?? undefined;
    const spec = findCommand(settings.services.catalog, interaction.commandName, sub);
    const option = spec?.options.find((o) => o.name === focused.name);
    const choices =
      option === undefined || interaction.guildId === null
        ? []
        : await suggest(
            { deps: settings.services.deps, guildId: interaction.guildId, userId: interaction.user.id },
            option.kind,
            String(focused.value),
          );
    await interaction.respond(choices);
  } catch (error) {
    settings.log.warn({ err: error }, "discord autocomplete failed");
  }
}
