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
  const [community, seasons, category] = await Promise.all([
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
  ]);
  if (request.categorySlug !== null && category === null) {
    return refuse("UNKNOWN_CATEGORY", { slug: request.categorySlug });
  }
  const bounds = windowBounds(request.window, now, seasons);
  if (!bounds.ok) return bounds;
  const config = readCommunityConfig(community.config);
  const limit = Math.min(Math.max(Math.trunc(request.limit ?? config.leaderboardSize), 1), MAX_LEADERBOARD_SIZE);
  const scale =
    request.score === "total" ? totalScale : activeScale(now, community.activeEpoch, config.decayHalfLifeDays);
  const plan = planBoard(communityId, bounds.value, category?.id ?? null, scale, now);
  const standings =
    plan.kind === "indexed"
      ? await readIndexed(deps.db, communityId, plan, request.callerId, limit)
      : await readAggregate(deps.db, plan, request.callerId, limit);
  const callerOnTop = standings.top.some((row) => row.id === request.callerId);
  const caller = callerOnTop ? null : standings.caller;
  const streaks = await streaksOf(
    deps.db,
    [...standings.top.map((row) => row.id), ...(caller === null ? [] : [caller.id])],
    now,
  );
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
    rows: rankCompetition(standings.top, (row) => scale.display(row.score)).map(({ rank, row }) => toRow(row, rank)),
    callerRow: caller === null ? null : toRow(caller, caller.higher + 1),
    totalMembers: standings.total,
  });
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
  /** Table with alias `t` and a `"memberId"` column. */
  table: Prisma.Sql;
  where: Prisma.Sql;
  score: Prisma.Sql;
  scale: ScoreScale;
}

interface AggregatePlan {
  kind: "aggregate";
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
  if (categoryId !== null) return { kind: "aggregate", source: categorySource(communityId, categoryId, bounds, scale), scale };
  if (bounds.from === null && bounds.to === null) {
    const score = scale.weighted === null ? Prisma.sql`t.total` : Prisma.sql`t."activeAcc"`;
    return { kind: "indexed", table: Prisma.sql`balance t`, where: Prisma.sql`t."communityId" = ${communityId}`, score, scale };
  }
  if (bounds.bucket !== null && scale.weighted === null) {
    return {
      kind: "indexed",
      table: Prisma.sql`period_balance t`,
      where: Prisma.sql`t."communityId" = ${communityId} AND t.period = ${bounds.bucket}`,
      score: Prisma.sql`t.points`,
      scale,
    };
  }
  const from = bounds.from ?? new Date(0);
  const to = bounds.to ?? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + DAY_MS);
  return { kind: "aggregate", source: daySource(communityId, dayKeysBetween(from, to), scale), scale };
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
}

interface Standings {
  top: Scored[];
  /** The caller when they are on the board, with how many visible members show strictly more. */
  caller: (Scored & { higher: number }) | null;
  total: number;
}

const visible = Prisma.sql`NOT m.hidden AND NOT m.banned AND m."mergedIntoId" IS NULL`;

/**
 * Top rows straight from the score index (stops after `limit` visible rows).
 * Counts are taken over the index and corrected by the few members not shown
 * publicly, so they never join every member.
 */
