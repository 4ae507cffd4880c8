import {
  Routes,
  type APIChannel,
  type APIGuild,
  type APIGuildMember,
  type APIMessage,
  type APIUser,
} from "discord-api-types/v10";
import type { View } from "../../views/view.ts";
import {
  PlatformError,
  type ChatPlatform,
  type ChatTarget,
  type MessageRef,
  type PlatformLimits,
  type PostOptions,
} from "../../ports/chatPlatform.ts";
import { configuredChannelId, defaultChannel, type ServerChannel } from "./channels.ts";
import { renderFiles, renderMessage } from "./render.ts";
import { DiscordApi, type DiscordRestOptions } from "./api.ts";
import { expiringMap } from "../memory.ts";

/**
 * Discord's limits as the delivery jobs pace them. A bucket of capacity C
 * refilled at r lets C + r·T through in any window of T seconds, so each is
 * sized to stay within Discord's limit in every window, bursts included:
 * global 50 requests per second per bot (10 + 40), and 5 messages per 5 s in a
 * channel (2 + 0.6 × 5), posts and card edits sharing that budget.
 */
export const DISCORD_LIMITS: PlatformLimits = {
  global: { capacity: 10, perSecond: 40 },
  perChat: { capacity: 2, perSecond: 0.6 },
};

/** Entries kept in the small lookup caches (default channel per server, DM channel per person). */
const CACHE_LIMIT = 10_000;

/** A message reference keeps its channel, so an edit reaches the card wherever it was posted. */
export function encodeMessageRef(channelId: string, messageId: string): MessageRef {
  return { messageId: `${channelId}/${messageId}` };
}

export function decodeMessageRef(ref: MessageRef): { channelId: string; messageId: string } {
  const [channelId = "", messageId = ""] = ref.messageId.split("/");
  if (!/^\d+$/.test(channelId) || !/^\d+$/.test(messageId))
    throw new PlatformError(
      "DISCORD",
      { kind: "permanent", reason: "message_deleted" },
      "discord: not a Discord message reference",
    );
  return { channelId, messageId };
}

/**
 * The bot's own messages over REST (the ChatPlatform port): one request per
 * call, except the first post to a server without a configured channel
 * (which looks the channel up once and caches it) and the first direct
 * message to a person (which opens the DM channel once).
 */
export class DiscordOutgoing implements ChatPlatform {
  readonly platform = "DISCORD" as const;
  readonly limits = DISCORD_LIMITS;
  /** Discord's attachment limit for bots. */
  readonly uploadLimitBytes = 10 * 1024 * 1024;
  private readonly rest: DiscordApi;
  private readonly guildChannels = expiringMap<string, string>(Infinity, CACHE_LIMIT);
  private readonly dmChannels = expiringMap<string, string>(Infinity, CACHE_LIMIT);
  /** The server of each configured channel, as Discord reports it. */
  private readonly channelGuilds = expiringMap<string, string>(Infinity, CACHE_LIMIT);
  private botUserId: Promise<string> | null = null;

  constructor(options: DiscordRestOptions) {
    this.rest = new DiscordApi(options);
  }

  async post(target: ChatTarget, view: View, options: PostOptions = {}): Promise<MessageRef> {
    const channelId = await this.channelFor(target);
    const key = options.idempotencyKey;
    try {
      const message = await this.rest.post<APIMessage>(
        Routes.channelMessages(channelId),
        // enforce_nonce: Discord returns the first message for a nonce repeated within minutes.
        key === undefined ? renderMessage(view) : { ...renderMessage(view), nonce: key, enforce_nonce: true },
        renderFiles(view),
      );
      return encodeMessageRef(channelId, message.id);
    } catch (error) {
      this.forgetChannel(target, error);
      throw error;
    }
  }

  async edit(_target: ChatTarget, ref: MessageRef, view: View): Promise<void> {
    const { channelId, messageId } = decodeMessageRef(ref);
    const { attachments: _files, ...body } = renderMessage(view);
    await this.rest.patch(Routes.channelMessage(channelId, messageId), body);
  }

