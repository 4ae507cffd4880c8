// Cairn on Telegram: what the composition root (src/cli.ts) uses.
import type { BotServices, PlatformBot } from "../bot.ts";
import type { ChatPlatform } from "../../ports/chatPlatform.ts";
import { createTelegramBot as createBot, type TelegramBotOptions } from "./bot.ts";
import { telegramOutgoing as outgoing, type TelegramConnection } from "./outgoing.ts";

export type { TelegramBotOptions, TelegramConnection };
export { deployTelegramCommands } from "./bot.ts";
export { telegramClient } from "./outgoing.ts";
export { commandMenus, telegramCommandName } from "./commandNames.ts";

/**
 * `cairn start` / `cairn bot`: the bot taking commands, button presses and
 * membership changes (long polling, or webhook when `webhook` is given; then
 * mount `httpRoute` on the HTTP server), and its outgoing side for the jobs.
 */
export function createTelegramBot(services: BotServices, options: TelegramBotOptions): PlatformBot {
  return createBot(services, options);
}

/** `cairn worker`: the outgoing side only (no polling), for the delivery jobs. */
export function telegramOutgoing(options: TelegramConnection): ChatPlatform {
  return outgoing(options);
}
