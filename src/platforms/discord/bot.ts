import {
  Client,
  Events,
  GatewayIntentBits,
  Options,
  type ClientOptions,
  type Guild,
  type Interaction,
} from "discord.js";
import { deactivateSpace } from "../../app/actors.ts";
import { COMMAND_RATE } from "../../core/rateLimit.ts";
import { expiringMap } from "../memory.ts";
import { joinChat, type BotServices, type PlatformBot } from "../bot.ts";
import { loggableError, startUpFailure } from "./errors.ts";
import { answerStopping, handleInteraction, type InteractionSettings } from "./interactions.ts";
import { DiscordOutgoing } from "./outgoing.ts";
import { PendingContributions } from "./pendingForms.ts";
import { guildChat } from "./people.ts";
import { DEFAULT_ACK_BUDGET_MS } from "./reply.ts";

export interface DiscordOptions {
  readonly token: string;
  readonly applicationId: string;
  /** REST base without the version (tests point it at the fake Discord). */
  readonly api?: string;
  /**
   * discord.js sharding, for a bot in many servers: "auto" asks Discord how
   * many shards it needs and runs them all in this process; `ids` of `count`
   * runs only those shards here (other processes run the rest). Left out,
   * one shard, or what discord.js' ShardingManager assigns this process.
   */
  readonly shards?: "auto" | { readonly ids: readonly number[]; readonly count: number };
  /** How long a command may take before the interaction is deferred (default 2 s of Discord's 3). */
  readonly ackBudgetMs?: number;
  /** How long stop() waits for answers in progress (default 5 s). */
  readonly stopTimeoutMs?: number;
}

/**
 * Only what slash commands, buttons and server membership need is cached:
 * servers, their channels and roles. Messages, members, users, presences and
 * the rest are not kept (the bot reads every person from the interaction).
 */
function boundedCaches(): ReturnType<typeof Options.cacheWithLimits> {
  return Options.cacheWithLimits({
    ...Options.DefaultMakeCacheSettings,
    MessageManager: 0,
    GuildMemberManager: { maxSize: 0, keepOverLimit: (member) => member.id === member.client.user.id },
    UserManager: { maxSize: 0, keepOverLimit: (user) => user.id === user.client.user.id },
    PresenceManager: 0,
    ReactionManager: 0,
    ReactionUserManager: 0,
    ThreadManager: 0,
    ThreadMemberManager: 0,
    VoiceStateManager: 0,
    GuildEmojiManager: 0,
    GuildStickerManager: 0,
    GuildScheduledEventManager: 0,
    GuildInviteManager: 0,
    GuildBanManager: 0,
    StageInstanceManager: 0,
    AutoModerationRuleManager: 0,
    ApplicationCommandManager: 0,
    GuildMessageManager: 0,
    DMMessageManager: 0,
  });
}

export function discordClient(options: DiscordOptions): Client {
  return new Client({
    intents: [GatewayIntentBits.Guilds],
    makeCache: boundedCaches(),
    sweepers: {
      ...Options.DefaultSweeperSettings,
      users: { interval: 3_600, filter: () => (user) => user.id !== user.client.user.id },
    },
    allowedMentions: { parse: [] },
    ...(options.api === undefined ? {} : { rest: { api: options.api } }),
    ...shardOptions(options.shards),
  });
}

function shardOptions(shards: DiscordOptions["shards"]): Pick<ClientOptions, "shards" | "shardCount"> {
  if (shards === undefined) return {};
  if (shards === "auto") return { shards: "auto" };
  return { shards: [...shards.ids], shardCount: shards.count };
}

/**
 * The Discord bot: slash commands, buttons, the impact select and modals go
 * to the catalog; joining a server creates its community, leaving marks its
 * space inactive. Commands are registered by `deployCommands`, not on start.
 */
export function createDiscordBot(services: BotServices, options: DiscordOptions): PlatformBot {
  const client = discordClient(options);
  const running = new Set<Promise<void>>();
  const state = { accepting: false };
  const outgoing = new DiscordOutgoing({
    token: options.token,
    ...(options.api === undefined ? {} : { api: options.api }),
  });
  const settings: InteractionSettings = {
    services,
    log: services.log,
    ackBudgetMs: options.ackBudgetMs ?? DEFAULT_ACK_BUDGET_MS,
    forms: new PendingContributions(services.conversations),
    commandWindows: expiringMap(COMMAND_RATE.windowMs, 10_000, () => services.deps.clock.now().getTime()),
    channels: outgoing,
  };
  const track = (work: Promise<void>): void => {
    const done = work.catch((error: unknown) =>
      services.log.error({ err: loggableError(error) }, "discord event failed"),
    );
    running.add(done);
    void done.finally(() => running.delete(done));
  };

  client.on(Events.InteractionCreate, (interaction: Interaction) => {
    track(state.accepting ? handleInteraction(interaction, settings) : answerStopping(interaction, settings));
  });
  client.on(Events.GuildCreate, (guild: Guild) => track(joinServer(services, guild)));
  client.on(Events.GuildDelete, (guild: Guild) => {
    // An outage makes a server unavailable (a separate event); this one means the bot left or was removed.
    track(deactivateSpace(services.deps, { platform: "DISCORD", chatId: guild.id }));
  });
  client.on(Events.Error, (error) =>
    services.log.error({ err: loggableError(error) }, "discord client error"),
  );
  client.on(Events.ShardError, (error, shardId) =>
    services.log.warn({ err: loggableError(error), shardId }, "discord shard connection error"),
  );

  return {
    outgoing,
    async start() {
      const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
      state.accepting = true;
      await client.login(options.token).catch((error: unknown) => {
        throw startUpFailure(error);
      });
      await ready;
      track(joinServersMissed(services, [...client.guilds.cache.values()], state));
      services.log.info({ servers: client.guilds.cache.size }, "discord bot ready");
    },
    async stop() {
      state.accepting = false;
      const timeoutMs = options.stopTimeoutMs ?? 5_000;
      await Promise.race([
        Promise.allSettled([...running]),
        new Promise((resolve) => setTimeout(resolve, timeoutMs).unref()),
      ]);
      await client.destroy();
    },
  };
}

/**
 * Servers that added the bot while it was offline get their community now.
 * One at a time, in the background: a bot in many servers must not flood the
 * database pool; and no more once the bot is stopping.
 */
async function joinServersMissed(
  services: BotServices,
  servers: readonly Guild[],
  state: { readonly accepting: boolean },
): Promise<void> {
  for (const guild of servers) {
    if (!state.accepting) return;
    await joinServer(services, guild);
  }
}

async function joinServer(services: BotServices, guild: Guild): Promise<void> {
  const { created } = await joinChat(services, guildChat(guild));
  if (created) services.log.info({ guildId: guild.id }, "community created for a new Discord server");
}
