import type pg from "pg";
import { poolOf, type Db } from "../db/client.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { activeScore, activeWeight } from "../core/activeScore.ts";
import type { BoardMembers, MemberKind } from "../core/agents.ts";
import { readCommunityConfig } from "../core/config.ts";
import {
  dayKeysBetween,
  describeWindow,
  isoWeekKey,
  windowBounds,
  type LeaderboardWindow,
  type WindowBounds,
} from "../core/periods.ts";
import { rankCompetition, rankOf } from "../core/ranking.ts";
import { ok, refuse, type Result } from "../core/result.ts";
import { streakWeeks } from "../core/streak.ts";
import type { Actor, Deps } from "./deps.ts";
import type { ActiveHint } from "../ports/caches.ts";
import { activeWeightSql, effectiveMembersCte, utcTimestamp, verifiedDeltaSql } from "./ledgerAudit.ts";

export type LeaderboardScore = "total" | "active";

export interface LeaderboardRow {
  readonly rank: number;
  readonly memberId: number;
  readonly name: string;
  /** Hundredths of a point: the window's total, or the active score decayed to now. */
  readonly points: number;
  readonly verified: number;
  /** Consecutive ISO weeks with verified work, up to the current one. */
  readonly streak: number;
  readonly isCaller: boolean;
  /** PERSON when absent. */
  readonly kind?: MemberKind;
}

export interface LeaderboardView {
  readonly windowLabel: string;
  readonly score: LeaderboardScore;
  /** Whom the board shows: people (the default, also when absent), agents or both. */
  readonly members?: BoardMembers;
  /** The category slug the board is filtered by, if any. */
  readonly category: string | null;
  readonly rows: readonly LeaderboardRow[];
  /** The caller's own row when they are on the board but outside the rows shown. */
  readonly callerRow: LeaderboardRow | null;
}

export interface LeaderboardRequest {
  readonly actor: Actor;
  readonly window: LeaderboardWindow;
  readonly categorySlug?: string;
  readonly score: LeaderboardScore;
  readonly limit?: number;
  /** People unless given. */
  readonly members?: BoardMembers;
}

export const MAX_LEADERBOARD_SIZE = 25;
const DAY_MS = 86_400_000;

/** `/leaderboard [window] [category] [active]`: the top rows and the caller's own standing. */
export function showLeaderboard(
  deps: Deps,
  input: LeaderboardRequest,
): Promise<Result<LeaderboardView, "UNKNOWN_SEASON" | "UNKNOWN_CATEGORY">> {
  return buildBoard(deps, input.actor.communityId, {
    window: input.window,
    categorySlug: input.categorySlug ?? null,
    score: input.score,
    limit: input.limit ?? null,
    callerId: input.actor.memberId,
    members: input.members ?? "people",
  });
}

/** The board posted on the community's schedule: total points, configured size, no caller. */
export function scheduledLeaderboard(
  deps: Deps,
  communityId: number,
  window: LeaderboardWindow,
): Promise<Result<LeaderboardView, "UNKNOWN_SEASON" | "UNKNOWN_CATEGORY">> {
  return buildBoard(deps, communityId, {
    window,
    categorySlug: null,
    score: "total",
    limit: null,
    callerId: null,
    members: "people",
  });
}

interface BoardRequest {
  window: LeaderboardWindow;
  categorySlug: string | null;
  score: LeaderboardScore;
  limit: number | null;
  callerId: number | null;
  members: BoardMembers;
}

