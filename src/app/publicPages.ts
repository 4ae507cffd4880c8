// What the community's public web pages need beside the chat's own use cases
// (boards, profiles, contributions, exports): whether a community shows its
// pages at all, the anonymous reader they read as, and names safe to show.
import { readCommunityConfig } from "../core/config.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { Actor, Deps } from "./deps.ts";

export interface PublicCommunity {
  readonly id: number;
  readonly name: string;
}

/**
 * The reader of a public page: nobody's member (id 0 is no member's), never a
 * moderator. Boards give them no caller row, blind votes stay blind to them and
 * a hidden member's profile is unknown to them.
 */
export function publicReader(communityId: number): Actor {
  return { communityId, memberId: 0, isModerator: false, spaceId: null };
}

/** The community when it shows its pages (`/config set publicPages on`), else null (also when unknown). */
export async function publicCommunity(deps: Deps, communityId: number): Promise<PublicCommunity | null> {
  if (!Number.isSafeInteger(communityId) || communityId < 1) return null;
  const community = await deps.db.community.findFirst({
    where: { id: communityId, deletedAt: null },
    select: { id: true, name: true, config: true },
  });
  if (community === null || !readCommunityConfig(community.config).publicPages) return null;
  return { id: community.id, name: community.name };
}

/**
 * Turns the community's pages on without a moderator's command: only the
 * console's demo community, made for a newcomer on this machine, is set up so.
 */
export async function showDemoPages(deps: Deps, communityId: number): Promise<void> {
  const community = await deps.db.community.findUniqueOrThrow({
    where: { id: communityId },
    select: { config: true },
  });
  const stored = (community.config ?? {}) as Record<string, unknown>;
  if (readCommunityConfig(stored).publicPages) return;
  await deps.db.community.update({
    where: { id: communityId },
    data: { config: { ...stored, publicPages: true } as Prisma.InputJsonObject },
  });
}

/**
 * Names of the community's members by id as public pages may show them: the
 * effective members that did not hide themselves. Hidden, merged-away and
 * unknown ids are absent.
 */
export async function publicMemberNames(
  deps: Deps,
  communityId: number,
  ids: readonly number[],
): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await deps.db.member.findMany({
    where: { id: { in: [...new Set(ids)] }, communityId, hidden: false, mergedIntoId: null },
    select: { id: true, displayName: true },
  });
  return new Map(rows.map((r) => [r.id, r.displayName]));
}

/** The community numbers (`#42`) of contributions by their ids, for links from ledger entries. */
export async function contributionNumbers(
  deps: Deps,
  communityId: number,
  ids: readonly number[],
): Promise<Map<number, number>> {
  if (ids.length === 0) return new Map();
  const rows = await deps.db.contribution.findMany({
    where: { id: { in: [...new Set(ids)] }, communityId },
    select: { id: true, number: true },
  });
  return new Map(rows.map((r) => [r.id, r.number]));
}
