import type { AnyCommandSpec } from "../../commands/types.ts";
import { catalog as fullCatalog } from "../../commands/catalog.ts";
import { commandPayloads } from "./registration.ts";
import { Routes } from "discord-api-types/v10";
import { DiscordApi } from "./api.ts";

export { createDiscordBot, type DiscordOptions } from "./bot.ts";
export { discordOutgoing, DISCORD_LIMITS } from "./outgoing.ts";
export { commandPayloads } from "./registration.ts";

export interface DeployOptions {
  readonly token: string;
  readonly applicationId: string;
  readonly api?: string;
  /** Defaults to the whole catalog. */
  readonly catalog?: readonly AnyCommandSpec[];
}

/**
 * Registers the catalog's slash commands (`cairn deploy-commands [--guild ID]`):
 * globally by default (Discord may take a while to show changes everywhere),
 * or in one server at once for testing. Replaces whatever was registered.
 */
export async function deployCommands(options: DeployOptions, guildId?: string): Promise<{ count: number }> {
  const rest = new DiscordApi({
    token: options.token,
    ...(options.api === undefined ? {} : { api: options.api }),
  });
  const payloads = commandPayloads(options.catalog ?? fullCatalog);
  const route =
    guildId === undefined
      ? Routes.applicationCommands(options.applicationId)
      : Routes.applicationGuildCommands(options.applicationId, guildId);
  const registered = await rest.put<unknown[]>(route, payloads);
  return { count: Array.isArray(registered) ? registered.length : payloads.length };
}