async function buildBoard(
  deps: Deps,
  communityId: number,
  request: BoardRequest,
): Promise<Result<LeaderboardView, "UNKNOWN_SEASON" | "UNKNOWN_CATEGORY">> {
  const now = deps.clock.now();
  // The boards read from a score index (all time, or a week or month bucket of
  // total points) need nothing read first: one statement reads the community
  // along with the rows. Seasons and categories are looked up first.
  if (request.categorySlug === null && request.window.kind !== "season") {
    const bounds = windowBounds(request.window, now, []);
    if (!bounds.ok) return bounds;
    const board = indexedBoard(bounds.value, request.score);
    if (board !== null) return ok(await readIndexedBoard(deps, communityId, board, request, now));
  }
  const { community, seasons, category } = await loadContext(deps, communityId, request);
  if (request.categorySlug !== null && category === null) {
    return refuse("UNKNOWN_CATEGORY", { category: request.categorySlug });
  }
  const bounds = windowBounds(request.window, now, seasons);
  if (!bounds.ok) return bounds;
  const indexed = category === null ? indexedBoard(bounds.value, request.score) : null;
  if (indexed !== null) return ok(await readIndexedBoard(deps, communityId, indexed, request, now));
  const config = readCommunityConfig(community.config, deps.caches?.configs);
  const limit = boardLimit(request.limit, config.leaderboardSize);
  const scale =
    request.score === "total"
      ? totalScale
      : activeScale(now, community.activeEpoch, config.decayHalfLifeDays);
  const source =
    category === null
      ? daySource(communityId, bounds.value, scale, now)
      : categorySource(communityId, category.id, bounds.value, scale);
  const standings = await readAggregate(
    deps.db,
    { communityId, source, scale, members: request.members },
    request.callerId,
    limit,
    now,
  );
  return ok(
    await boardView(
      deps.db,
      request,
      category?.slug ?? null,
      scale.display,
      standings.top,
      standings.caller,
      now,
    ),
  );
}

function boardLimit(requested: number | null, configured: number): number {
  return Math.min(Math.max(Math.trunc(requested ?? configured), 1), MAX_LEADERBOARD_SIZE);
}

/** The view of standings read: ranks, the caller's row when outside the rows shown, streaks. */
async function boardView(
  db: Db,
  request: BoardRequest,
  category: string | null,
  display: (raw: number) => number,
  top: readonly Scored[],
  standing: (Scored & { higher: number }) | null,
  now: Date,
): Promise<LeaderboardView> {
  const caller = top.some((row) => row.id === request.callerId) ? null : standing;
  const shown = caller === null ? top : [...top, caller];
  const streaks = await streaksFromWeeks(db, shown, now);
  const toRow = (row: Scored, rank: number): LeaderboardRow => ({
    rank,
    memberId: row.id,
    name: row.name,
    points: display(row.score),
    verified: row.verified,
    streak: streaks.get(row.id) ?? 0,
    isCaller: row.id === request.callerId,
    kind: row.kind,
  });
  return {
    windowLabel: describeWindow(request.window),
    score: request.score,
    members: request.members,
    category,
    rows: rankCompetition(top, (row) => display(row.score)).map(({ rank, row }) => toRow(row, rank)),
    callerRow: caller === null ? null : toRow(caller, rankOf(caller.score, caller.higher)),
  };
}

function loadContext(deps: Deps, communityId: number, request: BoardRequest) {
  return Promise.all([
    deps.db.community.findUniqueOrThrow({
      where: { id: communityId },
      select: { config: true, activeEpoch: true },
    }),
    request.window.kind === "season"
      ? deps.db.season.findMany({
          where: { communityId },
          select: { name: true, startsAt: true, endsAt: true },
        })
      : Promise.resolve([]),
    request.categorySlug === null
      ? Promise.resolve(null)
      : deps.db.category.findUnique({
          where: { communityId_slug: { communityId, slug: request.categorySlug.toLowerCase() } },
          select: { id: true, slug: true },
        }),
  ]).then(([community, seasons, category]) => ({ community, seasons, category }));
}

// ---------------------------------------------------------------------------
// Scores: how a stored figure becomes points shown, and what "not zero" and
// "strictly more" mean for it in SQL.

