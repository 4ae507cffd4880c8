import type { BoardMembers, MemberKind } from "../core/agents.ts";
import type { Db } from "../db/client.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { ContributionStatus, Platform } from "../generated/prisma/enums.ts";
import { activeScore } from "../core/activeScore.ts";
import { isStoredKey, MAX_STORED_KEY } from "../core/commandLine.ts";
import { readCommunityConfig } from "../core/config.ts";
import { ok, refuse, type Result } from "../core/result.ts";
import { findMember, type MemberRef } from "./actors.ts";
import { inTransaction, type Actor, type Deps } from "./deps.ts";
import { allTimeRank, streaksOf } from "./leaderboard.ts";

export interface ProfileContribution {
  readonly number: number;
  readonly title: string;
  readonly status: ContributionStatus;
  /** Points this member earned from it (awards less clawbacks), hundredths. */
  readonly points: number;
}

export interface ProfileView {
  readonly memberId: number;
  readonly name: string;
  readonly hidden: boolean;
  /** An agent member, with the name of the person who answers for it. */
  readonly kind: MemberKind;
  readonly ownerName: string | null;
  /** Hundredths: all-time total and the active (decayed) score. */
  readonly points: { readonly total: number; readonly active: number };
  /** All-time rank, or null when the member is not on public boards (hidden, banned, no points). */
  readonly rank: number | null;
  /** Contributions the member submitted or is credited on, by status. */
  readonly counts: Readonly<Record<ContributionStatus, number>>;
  readonly streak: number;
  /** The last 5 contributions the member is credited on, newest first. */
  readonly recent: readonly ProfileContribution[];
  /** Categories of the member's verified contributions, most first. */
  readonly categories: ReadonlyArray<{ readonly slug: string; readonly verified: number }>;
  readonly identities: ReadonlyArray<{ readonly platform: Platform; readonly displayName: string }>;
}

const RECENT = 5;

/** `/profile [@member]`: the caller's own profile, or the named member's. */
export async function showProfile(
  deps: Deps,
  input: { readonly actor: Actor; readonly member?: MemberRef },
): Promise<Result<ProfileView, "UNKNOWN_MEMBER" | "AMBIGUOUS_MEMBER">> {
  const { actor } = input;
  const now = deps.clock.now();
  let memberId = actor.memberId;
  if (input.member !== undefined) {
    const ref = input.member;
    const found = await inTransaction(deps, (tx) => findMember(tx, actor.communityId, ref, now));
    if (!found.ok) return found;
    memberId = found.value.id;
  }
  return ok(await profileOf(deps, actor, memberId));
}

/**
 * A member's profile by id, as the API shows it: a hidden member is unknown to
 * everyone but themselves, as they are absent from public boards; so is a
 * member of another community or one merged into another.
 */
export async function showMemberProfile(
  deps: Deps,
  actor: Actor,
  memberId: number,
): Promise<Result<ProfileView, "UNKNOWN_MEMBER">> {
  const member = isStoredKey(memberId)
    ? await deps.db.member.findFirst({
        where: { id: memberId, communityId: actor.communityId, mergedIntoId: null },
        select: { id: true, hidden: true },
      })
    : null;
  if (member === null) return refuse("UNKNOWN_MEMBER", { name: `#${memberId}` });
  const own = await memberGroup(deps.db, actor.memberId);
  if (member.hidden && own.effectiveId !== member.id)
    return refuse("UNKNOWN_MEMBER", { name: `#${memberId}` });
  return ok(await profileOf(deps, actor, member.id));
}

