// What the community's public web pages need beside the chat's own use cases
// (boards, profiles, contributions, exports): whether a community shows its
// pages at all, the anonymous reader they read as, names safe to show, and
// the state a board page is drawn from (what a cached page is checked against).
import { isStoredKey } from "../core/commandLine.ts";
import { readCommunityConfig } from "../core/config.ts";
import { poolOf } from "../db/client.ts";
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
  if (!isStoredKey(communityId)) return null;
  const community = await readCommunity(deps, communityId);
  if (community === null || !readCommunityConfig(community.config, deps.caches?.configs).publicPages)
    return null;
  return { id: community.id, name: community.name };
}

const PUBLIC_COMMUNITY = {
  name: "public_community",
  text: `SELECT id, name, config FROM community WHERE id = $1 AND "deletedAt" IS NULL`,
} as const;

/** Every public page reads this first: a prepared statement on the pool when there is one (Prisma costs more CPU than the read). */
async function readCommunity(
  deps: Deps,
  communityId: number,
): Promise<{ id: number; name: string; config: unknown } | null> {
  const pool = poolOf(deps.db);
  if (pool === null)
    return deps.db.community.findFirst({
      where: { id: communityId, deletedAt: null },
      select: { id: true, name: true, config: true },
    });
  const found = await pool.query<{ id: number; name: string; config: unknown }>({
    ...PUBLIC_COMMUNITY,
    values: [communityId],
  });
  return found.rows[0] ?? null;
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

/** A member as a board shows them: id, name and kind (shown members are never hidden or merged away). */
export interface ShownMember {
  readonly id: number;
  readonly name: string;
  readonly kind: string;
}

/**
 * What a board page of the community is drawn from, read in one statement:
 * `version` changes with every write that can change the page — a ledger
 * entry (points, verified counts, streaks, merges, voids), a member hidden or
 * shown again, the ten newest contributions (logged, decided, retitled, their
 * submitters renamed or hidden), a category, a season, the community's name,
 * configuration or active-score epoch. `shownCurrent` says whether members a
 * page showed still read as it showed them (renamed, hidden, erased, merged).
 */
export interface BoardPageState {
  readonly version: string;
  shownCurrent(shown: readonly ShownMember[]): boolean;
}

/** The ten newest contributions: the board page's "recent" list (listContributions by number). */
const RECENT_SHOWN = 10;

const BOARD_PAGE_STATE = {
  name: "board_page_state",
  text: `
    SELECT json_build_array(
             c.name, c.config, c."activeEpoch", h.seq, h.hash,
             (SELECT count(*) FROM member m WHERE m."communityId" = c.id AND m.hidden),
             (SELECT coalesce(json_agg(json_build_array(x.id, x.slug, x.weight, x.active, x.description) ORDER BY x.id), '[]')
                FROM category x WHERE x."communityId" = c.id),
             (SELECT coalesce(json_agg(json_build_array(s.id, s.name, s."startsAt", s."endsAt") ORDER BY s.id), '[]')
                FROM season s WHERE s."communityId" = c.id),
             (SELECT coalesce(json_agg(json_build_array(r.number, r.status, r.title, r."categoryId", r.award,
                                                        r."createdAt", m."displayName", m.hidden, m.kind) ORDER BY r.number DESC), '[]')
                FROM (SELECT number, status, title, "categoryId", award, "createdAt", "submitterId" FROM contribution
                       WHERE "communityId" = c.id ORDER BY number DESC LIMIT ${RECENT_SHOWN}) r
                JOIN member m ON m.id = r."submitterId")
           )::text AS version,
           (SELECT coalesce(json_agg(json_build_array(m.id, m."displayName", m.kind, m.hidden OR m."mergedIntoId" IS NOT NULL)), '[]')
              FROM member m WHERE m.id = ANY($2::int[]) AND m."communityId" = c.id)::text AS shown
    FROM community c LEFT JOIN ledger_head h ON h."communityId" = c.id
    WHERE c.id = $1`,
} as const;

interface StateRow {
  readonly version: string;
  readonly shown: string;
}

/** The state of the community's board pages, with the members `shown` read as they are now. */
export async function boardPageState(
  deps: Deps,
  communityId: number,
  shown: readonly number[],
): Promise<BoardPageState> {
  const values = [communityId, [...new Set(shown)]];
  const pool = poolOf(deps.db);
  const rows =
    pool === null
      ? await deps.db.$queryRawUnsafe<StateRow[]>(BOARD_PAGE_STATE.text, ...values)
      : (await pool.query<StateRow>({ ...BOARD_PAGE_STATE, values })).rows;
  const row = rows[0];
  if (row === undefined) return { version: "", shownCurrent: () => false };
  const now = new Map(
    (JSON.parse(row.shown) as Array<[number, string, string, boolean]>).map(([id, name, kind, gone]) => [
      id,
      { name, kind, gone },
    ]),
  );
  return {
    version: row.version,
    shownCurrent: (members) =>
      members.every((m) => {
        const current = now.get(m.id);
        return current !== undefined && !current.gone && current.name === m.name && current.kind === m.kind;
      }),
  };
}