interface ScoreScale {
  display(raw: number): number;
  /** The figure would show as something other than 0. */
  nonzero(column: Prisma.Sql): Prisma.Sql;
  /** The figure would show strictly more points than `other` does. */
  above(column: Prisma.Sql, other: Prisma.Sql): Prisma.Sql;
  /** Day-bucket and ledger sums are weighted by time for the active score. */
  readonly weighted: { epoch: Date; halfLifeDays: number } | null;
}

const totalScale: ScoreScale = {
  display: (raw) => raw,
  nonzero: (column) => Prisma.sql`${column} <> 0`,
  above: (column, other) => Prisma.sql`${column} > ${other}`,
  weighted: null,
};

/**
 * The active score ranks by the accumulator Σ points·2^((t − epoch)/H) and shows
 * it decayed to now, rounded to hundredths (core activeScore). Comparisons are
 * written on the accumulator itself (a multiple of w = 2^((now − epoch)/H)), so
 * the (communityId, activeAcc) index still serves them.
 */
function activeScale(now: Date, epoch: Date, halfLifeDays: number): ScoreScale {
  const w = activeWeight(now, epoch, halfLifeDays);
  return {
    display: (raw) => activeScore(raw, now, epoch, halfLifeDays),
    nonzero: (column) => Prisma.sql`(${column} >= ${0.5 * w}::float8 OR ${column} < ${-0.5 * w}::float8)`,
    // Shown as round(acc / w) (Math.round = floor(x + 0.5)); more than S shown ⇔ acc ≥ (S + 0.5)·w.
    above: (column, other) =>
      Prisma.sql`${column} >= (floor(${other} / ${w}::float8 + 0.5) + 0.5) * ${w}::float8`,
    weighted: { epoch, halfLifeDays },
  };
}

// ---------------------------------------------------------------------------
// Boards read from a score index

/**
 * A board whose scores are stored, in a table with an index in score order:
 * all-time totals and active accumulators in `balance` (communityId, total) and
 * (communityId, activeAcc), a week's or month's total in `period_balance`
 * (communityId, period, points).
 */
type IndexedBoard =
  | { readonly kind: "total" }
  | { readonly kind: "active" }
  | { readonly kind: "period"; readonly period: string };

function indexedBoard(bounds: WindowBounds, score: LeaderboardScore): IndexedBoard | null {
  if (bounds.from === null && bounds.to === null) return { kind: score };
  if (bounds.bucket !== null && score === "total") return { kind: "period", period: bounds.bucket };
  return null;
}

/**
 * One statement per kind of board, prepared by name on the pg pool: Prisma's own
 * overhead per statement was a large part of a board's time. Parameters: $1
 * community, $2 caller (or null), $3 rows to read, $4 the recent week keys read
 * for streaks, and $5 the period bucket or the active weight w (total boards
 * have no $5).
 *
 * - `top`: the index is read in score order and stops after $3 visible rows.
 * - `me`: the caller's row by primary key; their rank is one index-only count
 *   of the scores strictly above theirs, less the unlisted (hidden, banned,
 *   merged) members above them, found through the member indexes on
 *   (communityId, hidden), (communityId, banned) and (mergedIntoId). It is
 *   skipped when the caller is among the rows read (their rank is then known).
 * - the community's config and active epoch come with the rows (a LEFT JOIN, so
 *   an empty board still brings them), and each row's recent weeks with verified
 *   work (for streaks) as one range of the member's period keys (newest first in $4).
 *
 * Scores compare as they show: for the active score (shown as acc / w rounded)
 * "not zero" is |acc| ≥ w/2 and "shows more than S" is acc ≥ (round(S / w) + ½)·w,
 * both on the accumulator itself, so the (communityId, activeAcc) index serves them.
 */
