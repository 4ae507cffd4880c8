import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { Db, Tx } from "../db/client.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { readCommunityConfig } from "../core/config.ts";
import {
  entryToLedgerLine,
  GENESIS_HASH,
  hashEntry,
  ledgerLineToEntry,
  type ChainCheck,
  type HashedLedgerEntry,
  type LedgerKind,
} from "../core/ledger.ts";
import { ok, refuse, type Result } from "../core/result.ts";
import type { Deps } from "./deps.ts";

const EXPORT_PAGE = 10_000;
const VERIFY_PAGE = 20_000;
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

/** The active-score weight 2^((t − epoch)/H) of a UTC `timestamp` expression, as core/activeScore computes it. */
export function activeWeightSql(timestamp: Prisma.Sql, epoch: Date, halfLifeDays: number): Prisma.Sql {
  return Prisma.sql`power(2::float8, (extract(epoch FROM ${timestamp})::float8 * 1000 - ${epoch.getTime()}::float8) / ${
    halfLifeDays * DAY_MS
  }::float8)`;
}

// ---------------------------------------------------------------------------
// Chain checking

/**
 * Checks a chain fed one entry at a time, exactly as core `verifyChain` does for
 * an iterable, so a chain read page by page from the database or line by line
 * from a file is checked in constant memory.
 */
export class ChainChecker {
  private count = 0;
  private headHash = GENESIS_HASH;
  private broken: ChainCheck | null = null;

  /** Feeds the next entry; false once the chain is broken (later entries are ignored). */
  add(entry: HashedLedgerEntry): boolean {
    if (this.broken !== null) return false;
    const expectedSeq = this.count + 1;
    const reason =
      entry.seq !== expectedSeq
        ? "SEQ_GAP"
        : entry.prevHash !== this.headHash
          ? "PREV_HASH_MISMATCH"
          : entry.hash !== hashEntry(entry.prevHash, entry)
            ? "HASH_MISMATCH"
            : null;
    if (reason !== null) {
      this.broken = { ok: false, count: this.count, brokenAtSeq: expectedSeq, reason };
      return false;
    }
    this.headHash = entry.hash;
    this.count = expectedSeq;
    return true;
  }

  result(): ChainCheck {
    return this.broken ?? { ok: true, count: this.count, headHash: this.headHash, headSeq: this.count };
  }
}

/** One entry as the page query returns it: [seq, kind, memberId, points, contributionId, actorId, reason, createdAt, prevHash, hash]. */
type LedgerTuple = [number, LedgerKind, number, number, number | null, number | null, string, string, string, string];

/**
 * The community's entries up to `lastSeq`, in seq order, read in keyset pages.
 * Each page arrives as one JSON text (only the hashed columns): a million rows
 * decoded field by field by the client cost far more than the hashing itself.
 */
