// What a community's scheduled posts (leaderboard, moderator digest) are set
// to, as the schedule jobs and the reconciler read it.
import { readCommunityConfig, type CommunityConfig } from "../core/config.ts";
import type { Deps } from "./deps.ts";

/** Configuration keys whose change must reach the community's schedulers. */
export const SCHEDULE_KEYS: ReadonlySet<string> = new Set([
  "leaderboardCron",
  "digestCron",
  "timezone",
  "leaderboardPosts",
]);

export type CommunitySchedule = Pick<
  CommunityConfig,
  "leaderboardCron" | "digestCron" | "timezone" | "leaderboardPosts"
>;

/** The community's schedule settings; null when it is deleted or gone. */
export async function communitySchedule(deps: Deps, communityId: number): Promise<CommunitySchedule | null> {
  const community = await deps.db.community.findUnique({
    where: { id: communityId },
    select: { config: true, deletedAt: true },
  });
  if (community === null || community.deletedAt !== null) return null;
  const { leaderboardCron, digestCron, timezone, leaderboardPosts } = readCommunityConfig(
    community.config,
    deps.caches?.configs,
  );
  return { leaderboardCron, digestCron, timezone, leaderboardPosts };
}

/** The community when it still exists (not deleted), else null. */
export async function liveCommunity(deps: Deps, communityId: number): Promise<{ name: string } | null> {
  const community = await deps.db.community.findUnique({
    where: { id: communityId },
    select: { name: true, deletedAt: true },
  });
  return community === null || community.deletedAt !== null ? null : { name: community.name };
}

/** Ids of every community not deleted. */
export async function liveCommunityIds(deps: Deps): Promise<number[]> {
  const live = await deps.db.community.findMany({ where: { deletedAt: null }, select: { id: true } });
  return live.map((c) => c.id);
}

/** The communities whose schedule settings changed in these audit entries. */
export async function communitiesWithScheduleChanges(
  deps: Deps,
  auditIds: readonly number[],
): Promise<number[]> {
  if (auditIds.length === 0) return [];
  const changes = await deps.db.auditLog.findMany({
    where: { id: { in: [...auditIds] }, action: "config.set", target: { in: [...SCHEDULE_KEYS] } },
    select: { communityId: true },
  });
  return [...new Set(changes.map((c) => c.communityId))];
}
