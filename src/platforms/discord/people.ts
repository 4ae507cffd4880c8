import {
  PermissionFlagsBits,
  type APIGuildMember,
  type APIInteractionDataResolvedGuildMember,
  type APIUser,
} from "discord-api-types/v10";
import { GuildMember, type Guild, type Interaction, type User } from "discord.js";
import type { PlatformChat, PlatformUser } from "../../app/actors.ts";

/** The name Discord shows for someone in a server: nickname, then display name, then username. */
export function displayNameOf(user: Pick<APIUser, "username" | "global_name">, nick?: string | null): string {
  return nick ?? user.global_name ?? user.username;
}

/**
 * Whether Discord says the person may manage the server. Read from the
 * permissions Discord computed for this interaction (`member.permissions`),
 * so it holds whatever the client showed; Administrator implies it.
 */
export function hasManageServer(permissions: bigint | null): boolean {
  if (permissions === null) return false;
  return (
    (permissions & PermissionFlagsBits.Administrator) !== 0n ||
    (permissions & PermissionFlagsBits.ManageGuild) !== 0n
  );
}

/** The person behind an interaction, with roles and the Discord moderator right. */
export function interactionUser(interaction: Interaction): PlatformUser {
  const member = interaction.member;
  const roles =
    member === null
      ? undefined
      : member instanceof GuildMember
        ? [...member.roles.cache.keys()].filter((id) => id !== interaction.guildId)
        : [...member.roles];
  const nick =
    member === null ? null : member instanceof GuildMember ? member.nickname : (member.nick ?? null);
  const joined =
    member === null
      ? null
      : member instanceof GuildMember
        ? member.joinedAt
        : member.joined_at === null
          ? null
          : new Date(member.joined_at);
  return {
    platform: "DISCORD",
    userId: interaction.user.id,
    displayName: nick ?? interaction.user.globalName ?? interaction.user.username,
    ...(roles === undefined ? {} : { roles }),
    isPlatformModerator: hasManageServer(interaction.memberPermissions?.bitfield ?? null),
    ...(joined === null || Number.isNaN(joined.getTime()) ? {} : { joinedChatAt: joined }),
  };
}

/** Someone named in a USER option: the account and, in a server, their nickname and roles. */
export function mentionedUser(
  user: User,
  member: GuildMember | APIInteractionDataResolvedGuildMember | APIGuildMember | null | undefined,
): PlatformUser {
  const nick =
    member === null || member === undefined
      ? null
      : member instanceof GuildMember
        ? member.nickname
        : (member.nick ?? null);
  const roles =
    member === null || member === undefined
      ? undefined
      : member instanceof GuildMember
        ? [...member.roles.cache.keys()].filter((id) => id !== member.guild.id)
        : [...member.roles];
  return {
    platform: "DISCORD",
    userId: user.id,
    displayName: nick ?? user.globalName ?? user.username,
    ...(roles === undefined ? {} : { roles }),
  };
}

export function guildChat(guild: Pick<Guild, "id" | "name">): PlatformChat {
  return { platform: "DISCORD", chatId: guild.id, title: guild.name };
}