function indexedStatement(kind: IndexedBoard["kind"], members: BoardMembers): { name: string; text: string } {
  const table = kind === "period" ? "period_balance" : "balance";
  const scope = (alias: string): string =>
    `${alias}."communityId" = $1${kind === "period" ? ` AND ${alias}.period = $5::text` : ""}`;
  const score = (alias: string): string =>
    kind === "total" ? `${alias}.total` : kind === "active" ? `${alias}."activeAcc"` : `${alias}.points`;
  const nonzero = (alias: string): string =>
    kind === "active"
      ? `(${score(alias)} >= 0.5 * $5::float8 OR ${score(alias)} < -0.5 * $5::float8)`
      : `${score(alias)} <> 0`;
  const above = (alias: string, other: string): string =>
    kind === "active"
      ? `${score(alias)} >= (floor(${other} / $5::float8 + 0.5) + 0.5) * $5::float8`
      : `${score(alias)} > ${other}`;
  const visible = `NOT m.hidden AND NOT m.banned AND m."mergedIntoId" IS NULL${kindFilter("m", members)}`;
  // For the active board the count of everyone above reads the bucket histogram
  // (a trigger keeps it) and counts rows only inside the caller's own bucket.
  const activeFloor = `((floor(t."activeAcc" / $5::float8 + 0.5) + 0.5) * $5::float8)`;
  // Agents are few: the agents' board counts them above the caller directly.
  const countAbove =
    members === "agents"
      ? `(SELECT count(*) FROM ${table} b JOIN member m ON m.id = b."memberId"
          WHERE ${scope("b")} AND ${above("b", score("t"))} AND ${visible})`
      : kind === "active"
        ? `(SELECT coalesce(sum(ab.members), 0) FROM active_bucket ab
          WHERE ab."communityId" = $1 AND ab.bucket > cairn_active_bucket(${activeFloor}))
         + (SELECT count(*) FROM balance b
            WHERE b."communityId" = $1 AND cairn_active_bucket(b."activeAcc") = cairn_active_bucket(${activeFloor})
              AND b."activeAcc" >= ${activeFloor})`
        : `(SELECT count(*) FROM ${table} b WHERE ${scope("b")} AND ${above("b", score("t"))})`;
  const text = `
    WITH top AS MATERIALIZED (
      SELECT t."memberId" AS id, ${score("t")}::float8 AS score, t.verified::int AS verified, m."displayName" AS name,
             m.kind::text AS kind
      FROM ${table} t JOIN member m ON m.id = t."memberId"
      WHERE ${scope("t")} AND ${nonzero("t")} AND ${visible}
      ORDER BY ${score("t")} DESC, t."memberId"
      LIMIT $3
    ),
    me AS (
      SELECT t."memberId" AS id, ${score("t")}::float8 AS score, t.verified::int AS verified, m."displayName" AS name,
             m.kind::text AS kind,
             CASE WHEN t."memberId" IN (SELECT id FROM top) THEN NULL ELSE (
               ${countAbove}
               ${
                 members === "agents"
                   ? ""
                   : `- (SELECT count(*) FROM member u JOIN ${table} b ON b."memberId" = u.id
                  WHERE u."communityId" = $1 AND (${unlistedCondition("u", members)})
                    AND ${scope("b")} AND ${above("b", score("t"))})`
               }
             )::int END AS higher
      FROM ${table} t JOIN member m ON m.id = t."memberId"
      WHERE t."memberId" = $2::int AND ${scope("t")} AND ${nonzero("t")} AND ${visible}
    ),
    shown AS (
      SELECT id, score, verified, name, kind, NULL::int AS higher, false AS "isMe" FROM top
      UNION ALL
      SELECT id, score, verified, name, kind, higher, true FROM me
    )
    SELECT c.config, c."activeEpoch" AT TIME ZONE 'UTC' AS "activeEpoch",
           s.id, s.score, s.verified, s.name, s.kind, s.higher, s."isMe",
           ARRAY(SELECT pb.period FROM period_balance pb
                 WHERE pb."memberId" = s.id AND pb.period BETWEEN ($4::text[])[array_upper($4::text[], 1)] AND ($4::text[])[1]
                   AND pb.period = ANY($4::text[]) AND pb.verified > 0) AS weeks
    FROM community c LEFT JOIN shown s ON true
    WHERE c.id = $1`;
  return { name: `cairn-board-${kind}-${members}`, text };
}

