import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type pg from "pg";
import { poolOf, type Db } from "../db/client.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { readCommunityConfig } from "../core/config.ts";
import { periodKeys } from "../core/periods.ts";
import {
  ChainChecker,
  entryToLedgerLine,
  type LedgerLineNotes,
  GENESIS_HASH,
  ledgerLineToEntry,
  type ChainCheck,
  type HashedLedgerEntry,
  type LedgerKind,
} from "../core/ledger.ts";
import {
  CHAIN_RANGE_ENTRIES,
  chainRanges,
  joinRangeVerdicts,
  verifyProgress,
  type ChainRange,
  type RangeVerdict,
} from "../core/ledgerVerify.ts";
import { ok, refuse, type Result } from "../core/result.ts";
import type { Deps } from "./deps.ts";

export { ChainChecker } from "../core/ledger.ts";

const EXPORT_PAGE = 10_000;
const DAY_MS = 86_400_000;
/** Merges chain (C into B into A); a longer chain than this is a bug elsewhere, not a reason to loop. */
const MAX_MERGE_HOPS = 32;

// ---------------------------------------------------------------------------
// SQL fragments shared by the read side (leaderboard, export, audit)

/**
 * CTEs `merge_chain` and `eff(id, target)`: every merged member of the community
 * and the member it finally merged into (following chains). Put it first in a
 * `WITH RECURSIVE` list; an id absent from `eff` is its own effective member.
 */
export function effectiveMembersCte(communityId: number): Prisma.Sql {
  return Prisma.sql`merge_chain AS (
      SELECT id, "mergedIntoId" AS target, 1 AS depth FROM member
      WHERE "communityId" = ${communityId} AND "mergedIntoId" IS NOT NULL
      UNION ALL
      SELECT c.id, m."mergedIntoId", c.depth + 1 FROM merge_chain c JOIN member m ON m.id = c.target
      WHERE m."mergedIntoId" IS NOT NULL AND c.depth < ${MAX_MERGE_HOPS}
    ),
    eff AS (SELECT DISTINCT ON (id) id, target FROM merge_chain ORDER BY id, depth DESC)`;
}

/** The effective member of a member id column, given the `eff` CTE. */
export function effectiveOf(column: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`COALESCE((SELECT eff.target FROM eff WHERE eff.id = ${column}), ${column})`;
}

/**
 * Whether the CLAWBACK entry aliased `le` takes back an award (one verified
 * contribution fewer) rather than a verifier reward. The ledger does not store
 * the verified delta, so it is read from the contribution's other entries: an
 * award to the same (effective) member, and no verifier reward to the clawed-back
 * member itself. Needs the `eff` CTE.
 */
export function isAwardClawback(le: string): Prisma.Sql {
  const alias = Prisma.raw(`"${le}"`);
  return Prisma.sql`(${alias}.kind = 'CLAWBACK'
    AND EXISTS (SELECT 1 FROM ledger_entry aw WHERE aw."contributionId" = ${alias}."contributionId" AND aw.kind = 'AWARD'
                AND ${effectiveOf(Prisma.sql`aw."memberId"`)} = ${effectiveOf(Prisma.sql`${alias}."memberId"`)})
    AND NOT EXISTS (SELECT 1 FROM ledger_entry rw WHERE rw."contributionId" = ${alias}."contributionId"
                AND rw.kind = 'VERIFIER_REWARD' AND rw."memberId" = ${alias}."memberId"))`;
}

/** +1 for an award, −1 for the clawback of one, 0 otherwise, for the entry aliased `le` (needs `eff`). */
export function verifiedDeltaSql(le: string): Prisma.Sql {
  const alias = Prisma.raw(`"${le}"`);
  // CASE keeps the EXISTS probes to the (few) clawbacks.
  return Prisma.sql`(CASE WHEN ${alias}.kind = 'AWARD' THEN 1 WHEN ${alias}.kind <> 'CLAWBACK' THEN 0
    WHEN ${isAwardClawback(le)} THEN -1 ELSE 0 END)`;
}

/** A JS instant as the UTC `timestamp` the ledger stores (independent of the session time zone). */
export function utcTimestamp(at: Date): Prisma.Sql {
  return Prisma.sql`(to_timestamp(${at.getTime()}::float8 / 1000) AT TIME ZONE 'UTC')`;
}

