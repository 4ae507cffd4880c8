// A command typed on Telegram, run through the catalog like the console's,
// except that the people it names (`/profile @ann`, `/member ban @bob …`,
// `/contribute … with @ann:60`) are given to the command as their Telegram
// accounts where the bot can tell who they are (mentions.ts). Everything
// else, including every refusal, is the shared text dispatch's.
import { parseCommandLine } from "../../core/commandLine.ts";
import {
  findCommand,
  hasSubcommands,
  positionalArguments,
  runCommand,
  runTextCommand,
  type Invocation,
} from "../../commands/dispatch.ts";
import type { AnyCommandSpec } from "../../commands/types.ts";
import type { View } from "../../views/view.ts";
import { withNamedPeople, type PersonLookup } from "./mentions.ts";

/** Runs a typed command; null when it is addressed to another bot. */
export async function runTypedCommand(
  catalog: readonly AnyCommandSpec[],
  invocation: Invocation,
  text: string,
  botUsername: string,
  lookup: PersonLookup,
): Promise<View | null> {
  const named = namingCommand(catalog, text, botUsername);
  if (named === null) return runTextCommand(catalog, invocation, text, botUsername);
  return runCommand(named.spec, invocation, withNamedPeople(named.spec, named.raw, lookup));
}

/**
 * The catalog entry and raw options of a well-formed command that names
 * people; null for anything else, which the text dispatch answers as usual.
 */
function namingCommand(
  catalog: readonly AnyCommandSpec[],
  text: string,
  botUsername: string,
): { spec: AnyCommandSpec; raw: Record<string, unknown> } | null {
  const line = parseCommandLine(text, botUsername);
  if (!line.ok) return null;
  const { name, args } = line.value;
  const subcommands = hasSubcommands(catalog, name);
  const spec = subcommands ? findCommand(catalog, name, args[0]) : findCommand(catalog, name);
  if (spec === undefined || !namesPeople(spec)) return null;
  const raw = (spec.parseText ?? positionalArguments(spec))(subcommands ? args.slice(1) : args);
  return raw === null ? null : { spec, raw };
}

function namesPeople(spec: AnyCommandSpec): boolean {
  return spec.options.some((option) => option.kind === "member" || option.kind === "credits");
}