async function profileOf(deps: Deps, actor: Actor, memberId: number): Promise<ProfileView> {
  const now = deps.clock.now();
  const group = await memberGroup(deps.db, memberId);
  const id = group.effectiveId;
  const [member, community, counts, recent, categories, identities, rank, streaks] = await Promise.all([
    deps.db.member.findUniqueOrThrow({
      where: { id },
      select: {
        displayName: true,
        hidden: true,
        kind: true,
        ownerId: true,
        balance: { select: { total: true, activeAcc: true } },
      },
    }),
    deps.db.community.findUniqueOrThrow({
      where: { id: actor.communityId },
      select: { config: true, activeEpoch: true },
    }),
    countsByStatus(deps.db, group.ids),
    recentCredited(deps.db, group.ids),
    verifiedCategories(deps.db, group.ids),
    deps.db.identity.findMany({
      where: { memberId: { in: group.ids } },
      select: { platform: true, displayName: true },
      orderBy: [{ platform: "asc" }, { id: "asc" }],
    }),
    deps.db.member
      .findUniqueOrThrow({ where: { id }, select: { kind: true } })
      .then((m) =>
        allTimeRank(deps.db, actor.communityId, id, now, m.kind === "AGENT" ? "agents" : "people"),
      ),
    streaksOf(deps.db, [id], now),
  ]);
  const halfLife = readCommunityConfig(community.config, deps.caches?.configs).decayHalfLifeDays;
  const owner =
    member.ownerId === null
      ? null
      : await deps.db.member.findUnique({ where: { id: member.ownerId }, select: { displayName: true } });
  return {
    memberId: id,
    name: member.displayName,
    hidden: member.hidden,
    kind: member.kind,
    ownerName: owner?.displayName ?? null,
    points: {
      total: member.balance?.total ?? 0,
      active: activeScore(member.balance?.activeAcc ?? 0, now, community.activeEpoch, halfLife),
    },
    rank,
    counts,
    streak: streaks.get(id) ?? 0,
    recent,
    categories,
    identities,
  };
}

/** `/profile hide|show`: leaves or rejoins the public boards; exports and the ledger are unaffected. */
export async function setProfileVisibility(
  deps: Deps,
  actor: Actor,
  hidden: boolean,
): Promise<Result<{ hidden: boolean; changed: boolean }, never>> {
  const updated = await deps.db.member.updateMany({
    where: { id: actor.memberId, hidden: !hidden },
    data: { hidden },
  });
  return ok({ hidden, changed: updated.count > 0 });
}

/**
 * A member as a person: the effective member (following merges) and every member
 * merged into it, whose ledger entries are still written under their own ids.
 */
export async function memberGroup(db: Db, memberId: number): Promise<{ effectiveId: number; ids: number[] }> {
  const rows = await db.$queryRaw<Array<{ root: number; ids: number[] }>>`
    WITH RECURSIVE up AS (
      SELECT id, "mergedIntoId", 0 AS depth FROM member WHERE id = ${memberId}
      UNION ALL
      SELECT m.id, m."mergedIntoId", up.depth + 1 FROM member m JOIN up ON m.id = up."mergedIntoId" WHERE up.depth < 32
    ),
    root AS (SELECT id FROM up WHERE "mergedIntoId" IS NULL LIMIT 1),
    down AS (
      SELECT id, 0 AS depth FROM root
      UNION ALL
      SELECT m.id, down.depth + 1 FROM member m JOIN down ON m."mergedIntoId" = down.id WHERE down.depth < 32
    )
    SELECT (SELECT id FROM root) AS root, array_agg(id ORDER BY id) AS ids FROM down`;
  const row = rows[0];
  if (row === undefined || row.root === null) return { effectiveId: memberId, ids: [memberId] };
  return { effectiveId: row.root, ids: row.ids };
}

const noCounts = (): Record<ContributionStatus, number> => ({
  PENDING: 0,
  VERIFIED: 0,
  REJECTED: 0,
  EXPIRED: 0,
  WITHDRAWN: 0,
  VOIDED: 0,
});

async function countsByStatus(db: Db, ids: readonly number[]): Promise<Record<ContributionStatus, number>> {
  const rows = await db.$queryRaw<Array<{ status: ContributionStatus; n: number }>>`
    SELECT c.status::text AS status, count(*)::int AS n FROM contribution c
    WHERE c.id IN (SELECT id FROM contribution WHERE "submitterId" = ANY(${[...ids]}::int[])
                   UNION SELECT "contributionId" FROM credit WHERE "memberId" = ANY(${[...ids]}::int[]))
    GROUP BY c.status`;
  const counts = noCounts();
  for (const row of rows) counts[row.status] = row.n;
  return counts;
}

