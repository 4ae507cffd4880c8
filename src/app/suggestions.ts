import { spaceOf, type Platform } from "./actors.ts";
import { listCategories } from "./community.ts";
import type { Deps } from "./deps.ts";

/**
 * What a platform offers while someone types an option (Discord's
 * autocomplete): categories, seasons, windows and contribution numbers of the
 * chat's community. Reads only (a person typing is not yet a member).
 */
export interface Suggestion {
  readonly label: string;
  readonly value: string | number;
}

export type SuggestedKind = "category" | "season" | "window" | "contribution";

export interface SuggestionScope {
  readonly deps: Deps;
  readonly platform: Platform;
  readonly chatId: string;
  readonly userId: string;
}

const MAX_SUGGESTIONS = 25;

export async function suggestionsFor(
  scope: SuggestionScope,
  kind: SuggestedKind,
  typed: string,
): Promise<Suggestion[]> {
  const communityId = await activeCommunityOf(scope);
  if (communityId === null) return [];
  const needle = typed.trim().toLowerCase();
  switch (kind) {
    case "category":
      return categorySuggestions(scope.deps, communityId, needle);
    case "season":
      return (await seasonNames(scope.deps, communityId))
        .filter((name) => name.toLowerCase().includes(needle))
        .map((name) => ({ label: name, value: name }));
    case "window":
      return windowSuggestions(scope.deps, communityId, needle);
    case "contribution":
      return contributionSuggestions(scope, communityId, needle.replace(/^#/, ""));
  }
}

async function activeCommunityOf(scope: SuggestionScope): Promise<number | null> {
  const space = await spaceOf(scope.deps, { platform: scope.platform, chatId: scope.chatId });
  return space === null || !space.active ? null : space.communityId;
}

async function categorySuggestions(deps: Deps, communityId: number, needle: string): Promise<Suggestion[]> {
  return (await listCategories(deps, communityId))
    .filter((c) => c.slug.startsWith(needle))
    .slice(0, MAX_SUGGESTIONS)
    .map((c) => ({ label: c.description === "" ? c.slug : `${c.slug} — ${c.description}`, value: c.slug }));
}

async function seasonNames(deps: Deps, communityId: number): Promise<string[]> {
  const seasons = await deps.db.season.findMany({
    where: { communityId },
    select: { name: true },
    orderBy: { startsAt: "desc" },
    take: MAX_SUGGESTIONS,
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

async function windowSuggestions(deps: Deps, communityId: number, needle: string): Promise<Suggestion[]> {
  const seasons = (await seasonNames(deps, communityId)).map(
    (name) => [`season:${name}`, `Season ${name}`] as const,
  );
  const known = [...FIXED_WINDOWS, ...seasons]
    .filter(([value, label]) => value.toLowerCase().includes(needle) || label.toLowerCase().includes(needle))
    .map(([value, label]) => ({ label, value }));
  // A date range being typed is offered as it stands, so it can be chosen.
  const typedRange = /^\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}$/.test(needle)
    ? [{ label: needle, value: needle }]
    : [];
  return [...typedRange, ...known].slice(0, MAX_SUGGESTIONS);
}

/** The caller's own contributions and every pending one, newest first, matching the digits typed. */
async function contributionSuggestions(
  scope: SuggestionScope,
  communityId: number,
  digits: string,
): Promise<Suggestion[]> {
  const identity = await scope.deps.db.identity.findUnique({
    where: {
      communityId_platform_platformUserId: {
        communityId,
        platform: scope.platform,
        platformUserId: scope.userId,
      },
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
    take: /^\d+$/.test(digits) ? 200 : MAX_SUGGESTIONS,
  });
  return contributions
    .filter(
      (c) => digits === "" || String(c.number).startsWith(digits) || c.title.toLowerCase().includes(digits),
    )
    .slice(0, MAX_SUGGESTIONS)
    .map((c) => ({ label: `#${c.number} ${c.title} (${c.status.toLowerCase()})`, value: c.number }));
}