/** ` AND <alias> is of the kind the board shows`, or nothing for a board of everyone. */
function kindFilter(alias: string, members: BoardMembers): string {
  if (members === "all") return "";
  return ` AND ${alias}.kind = '${members === "agents" ? "AGENT" : "PERSON"}'`;
}

/** Members off the board: hidden, banned, merged, and agents on the people's board. */
function unlistedCondition(alias: string, members: BoardMembers): string {
  const off = `${alias}.hidden OR ${alias}.banned OR ${alias}."mergedIntoId" IS NOT NULL`;
  if (members === "all") return off;
  // An equality, so the (communityId, kind) index finds the few agents for the people's board.
  return `${off} OR ${alias}.kind = '${members === "agents" ? "PERSON" : "AGENT"}'`;
}

const statementsFor = (members: BoardMembers) => ({
  total: indexedStatement("total", members),
  active: indexedStatement("active", members),
  period: indexedStatement("period", members),
});

const INDEXED_STATEMENTS = {
  people: statementsFor("people"),
  agents: statementsFor("agents"),
  all: statementsFor("all"),
};

interface IndexedRow {
  config: unknown;
  activeEpoch: Date;
  id: number | null;
  score: number | null;
  verified: number | null;
  name: string | null;
  kind: MemberKind | null;
  higher: number | null;
  isMe: boolean | null;
  weeks: string[];
}

/**
 * Reads a board from its score index in one statement. An active board needs
 * the community's epoch and half-life first: the hint last seen (deps.caches)
 * is only a guess that lets it go out as one statement; the statement brings
 * the actual values back, and a board read with a wrong guess is read again
 * with them.
 */
async function readIndexedBoard(
  deps: Deps,
  communityId: number,
  board: IndexedBoard,
  request: BoardRequest,
  now: Date,
): Promise<LeaderboardView> {
  // Without a requested size the configured one is known only with the rows: read the most and trim.
  const read =
    request.limit === null ? MAX_LEADERBOARD_SIZE : boardLimit(request.limit, MAX_LEADERBOARD_SIZE);
  const weeks = recentWeekKeys(now, STREAK_SPAN);
  const db = deps.db;
  const configs = deps.caches?.configs;
  const hints = deps.caches?.activeHints;
  const run = (extra: string | number | null): Promise<IndexedRow[]> =>
    queryIndexed(db, INDEXED_STATEMENTS[request.members][board.kind], [
      communityId,
      request.callerId,
      read,
      weeks,
      ...(extra === null ? [] : [extra]),
    ]);
  let rows: IndexedRow[];
  let scale: ScoreScale;
  if (board.kind === "active") {
    let hint = hints?.get(communityId) ?? (await readActiveHint(deps, communityId));
    for (;;) {
      scale = activeScale(now, new Date(hint.epoch), hint.halfLifeDays);
      rows = await run(activeWeight(now, new Date(hint.epoch), hint.halfLifeDays));
      const first = rows[0];
      if (first === undefined) throw new Error(`no community ${communityId}`);
      const actual = {
        epoch: first.activeEpoch.getTime(),
        halfLifeDays: readCommunityConfig(first.config, configs).decayHalfLifeDays,
      };
      hints?.set(communityId, actual);
      if (actual.epoch === hint.epoch && actual.halfLifeDays === hint.halfLifeDays) break;
      hint = actual;
    }
  } else {
    scale = totalScale;
    rows = await run(board.kind === "period" ? board.period : null);
  }
  const first = rows[0];
  if (first === undefined) throw new Error(`no community ${communityId}`);
  const limit = boardLimit(request.limit, readCommunityConfig(first.config, configs).leaderboardSize);
  const fetched: Scored[] = [];
  let me: (Scored & { higher: number | null }) | null = null;
  for (const row of rows) {
    if (row.id === null || row.score === null || row.name === null) continue;
    const scored = {
      id: row.id,
      score: row.score,
      verified: row.verified ?? 0,
      name: row.name,
      kind: row.kind ?? "PERSON",
      weeks: row.weeks,
    };
    if (row.isMe === true) me = { ...scored, higher: row.higher };
    else fetched.push(scored);
  }
  fetched.sort((a, b) => b.score - a.score || a.id - b.id);
  return boardView(
    db,
    request,
    null,
    scale.display,
    fetched.slice(0, limit),
    standingOf(me, fetched, scale),
    now,
  );
}