/**
 * The active-score weight 2^((t − epoch)/H) of a UTC `timestamp` expression, as
 * core/activeScore computes it. date_part gives the seconds as a float8 directly,
 * the same value as extract's numeric rounded, without numeric arithmetic on every row.
 */
export function activeWeightSql(timestamp: Prisma.Sql, epoch: Date, halfLifeDays: number): Prisma.Sql {
  return Prisma.sql`power(2::float8, (date_part('epoch', ${timestamp}) * 1000 - ${epoch.getTime()}::float8) / ${
    halfLifeDays * DAY_MS
  }::float8)`;
}

// ---------------------------------------------------------------------------
// Chain checking in the database

/**
 * core `canonicalEntryJson` of the ledger_entry row aliased `e`, built in SQL,
 * byte for byte: keys in sorted order, integers as their decimal text, null for
 * an absent id, the time as ISO text with milliseconds and Z (the column is a
 * UTC timestamp(3)), and the reason through to_json, whose escaping (\" \\ \b
 * \f \n \r \t, \u00XX in lower case for the other control characters,
 * everything else verbatim) is JSON.stringify's for any text PostgreSQL can hold.
 * test/app/ledgerSql.test.ts checks it against the core on random entries.
 */
export function canonicalEntryJsonSql(e: string): Prisma.Sql {
  const a = Prisma.raw(`"${e}"`);
  return Prisma.sql`('{"actorId":' || COALESCE(${a}."actorId"::text, 'null')
    || ',"communityId":' || ${a}."communityId"::text
    || ',"contributionId":' || COALESCE(${a}."contributionId"::text, 'null')
    || ',"createdAt":"' || to_char(${a}."createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
    || '","kind":"' || ${a}.kind::text
    || '","memberId":' || ${a}."memberId"::text
    || ',"points":' || ${a}.points::text
    || ',"reason":' || to_json(${a}.reason)::text
    || ',"seq":' || ${a}.seq::text || '}')`;
}

export interface StoredChainCheck {
  /** The hash chain from the first entry up to the head recorded when the check started. */
  readonly chain: ChainCheck;
  /** Whether the recorded head (seq and hash) is where the chain actually ends. */
  readonly headMatches: boolean;
}

/** Runs one query on a session of a verification (all sessions see one snapshot) and returns its rows. */
type RunSql = <R>(query: Prisma.Sql) => Promise<R[]>;

/**
 * Checks the chain range `range` inside PostgreSQL, in one pass over the
 * (communityId, seq) index that returns one row, so no entry is decoded by the client:
 *
 * - links: a window finds the first entry whose seq is not its position (SEQ_GAP,
 *   reported at the position, i.e. the seq that was expected) or whose prevHash is
 *   not the previous entry's hash (the first one's: the range's anchor, the entry
 *   just before the range, read first);
 * - hashes: every entry's hash is recomputed (sha256 of prevHash and the canonical
 *   JSON, see canonicalEntryJsonSql) and the first entry whose hash differs is kept.
 *
 * The first problem is the earlier of the two, the link problem winning at the
 * same entry: before the first gap every seq is its position, so this is exactly
 * what core `checkChainRange` reports for the same entries in seq order.
 */
