import type { Config } from "../config.ts";
import type { BotServices, PlatformBot, PlatformSet } from "./bot.ts";
import { createDiscordBot, discordOutgoing } from "./discord/index.ts";
import type { ChatPlatform } from "../ports/chatPlatform.ts";
import { createTelegramBot, telegramOutgoing, type TelegramBotOptions } from "./telegram/index.ts";

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
  const telegram = telegramOptions(config);
  if (telegram !== null) {
    const { webhook: _webhook, ...connection } = telegram;
    entries.push({
      name: "telegram",
      bot: (services) => createTelegramBot(services, telegram),
      outgoing: () => telegramOutgoing(connection),
    });
  }
  return {
    names: entries.map((e) => e.name),
    bots: (services) => entries.map((e) => e.bot(services)),
    outgoing: () => entries.map((e) => e.outgoing()),
  };
}

/**
 * The Telegram bot's options from the configuration (token, `TELEGRAM_API_ROOT`,
 * webhook), or null without a token. The worker side uses the same connection.
 */
export function telegramOptions(config: Config): TelegramBotOptions | null {
  if (config.telegramBotToken === undefined) return null;
  // parseConfig refuses a webhook URL without its secret.
  const webhook =
    config.telegramWebhookUrl === undefined || config.telegramWebhookSecret === undefined
      ? {}
      : { webhook: { url: config.telegramWebhookUrl, secret: config.telegramWebhookSecret } };
  return {
    token: config.telegramBotToken,
    ...(config.telegramApiRoot === undefined ? {} : { apiRoot: config.telegramApiRoot }),
    ...webhook,
  };
}