async function readIndexed(
  db: Db,
  communityId: number,
  plan: IndexedPlan,
  callerId: number | null,
  limit: number,
): Promise<Standings> {
  const { table, where, score, scale } = plan;
  const [top, stats] = await Promise.all([
    db.$queryRaw<Scored[]>`
      SELECT t."memberId" AS id, ${score}::float8 AS score, t.verified::int AS verified, m."displayName" AS name
      FROM ${table} JOIN member m ON m.id = t."memberId"
      WHERE ${where} AND ${scale.nonzero(score)} AND ${visible}
      ORDER BY ${score} DESC, t."memberId"
      LIMIT ${limit}`,
    db.$queryRaw<Array<{ total: number; id: number | null; score: number | null; verified: number | null; name: string | null; higher: number }>>`
      WITH me AS (
        SELECT t.*, m."displayName" AS name FROM ${table} JOIN member m ON m.id = t."memberId"
        WHERE ${where} AND t."memberId" = ${callerId ?? -1} AND ${scale.nonzero(score)} AND ${visible}
      ),
      unlisted AS (
        SELECT t.* FROM member m JOIN ${table} ON t."memberId" = m.id AND ${where}
        WHERE m."communityId" = ${communityId} AND NOT (${visible})
      )
      SELECT
        ((SELECT count(*) FROM ${table} WHERE ${where} AND ${scale.nonzero(score)})
          - (SELECT count(*) FROM unlisted t WHERE ${scale.nonzero(score)}))::int AS total,
        (SELECT t."memberId" FROM me t) AS id,
        (SELECT ${score}::float8 FROM me t) AS score,
        (SELECT t.verified::int FROM me t) AS verified,
        (SELECT t.name FROM me t) AS name,
        ((SELECT count(*) FROM ${table} WHERE ${where} AND ${scale.above(score, Prisma.sql`(SELECT ${score} FROM me t)`)})
          - (SELECT count(*) FROM unlisted t WHERE ${scale.above(score, Prisma.sql`(SELECT ${score} FROM me t)`)}))::int AS higher`,
  ]);
  const row = stats[0];
  const caller =
    row?.id == null || row.score === null || row.name === null
      ? null
      : { id: row.id, score: row.score, verified: row.verified ?? 0, name: row.name, higher: row.higher };
  return { top, caller, total: row?.total ?? 0 };
}

/** One statement: the aggregate is computed once, then read for the top rows, the count and the caller. */
async function readAggregate(db: Db, plan: AggregatePlan, callerId: number | null, limit: number): Promise<Standings> {
  const { scale } = plan;
  const rows = await db.$queryRaw<Array<Scored & { isMe: boolean; higher: number; total: number }>>`
    ${plan.source},
    v AS MATERIALIZED (
      SELECT s.id, s.score::float8 AS score, s.verified::int AS verified, m."displayName" AS name
      FROM s JOIN member m ON m.id = s.id
      WHERE ${visible} AND ${scale.nonzero(Prisma.sql`s.score`)}
    ),
    me AS (SELECT * FROM v WHERE v.id = ${callerId ?? -1})
    SELECT top.id, top.score, top.verified, top.name, false AS "isMe", 0 AS higher, (SELECT count(*) FROM v)::int AS total
    FROM (SELECT * FROM v ORDER BY score DESC, id LIMIT ${limit}) AS top
    UNION ALL
    SELECT me.id, me.score, me.verified, me.name, true, (SELECT count(*) FROM v WHERE ${scale.above(Prisma.sql`v.score`, Prisma.sql`me.score`)})::int,
           (SELECT count(*) FROM v)::int
    FROM me`;
  const top = rows.filter((row) => !row.isMe).sort((a, b) => b.score - a.score || a.id - b.id);
  const me = rows.find((row) => row.isMe);
  const total = rows[0]?.total ?? 0;
  return {
    top: top.map(({ id, score, verified, name }) => ({ id, score, verified, name })),
    caller: me === undefined ? null : { id: me.id, score: me.score, verified: me.verified, name: me.name, higher: me.higher },
    total,
  };
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
  for (let span = 26; pending.length > 0; span *= 4) {
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
export async function allTimeRank(db: Db, communityId: number, memberId: number): Promise<number | null> {
  const plan: IndexedPlan = {
    kind: "indexed",
    table: Prisma.sql`balance t`,
    where: Prisma.sql`t."communityId" = ${communityId}`,
    score: Prisma.sql`t.total`,
    scale: totalScale,
  };
  const standings = await readIndexed(db, communityId, plan, memberId, 1);
  const first = standings.top[0];
  if (first?.id === memberId) return 1;
  return standings.caller === null ? null : standings.caller.higher + 1;
}