async function checkChainRangeInDb(
  run: RunSql,
  communityId: number,
  range: ChainRange,
): Promise<RangeVerdict> {
  const anchorRows =
    range.first === 1
      ? [{ hash: GENESIS_HASH }]
      : await run<{ hash: string }>(Prisma.sql`SELECT hash FROM ledger_entry
          WHERE "communityId" = ${communityId} AND seq = ${range.first - 1}::int`);
  const anchorHash = anchorRows[0]?.hash ?? null;
  const rows = await run<{
    entries: number;
    firstLink: number | null;
    lastHash: string | null;
    firstBadHash: number | null;
  }>(Prisma.sql`
    SELECT count(*)::int AS entries, min(pos * 2 + problem)::int AS "firstLink",
           min(hash) FILTER (WHERE last) AS "lastHash", min(seq) FILTER (WHERE bad)::int AS "firstBadHash"
    FROM (
      SELECT e.seq, e.hash, ${range.first - 1}::int + row_number() OVER w AS pos, lead(e.seq) OVER w IS NULL AS last,
             CASE WHEN e.seq <> ${range.first - 1}::int + row_number() OVER w THEN 0
                  WHEN e."prevHash" IS DISTINCT FROM COALESCE(lag(e.hash) OVER w, ${anchorHash}::text) THEN 1 END AS problem,
             e.hash <> encode(sha256(convert_to(e."prevHash" || ${canonicalEntryJsonSql("e")}, 'UTF8')), 'hex') AS bad
      FROM ledger_entry e
      WHERE e."communityId" = ${communityId} AND e.seq BETWEEN ${range.first}::int AND ${range.last}::int
      WINDOW w AS (ORDER BY e.seq)
    ) AS checked`);
  const row = rows[0] ?? { entries: 0, firstLink: null, lastHash: null, firstBadHash: null };
  const link =
    row.firstLink === null
      ? null
      : {
          at: Math.floor(row.firstLink / 2),
          reason: row.firstLink % 2 === 0 ? ("SEQ_GAP" as const) : ("PREV_HASH_MISMATCH" as const),
        };
  const problem =
    row.firstBadHash !== null && (link === null || row.firstBadHash < link.at)
      ? { at: row.firstBadHash, reason: "HASH_MISMATCH" as const }
      : link;
  return { range, anchorHash, entries: row.entries, lastHash: row.lastHash, problem };
}

/** The community's ledger head as a verification session sees it. */
async function readHeadIn(run: RunSql, communityId: number): Promise<{ seq: number; hash: string }> {
  const rows = await run<{ seq: number; hash: string }>(
    Prisma.sql`SELECT seq, hash FROM ledger_head WHERE "communityId" = ${communityId}`,
  );
  return rows[0] ?? { seq: 0, hash: GENESIS_HASH };
}

/**
 * Checks the ranges on `sessions` side by side (each session takes the next
 * unchecked range), reporting each finished range; verdicts come back in range order.
 */
async function checkRanges(
  sessions: readonly RunSql[],
  communityId: number,
  ranges: readonly ChainRange[],
  rangeDone: () => void,
): Promise<RangeVerdict[]> {
  const verdicts: RangeVerdict[] = new Array<RangeVerdict>(ranges.length);
  let next = 0;
  const worker = async (run: RunSql): Promise<void> => {
    for (let i = next++; i < ranges.length; i = next++) {
      const range = ranges[i];
      if (range === undefined) return;
      verdicts[i] = await checkChainRangeInDb(run, communityId, range);
      rangeDone();
    }
  };
  await Promise.all(sessions.map(worker));
  return verdicts;
}

/** The chain up to the head `head` (as read in the same snapshot), checked in ranges and joined (core joinRangeVerdicts). */
async function checkChainIn(
  sessions: readonly RunSql[],
  communityId: number,
  head: { seq: number; hash: string },
  options: { rangeSize: number; rangeDone: () => void },
): Promise<StoredChainCheck> {
  const ranges = chainRanges(head.seq, options.rangeSize);
  const chain = joinRangeVerdicts(await checkRanges(sessions, communityId, ranges, options.rangeDone));
  return { chain, headMatches: chain.ok && chain.headSeq === head.seq && chain.headHash === head.hash };
}

/**
 * Checks the community's stored chain up to its recorded head inside
 * PostgreSQL, range by range (see checkChainRangeInDb), the ranges side by
 * side on their own pool connections, all in one snapshot. Entries up to the
 * head are append-only, so later appends do not disturb the check.
 */
export async function checkStoredChain(
  db: Db,
  communityId: number,
  options: VerifyOptions = {},
): Promise<StoredChainCheck> {
  return inSnapshot(db, options, async (leader, helpers) => {
    const head = await readHeadIn(leader, communityId);
    return checkChainIn(helpers.length === 0 ? [leader] : helpers, communityId, head, {
      rangeSize: options.rangeSize ?? CHAIN_RANGE_ENTRIES,
      rangeDone: () => undefined,
    });
  });
}

/** How a verification runs; the defaults suit a million entries. */
export interface VerifyOptions {
  /** Entries per chain range (core CHAIN_RANGE_ENTRIES). */
  readonly rangeSize?: number;
  /** Chain ranges checked at once, each on its own connection. */
  readonly concurrency?: number;
  /** Told the percent done (core verifyProgress) whenever a part finishes. */
  readonly onProgress?: (percent: number) => void | Promise<void>;
}

