import {
  ChannelType,
  OverwriteType,
  PermissionFlagsBits,
  type APIGuild,
  type APIGuildMember,
  type APIOverwrite,
  type APIRole,
} from "discord-api-types/v10";

/** The parts of a server channel (GET /guilds/:id/channels) the choice reads. */
export interface ServerChannel {
  readonly id: string;
  readonly type: ChannelType;
  readonly position?: number;
  readonly permission_overwrites?: readonly APIOverwrite[];
}

/** What the bot needs in a channel to post its cards and announcements. */
export const POSTING_PERMISSIONS =
  PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages | PermissionFlagsBits.EmbedLinks;

/** Permissions in the server, before channel overwrites (Discord's documented order). */
export function basePermissions(
  guild: Pick<APIGuild, "id" | "owner_id" | "roles">,
  member: Pick<APIGuildMember, "roles"> & { readonly userId: string },
): bigint {
  if (guild.owner_id === member.userId) return ~0n;
  const roles = new Map<string, APIRole>(guild.roles.map((r) => [r.id, r]));
  let permissions = BigInt(roles.get(guild.id)?.permissions ?? "0");
  for (const id of member.roles) permissions |= BigInt(roles.get(id)?.permissions ?? "0");
  return (permissions & PermissionFlagsBits.Administrator) !== 0n ? ~0n : permissions;
}

/** Applies a channel's overwrites: @everyone, then the member's roles together, then the member. */
export function channelPermissions(
  base: bigint,
  guildId: string,
  member: Pick<APIGuildMember, "roles"> & { readonly userId: string },
  overwrites: readonly APIOverwrite[],
): bigint {
  if (base === ~0n) return base;
  let permissions = base;
  const apply = (o: APIOverwrite | undefined): void => {
    if (o === undefined) return;
    permissions = (permissions & ~BigInt(o.deny)) | BigInt(o.allow);
  };
  apply(overwrites.find((o) => o.id === guildId));
  let allow = 0n;
  let deny = 0n;
  for (const o of overwrites) {
    if (o.type === OverwriteType.Role && o.id !== guildId && member.roles.includes(o.id)) {
      allow |= BigInt(o.allow);
      deny |= BigInt(o.deny);
    }
  }
  permissions = (permissions & ~deny) | allow;
  apply(overwrites.find((o) => o.type === OverwriteType.Member && o.id === member.userId));
  return permissions;
}

/**
 * Where the bot posts in a server with no configured channel: the system
 * channel when it may post there, else the first text channel (by position)
 * it may post in; null when there is none.
 */
export function defaultChannel(
  guild: Pick<APIGuild, "id" | "owner_id" | "roles" | "system_channel_id">,
  channels: readonly ServerChannel[],
  bot: Pick<APIGuildMember, "roles"> & { readonly userId: string },
): string | null {
  const base = basePermissions(guild, bot);
  const canPost = (channel: ServerChannel): boolean =>
    (channelPermissions(base, guild.id, bot, channel.permission_overwrites ?? []) & POSTING_PERMISSIONS) ===
    POSTING_PERMISSIONS;
  const text = channels
    .filter((c) => c.type === ChannelType.GuildText)
    .sort((a, b) => (a.position ?? 0) - (b.position ?? 0) || (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  const system = text.find((c) => c.id === guild.system_channel_id);
  if (system !== undefined && canPost(system)) return system.id;
  return text.find(canPost)?.id ?? null;
}

/** A configured channel reference: a bare id, or a channel mention stored before ids were normalised. */
export function configuredChannelId(channelRef: string): string | null {
  const match = /^(?:<#)?(\d{5,20})>?$/.exec(channelRef.trim());
  return match?.[1] ?? null;
}
