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
import { claimDelivery } from "../../app/deliveries.ts";
import { findCommand, runCommand, type CommandWindows, type Invocation } from "../../commands/dispatch.ts";
import { logWith } from "../../logger.ts";
import type { AnyCommandSpec, OptionSpec } from "../../commands/types.ts";
import { MAX_DESCRIPTION_LENGTH, MAX_REASON_LENGTH, MAX_TITLE_LENGTH } from "../../core/text.ts";
import { refusalText } from "../../views/refusals.ts";
import { refusalView, type View } from "../../views/view.ts";
import type { BotServices } from "../bot.ts";
import { decodeComponent, decodeImpact, decodeModal, encodeModal } from "./customIds.ts";
import { loggableError } from "./errors.ts";
import type { DiscordOutgoing } from "./outgoing.ts";
import { coAuthorClaims, parseCreditText, slashInput, splitWords } from "./input.ts";
import type { PendingContribution, PendingContributions } from "./pendingForms.ts";
import { guildChat, interactionUser, mentionedUser } from "./people.ts";
import { MODAL_COMMANDS, modalOptions } from "./registration.ts";
import { answerInteraction, answerNow, apologise, type ReplySettings } from "./reply.ts";
import { suggest, type Choice } from "./suggestions.ts";

export interface InteractionSettings extends ReplySettings {
  readonly services: BotServices;
  /** /contribute's options while its form is open. */
  readonly forms: PendingContributions;
  /** Each account's command window (the per-member command rate limit). */
  readonly commandWindows: CommandWindows;
  /** Which server owns a channel a chat setting names: the delivery's own lookup. */
  readonly channels: Pick<DiscordOutgoing, "chatOwner">;
}

const GUILD_ONLY = refusalView("Cairn works inside a server; use its commands there.");
const STALE_BUTTON = refusalView(
  "That button is no longer valid; use the command instead (/help lists them).",
);

/** Routes one interaction to the catalog; every path answers or logs why it could not. */
export async function handleInteraction(interaction: Interaction, given: InteractionSettings): Promise<void> {
  // Every line logged while answering the interaction names it.
  const settings = { ...given, log: logWith(given.log, { interactionId: interaction.id }) };
  if (interaction.isAutocomplete()) return autocomplete(interaction, settings);
  if (!interaction.isRepliable()) return;
  // A replayed interaction (a gateway resume after a restart) has no second effect and no answer.
  if (!(await claimDelivery(settings.services.deps, "discord", interaction.id))) return;
  if (interaction.guildId === null) return answerNow(interaction, GUILD_ONLY, settings.log);
  if (interaction.isChatInputCommand()) return slashCommand(interaction, settings);
  if (interaction.isButton()) return button(interaction, settings);
  if (interaction.isStringSelectMenu()) return impactSelect(interaction, settings);
  if (interaction.isModalSubmit()) return modalSubmit(interaction, settings);
  return answerNow(interaction, STALE_BUTTON, settings.log);
}

const STOPPING = "Cairn is restarting, so nothing was done; please try again in a minute.";

/**
 * An interaction that arrives while the bot is stopping is not run (its work
 * could be cut off halfway) but still answered, so nobody sees "interaction
 * failed"; a form's text comes back so it is not lost.
 */
export async function answerStopping(interaction: Interaction, settings: InteractionSettings): Promise<void> {
  try {
    if (interaction.isAutocomplete()) return await interaction.respond([]);
  } catch (error) {
    return settings.log.warn({ err: loggableError(error) }, "discord autocomplete failed");
  }
  if (!interaction.isRepliable()) return;
  const typed = interaction.isModalSubmit() ? typedFields(modalField(interaction)) : [];
  return answerNow(interaction, { ...refusalView(STOPPING), fields: typed }, settings.log);
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
    onError: (error, command) => settings.log.error({ err: loggableError(error), command }, "command failed"),
    observe: (command, seconds) => services.observeCommand?.(command, "discord", seconds),
    jobs: services.jobs.commands,
    chatOwner: (chatRef) => settings.channels.chatOwner(chatRef),
    commandWindows: settings.commandWindows,
  };
}

/** A command's raw input read from the interaction, or the refusal reading it met. */
type Prepared = { readonly input: Record<string, unknown> } | { readonly refusal: View };

/** Runs a catalog entry for the interaction and answers with its view. */
function run(
  interaction: RepliableInteraction,
  settings: InteractionSettings,
  spec: AnyCommandSpec | undefined,
  prepare: () => Promise<Prepared> | Prepared,
): Promise<void> {
  if (spec === undefined) return answerNow(interaction, STALE_BUTTON, settings.log);
  return answerInteraction(
    interaction,
    async () => {
      const prepared = await prepare();
      if ("refusal" in prepared) return prepared.refusal;
      return runCommand(spec, invocation(interaction, settings), prepared.input);
    },
    settings,
  );
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
  return run(interaction, settings, spec, () => ({
    input: slashInput(spec, (name) => interaction.options.get(name)),
  }));
}

/**
 * /contribute: the category and co-authors come as options, the text in a
 * form. The options wait in PendingContributions under a short key the
 * form's custom_id carries, so any number of co-authors fit.
 */