/** Chain ranges checked at once by default: with the balance recomputation, four busy connections. */
const RANGE_CONCURRENCY = 3;

/**
 * Runs `work` on a leader session and up to `concurrency` helper sessions of
 * the pool, every one a read-only REPEATABLE READ transaction on the leader's
 * exported snapshot, with JIT off (compiling the large expressions costs more
 * than it saves here) and room to aggregate in memory. Without a pool of its
 * own (a client not from openDb), everything runs on one Prisma transaction.
 */
async function inSnapshot<T>(
  db: Db,
  options: VerifyOptions,
  work: (leader: RunSql, helpers: RunSql[]) => Promise<T>,
): Promise<T> {
  const pool = poolOf(db);
  if (pool === null) {
    return db.$transaction(
      async (tx) => {
        await tx.$executeRaw`SET LOCAL jit = off`;
        await tx.$executeRaw`SET LOCAL work_mem = '256MB'`;
        return work((query) => tx.$queryRaw(query), []);
      },
      { isolationLevel: "RepeatableRead", timeout: 600_000, maxWait: 60_000 },
    );
  }
  const helperCount = Math.max(0, Math.min(options.concurrency ?? RANGE_CONCURRENCY, pool.options.max - 1));
  const leader = await pool.connect();
  const helpers: pg.PoolClient[] = [];
  try {
    await leader.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    await leader.query("SET LOCAL jit = off");
    await leader.query("SET LOCAL work_mem = '256MB'");
    const snapshot =
      (await leader.query<{ id: string }>("SELECT pg_export_snapshot() AS id")).rows[0]?.id ?? "";
    if (!/^[0-9A-F-]+$/i.test(snapshot)) throw new Error("PostgreSQL exported no snapshot");
    for (let i = 0; i < helperCount; i += 1) {
      const helper = await pool.connect();
      helpers.push(helper);
      await helper.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      await helper.query(`SET TRANSACTION SNAPSHOT '${snapshot}'`);
      await helper.query("SET LOCAL jit = off");
    }
    const result = await work(
      sessionOf(leader),
      helpers.map((helper) => sessionOf(helper)),
    );
    await Promise.all([leader, ...helpers].map((client) => client.query("COMMIT")));
    return result;
  } catch (error) {
    await Promise.all([leader, ...helpers].map((client) => client.query("ROLLBACK").catch(() => undefined)));
    throw error;
  } finally {
    for (const client of [leader, ...helpers]) client.release();
  }
}

function sessionOf(client: pg.PoolClient): RunSql {
  return async <R>(query: Prisma.Sql): Promise<R[]> => {
    const result = await client.query({ text: query.text, values: query.values });
    return result.rows as R[];
  };
}

/** One entry as the page query returns it: [seq, kind, memberId, points, contributionId, actorId, reason, createdAt, prevHash, hash]. */
type LedgerTuple = [
  number,
  LedgerKind,
  number,
  number,
  number | null,
  number | null,
  string,
  string,
  string,
  string,
];

/**
 * The community's entries up to `lastSeq`, in seq order, read in keyset pages.
 * Each page arrives as one JSON text (only the hashed columns): a million rows
 * decoded field by field by the client cost far more than the hashing itself.
 */
async function* ledgerPages(
  db: Db,
  communityId: number,
  lastSeq: number,
  pageSize: number,
  firstSeq = 1,
): AsyncGenerator<HashedLedgerEntry[]> {
  let after = Math.max(0, firstSeq - 1);
  while (after < lastSeq) {
    const rows = await db.$queryRaw<Array<{ page: string | null }>>`
      SELECT json_agg(json_build_array(seq, kind, "memberId", points, "contributionId", "actorId", reason,
                                       to_char("createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), "prevHash", hash) ORDER BY seq)::text AS page
      FROM (SELECT * FROM ledger_entry
            WHERE "communityId" = ${communityId} AND seq > ${after} AND seq <= ${lastSeq}
            ORDER BY seq LIMIT ${pageSize}) AS e`;
    const text = rows[0]?.page ?? null;
    if (text === null) return;
    const page = (JSON.parse(text) as LedgerTuple[]).map(
      ([
        seq,
        kind,
        memberId,
        points,
        contributionId,
        actorId,
        reason,
        createdAt,
        prevHash,
        hash,
      ]): HashedLedgerEntry => ({
        communityId,
        seq,
        kind,
        memberId,
        points,
        contributionId,
        actorId,
        reason,
        createdAt: new Date(createdAt),
        prevHash,
        hash,
      }),
    );
    yield page;
    after = page[page.length - 1]?.seq ?? lastSeq;
  }
}