/**
 * The caller's standing: the statement counts the members above them, except
 * when the caller is among the rows read — then every visible member showing
 * more is among them too, and the rank is the one those rows give.
 */
function standingOf(
  me: (Scored & { higher: number | null }) | null,
  fetched: readonly Scored[],
  scale: ScoreScale,
): (Scored & { higher: number }) | null {
  if (me === null) return null;
  if (me.higher !== null) return { ...me, higher: me.higher };
  const rank =
    rankCompetition(fetched, (row) => scale.display(row.score)).find(({ row }) => row.id === me.id)?.rank ??
    1;
  return { ...me, higher: rank - 1 };
}

async function readActiveHint(deps: Deps, communityId: number): Promise<ActiveHint> {
  const community = await deps.db.community.findUniqueOrThrow({
    where: { id: communityId },
    select: { config: true, activeEpoch: true },
  });
  return {
    epoch: community.activeEpoch.getTime(),
    halfLifeDays: readCommunityConfig(community.config, deps.caches?.configs).decayHalfLifeDays,
  };
}

/** A board statement on the pool behind the client (prepared by name), or through Prisma for a client made elsewhere. */
async function queryIndexed(
  db: Db,
  statement: { name: string; text: string },
  values: unknown[],
): Promise<IndexedRow[]> {
  const pool: pg.Pool | null = poolOf(db);
  if (pool === null) return db.$queryRawUnsafe<IndexedRow[]>(statement.text, ...values);
  const result = await pool.query<IndexedRow>({ name: statement.name, text: statement.text, values });
  return result.rows;
}

// ---------------------------------------------------------------------------
// Boards aggregated when read: windows of days, categories

interface AggregatePlan {
  communityId: number;
  /** `WITH RECURSIVE …` CTE list whose last CTE `s(id, score, verified)` holds one row per effective member. */
  source: Prisma.Sql;
  scale: ScoreScale;
  members: BoardMembers;
}

/**
 * Sum of day buckets. The buckets already belong to effective members (a merge
 * moves them). For the active score each day counts at its noon: day buckets
 * carry no finer time.
 */
function daySource(communityId: number, bounds: WindowBounds, scale: ScoreScale, now: Date): Prisma.Sql {
  const from = bounds.from ?? new Date(0);
  const to =
    bounds.to ?? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + DAY_MS);
  const dayKeys = dayKeysBetween(from, to);
  const points =
    scale.weighted === null
      ? Prisma.sql`pb.points`
      : Prisma.sql`pb.points * ${activeWeightSql(
          Prisma.sql`(to_date(substr(pb.period, 3), 'YYYY-MM-DD') + interval '12 hours')`,
          scale.weighted.epoch,
          scale.weighted.halfLifeDays,
        )}`;
  return Prisma.sql`WITH s AS (
      SELECT pb."memberId" AS id, sum(${points}) AS score, sum(pb.verified) AS verified
      FROM period_balance pb
      WHERE pb."communityId" = ${communityId} AND pb.period = ANY(${[...dayKeys]}::text[])
      GROUP BY pb."memberId")`;
}