  async delete(_target: ChatTarget, ref: MessageRef): Promise<void> {
    const { channelId, messageId } = decodeMessageRef(ref);
    await this.rest.delete(Routes.channelMessage(channelId, messageId));
  }

  private async channelFor(target: ChatTarget): Promise<string> {
    if (target.kind === "direct") return this.directChannel(target.userId);
    if (target.channelRef !== null) {
      const configured = configuredChannelId(target.channelRef);
      if (configured !== null) return this.channelOfServer(configured, target.chatId);
    }
    return this.serverChannel(target.chatId);
  }

  /**
   * `channelId` when it is a channel of the space's own server. A channel of
   * another server (a setting aimed at another community) is refused before
   * anything is posted; the delivery records the permanent failure.
   */
  private async channelOfServer(channelId: string, guildId: string): Promise<string> {
    if ((await this.chatOwner(channelId)) !== guildId)
      throw new PlatformError(
        "DISCORD",
        { kind: "permanent", reason: "forbidden" },
        "discord: the configured channel is not in this community's server (or is gone); nothing was posted",
      );
    return channelId;
  }

  /**
   * The server of the channel a chat setting names (an id or a `<#mention>`),
   * as Discord reports it: one request, then remembered (a channel never
   * changes server). Undefined for no channel, one Discord does not show the
   * bot, or one outside any server; a rate limit or an outage is thrown.
   */
  async chatOwner(chatRef: string): Promise<string | undefined> {
    const channelId = configuredChannelId(chatRef);
    if (channelId === null) return undefined;
    const known = this.channelGuilds.get(channelId);
    if (known !== undefined) return known === "" ? undefined : known;
    const channel = await this.rest
      .get<APIChannel & { guild_id?: string }>(Routes.channel(channelId))
      .catch((error: unknown) => {
        if (error instanceof PlatformError && error.failure.kind === "permanent") return null;
        throw error;
      });
    if (channel === null) return undefined;
    this.channelGuilds.set(channelId, channel.guild_id ?? "");
    return channel.guild_id;
  }

  private async directChannel(userId: string): Promise<string> {
    const known = this.dmChannels.get(userId);
    if (known !== undefined) return known;
    const channel = await this.rest.post<APIChannel>(Routes.userChannels(), { recipient_id: userId });
    this.dmChannels.set(userId, channel.id);
    return channel.id;
  }

  private async serverChannel(guildId: string): Promise<string> {
    const known = this.guildChannels.get(guildId);
    if (known !== undefined) return known;
    const [guild, channels, bot] = await Promise.all([
      this.rest.get<APIGuild>(Routes.guild(guildId)),
      this.rest.get<ServerChannel[]>(Routes.guildChannels(guildId)),
      this.botMember(guildId),
    ]);
    const channelId = defaultChannel(guild, channels, bot);
    if (channelId === null)
      throw new PlatformError(
        "DISCORD",
        { kind: "permanent", reason: "forbidden" },
        "discord: no text channel in the server where the bot may post; configure one with /config set",
      );
    this.guildChannels.set(guildId, channelId);
    return channelId;
  }

  private async botMember(guildId: string): Promise<APIGuildMember & { userId: string }> {
    this.botUserId ??= this.rest.get<APIUser>(Routes.user()).then((u) => u.id);
    const userId = await this.botUserId.catch((error: unknown) => {
      this.botUserId = null;
      throw error;
    });
    const member = await this.rest.get<APIGuildMember>(Routes.guildMember(guildId, userId));
    return { ...member, userId };
  }

  /** A channel that vanished or shut the bot out is looked up again next time. */
  private forgetChannel(target: ChatTarget, error: unknown): void {
    if (!(error instanceof PlatformError) || error.failure.kind !== "permanent") return;
    if (target.kind === "chat") this.guildChannels.delete(target.chatId);
    else this.dmChannels.delete(target.userId);
  }
}

export function discordOutgoing(options: DiscordRestOptions): ChatPlatform {
  return new DiscordOutgoing(options);
}