/** The community's ledger head: the last entry's seq and hash (0 and the genesis hash when empty). */
export async function readHead(db: Db, communityId: number): Promise<{ seq: number; hash: string }> {
  const head = await db.ledgerHead.findUnique({ where: { communityId }, select: { seq: true, hash: true } });
  return head ?? { seq: 0, hash: GENESIS_HASH };
}

/**
 * The community's ledger as JSON lines (one entry per string, without the line
 * break), in seq order from `fromSeq` on, up to the head as it was when the export started.
 */
export async function* exportLedgerLines(db: Db, communityId: number, fromSeq = 1): AsyncIterable<string> {
  const head = await readHead(db, communityId);
  for await (const page of ledgerPages(db, communityId, head.seq, EXPORT_PAGE, fromSeq)) {
    const notes = await ledgerNotes(db, communityId, page[0]?.seq ?? 0, page.at(-1)?.seq ?? 0);
    for (const entry of page) yield entryToLedgerLine(entry, notes.get(entry.seq));
  }
}

/** The token and evidence digests beside each entry of a page (only entries that have either). */
async function ledgerNotes(
  db: Db,
  communityId: number,
  firstSeq: number,
  lastSeq: number,
): Promise<Map<number, LedgerLineNotes>> {
  const rows = await db.$queryRaw<Array<{ seq: number; tokenId: number | null; digests: string[] | null }>>`
    SELECT le.seq, le."tokenId", c.digests
    FROM ledger_entry le LEFT JOIN contribution c ON c.id = le."contributionId"
    WHERE le."communityId" = ${communityId} AND le.seq BETWEEN ${firstSeq} AND ${lastSeq}
      AND (le."tokenId" IS NOT NULL OR cardinality(c.digests) > 0)`;
  return new Map(rows.map((r) => [r.seq, { tokenId: r.tokenId, digests: r.digests ?? [] }]));
}

// ---------------------------------------------------------------------------
// Balance recomputation

/** How many stored balance figures disagree with a recomputation from the ledger, by kind. */
export interface BalanceCheck {
  readonly mismatches: number;
  /** balance.total per member against Σ points of the member's entries (MERGE included). */
  readonly totals: number;
  /** verified count and active accumulator per effective member. */
  readonly verified: number;
  readonly active: number;
  /** Effective members whose period_balance buckets (points or verified) disagree with the ledger's. */
  readonly periods: number;
}

/** Relative tolerance of the active accumulators (floating sums in different orders). */
const ACTIVE_TOLERANCE = 1e-9;

/**
 * Recomputes balances from the ledger and counts disagreements with the stored
 * `balance` and `period_balance` rows. Totals are per member, MERGE entries
 * included; verified counts, active accumulators and period buckets are per
 * effective member from non-MERGE entries (a merge moves them directly), with the
 * stored rows of merged members folded into their effective member. Each check is
 * one statement, so it sees one consistent snapshot of ledger and balances.
 */
export async function recomputeBalances(db: Db, communityId: number): Promise<BalanceCheck> {
  return inSnapshot(db, { concurrency: 0 }, (leader) => recomputeBalancesIn(leader, db, communityId));
}

