// Telegram command names allow only a-z, 0-9 and _ (1-32 characters), so the
// catalog's names are mapped (`forget-me` → `forget_me`). The menus registered
// with setMyCommands and the names accepted in messages come from the same
// mapping, so what Telegram offers is exactly what the bot understands.
import type { AnyCommandSpec } from "../../commands/types.ts";

export interface BotCommandEntry {
  readonly command: string;
  readonly description: string;
}

/** The command menus by scope: private chats, all groups, and group administrators (who also moderate). */
export interface CommandMenus {
  readonly privateChats: readonly BotCommandEntry[];
  readonly groups: readonly BotCommandEntry[];
  readonly administrators: readonly BotCommandEntry[];
}

const NAME_LIMIT = 32;
const DESCRIPTION_MIN = 3;
const DESCRIPTION_LIMIT = 256;

/** The Telegram name of a catalog command: lowercase, every other character an underscore, cut to 32. */
export function telegramCommandName(catalogName: string): string {
  return catalogName
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_")
    .slice(0, NAME_LIMIT);
}

/** Telegram name → catalog name, for every command of the catalog. */
export function commandNameMap(catalog: readonly AnyCommandSpec[]): ReadonlyMap<string, string> {
  return new Map(catalog.map((spec) => [telegramCommandName(spec.name), spec.name]));
}

const COMMAND_HEAD = /^\/([A-Za-z0-9_-]+)(?=@|\s|$)/;

/**
 * A message's command written with the catalog's name (`/forget_me@bot` →
 * `/forget-me@bot`), so the console's parser reads it; other text is unchanged.
 */
export function toCatalogCommand(text: string, names: ReadonlyMap<string, string>): string {
  const trimmed = text.trimStart();
  const match = COMMAND_HEAD.exec(trimmed);
  if (match === null) return text;
  const [head, name = ""] = match;
  const catalogName = names.get(name.toLowerCase());
  return catalogName === undefined ? trimmed : `/${catalogName}${trimmed.slice(head.length)}`;
}

/** One menu entry per command; commands with subcommands list them. */
function menuEntries(specs: readonly AnyCommandSpec[]): BotCommandEntry[] {
  const byName = new Map<string, AnyCommandSpec[]>();
  for (const spec of specs) byName.set(spec.name, [...(byName.get(spec.name) ?? []), spec]);
  return [...byName.entries()].map(([name, group]) => ({
    command: telegramCommandName(name),
    description: describeGroup(group),
  }));
}

function describeGroup(group: readonly AnyCommandSpec[]): string {
  const [first] = group;
  const subs = group.flatMap((spec) => (spec.sub === undefined ? [] : [spec.sub]));
  const text = subs.length === 0 ? (first?.description ?? "") : subs.join(" | ");
  const padded = text.length < DESCRIPTION_MIN ? `${text} command`.trim() : text;
  return padded.length <= DESCRIPTION_LIMIT ? padded : `${padded.slice(0, DESCRIPTION_LIMIT - 1)}…`;
}

/** The menus setMyCommands registers: members' commands everywhere, moderators' for group administrators too. */
export function commandMenus(catalog: readonly AnyCommandSpec[]): CommandMenus {
  const everyone = catalog.filter((spec) => spec.audience !== "moderator");
  return {
    privateChats: menuEntries(everyone),
    groups: menuEntries(everyone),
    administrators: menuEntries(catalog),
  };
}
