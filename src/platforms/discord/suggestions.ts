import type { APIApplicationCommandOptionChoice } from "discord-api-types/v10";
import type { Deps } from "../../app/deps.ts";
import type { OptionKind } from "../../commands/types.ts";

/**
 * Autocomplete: what the bot suggests while someone types an option. Reads
 * only (a person typing is not yet a member), each one indexed query.
 */
export type Choice = APIApplicationCommandOptionChoice<string | number>;

const MAX_CHOICES = 25;
const NAME_MAX = 100;

export interface SuggestionScope {
  readonly deps: Deps;
  readonly guildId: string;
  readonly userId: string;
}

export async function suggest(scope: SuggestionScope, kind: OptionKind, typed: string): Promise<Choice[]> {
  const communityId = await communityOfGuild(scope.deps, scope.guildId);
  if (communityId === null) return [];
  const needle = typed.trim().toLowerCase();
  switch (kind) {
    case "category":
      return categoryChoices(scope.deps, communityId, needle);
    case "season":
      return (await seasonNames(scope.deps, communityId))
        .filter((name) => name.toLowerCase().includes(needle))
        .map((name) => choice(name, name));
    case "window":
      return windowChoices(scope.deps, communityId, needle);
    case "contribution":
      return contributionChoices(scope, communityId, needle.replace(/^#/, ""));
    default:
      return [];
  }
}

function choice(name: string, value: string | number): Choice {
  return { name: name.length <= NAME_MAX ? name : `${name.slice(0, NAME_MAX - 1)}…`, value };
}

async function communityOfGuild(deps: Deps, guildId: string): Promise<number | null> {
  const space = await deps.db.space.findUnique({
    where: { platform_platformChatId: { platform: "DISCORD", platformChatId: guildId } },
    select: { communityId: true, active: true },
  });
  return space === null || !space.active ? null : space.communityId;
}

async function categoryChoices(deps: Deps, communityId: number, needle: string): Promise<Choice[]> {
  const categories = await deps.db.category.findMany({
    where: { communityId, active: true, slug: { startsWith: needle } },
    select: { slug: true, description: true },
    orderBy: { slug: "asc" },
    take: MAX_CHOICES,
  });
  return categories.map((c) =>
    choice(c.description === "" ? c.slug : `${c.slug} — ${c.description}`, c.slug),
  );
}

async function seasonNames(deps: Deps, communityId: number): Promise<string[]> {
  const seasons = await deps.db.season.findMany({
    where: { communityId },
    select: { name: true },
    orderBy: { startsAt: "desc" },
    take: MAX_CHOICES,
  });
  return seasons.map((s) => s.name);
}

const FIXED_WINDOWS: ReadonlyArray<readonly [string, string]> = [
  ["all", "All time"],
  ["week", "This week"],
  ["month", "This month"],
  ["7d", "Last 7 days"],
  ["30d", "Last 30 days"],
];

async function windowChoices(deps: Deps, communityId: number, needle: string): Promise<Choice[]> {
  const seasons = (await seasonNames(deps, communityId)).map(
    (name) => [`season:${name}`, `Season ${name}`] as const,
  );
  const known = [...FIXED_WINDOWS, ...seasons]
    .filter(([value, label]) => value.toLowerCase().includes(needle) || label.toLowerCase().includes(needle))
    .map(([value, label]) => choice(label, value));
  // A date range being typed is offered as it stands, so it can be chosen.
  const typedRange = /^\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}$/.test(needle) ? [choice(needle, needle)] : [];
  return [...typedRange, ...known].slice(0, MAX_CHOICES);
}

/** The caller's own contributions and every pending one, newest first, matching the digits typed. */
async function contributionChoices(
  scope: SuggestionScope,
  communityId: number,
  digits: string,
): Promise<Choice[]> {
  const identity = await scope.deps.db.identity.findUnique({
    where: {
      communityId_platform_platformUserId: { communityId, platform: "DISCORD", platformUserId: scope.userId },
    },
    select: { memberId: true },
  });
  const contributions = await scope.deps.db.contribution.findMany({
    where: {
      communityId,
      OR: [{ status: "PENDING" }, ...(identity === null ? [] : [{ submitterId: identity.memberId }])],
    },
    select: { number: true, title: true, status: true },
    orderBy: { number: "desc" },
    take: /^\d+$/.test(digits) ? 200 : MAX_CHOICES,
  });
  return contributions
    .filter(
      (c) => digits === "" || String(c.number).startsWith(digits) || c.title.toLowerCase().includes(digits),
    )
    .slice(0, MAX_CHOICES)
    .map((c) => choice(`#${c.number} ${c.title} (${c.status.toLowerCase()})`, c.number));
}