/** recomputeBalances on a verification session. */
async function recomputeBalancesIn(run: RunSql, db: Db, communityId: number): Promise<BalanceCheck> {
  const community = await db.community.findUniqueOrThrow({
    where: { id: communityId },
    select: { activeEpoch: true, config: true },
  });
  const halfLife = readCommunityConfig(community.config).decayHalfLifeDays;
  const weight = activeWeightSql(Prisma.sql`le."createdAt"`, community.activeEpoch, halfLife);
  // As epoch milliseconds: the stored times are UTC whatever the session's or the process's time zone.
  const span = await run<{ first: number | null; last: number | null }>(Prisma.sql`
    SELECT (extract(epoch FROM min("createdAt")) * 1000)::float8 AS first,
           (extract(epoch FROM max("createdAt")) * 1000)::float8 AS last
    FROM ledger_entry WHERE "communityId" = ${communityId}`);
  const first = span[0]?.first ?? null;
  const last = span[0]?.last ?? null;
  const days = bucketWeights(first === null ? null : new Date(first), last === null ? null : new Date(last));
  const rows = await run<{ totals: number; verified: number; active: number; periods: number }>(Prisma.sql`
    WITH RECURSIVE ${effectiveMembersCte(communityId)},
    per AS (
      SELECT le."memberId" AS member, sum(le.points)::bigint AS all_points,
             count(*) FILTER (WHERE le.kind = 'AWARD')::bigint AS awards,
             -- Gains and losses apart, so each entry's weight is computed once (a FILTER skips the other).
             COALESCE(sum(le.points * ${weight}) FILTER (WHERE le.kind <> 'MERGE' AND le.points > 0), 0) AS gained,
             COALESCE(sum(le.points * ${weight}) FILTER (WHERE le.kind <> 'MERGE' AND le.points < 0), 0) AS lost,
             COALESCE(sum(le.points * d.w) FILTER (WHERE le.kind <> 'MERGE'), 0) AS bucket_points,
             COALESCE(sum(d.w) FILTER (WHERE le.kind = 'AWARD'), 0) AS bucket_awards
      FROM ledger_entry le
      JOIN unnest(${days.days}::date[], ${days.dayWeights}::float8[]) AS d(day, w) ON d.day = le."createdAt"::date
      WHERE le."communityId" = ${communityId}
      GROUP BY 1
    ),
    clawed AS (
      SELECT le."memberId" AS member, count(*)::bigint AS n, sum(d.w) AS w
      FROM ledger_entry le
      JOIN unnest(${days.days}::date[], ${days.dayWeights}::float8[]) AS d(day, w) ON d.day = le."createdAt"::date
      WHERE le."communityId" = ${communityId} AND le.kind = 'CLAWBACK' AND ${isAwardClawback("le")}
      GROUP BY 1
    ),
    l AS (
      SELECT COALESCE(e.target, p.member) AS id, sum(p.awards - COALESCE(c.n, 0)) AS verified,
             sum(p.gained + p.lost) AS acc, sum(p.gained - p.lost) AS scale, sum(p.bucket_points) AS bucket_points,
             sum(p.bucket_awards - COALESCE(c.w, 0)) AS bucket_verified
      FROM per p LEFT JOIN clawed c USING (member) LEFT JOIN eff e ON e.id = p.member
      GROUP BY 1
    ),
    s AS (
      SELECT COALESCE(e.target, b."memberId") AS id, sum(b.verified)::numeric AS verified, sum(b."activeAcc") AS acc
      FROM balance b LEFT JOIN eff e ON e.id = b."memberId" WHERE b."communityId" = ${communityId} GROUP BY 1
    ),
    -- Grouped by stored member first (a parallel scan), then folded into effective members.
    sp_raw AS (
      SELECT pb."memberId" AS member, sum(pb.points * k.w) AS bucket_points, sum(pb.verified * k.w) AS bucket_verified,
             count(*) FILTER (WHERE k.w IS NULL AND (pb.points <> 0 OR pb.verified <> 0)) AS stray
      FROM period_balance pb
      LEFT JOIN unnest(${days.periods}::text[], ${days.periodWeights}::float8[]) AS k(period, w) USING (period)
      WHERE pb."communityId" = ${communityId}
      GROUP BY 1
    ),
    sp AS (
      SELECT COALESCE(e.target, r.member) AS id, sum(r.bucket_points) AS bucket_points,
             sum(r.bucket_verified) AS bucket_verified, sum(r.stray) AS stray
      FROM sp_raw r LEFT JOIN eff e ON e.id = r.member
      GROUP BY 1
    ),
    -- The three per-effective-member comparisons in one pass over one join, not three joins of the same rows.
    compared AS (
      SELECT count(*) FILTER (WHERE COALESCE(l.verified, 0) <> COALESCE(s.verified, 0))::int AS verified,
             count(*) FILTER (WHERE abs(COALESCE(l.acc, 0) - COALESCE(s.acc, 0))
               > ${ACTIVE_TOLERANCE}::float8 * greatest(COALESCE(l.scale, 0), abs(COALESCE(s.acc, 0)), 1))::int AS active,
             count(*) FILTER (WHERE COALESCE(sp.stray, 0) > 0
               OR COALESCE(l.bucket_points, 0) <> COALESCE(sp.bucket_points, 0)
               OR COALESCE(l.bucket_verified, 0) <> COALESCE(sp.bucket_verified, 0))::int AS periods
      FROM l FULL JOIN s USING (id) FULL JOIN sp USING (id)
    )
    SELECT
      (SELECT count(*)::int FROM per
         FULL JOIN (SELECT "memberId" AS member, total FROM balance WHERE "communityId" = ${communityId}) b USING (member)
       WHERE COALESCE(per.all_points, 0) <> COALESCE(b.total, 0)) AS totals,
      compared.verified, compared.active, compared.periods
    FROM compared`);
  const row = rows[0];
  const counts = {
    totals: row?.totals ?? 0,
    verified: row?.verified ?? 0,
    active: row?.active ?? 0,
    periods: row?.periods ?? 0,
  };
  return { mismatches: counts.totals + counts.verified + counts.active + counts.periods, ...counts };
}