async function recentCredited(db: Db, ids: readonly number[]): Promise<ProfileContribution[]> {
  return db.$queryRaw<ProfileContribution[]>`
    SELECT c.number, c.title, c.status::text AS status,
           COALESCE((SELECT sum(le.points) FROM ledger_entry le
                     WHERE le."contributionId" = c.id AND le."memberId" = ANY(${[...ids]}::int[]) AND le.kind <> 'MERGE'), 0)::int AS points
    FROM contribution c
    WHERE c.id IN (SELECT "contributionId" FROM credit WHERE "memberId" = ANY(${[...ids]}::int[]))
    ORDER BY c."createdAt" DESC, c.number DESC
    LIMIT ${RECENT}`;
}

async function verifiedCategories(
  db: Db,
  ids: readonly number[],
): Promise<Array<{ slug: string; verified: number }>> {
  return db.$queryRaw<Array<{ slug: string; verified: number }>>`
    SELECT cat.slug, count(DISTINCT c.id)::int AS verified
    FROM credit cr JOIN contribution c ON c.id = cr."contributionId" JOIN category cat ON cat.id = c."categoryId"
    WHERE cr."memberId" = ANY(${[...ids]}::int[]) AND c.status = 'VERIFIED'
    GROUP BY cat.slug ORDER BY verified DESC, cat.slug`;
}

// ---------------------------------------------------------------------------
// The member list

export interface MemberListItem {
  readonly memberId: number;
  readonly name: string;
  readonly kind: MemberKind;
  /** For an agent: the person who answers for it. */
  readonly ownerName: string | null;
  /** All-time points, hundredths. */
  readonly points: number;
  readonly joinedAt: Date;
}

export interface MemberPage {
  readonly items: readonly MemberListItem[];
  /** The memberId to pass as the next cursor, or null on the last page. */
  readonly nextCursor: number | null;
  /** Members the filter matches in all. */
  readonly total: number;
}

export const MEMBER_PAGE_SIZE = 25;
export const MAX_MEMBER_PAGE_SIZE = 100;

/**
 * The community's members, by id, a page at a time (keyset: members with an id
 * above `cursor`). Hidden members are left out for everyone, the caller
 * included (their own profile stays theirs to read), as are members merged into
 * another; `members` chooses people, agents or both, as boards do.
 */
export async function listMembers(
  deps: Deps,
  input: {
    readonly actor: Actor;
    readonly members: BoardMembers;
    readonly cursor?: number;
    readonly limit?: number;
  },
): Promise<Result<MemberPage, never>> {
  const size = Math.min(MAX_MEMBER_PAGE_SIZE, Math.max(1, Math.trunc(input.limit ?? MEMBER_PAGE_SIZE)));
  const where: Prisma.MemberWhereInput = {
    communityId: input.actor.communityId,
    hidden: false,
    mergedIntoId: null,
    ...(input.members === "all" ? {} : { kind: input.members === "agents" ? "AGENT" : "PERSON" }),
  };
  // A cursor past the id column's limit is past every member: an empty page, not a database error.
  const after =
    input.cursor !== undefined && Number.isSafeInteger(input.cursor)
      ? Math.min(input.cursor, MAX_STORED_KEY)
      : 0;
  const [rows, total] = await Promise.all([
    deps.db.member.findMany({
      where: { ...where, id: { gt: after } },
      orderBy: { id: "asc" },
      take: size + 1,
      select: {
        id: true,
        displayName: true,
        kind: true,
        ownerId: true,
        joinedAt: true,
        balance: { select: { total: true } },
      },
    }),
    deps.db.member.count({ where }),
  ]);
  const page = rows.slice(0, size);
  const owners = await namesById(
    deps.db,
    page.flatMap((m) => (m.ownerId === null ? [] : [m.ownerId])),
  );
  return ok({
    items: page.map((m) => ({
      memberId: m.id,
      name: m.displayName,
      kind: m.kind,
      ownerName: m.ownerId === null ? null : (owners.get(m.ownerId) ?? null),
      points: m.balance?.total ?? 0,
      joinedAt: m.joinedAt,
    })),
    nextCursor: rows.length > size ? (page.at(-1)?.id ?? null) : null,
    total,
  });
}

async function namesById(db: Db, ids: readonly number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.member.findMany({
    where: { id: { in: [...new Set(ids)] } },
    select: { id: true, displayName: true },
  });
  return new Map(rows.map((r) => [r.id, r.displayName]));
}
