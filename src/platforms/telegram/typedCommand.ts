// A command typed on Telegram, run through the catalog like the console's,
// except that the people it names (`/profile @ann`, `/member ban @bob …`,
// `/contribute … with @ann:60`) are given to the command as their Telegram
// accounts where the bot can tell who they are (mentions.ts). Everything
// else, including every refusal, is the shared text dispatch's.
import { runTextCommand, type Invocation } from "../../commands/dispatch.ts";
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
  return runTextCommand(
    catalog,
    {
      ...invocation,
      resolveArguments: (spec, raw) => (namesPeople(spec) ? withNamedPeople(spec, raw, lookup) : raw),
    },
    text,
    botUsername,
  );
}

function namesPeople(spec: AnyCommandSpec): boolean {
  return spec.options.some((option) => option.kind === "member" || option.kind === "credits");
}
