import type { APIApplicationCommandOptionChoice } from "discord-api-types/v10";
import type { Deps } from "../../app/deps.ts";
import { suggestionsFor, type SuggestedKind } from "../../app/suggestions.ts";
import type { OptionKind } from "../../commands/types.ts";

/** Autocomplete: the app's suggestions for an option, as Discord's choices. */
export type Choice = APIApplicationCommandOptionChoice<string | number>;

const NAME_MAX = 100;
const SUGGESTED: ReadonlySet<string> = new Set<SuggestedKind>([
  "category",
  "season",
  "window",
  "contribution",
]);

function isSuggested(kind: OptionKind): kind is OptionKind & SuggestedKind {
  return SUGGESTED.has(kind);
}

export interface SuggestionScope {
  readonly deps: Deps;
  readonly guildId: string;
  readonly userId: string;
}

export async function suggest(scope: SuggestionScope, kind: OptionKind, typed: string): Promise<Choice[]> {
  if (!isSuggested(kind)) return [];
  const suggestions = await suggestionsFor(
    { deps: scope.deps, platform: "DISCORD", chatId: scope.guildId, userId: scope.userId },
    kind,
    typed,
  );
  return suggestions.map((s) => ({
    name: s.label.length <= NAME_MAX ? s.label : `${s.label.slice(0, NAME_MAX - 1)}…`,
    value: s.value,
  }));
}
