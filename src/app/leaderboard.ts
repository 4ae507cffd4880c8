import type { Db } from "../db/client.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { activeScore, activeWeight } from "../core/activeScore.ts";
import { readCommunityConfig } from "../core/config.ts";
import {
  dayKeysBetween,
  describeWindow,
  isoWeekKey,
  windowBounds,
  type LeaderboardWindow,
  type WindowBounds,
} from "../core/periods.ts";
import { rankCompetition } from "../core/ranking.ts";
import { ok, refuse, type Result } from "../core/result.ts";
import { streakWeeks } from "../core/streak.ts";
import type { Actor, Deps } from "./deps.ts";
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
}

export interface LeaderboardView {
  readonly windowLabel: string;
  readonly score: LeaderboardScore;
  /** The category slug the board is filtered by, if any. */
  readonly category: string | null;
  readonly rows: readonly LeaderboardRow[];
  /** The caller's own row when they are on the board but outside the rows shown. */
  readonly callerRow: LeaderboardRow | null;
  /** How many members the board ranks (visible, with points in the window). */
  readonly totalMembers: number;
}

export interface LeaderboardRequest {
  readonly actor: Actor;
  readonly window: LeaderboardWindow;
  readonly categorySlug?: string;
  readonly score: LeaderboardScore;
  readonly limit?: number;
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
  });
}

/** The board posted on the community's schedule: total points, configured size, no caller. */
export function scheduledLeaderboard(
  deps: Deps,
  communityId: number,
  window: LeaderboardWindow,
): Promise<Result<LeaderboardView, "UNKNOWN_SEASON" | "UNKNOWN_CATEGORY">> {
  return buildBoard(deps, communityId, { window, categorySlug: null, score: "total", limit: null, callerId: null });
}

interface BoardRequest {
  window: LeaderboardWindow;
  categorySlug: string | null;
  score: LeaderboardScore;
  limit: number | null;
  callerId: number | null;
}

async function buildBoard(
  deps: Deps,
  communityId: number,
  request: BoardRequest,
): Promise<Result<LeaderboardView, "UNKNOWN_SEASON" | "UNKNOWN_CATEGORY">> {
  const now = deps.clock.now();
  // A total board over a fixed window needs nothing from the community to be read:
  // read it alongside the community (at the largest size, trimmed below).
  const fixed = request.score === "total" && request.categorySlug === null && request.window.kind !== "season";
  const fixedBounds = fixed ? windowBounds(request.window, now, []) : null;
  const [context, early] = await Promise.all([
    loadContext(deps, communityId, request),
    fixedBounds?.ok === true
      ? readPlan(deps.db, planBoard(communityId, fixedBounds.value, null, totalScale, now), request.callerId, MAX_LEADERBOARD_SIZE, now)
      : Promise.resolve(null),
  ]);
  const { community, seasons, category } = context;
  if (request.categorySlug !== null && category === null) {
    return refuse("UNKNOWN_CATEGORY", { slug: request.categorySlug });
  }
  const bounds = windowBounds(request.window, now, seasons);
  if (!bounds.ok) return bounds;
  const config = readCommunityConfig(community.config);
  const limit = Math.min(Math.max(Math.trunc(request.limit ?? config.leaderboardSize), 1), MAX_LEADERBOARD_SIZE);
  const scale =
    request.score === "total" ? totalScale : activeScale(now, community.activeEpoch, config.decayHalfLifeDays);
  const standings =
    early ??
    (await readPlan(deps.db, planBoard(communityId, bounds.value, category?.id ?? null, scale, now), request.callerId, limit, now));
  const top = standings.top.slice(0, limit);
  const caller = top.some((row) => row.id === request.callerId) ? null : standings.caller;
  const shown = caller === null ? top : [...top, caller];
  const streaks = await streaksFromWeeks(deps.db, shown, now);
  const toRow = (row: Scored, rank: number): LeaderboardRow => ({
    rank,
    memberId: row.id,
    name: row.name,
    points: scale.display(row.score),
    verified: row.verified,
    streak: streaks.get(row.id) ?? 0,
    isCaller: row.id === request.callerId,
  });
  return ok({
    windowLabel: describeWindow(request.window),
    score: request.score,
    category: category?.slug ?? null,
    rows: rankCompetition(top, (row) => scale.display(row.score)).map(({ rank, row }) => toRow(row, rank)),
    callerRow: caller === null ? null : toRow(caller, caller.higher + 1),
    totalMembers: standings.total,
  });
}

