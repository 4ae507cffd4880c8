// Interactions as Discord sends them over the gateway, typed with
// discord-api-types: discord.js trusts these payloads, so a missing field
// would crash its gateway handler rather than fail a test.
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ChannelType,
  ComponentType,
  InteractionContextType,
  InteractionType,
  Locale,
  PermissionFlagsBits,
  type APIApplicationCommandAutocompleteGuildInteraction,
  type APIApplicationCommandInteractionDataBasicOption,
  type APIApplicationCommandInteractionDataOption,
  type APIChatInputApplicationCommandGuildInteraction,
  type APIInteractionDataResolved,
  type APIInteractionGuildMember,
  type APIMessage,
  type APIMessageComponentGuildInteraction,
  type APIModalSubmitGuildInteraction,
  type APIUser,
  type GuildMemberFlags,
} from "discord-api-types/v10";
import { APP_ID, GENERAL_CHANNEL, GUILD_ID, nextId, userFixture } from "./fakeDiscord.ts";

/** Someone in the test server. `moderator` gives them Manage Server. */
export interface Someone {
  readonly id: string;
  readonly name: string;
  readonly moderator?: boolean;
  readonly roles?: readonly string[];
}

const EVERYDAY =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.UseApplicationCommands;

export function userOf(person: Someone): APIUser {
  return userFixture(person.id, person.name);
}

export function memberOf(person: Someone): APIInteractionGuildMember {
  const permissions = person.moderator === true ? EVERYDAY | PermissionFlagsBits.ManageGuild : EVERYDAY;
  return {
    user: userOf(person),
    roles: [...(person.roles ?? [])],
    permissions: permissions.toString(),
    joined_at: "2026-01-01T00:00:00.000Z",
    deaf: false,
    mute: false,
    flags: 0 as GuildMemberFlags,
    nick: null,
    avatar: null,
    premium_since: null,
  };
}

function common(person: Someone) {
  const id = nextId();
  return {
    id,
    application_id: APP_ID,
    token: `token-${id}`,
    version: 1 as const,
    guild_id: GUILD_ID,
    guild: { id: GUILD_ID, locale: Locale.EnglishUS, features: [] },
    channel_id: GENERAL_CHANNEL,
    channel: { id: GENERAL_CHANNEL, type: ChannelType.GuildText as const, name: "general" },
    member: memberOf(person),
    app_permissions: (EVERYDAY | PermissionFlagsBits.EmbedLinks | PermissionFlagsBits.AttachFiles).toString(),
    locale: Locale.EnglishUS,
    guild_locale: Locale.EnglishUS,
    entitlements: [],
    authorizing_integration_owners: { "0": GUILD_ID },
    context: InteractionContextType.Guild,
    attachment_size_limit: 8 * 1024 * 1024,
  };
}

/** A typed option value as Discord sends it. */
export type OptionValue = string | number | boolean | { readonly user: Someone };

/** Builds the options list (and the resolved users for USER options). */
export function optionsOf(values: Record<string, OptionValue>): {
  options: APIApplicationCommandInteractionDataBasicOption[];
  resolved?: APIInteractionDataResolved;
} {
  const options: APIApplicationCommandInteractionDataBasicOption[] = [];
  const users: Record<string, APIUser> = {};
  const members: NonNullable<APIInteractionDataResolved["members"]> = {};
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === "string") options.push({ name, type: ApplicationCommandOptionType.String, value });
    else if (typeof value === "boolean")
      options.push({ name, type: ApplicationCommandOptionType.Boolean, value });
    else if (typeof value === "number")
      options.push({
        name,
        type: Number.isInteger(value)
          ? ApplicationCommandOptionType.Integer
          : ApplicationCommandOptionType.Number,
        value,
      });
    else {
      options.push({ name, type: ApplicationCommandOptionType.User, value: value.user.id });
      users[value.user.id] = userOf(value.user);
      const { user: _user, ...member } = memberOf(value.user);
      members[value.user.id] = member;
    }
  }
  return Object.keys(users).length === 0 ? { options } : { options, resolved: { users, members } };
}

export function slashCommand(
  person: Someone,
  name: string,
  values: Record<string, OptionValue> = {},
  sub?: string,
): APIChatInputApplicationCommandGuildInteraction {
  const { options, resolved } = optionsOf(values);
  const data: APIApplicationCommandInteractionDataOption[] =
    sub === undefined ? options : [{ name: sub, type: ApplicationCommandOptionType.Subcommand, options }];
  return {
    ...common(person),
    type: InteractionType.ApplicationCommand,
    data: {
      id: nextId(),
      name,
      type: ApplicationCommandType.ChatInput,
      options: data,
      guild_id: GUILD_ID,
      ...(resolved === undefined ? {} : { resolved }),
    },
  };
}

/** Autocomplete while typing option `focused` of `/name`. */
export function autocomplete(
  person: Someone,
  name: string,
  focused: string,
  typed: string,
  sub?: string,
): APIApplicationCommandAutocompleteGuildInteraction {
  const option = {
    name: focused,
    type: ApplicationCommandOptionType.String as const,
    value: typed,
    focused: true,
  };
  return {
    ...common(person),
    type: InteractionType.ApplicationCommandAutocomplete,
    data: {
      id: nextId(),
      name,
      type: ApplicationCommandType.ChatInput,
      options:
        sub === undefined
          ? [option]
          : [{ name: sub, type: ApplicationCommandOptionType.Subcommand, options: [option] }],
      guild_id: GUILD_ID,
    },
  };
}

export function buttonPress(
  person: Someone,
  message: APIMessage,
  customId: string,
): APIMessageComponentGuildInteraction {
  return {
    ...common(person),
    channel_id: message.channel_id,
    type: InteractionType.MessageComponent,
    message,
    data: { custom_id: customId, component_type: ComponentType.Button },
  };
}

export function selectPick(
  person: Someone,
  message: APIMessage,
  customId: string,
  values: string[],
): APIMessageComponentGuildInteraction {
  return {
    ...common(person),
    channel_id: message.channel_id,
    type: InteractionType.MessageComponent,
    message,
    data: { custom_id: customId, component_type: ComponentType.StringSelect, values },
  };
}

export function modalSubmit(
  person: Someone,
  customId: string,
  fields: Record<string, string>,
): APIModalSubmitGuildInteraction {
  return {
    ...common(person),
    type: InteractionType.ModalSubmit,
    data: {
      custom_id: customId,
      components: Object.entries(fields).map(([id, value]) => ({
        type: ComponentType.ActionRow,
        components: [{ type: ComponentType.TextInput, custom_id: id, value }],
      })),
    },
  };
}
