import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  InteractionContextType,
  PermissionFlagsBits,
  type APIApplicationCommandBasicOption,
  type APIApplicationCommandSubcommandOption,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord-api-types/v10";
import { MAX_CONTRIBUTION_NUMBER } from "../../core/commandLine.ts";
import type { AnyCommandSpec, OptionKind, OptionSpec } from "../../commands/types.ts";

/**
 * Commands whose free text is asked for in a modal instead of slash options
 * (Discord's option box is one line and hides long text). Their options of
 * these kinds become the modal's fields.
 */
export const MODAL_COMMANDS: ReadonlySet<string> = new Set(["contribute"]);
const MODAL_KINDS: ReadonlySet<OptionKind> = new Set(["text", "links"]);

/** Options a modal takes instead of the slash command, for commands in MODAL_COMMANDS. */
export function modalOptions(spec: AnyCommandSpec): OptionSpec[] {
  return MODAL_COMMANDS.has(spec.name) ? spec.options.filter((o) => MODAL_KINDS.has(o.kind)) : [];
}

/** Options the slash command itself offers. */
export function slashOptions(spec: AnyCommandSpec): OptionSpec[] {
  const inModal = new Set(modalOptions(spec));
  return spec.options.filter((o) => !inModal.has(o));
}

/** Kinds whose values the bot suggests as the person types. */
export const AUTOCOMPLETE_KINDS: ReadonlySet<OptionKind> = new Set([
  "contribution",
  "category",
  "season",
  "window",
]);

const DESCRIPTION_MAX = 100;

function describe(text: string): string {
  return text.length <= DESCRIPTION_MAX ? text : `${text.slice(0, DESCRIPTION_MAX - 1)}…`;
}

type BasicOptionType = APIApplicationCommandBasicOption["type"];

/** The Discord option type for each catalog option kind. */
const OPTION_TYPES: Record<OptionKind, BasicOptionType> = {
  contribution: ApplicationCommandOptionType.Integer,
  member: ApplicationCommandOptionType.User,
  category: ApplicationCommandOptionType.String,
  window: ApplicationCommandOptionType.String,
  season: ApplicationCommandOptionType.String,
  choice: ApplicationCommandOptionType.String,
  integer: ApplicationCommandOptionType.Integer,
  points: ApplicationCommandOptionType.Number,
  text: ApplicationCommandOptionType.String,
  word: ApplicationCommandOptionType.String,
  date: ApplicationCommandOptionType.String,
  links: ApplicationCommandOptionType.String,
  credits: ApplicationCommandOptionType.String,
  flag: ApplicationCommandOptionType.Boolean,
};

export function optionPayload(option: OptionSpec): APIApplicationCommandBasicOption {
  const base = {
    name: option.name,
    description: describe(option.description),
    required: option.required,
  };
  const type = OPTION_TYPES[option.kind];
  if (option.kind === "contribution")
    return {
      ...base,
      type: ApplicationCommandOptionType.Integer,
      min_value: 1,
      max_value: MAX_CONTRIBUTION_NUMBER,
      autocomplete: true,
    };
  if (type === ApplicationCommandOptionType.String) {
    if (option.choices !== undefined && option.choices.length > 0)
      return {
        ...base,
        type,
        choices: option.choices.slice(0, 25).map((c) => ({ name: c, value: c })),
      };
    return { ...base, type, ...(AUTOCOMPLETE_KINDS.has(option.kind) ? { autocomplete: true } : {}) };
  }
  if (type === ApplicationCommandOptionType.Integer) return { ...base, type };
  if (type === ApplicationCommandOptionType.Number) return { ...base, type };
  if (type === ApplicationCommandOptionType.User) return { ...base, type };
  return { ...base, type: ApplicationCommandOptionType.Boolean };
}

/** Discord wants required options before optional ones; the order otherwise stays the catalog's. */
function optionsPayload(spec: AnyCommandSpec): APIApplicationCommandBasicOption[] {
  const options = slashOptions(spec);
  return [...options.filter((o) => o.required), ...options.filter((o) => !o.required)].map(optionPayload);
}

/** A group's description, built from its subcommands (the catalog describes each subcommand only). */
function groupDescription(name: string, subs: readonly AnyCommandSpec[]): string {
  const moderators = subs.every((s) => s.audience === "moderator") ? "Moderators: " : "";
  return describe(`${moderators}${name} ${subs.map((s) => s.sub).join(", ")}`);
}

/**
 * The slash commands for the catalog: one per name, its entries with `sub`
 * as subcommands. Commands only moderators may run are hidden from others by
 * default (Manage Server); the server checks again on every use.
 */
export function commandPayloads(
  catalog: readonly AnyCommandSpec[],
): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  const names = [...new Set(catalog.map((c) => c.name))];
  return names.map((name): RESTPostAPIChatInputApplicationCommandsJSONBody => {
    const entries = catalog.filter((c) => c.name === name);
    const moderatorOnly = entries.every((c) => c.audience === "moderator");
    const common: Omit<RESTPostAPIChatInputApplicationCommandsJSONBody, "description" | "options"> = {
      type: ApplicationCommandType.ChatInput,
      name,
      default_member_permissions: moderatorOnly ? String(PermissionFlagsBits.ManageGuild) : null,
      dm_permission: false,
      contexts: [InteractionContextType.Guild],
    };
    const [single] = entries;
    if (entries.length === 1 && single !== undefined && single.sub === undefined)
      return { ...common, description: describe(single.description), options: optionsPayload(single) };
    const subcommands = entries.map((entry): APIApplicationCommandSubcommandOption => ({
      type: ApplicationCommandOptionType.Subcommand,
      name: entry.sub ?? entry.name,
      description: describe(entry.description),
      options: optionsPayload(entry),
    }));
    return { ...common, description: groupDescription(name, entries), options: subcommands };
  });
}
