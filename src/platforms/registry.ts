import type { Config } from "../config.ts";
import type { PlatformSet } from "../serve.ts";
import type { BotServices, PlatformBot } from "./bot.ts";
import { createDiscordBot, discordOutgoing } from "./discord/index.ts";
import type { ChatPlatform } from "../ports/chatPlatform.ts";
import { createTelegramBot, telegramOutgoing } from "./telegram/index.ts";

/** One platform Cairn can run on, when its token is configured. */
interface PlatformEntry {
  readonly name: string;
  bot(services: BotServices): PlatformBot;
  outgoing(): ChatPlatform;
}

/** The platforms whose tokens are configured, ready for `cairn start`, `cairn bot` and `cairn worker`. */
export function configuredPlatforms(config: Config): PlatformSet {
  const entries: PlatformEntry[] = [];
  if (config.discordToken !== undefined && config.discordApplicationId !== undefined) {
    const discord = {
      token: config.discordToken,
      applicationId: config.discordApplicationId,
      ...(config.discordApiUrl === undefined ? {} : { api: config.discordApiUrl }),
    };
    const shards = config.discordShards === undefined ? {} : { shards: config.discordShards };
    entries.push({
      name: "discord",
      bot: (services) => createDiscordBot(services, { ...discord, ...shards }),
      outgoing: () => discordOutgoing(discord),
    });
  }
  if (config.telegramBotToken !== undefined) {
    const token = config.telegramBotToken;
    // parseConfig refuses a webhook URL without its secret.
    const webhook =
      config.telegramWebhookUrl === undefined || config.telegramWebhookSecret === undefined
        ? {}
        : { webhook: { url: config.telegramWebhookUrl, secret: config.telegramWebhookSecret } };
    entries.push({
      name: "telegram",
      bot: (services) => createTelegramBot(services, { token, ...webhook }),
      outgoing: () => telegramOutgoing({ token }),
    });
  }
  return {
    names: entries.map((e) => e.name),
    bots: (services) => entries.map((e) => e.bot(services)),
    outgoing: () => entries.map((e) => e.outgoing()),
  };
}