async function* ledgerPages(db: Db, communityId: number, lastSeq: number, pageSize: number): AsyncGenerator<HashedLedgerEntry[]> {
  let after = 0;
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
      ([seq, kind, memberId, points, contributionId, actorId, reason, createdAt, prevHash, hash]): HashedLedgerEntry => ({
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

async function readHead(db: Db, communityId: number): Promise<{ seq: number; hash: string }> {
  const head = await db.ledgerHead.findUnique({ where: { communityId }, select: { seq: true, hash: true } });
  return head ?? { seq: 0, hash: GENESIS_HASH };
}

/**
 * The community's ledger as JSON lines (one entry per string, without the line
 * break), in seq order, up to the head as it was when the export started.
 */
export async function* exportLedgerLines(db: Db, communityId: number): AsyncIterable<string> {
  const head = await readHead(db, communityId);
  for await (const page of ledgerPages(db, communityId, head.seq, EXPORT_PAGE)) {
    for (const entry of page) yield entryToLedgerLine(entry);
  }
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
  /** period_balance points/verified per effective member and bucket. */
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
  const community = await db.community.findUniqueOrThrow({
    where: { id: communityId },
    select: { activeEpoch: true, config: true },
  });
  const halfLife = readCommunityConfig(community.config).decayHalfLifeDays;
  const entries = Prisma.sql`
    WITH RECURSIVE ${effectiveMembersCte(communityId)},
    le_eff AS (
      SELECT COALESCE(e.target, le."memberId") AS id, le.points, le."createdAt", ${verifiedDeltaSql("le")} AS vd
      FROM ledger_entry le LEFT JOIN eff e ON e.id = le."memberId"
      WHERE le."communityId" = ${communityId} AND le.kind <> 'MERGE'
    )`;
  const [totals, members, periods] = await Promise.all([
    withWorkMem(db, (q) => q.$queryRaw<Array<{ n: number }>>`
      WITH l AS (SELECT "memberId" AS id, sum(points)::bigint AS total FROM ledger_entry
                 WHERE "communityId" = ${communityId} GROUP BY "memberId"),
           b AS (SELECT "memberId" AS id, total::bigint AS total FROM balance WHERE "communityId" = ${communityId})
      SELECT count(*)::int AS n FROM l FULL JOIN b USING (id) WHERE COALESCE(l.total, 0) <> COALESCE(b.total, 0)`),
    withWorkMem(db, (q) => q.$queryRaw<Array<{ verified: number; active: number }>>`
      ${entries},
      l AS (SELECT id, sum(vd)::bigint AS verified,
                   sum(points * ${activeWeightSql(Prisma.sql`"createdAt"`, community.activeEpoch, halfLife)}) AS acc,
                   sum(abs(points) * ${activeWeightSql(Prisma.sql`"createdAt"`, community.activeEpoch, halfLife)}) AS scale
            FROM le_eff GROUP BY id),
      s AS (SELECT COALESCE(e.target, b."memberId") AS id, sum(b.verified)::bigint AS verified, sum(b."activeAcc") AS acc
            FROM balance b LEFT JOIN eff e ON e.id = b."memberId" WHERE b."communityId" = ${communityId} GROUP BY 1)
      SELECT count(*) FILTER (WHERE COALESCE(l.verified, 0) <> COALESCE(s.verified, 0))::int AS verified,
             count(*) FILTER (WHERE abs(COALESCE(l.acc, 0) - COALESCE(s.acc, 0))
                                    > ${ACTIVE_TOLERANCE}::float8 * greatest(COALESCE(l.scale, 0), abs(COALESCE(s.acc, 0)), 1))::int AS active
      FROM l FULL JOIN s USING (id)`),
    withWorkMem(db, (q) => q.$queryRaw<Array<{ n: number }>>`
      ${entries},
      days AS (SELECT id, date_trunc('day', "createdAt") AS day, sum(points)::bigint AS points, sum(vd)::bigint AS verified
               FROM le_eff GROUP BY 1, 2),
      l AS (SELECT id, p.period, sum(points) AS points, sum(verified) AS verified
            FROM days CROSS JOIN LATERAL (VALUES ('D:' || to_char(day, 'YYYY-MM-DD')),
                                                 ('W:' || to_char(day, 'IYYY-"W"IW')),
                                                 ('M:' || to_char(day, 'YYYY-MM'))) AS p(period)
            GROUP BY 1, 2),
      s AS (SELECT COALESCE(e.target, pb."memberId") AS id, pb.period, sum(pb.points) AS points, sum(pb.verified) AS verified
            FROM period_balance pb LEFT JOIN eff e ON e.id = pb."memberId" WHERE pb."communityId" = ${communityId} GROUP BY 1, 2)
      SELECT count(*)::int AS n FROM l FULL JOIN s USING (id, period)
      WHERE COALESCE(l.points, 0) <> COALESCE(s.points, 0) OR COALESCE(l.verified, 0) <> COALESCE(s.verified, 0)`),
  ]);
  const counts = {
    totals: totals[0]?.n ?? 0,
    verified: members[0]?.verified ?? 0,
    active: members[0]?.active ?? 0,
    periods: periods[0]?.n ?? 0,
  };
  return { mismatches: counts.totals + counts.verified + counts.active + counts.periods, ...counts };
}

/**
 * Runs one large aggregate with room to hash in memory (the default work_mem
 * spills a million-entry aggregate to disk), in a transaction of its own so the
 * setting ends with it.
 */
async function withWorkMem<T>(db: Db, query: (tx: Tx) => Promise<T>): Promise<T> {
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SET LOCAL work_mem = '256MB'`;
      return query(tx);
    },
    { timeout: 600_000, maxWait: 60_000 },
  );
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

/** `/ledger verify`: checks the stored chain (streamed, constant memory) and the balances derived from it. */
export async function verifyCommunityLedger(deps: Deps, communityId: number): Promise<LedgerVerification> {
  const [chainResult, balances] = await Promise.all([
    checkStoredChain(deps.db, communityId),
    recomputeBalances(deps.db, communityId),
  ]);
  return {
    chain: chainResult.chain,
    headMatches: chainResult.headMatches,
    balancesAgree: balances.mismatches === 0,
    mismatches: balances.mismatches,
    balances,
  };
}

async function checkStoredChain(db: Db, communityId: number): Promise<{ chain: ChainCheck; headMatches: boolean }> {
  const head = await readHead(db, communityId);
  const checker = new ChainChecker();
  pages: for await (const page of ledgerPages(db, communityId, head.seq, VERIFY_PAGE)) {
    for (const entry of page) if (!checker.add(entry)) break pages;
  }
  const chain = checker.result();
  return { chain, headMatches: chain.ok && chain.headSeq === head.seq && chain.headHash === head.hash };
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
      if (!entry.ok) return refuse("BAD_LEDGER_LINE", { line: lineNumber, problem: entry.error.detail?.["problem"] ?? "unreadable" });
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