function loadContext(deps: Deps, communityId: number, request: BoardRequest) {
  return Promise.all([
    deps.db.community.findUniqueOrThrow({ where: { id: communityId }, select: { config: true, activeEpoch: true } }),
    request.window.kind === "season"
      ? deps.db.season.findMany({ where: { communityId }, select: { name: true, startsAt: true, endsAt: true } })
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
// Plans: an indexed table read in score order, or an aggregate computed once.

interface IndexedPlan {
  kind: "indexed";
  communityId: number;
  /** Table with alias `t` and a `"memberId"` column. */
  table: Prisma.Sql;
  where: Prisma.Sql;
  score: Prisma.Sql;
  scale: ScoreScale;
}

interface AggregatePlan {
  kind: "aggregate";
  communityId: number;
  /** `WITH RECURSIVE …` CTE list whose last CTE `s(id, score, verified)` holds one row per effective member. */
  source: Prisma.Sql;
  scale: ScoreScale;
}

function planBoard(
  communityId: number,
  bounds: WindowBounds,
  categoryId: number | null,
  scale: ScoreScale,
  now: Date,
): IndexedPlan | AggregatePlan {
  if (categoryId !== null) return { kind: "aggregate", communityId, source: categorySource(communityId, categoryId, bounds, scale), scale };
  if (bounds.from === null && bounds.to === null) {
    const score = scale.weighted === null ? Prisma.sql`t.total` : Prisma.sql`t."activeAcc"`;
    return { kind: "indexed", communityId, table: Prisma.sql`balance t`, where: Prisma.sql`t."communityId" = ${communityId}`, score, scale };
  }
  if (bounds.bucket !== null && scale.weighted === null) {
    return {
      kind: "indexed",
      communityId,
      table: Prisma.sql`period_balance t`,
      where: Prisma.sql`t."communityId" = ${communityId} AND t.period = ${bounds.bucket}`,
      score: Prisma.sql`t.points`,
      scale,
    };
  }
  const from = bounds.from ?? new Date(0);
  const to = bounds.to ?? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + DAY_MS);
  return { kind: "aggregate", communityId, source: daySource(communityId, dayKeysBetween(from, to), scale), scale };
}

/**
 * Sum of day buckets. The buckets already belong to effective members (a merge
 * moves them). For the active score each day counts at its noon: day buckets
 * carry no finer time.
 */
function daySource(communityId: number, dayKeys: readonly string[], scale: ScoreScale): Prisma.Sql {
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
function categorySource(communityId: number, categoryId: number, bounds: WindowBounds, scale: ScoreScale): Prisma.Sql {
  const points =
    scale.weighted === null
      ? Prisma.sql`le.points`
      : Prisma.sql`le.points * ${activeWeightSql(Prisma.sql`le."createdAt"`, scale.weighted.epoch, scale.weighted.halfLifeDays)}`;
  const from = bounds.from === null ? Prisma.empty : Prisma.sql`AND le."createdAt" >= ${utcTimestamp(bounds.from)}`;
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

// ---------------------------------------------------------------------------
// Reading a plan

interface Scored {
  id: number;
  score: number;
  verified: number;
  name: string;
  /** "W:…" keys of the recent weeks (STREAK_SPAN) in which the member had verified work. */
  weeks: string[];
}

interface Standings {
  /** In board order; possibly more rows than will be shown. */
  top: Scored[];
  /** The caller when they are on the board, with how many visible members show strictly more. */
  caller: (Scored & { higher: number }) | null;
  total: number;
}

/** Weeks read with each shown row; a longer streak is completed by `streaksOf`. */
const STREAK_SPAN = 26;

const visible = Prisma.sql`NOT m.hidden AND NOT m.banned AND m."mergedIntoId" IS NULL`;

/** Members kept off public boards; few, so they are subtracted rather than every row joined. */
function unlistedIds(communityId: number): Prisma.Sql {
  return Prisma.sql`SELECT m.id FROM member m
    WHERE m."communityId" = ${communityId} AND (m.hidden OR m.banned OR m."mergedIntoId" IS NOT NULL)`;
}

function recentWeeksOf(id: Prisma.Sql, weeks: readonly string[]): Prisma.Sql {
  return Prisma.sql`ARRAY(SELECT pb.period FROM period_balance pb
    WHERE pb."memberId" = ${id} AND pb.period = ANY(${[...weeks]}::text[]) AND pb.verified > 0)`;
}

function readPlan(db: Db, plan: IndexedPlan | AggregatePlan, callerId: number | null, limit: number, now: Date): Promise<Standings> {
  const weeks = recentWeekKeys(now, STREAK_SPAN);
  return plan.kind === "indexed"
    ? readIndexed(db, plan, callerId, limit, weeks)
    : readAggregate(db, plan, callerId, limit, weeks);
}

/**
 * Top rows straight from the score index (the scan stops after `limit` visible
 * rows). Both counts come from one pass over the community's scores, corrected
 * by the few unlisted members, so they never join every member.
 */
async function readIndexed(
  db: Db,
  plan: IndexedPlan,
  callerId: number | null,
  limit: number,
  weeks: readonly string[],
): Promise<Standings> {
  const { communityId, table, where, score, scale } = plan;
  const meScore = Prisma.sql`(SELECT ${score} FROM me t)`;
  const [top, stats] = await Promise.all([
    db.$queryRaw<Scored[]>`
      SELECT top.id, top.score, top.verified, m."displayName" AS name, ${recentWeeksOf(Prisma.sql`top.id`, weeks)} AS weeks
      FROM (
        SELECT t."memberId" AS id, ${score}::float8 AS score, t.verified::int AS verified
        FROM ${table} JOIN member m ON m.id = t."memberId"
        WHERE ${where} AND ${scale.nonzero(score)} AND ${visible}
        ORDER BY ${score} DESC, t."memberId"
        LIMIT ${limit}
      ) AS top JOIN member m ON m.id = top.id
      ORDER BY top.score DESC, top.id`,
    db.$queryRaw<Array<{ total: number; higher: number } & { [K in keyof Scored]: Scored[K] | null }>>`
      WITH unlisted AS MATERIALIZED (
        SELECT t.* FROM ${table} WHERE ${where} AND t."memberId" IN (${unlistedIds(communityId)})
      ),
      me AS MATERIALIZED (
        SELECT t.*, m."displayName" AS name FROM ${table} JOIN member m ON m.id = t."memberId"
        WHERE ${where} AND t."memberId" = ${callerId ?? -1} AND ${scale.nonzero(score)} AND ${visible}
      )
      SELECT
        (counted.listed - (SELECT count(*) FROM unlisted t WHERE ${scale.nonzero(score)}))::int AS total,
        (counted.higher - (SELECT count(*) FROM unlisted t WHERE ${scale.above(score, meScore)}))::int AS higher,
        (SELECT t."memberId" FROM me t) AS id,
        (SELECT ${score}::float8 FROM me t) AS score,
        (SELECT t.verified::int FROM me t) AS verified,
        (SELECT t.name FROM me t) AS name,
        ${recentWeeksOf(Prisma.sql`(SELECT t."memberId" FROM me t)`, weeks)} AS weeks
      FROM (
        -- One pass over the community's scores for both counts.
        SELECT count(*) FILTER (WHERE ${scale.nonzero(score)}) AS listed,
               count(*) FILTER (WHERE ${scale.above(score, meScore)}) AS higher
        FROM ${table} WHERE ${where}
      ) AS counted`,
  ]);
  const row = stats[0];
  const caller =
    row === undefined || row.id === null || row.score === null || row.name === null
      ? null
      : { id: row.id, score: row.score, verified: row.verified ?? 0, name: row.name, weeks: row.weeks ?? [], higher: row.higher };
  return { top, caller, total: row?.total ?? 0 };
}

/**
 * One statement: the aggregate is computed once, then read for the top rows, the
 * caller's row and the counts; names and weeks are read for those rows only.
 */
async function readAggregate(
  db: Db,
  plan: AggregatePlan,
  callerId: number | null,
  limit: number,
  weeks: readonly string[],
): Promise<Standings> {
  const { scale } = plan;
  const caller = callerId ?? -1;
  const rows = await db.$queryRaw<Array<Scored & { isMe: boolean; higher: number; total: number }>>`
    ${plan.source},
    v AS MATERIALIZED (
      SELECT s.id, s.score::float8 AS score, s.verified::int AS verified FROM s
      WHERE ${scale.nonzero(Prisma.sql`s.score`)} AND s.id NOT IN (${unlistedIds(plan.communityId)})
    ),
    stats AS (
      SELECT (SELECT count(*) FROM v)::int AS total,
             (SELECT count(*) FROM v
              WHERE ${scale.above(Prisma.sql`v.score`, Prisma.sql`(SELECT mine.score FROM v AS mine WHERE mine.id = ${caller})`)})::int AS higher
    ),
    shown AS (
      (SELECT v.*, false AS "isMe" FROM v ORDER BY v.score DESC, v.id LIMIT ${limit})
      UNION ALL
      (SELECT v.*, true AS "isMe" FROM v WHERE v.id = ${caller})
    )
    SELECT shown.id, shown.score, shown.verified, m."displayName" AS name, shown."isMe",
           ${recentWeeksOf(Prisma.sql`shown.id`, weeks)} AS weeks, stats.total, stats.higher
    FROM shown JOIN member m ON m.id = shown.id CROSS JOIN stats`;
  const top = rows.filter((row) => !row.isMe).sort((a, b) => b.score - a.score || a.id - b.id);
  const me = rows.find((row) => row.isMe);
  const total = rows[0]?.total ?? 0;
  return {
    top: top.map(({ id, score, verified, name, weeks: w }) => ({ id, score, verified, name, weeks: w })),
    caller: me === undefined ? null : { id: me.id, score: me.score, verified: me.verified, name: me.name, weeks: me.weeks, higher: me.higher },
    total,
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
export async function streaksOf(db: Db, memberIds: readonly number[], now: Date): Promise<Map<number, number>> {
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

/** A member's rank on the all-time total board, or null when they are not on it (hidden, banned, merged, no points). */
export async function allTimeRank(db: Db, communityId: number, memberId: number, now: Date): Promise<number | null> {
  const standings = await readPlan(db, planBoard(communityId, { from: null, to: null, bucket: null }, null, totalScale, now), memberId, 1, now);
  if (standings.top[0]?.id === memberId) return 1;
  return standings.caller === null ? null : standings.caller.higher + 1;
}