/**
 * The weight of every period bucket (core periodKeys) of the days from `first`
 * to `last`, and each day's total (its day, week and month bucket together).
 * A member's buckets agree with the ledger when Σ points × weight over their
 * stored buckets equals Σ points × day weight over their entries (and the same
 * for verified counts): one pass grouped by member instead of a join of every
 * (member, bucket), and a bucket the ledger has no day for is a stray.
 */
function bucketWeights(
  first: Date | null,
  last: Date | null,
): { days: string[]; dayWeights: number[]; periods: string[]; periodWeights: number[] } {
  const days: string[] = [];
  const dayWeights: number[] = [];
  const periods = new Map<string, number>();
  if (first !== null && last !== null) {
    for (
      let t = Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), first.getUTCDate());
      t <= last.getTime();
      t += DAY_MS
    ) {
      const keys = periodKeys(new Date(t));
      const weights = [keys.day, keys.week, keys.month].map((key) => {
        const w = periods.get(key) ?? bucketWeight(key);
        periods.set(key, w);
        return w;
      });
      days.push(new Date(t).toISOString().slice(0, 10));
      dayWeights.push(weights.reduce((sum, w) => sum + w, 0));
    }
  }
  return { days, dayWeights, periods: [...periods.keys()], periodWeights: [...periods.values()] };
}

/**
 * A bucket key's weight: 16 bits of its FNV-1a hash, never 0 (so no bucket goes
 * unseen). Small enough that every weighted sum of a member stays an exact
 * integer in a float8 (points × weight < 2^36 per entry), which PostgreSQL sums
 * far faster than numeric.
 */
function bucketWeight(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i += 1) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return hash & 0xffff || 1;
}

// ---------------------------------------------------------------------------
// Verification use cases

export interface LedgerVerification {
  /** The hash chain from the first entry up to the head recorded when the check started. */
  readonly chain: ChainCheck;
  /** Whether the recorded head (seq and hash) is where the chain actually ends: catches a truncated tail. */
  readonly headMatches: boolean;
  readonly balancesAgree: boolean;
  readonly mismatches: number;
  readonly balances: BalanceCheck;
}

/**
 * `/ledger verify`: checks the stored chain (in the database, range by range,
 * see checkStoredChain) and the balances derived from it, side by side: the
 * ranges on their helper connections, the balance recomputation (one grouped
 * aggregate) on the leader's, all in one snapshot so both judge the same ledger.
 * Reports progress through `options.onProgress`.
 */