/** Every entry on a contribution of the category within the window, per effective member. */
function categorySource(
  communityId: number,
  categoryId: number,
  bounds: WindowBounds,
  scale: ScoreScale,
): Prisma.Sql {
  const points =
    scale.weighted === null
      ? Prisma.sql`le.points`
      : Prisma.sql`le.points * ${activeWeightSql(Prisma.sql`le."createdAt"`, scale.weighted.epoch, scale.weighted.halfLifeDays)}`;
  const from =
    bounds.from === null ? Prisma.empty : Prisma.sql`AND le."createdAt" >= ${utcTimestamp(bounds.from)}`;
  const to = bounds.to === null ? Prisma.empty : Prisma.sql`AND le."createdAt" < ${utcTimestamp(bounds.to)}`;
  return Prisma.sql`WITH RECURSIVE ${effectiveMembersCte(communityId)},
    s AS (
      SELECT COALESCE(e.target, le."memberId") AS id, sum(${points}) AS score, sum(${verifiedDeltaSql("le")}) AS verified
      FROM ledger_entry le
      JOIN contribution c ON c.id = le."contributionId"
      LEFT JOIN eff e ON e.id = le."memberId"
      WHERE le."communityId" = ${communityId} AND c."categoryId" = ${categoryId} AND le.kind <> 'MERGE' ${from} ${to}
      GROUP BY 1)`;
}

interface Scored {
  id: number;
  score: number;
  verified: number;
  name: string;
  kind: MemberKind;
  /** "W:…" keys of the recent weeks (STREAK_SPAN) in which the member had verified work. */
  weeks: string[];
}

interface Standings {
  /** In board order. */
  top: Scored[];
  /** The caller when they are on the board, with how many visible members show strictly more. */
  caller: (Scored & { higher: number }) | null;
}

/** Weeks read with each shown row; a longer streak is completed by `streaksOf`. */
const STREAK_SPAN = 26;

/** Members kept off this board; found through the member indexes (kind included). */
function unlistedIds(communityId: number, members: BoardMembers): Prisma.Sql {
  return Prisma.sql`SELECT m.id FROM member m
    WHERE m."communityId" = ${communityId} AND (${Prisma.raw(unlistedCondition("m", members))})`;
}

function recentWeeksOf(id: Prisma.Sql, weeks: readonly string[]): Prisma.Sql {
  return Prisma.sql`ARRAY(SELECT pb.period FROM period_balance pb
    WHERE pb."memberId" = ${id} AND pb.period = ANY(${[...weeks]}::text[]) AND pb.verified > 0)`;
}

/**
 * One statement: the aggregate is computed once, then read for the top rows, the
 * caller's row and rank; names and weeks are read for those rows only.
 */
async function readAggregate(
  db: Db,
  plan: AggregatePlan,
  callerId: number | null,
  limit: number,
  now: Date,
): Promise<Standings> {
  const { scale } = plan;
  const caller = callerId ?? -1;
  const weeks = recentWeekKeys(now, STREAK_SPAN);
  const rows = await db.$queryRaw<Array<Scored & { isMe: boolean; higher: number }>>`
    ${plan.source},
    v AS MATERIALIZED (
      SELECT s.id, s.score::float8 AS score, s.verified::int AS verified FROM s
      WHERE ${scale.nonzero(Prisma.sql`s.score`)} AND s.id NOT IN (${unlistedIds(plan.communityId, plan.members)})
    ),
    stats AS (
      SELECT (SELECT count(*) FROM v
              WHERE ${scale.above(Prisma.sql`v.score`, Prisma.sql`(SELECT mine.score FROM v AS mine WHERE mine.id = ${caller})`)})::int AS higher
    ),
    shown AS (
      (SELECT v.*, false AS "isMe" FROM v ORDER BY v.score DESC, v.id LIMIT ${limit})
      UNION ALL
      (SELECT v.*, true AS "isMe" FROM v WHERE v.id = ${caller})
    )
    SELECT shown.id, shown.score, shown.verified, m."displayName" AS name, m.kind::text AS kind, shown."isMe",
           ${recentWeeksOf(Prisma.sql`shown.id`, weeks)} AS weeks, stats.higher
    FROM shown JOIN member m ON m.id = shown.id CROSS JOIN stats`;
  const top = rows.filter((row) => !row.isMe).sort((a, b) => b.score - a.score || a.id - b.id);
  const me = rows.find((row) => row.isMe);
  return {
    top: top.map(({ id, score, verified, name, kind, weeks: w }) => ({
      id,
      score,
      verified,
      name,
      kind,
      weeks: w,
    })),
    caller:
      me === undefined
        ? null
        : {
            id: me.id,
            score: me.score,
            verified: me.verified,
            name: me.name,
            kind: me.kind,
            weeks: me.weeks,
            higher: me.higher,
          },
  };
}