async function openContributeModal(
  interaction: ChatInputCommandInteraction,
  spec: AnyCommandSpec,
  settings: InteractionSettings,
): Promise<void> {
  const credits = parseCreditText(interaction.options.getString("credits") ?? "");
  if (!credits.ok) return answerNow(interaction, refusalView(refusalText(credits.error)), settings.log);
  const form = settings.forms.hold({
    userId: interaction.user.id,
    category: (interaction.options.getString("category") ?? "").trim(),
    credits: credits.value,
  });
  const customId = encodeModal({ kind: "contribute", form });
  return showForm(interaction, contributeModal(customId, modalOptions(spec)), settings);
}

/** Opens a form; when Discord refuses it the person is told, not left with "interaction failed". */
async function showForm(
  interaction: ChatInputCommandInteraction | ButtonInteraction,
  modal: APIModalInteractionResponseCallbackData,
  settings: InteractionSettings,
): Promise<void> {
  try {
    await interaction.showModal(modal);
  } catch (error) {
    await apologise(interaction, error, settings.log);
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
  if (action.kind === "ask")
    return showForm(
      interaction,
      questionModal(encodeModal({ kind: "question", number: action.number })),
      settings,
    );
  return run(interaction, settings, vote, () => ({
    input: { contribution: action.number, choice: action.choice },
  }));
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
    input: { contribution: action.number, choice: "approve", detail: String(impact) },
  }));
}

async function modalSubmit(
  interaction: ModalSubmitInteraction,
  settings: InteractionSettings,
): Promise<void> {
  const action = decodeModal(interaction.customId);
  if (action === null) return answerNow(interaction, STALE_BUTTON, settings.log);
  const field = modalField(interaction);
  if (action.kind === "question") {
    const vote = findCommand(settings.services.catalog, "vote");
    return run(interaction, settings, vote, () => ({
      input: { contribution: action.number, choice: "info", detail: field("question") },
    }));
  }
  const contribute = findCommand(settings.services.catalog, "contribute");
  const form = settings.forms.take(action.form, interaction.user.id);
  if (form === null) return answerNow(interaction, expiredFormView(field), settings.log);
  return run(interaction, settings, contribute, () => contributeInput(interaction, form, field));
}

/**
 * A /contribute form whose options are no longer held (it stayed open over
 * an hour, or Cairn restarted meanwhile): nothing is logged, and what was
 * typed comes back so it can be pasted into a new form.
 */
export function expiredFormView(field: (name: string) => string): View {
  return {
    ...refusalView("That form has expired, so nothing was logged; run /contribute again. What you typed:"),
    fields: typedFields(field),
  };
}

/** A text field of a submitted form by its custom_id ("" when absent). */
function modalField(interaction: ModalSubmitInteraction): (name: string) => string {
  return (name) => {
    const found = interaction.fields.fields.get(name);
    return found !== undefined && "value" in found && typeof found.value === "string" ? found.value : "";
  };
}

const FORM_FIELDS = ["title", "links", "description", "question"];

/** What a person typed in a form, to give back when it could not be used. */
function typedFields(field: (name: string) => string): Array<{ name: string; value: string }> {
  return FORM_FIELDS.map((name) => ({ name, value: field(name).trim() })).filter((f) => f.value !== "");
}

async function contributeInput(
  interaction: ModalSubmitInteraction,
  form: PendingContribution,
  field: (name: string) => string,
): Promise<Prepared> {
  const claims = await coAuthorClaims(form.credits, (userId) => serverMember(interaction, userId));
  if (!claims.ok) return { refusal: refusalView(refusalText(claims.error)) };
  const description = field("description").trim();
  return {
    input: {
      category: form.category,
      title: field("title").trim(),
      links: splitWords(field("links")),
      credits: claims.value,
      ...(description === "" ? {} : { description }),
    },
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

/**
 * Suggestions while someone types. Autocomplete cannot be deferred: what is
 * not found within the budget is answered with no suggestions (the person
 * can still type the value) rather than left to fail.
 */
async function autocomplete(
  interaction: AutocompleteInteraction,
  settings: InteractionSettings,
): Promise<void> {
  try {
    const choices = await withinBudget(suggestionsFor(interaction, settings), settings.ackBudgetMs, []);
    await interaction.respond(choices);
  } catch (error) {
    settings.log.warn({ err: loggableError(error) }, "discord autocomplete failed");
  }
}

async function suggestionsFor(
  interaction: AutocompleteInteraction,
  settings: InteractionSettings,
): Promise<Choice[]> {
  const focused = interaction.options.getFocused(true);
  const sub = interaction.options.getSubcommand(false) ?? undefined;
  const spec = findCommand(settings.services.catalog, interaction.commandName, sub);
  const option = spec?.options.find((o) => o.name === focused.name);
  if (option === undefined || interaction.guildId === null) return [];
  const scope = { deps: settings.services.deps, guildId: interaction.guildId, userId: interaction.user.id };
  return suggest(scope, option.kind, String(focused.value));
}

/** `work`'s value, or `fallback` when it takes longer than `ms` (or fails). */
export function withinBudget<T>(work: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([work.catch(() => fallback), late]).finally(() => clearTimeout(timer));
}