export async function verifyCommunityLedger(
  deps: Deps,
  communityId: number,
  options: VerifyOptions = {},
): Promise<LedgerVerification> {
  return inSnapshot(deps.db, options, async (leader, helpers) => {
    const head = await readHeadIn(leader, communityId);
    const ranges = chainRanges(head.seq, options.rangeSize ?? CHAIN_RANGE_ENTRIES);
    let rangesDone = 0;
    let balancesDone = false;
    let reporting: Promise<void> = Promise.resolve();
    const report = (): void => {
      const percent = verifyProgress(rangesDone, ranges.length, balancesDone);
      if (options.onProgress !== undefined) reporting = reporting.then(() => options.onProgress?.(percent));
    };
    const rangeDone = (): void => {
      rangesDone += 1;
      report();
    };
    const rangeSize = options.rangeSize ?? CHAIN_RANGE_ENTRIES;
    const balancesChecked = async (): Promise<BalanceCheck> => {
      const check = await recomputeBalancesIn(leader, deps.db, communityId);
      balancesDone = true;
      report();
      return check;
    };
    // Without helpers (a pool of one, or no pool) the leader checks the ranges after the balances.
    const [balances, chainResult] =
      helpers.length === 0
        ? [await balancesChecked(), await checkChainIn([leader], communityId, head, { rangeSize, rangeDone })]
        : await Promise.all([
            balancesChecked(),
            checkChainIn(helpers, communityId, head, { rangeSize, rangeDone }),
          ]);
    await reporting;
    return {
      chain: chainResult.chain,
      headMatches: chainResult.headMatches,
      balancesAgree: balances.mismatches === 0,
      mismatches: balances.mismatches,
      balances,
    };
  });
}

/**
 * `cairn ledger verify FILE`: checks a JSON-lines ledger export as a stream.
 * Blank lines are skipped; a line that is not a ledger entry stops the check with
 * its line number.
 */
export async function verifyLedgerFile(
  path: string,
): Promise<Result<ChainCheck, "BAD_LEDGER_LINE" | "UNREADABLE_FILE">> {
  const checker = new ChainChecker();
  const input = createReadStream(path, { encoding: "utf8" });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNumber = 0;
  try {
    for await (const line of lines) {
      lineNumber += 1;
      if (line.trim() === "") continue;
      const entry = ledgerLineToEntry(line);
      if (!entry.ok)
        return refuse("BAD_LEDGER_LINE", {
          line: lineNumber,
          problem: entry.error.detail?.["problem"] ?? "unreadable",
        });
      if (!checker.add(entry.value)) break;
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === "string") return refuse("UNREADABLE_FILE", { path, problem: code });
    throw error;
  } finally {
    lines.close();
    input.destroy();
  }
  return ok(checker.result());
}

/** One page of the ledger explorer: entries with what the export writes beside them. */
export interface LedgerPage {
  readonly entries: ReadonlyArray<HashedLedgerEntry & LedgerLineNotes>;
  /** The hash the page's first entry must link to: the entry before it, or the genesis hash. */
  readonly anchorHash: string;
  readonly head: { readonly seq: number; readonly hash: string };
}

/** Most entries one explorer page shows. */
export const LEDGER_PAGE_SIZE = 50;

/**
 * Entries `fromSeq` … `fromSeq + size − 1` (up to the head) as stored, so a
 * reader can re-check them; a stored entry that was altered is shown as it now
 * is, and the check names it.
 */
export async function readLedgerPage(
  db: Db,
  communityId: number,
  fromSeq: number,
  size = LEDGER_PAGE_SIZE,
): Promise<LedgerPage> {
  const head = await readHead(db, communityId);
  const first = Math.max(1, Math.trunc(fromSeq));
  const last = Math.min(head.seq, first + Math.max(1, Math.trunc(size)) - 1);
  const [page, before] = await Promise.all([
    first > last
      ? Promise.resolve([] as HashedLedgerEntry[])
      : ledgerPages(db, communityId, last, size, first)
          .next()
          .then((step): HashedLedgerEntry[] => step.value ?? []),
    first === 1
      ? Promise.resolve(null)
      : db.ledgerEntry.findFirst({ where: { communityId, seq: first - 1 }, select: { hash: true } }),
  ]);
  const notes = page.length === 0 ? new Map() : await ledgerNotes(db, communityId, first, last);
  return {
    entries: page.map((entry) => ({ ...entry, ...notes.get(entry.seq) })),
    anchorHash: first === 1 ? GENESIS_HASH : (before?.hash ?? GENESIS_HASH),
    head,
  };
}