/** Streaks of the shown rows from the weeks read with them; only a streak as long as that span is read further. */
async function streaksFromWeeks(db: Db, rows: readonly Scored[], now: Date): Promise<Map<number, number>> {
  const streaks = new Map<number, number>();
  const longer: number[] = [];
  for (const row of rows) {
    const streak = streakWeeks(new Set(row.weeks.map((key) => key.slice(2))), now);
    if (streak >= STREAK_SPAN - 1) longer.push(row.id);
    else streaks.set(row.id, streak);
  }
  if (longer.length > 0) for (const [id, streak] of await streaksOf(db, longer, now)) streaks.set(id, streak);
  return streaks;
}

// ---------------------------------------------------------------------------
// Shared with profiles

/**
 * Current streaks of members, from their week buckets with verified work. Reads
 * a recent span of weeks for all members at once and widens it only for members
 * whose streak reaches its start.
 */
export async function streaksOf(
  db: Db,
  memberIds: readonly number[],
  now: Date,
): Promise<Map<number, number>> {
  const streaks = new Map<number, number>();
  let pending = [...new Set(memberIds)];
  for (let span = STREAK_SPAN; pending.length > 0; span *= 4) {
    const weeks = recentWeekKeys(now, span);
    const rows = await db.$queryRaw<Array<{ memberId: number; period: string }>>`
      SELECT "memberId", period FROM period_balance
      WHERE "memberId" = ANY(${pending}::int[]) AND period = ANY(${weeks}::text[]) AND verified > 0`;
    const worked = new Map<number, Set<string>>();
    for (const row of rows) {
      const set = worked.get(row.memberId) ?? new Set<string>();
      set.add(row.period.slice(2));
      worked.set(row.memberId, set);
    }
    const next: number[] = [];
    for (const id of pending) {
      const streak = streakWeeks(worked.get(id) ?? new Set(), now);
      if (streak >= span - 1 && span < 5000) next.push(id);
      else streaks.set(id, streak);
    }
    pending = next;
  }
  return streaks;
}

/** "W:…" keys of the `count` ISO weeks up to and including the current one. */
function recentWeekKeys(now: Date, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `W:${isoWeekKey(new Date(now.getTime() - i * 7 * DAY_MS))}`);
}

/**
 * A member's rank on the all-time total board (of people, agents or both), or
 * null when they are not on it (hidden, banned, merged, no points, another kind).
 */
export async function allTimeRank(
  db: Db,
  communityId: number,
  memberId: number,
  now: Date,
  members: BoardMembers = "people",
): Promise<number | null> {
  const rows = await queryIndexed(db, INDEXED_STATEMENTS[members].total, [
    communityId,
    memberId,
    1,
    recentWeekKeys(now, 1),
  ]);
  const me = rows.find((row) => row.isMe === true);
  if (me === undefined) return null;
  return rankOf(me.score ?? 0, me.higher ?? 0);
}
