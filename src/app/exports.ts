import type { Tx } from "../db/client.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { GENESIS_HASH } from "../core/ledger.ts";
import { splitBudget } from "../core/payout.ts";
import { describeWindow, utcDayText, windowBounds, type LeaderboardWindow } from "../core/periods.ts";
import { ok, refuse, type Refusal, type Result } from "../core/result.ts";
import { recordModeratorAction } from "./audit.ts";
import { inTransaction, type Actor, type Deps } from "./deps.ts";
import { effectiveMembersCte, utcTimestamp, verifiedDeltaSql } from "./ledgerAudit.ts";

/** One effective member's line of an export; points in hundredths, amounts in the budget's minor units. */
export interface ExportRow {
  readonly memberId: number;
  readonly name: string;
  /** person or agent. */
  readonly kind: "person" | "agent";
  /** Linked platform accounts, like "discord:123;telegram:456". */
  readonly identities: string;
  readonly award: number;
  readonly verifierReward: number;
  /** Negative: points taken back in the window. */
  readonly clawback: number;
  readonly adjustment: number;
  readonly verified: number;
  /** The negative net of this member's line in the last recorded run, now subtracted (≥ 0). */
  readonly carriedDebt: number;
  /** award + verifierReward + clawback + adjustment − carriedDebt. */
  readonly net: number;
  /** Percent of the positive nets, 2 decimals; the column sums to exactly 100 when anyone has points. */
  readonly sharePct: number;
  /** Payout from the budget, split on max(0, net); null without a budget. */
  readonly amount: number | null;
}

export interface ExportTotals {
  readonly members: number;
  readonly award: number;
  readonly verifierReward: number;
  readonly clawback: number;
  readonly adjustment: number;
  readonly verified: number;
  readonly carriedDebt: number;
  readonly net: number;
  readonly budget: number | null;
  /** Sum of amounts (less than the budget only when everyone is capped). */
  readonly paid: number | null;
}

export interface ExportOverlap {
  readonly runId: number;
  readonly from: Date;
  readonly to: Date;
}

export interface ExportResult {
  readonly content: string;
  readonly filename: string;
  readonly rows: readonly ExportRow[];
  readonly totals: ExportTotals;
  /** Recorded payout runs whose window intersects this one. */
  readonly overlaps: readonly ExportOverlap[];
  /** The recorded run, when `record` was asked for. */
  readonly runId: number | null;
  readonly ledgerHead: { readonly seq: number; readonly hash: string };
  readonly window: { readonly label: string; readonly from: Date; readonly to: Date };
}

export interface ExportRequest {
  readonly actor: Actor;
  readonly window: LeaderboardWindow;
  /** Minor units (e.g. cents), whole. */
  readonly budget?: number;
  /** Most any one member is paid, minor units. */
  readonly cap?: number;
  /** Record the run as paid: later exports carry its debts and report overlaps. */
  readonly record?: boolean;
  /**
   * Records the run at most once for this key (a background export's job id): asked
   * again with the key, the export is the recorded run's again, built as of its ledger
   * head, window and earlier runs, and nothing more is recorded.
   */
  readonly requestKey?: string;
  readonly format: "csv" | "json";
}

export type ExportRefusal =
  "NOT_MODERATOR" | "UNKNOWN_SEASON" | "BAD_BUDGET" | "BAD_CAP" | "BUDGET_REQUIRED" | "WINDOW_NOT_ENDED";

/**
 * `/export [window] [budget] [cap] [record]`: attribution per member for a
 * window, optionally with a payout split, optionally recorded as a paid run.
 * Everything is read in one REPEATABLE READ transaction, so the ledger head it
 * names is exactly the one the rows were computed from.
 */
/** Exports with more rows than this are built by a background job when a queue is reachable. */
export const INLINE_EXPORT_MEMBERS = 1000;

/** How many rows an export of the community would have at most: its members with a balance. */
export async function exportRowCount(deps: Deps, communityId: number): Promise<number> {
  return deps.db.balance.count({ where: { communityId } });
}

/**
 * What refuses an export before any row is read: who asks, the budget, the cap
 * and record. Checked again here before a large export is queued, so a bad one is refused at once.
 */
export function exportRequestRefusal(input: Pick<ExportRequest, "actor" | "budget" | "cap" | "record">): {
  readonly ok: false;
  readonly error: Refusal<"NOT_MODERATOR" | "BAD_BUDGET" | "BAD_CAP" | "BUDGET_REQUIRED">;
} | null {
  if (!input.actor.isModerator) return refuse("NOT_MODERATOR");
  if (input.budget !== undefined && (!Number.isSafeInteger(input.budget) || input.budget < 0))
    return refuse("BAD_BUDGET");
  if (input.cap !== undefined && (!Number.isSafeInteger(input.cap) || input.cap <= 0))
    return refuse("BAD_CAP");
  if (input.record === true && input.budget === undefined) return refuse("BUDGET_REQUIRED");
  return null;
}

export async function buildExport(
  deps: Deps,
  input: ExportRequest,
): Promise<Result<ExportResult, ExportRefusal>> {
  const refused = exportRequestRefusal(input);
  if (refused !== null) return refused;
  const now = deps.clock.now();
  return inTransaction(deps, (tx) => exportIn(tx, input, now), {
    isolationLevel: "RepeatableRead",
    timeout: 120_000,
  });
}

/** The columns of the public attribution: no platform ids, no payouts. */
const PUBLIC_CSV_HEADER = [
  "member_id",
  "name",
  "kind",
  "award",
  "verifier_reward",
  "clawback",
  "adjustment",
  "verified",
  "net",
  "share_pct",
];

/** What the public attribution names a member who hid themselves: their points still count. */
export const HIDDEN_IN_EXPORT = "(hidden)";

/**
 * The attribution anyone may download from a community's public pages: the
 * `/export` rows of the window (same sums, same shares, same ledger head), as
 * CSV without linked platform accounts or payouts, and with the names of
 * members hidden from public boards withheld.
 */
export async function publicAttribution(
  deps: Deps,
  communityId: number,
  window: LeaderboardWindow,
): Promise<Result<{ content: string; filename: string }, ExportRefusal>> {
  const now = deps.clock.now();
  const reader: Actor = { communityId, memberId: 0, isModerator: false, spaceId: null };
  return inTransaction(
    deps,
    async (tx) => {
      const built = await exportIn(tx, { actor: reader, window, format: "csv" }, now);
      if (!built.ok) return built;
      const hidden = await tx.member.findMany({
        where: { id: { in: built.value.rows.map((r) => r.memberId) }, hidden: true },
        select: { id: true },
      });
      const withheld = new Set(hidden.map((m) => m.id));
      return ok({
        content: publicCsv(built.value.rows, withheld),
        filename: built.value.filename.replace(/\.csv$/, "-public.csv"),
      });
    },
    { isolationLevel: "RepeatableRead", timeout: 120_000 },
  );
}

function publicCsv(rows: readonly ExportRow[], withheld: ReadonlySet<number>): string {
  const lines = [
    PUBLIC_CSV_HEADER,
    ...rows.map((r) => [
      String(r.memberId),
      withheld.has(r.memberId) ? HIDDEN_IN_EXPORT : r.name,
      r.kind,
      pointsText(r.award),
      pointsText(r.verifierReward),
      pointsText(r.clawback),
      pointsText(r.adjustment),
      String(r.verified),
      pointsText(r.net),
      r.sharePct.toFixed(2),
    ]),
  ];
  return lines.map((cells) => cells.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

async function exportIn(
  tx: Tx,
  input: ExportRequest,
  now: Date,
): Promise<Result<ExportResult, ExportRefusal>> {
  const communityId = input.actor.communityId;
  const recorded = await recordedRun(tx, communityId, input);
  const asOf = recorded?.createdAt ?? now;
  const seasons =
    input.window.kind === "season"
      ? await tx.season.findMany({
          where: { communityId },
          select: { name: true, startsAt: true, endsAt: true },
        })
      : [];
  const bounds = windowBounds(input.window, asOf, seasons);
  if (!bounds.ok) return bounds;
  const head = recorded?.head ??
    (await tx.ledgerHead.findUnique({ where: { communityId }, select: { seq: true, hash: true } })) ?? {
      seq: 0,
      hash: GENESIS_HASH,
    };
  const from = bounds.value.from ?? new Date(0);
  const to = bounds.value.to ?? asOf;
  // A paid run must cover its whole window, or work done later in it would never be paid.
  if (input.record === true && to.getTime() > asOf.getTime()) return refuse("WINDOW_NOT_ENDED");
  const sums = await windowSums(tx, communityId, bounds.value.from, bounds.value.to, head.seq);
  const earlierThan = recorded?.id ?? null;
  const debts = await carriedDebts(tx, communityId, from, to, head.seq, earlierThan);
  const memberIds = [...new Set([...sums.keys(), ...debts.keys()])];
  const people = await describeMembers(tx, communityId, memberIds);

  const lines = memberIds.map((memberId) => {
    const sum = sums.get(memberId) ?? emptySums();
    const carriedDebt = debts.get(memberId) ?? 0;
    const net = sum.award + sum.verifierReward + sum.clawback + sum.adjustment - carriedDebt;
    return { memberId, ...sum, carriedDebt, net };
  });
  lines.sort((a, b) => b.net - a.net || a.memberId - b.memberId);
  const positive = lines.map((l) => ({ memberId: l.memberId, points: Math.max(0, l.net) }));
  const shares = splitBudget(10_000, positive);
  const payouts = input.budget === undefined ? null : splitBudget(input.budget, positive, input.cap);
  const rows: ExportRow[] = lines.map((line, i) => ({
    memberId: line.memberId,
    name: people.get(line.memberId)?.name ?? `member ${line.memberId}`,
    kind: people.get(line.memberId)?.kind ?? "person",
    identities: people.get(line.memberId)?.identities ?? "",
    award: line.award,
    verifierReward: line.verifierReward,
    clawback: line.clawback,
    adjustment: line.adjustment,
    verified: line.verified,
    carriedDebt: line.carriedDebt,
    net: line.net,
    sharePct: (shares[i]?.amount ?? 0) / 100,
    amount: payouts === null ? null : (payouts[i]?.amount ?? 0),
  }));
  const totals = totalsOf(rows, input.budget ?? null);

  const overlapping = await tx.payoutRun.findMany({
    where: {
      communityId,
      windowStart: { lt: to },
      windowEnd: { gt: from },
      ...(earlierThan === null ? {} : { id: { lt: earlierThan } }),
    },
    orderBy: { id: "asc" },
    select: { id: true, windowStart: true, windowEnd: true },
  });
  const overlaps = overlapping.map((r) => ({ runId: r.id, from: r.windowStart, to: r.windowEnd }));

  let runId: number | null = recorded?.id ?? null;
  if (input.record === true && input.budget !== undefined && recorded === null) {
    const run = await tx.payoutRun.create({
      data: {
        communityId,
        windowStart: from,
        windowEnd: to,
        budget: input.budget,
        capPerMember: input.cap ?? null,
        ledgerHeadSeq: head.seq,
        ledgerHeadHash: head.hash,
        actorId: input.actor.memberId,
        createdAt: now,
        requestKey: input.requestKey ?? null,
      },
    });
    await recordPayoutLines(tx, run.id, rows);
    runId = run.id;
    await recordModeratorAction(
      tx,
      {
        communityId,
        actorId: input.actor.memberId,
        action: "export.record",
        target: `payout_run:${run.id}`,
        details: {
          from: from.toISOString(),
          to: to.toISOString(),
          budget: input.budget,
          members: rows.length,
        },
      },
      now,
    );
  }

  const window = { label: describeWindow(input.window), from, to };
  const ledgerHead = { seq: head.seq, hash: head.hash };
  const content =
    input.format === "csv"
      ? exportCsv(rows)
      : JSON.stringify(
          {
            communityId,
            window,
            ledgerHead,
            pointsUnit: "hundredths",
            budget: input.budget ?? null,
            cap: input.cap ?? null,
            runId,
            overlaps,
            totals,
            rows,
          },
          null,
          2,
        );
  const span =
    bounds.value.from === null && bounds.value.to === null
      ? "all-time"
      : `${utcDayText(from)}_${utcDayText(new Date(to.getTime() - 1))}`;
  return ok({
    content,
    filename: `cairn-${communityId}-${span}.${input.format}`,
    rows,
    totals,
    overlaps,
    runId,
    ledgerHead,
    window,
  });
}

interface WindowSums {
  award: number;
  verifierReward: number;
  clawback: number;
  adjustment: number;
  verified: number;
}

const emptySums = (): WindowSums => ({
  award: 0,
  verifierReward: 0,
  clawback: 0,
  adjustment: 0,
  verified: 0,
});

/** Points by kind and verified count per effective member, for entries in [from, to) up to the head. */
async function windowSums(
  tx: Tx,
  communityId: number,
  from: Date | null,
  to: Date | null,
  headSeq: number,
): Promise<Map<number, WindowSums>> {
  const after = from === null ? Prisma.empty : Prisma.sql`AND le."createdAt" >= ${utcTimestamp(from)}`;
  const before = to === null ? Prisma.empty : Prisma.sql`AND le."createdAt" < ${utcTimestamp(to)}`;
  const rows = await tx.$queryRaw<Array<{ id: number; kind: string; points: bigint; verified: bigint }>>`
    WITH RECURSIVE ${effectiveMembersCte(communityId)}
    SELECT COALESCE(e.target, le."memberId") AS id, le.kind::text AS kind,
           sum(le.points)::bigint AS points, sum(${verifiedDeltaSql("le")})::bigint AS verified
    FROM ledger_entry le LEFT JOIN eff e ON e.id = le."memberId"
    WHERE le."communityId" = ${communityId} AND le.seq <= ${headSeq} AND le.kind <> 'MERGE' ${after} ${before}
    GROUP BY 1, 2`;
  const sums = new Map<number, WindowSums>();
  for (const row of rows) {
    const sum = sums.get(row.id) ?? emptySums();
    const points = Number(row.points);
    if (row.kind === "AWARD") sum.award += points;
    else if (row.kind === "VERIFIER_REWARD") sum.verifierReward += points;
    else if (row.kind === "CLAWBACK") sum.clawback += points;
    else sum.adjustment += points;
    sum.verified += Number(row.verified);
    sums.set(row.id, sum);
  }
  return sums;
}

/** The run recorded earlier under this request's key, if any: the export is built again as of it. */
async function recordedRun(
  tx: Tx,
  communityId: number,
  input: Pick<ExportRequest, "record" | "requestKey">,
): Promise<{ id: number; createdAt: Date; head: { seq: number; hash: string } } | null> {
  if (input.record !== true || input.requestKey === undefined) return null;
  const run = await tx.payoutRun.findUnique({
    where: { communityId_requestKey: { communityId, requestKey: input.requestKey } },
    select: { id: true, createdAt: true, ledgerHeadSeq: true, ledgerHeadHash: true },
  });
  return run === null
    ? null
    : { id: run.id, createdAt: run.createdAt, head: { seq: run.ledgerHeadSeq, hash: run.ledgerHeadHash } };
}

/**
 * What each effective member owes from before this export, subtracted from its
 * points: −min(0, net) of their line in the most recent recorded run, plus
 * every clawback of points a recorded run paid out that no recorded run has
 * counted yet (appended after the last run's head) and that this export's
 * window does not count either (it falls outside [from, to)). Without the
 * second part a clawback made between two paid windows would vanish.
 */
async function carriedDebts(
  tx: Tx,
  communityId: number,
  from: Date,
  to: Date,
  headSeq: number,
  earlierThan: number | null,
): Promise<Map<number, number>> {
  const rows = await tx.$queryRaw<Array<{ id: number; debt: bigint }>>`
    WITH RECURSIVE ${effectiveMembersCte(communityId)},
    last_run AS (SELECT id, "ledgerHeadSeq" AS seq FROM payout_run WHERE "communityId" = ${communityId}
                   AND (${earlierThan}::int IS NULL OR id < ${earlierThan}::int)
                 ORDER BY "createdAt" DESC, id DESC LIMIT 1),
    unpaid_lines AS (
      SELECT COALESCE(e.target, pl."memberId") AS id, -pl.points::bigint AS debt
      FROM payout_line pl LEFT JOIN eff e ON e.id = pl."memberId"
      WHERE pl."runId" = (SELECT id FROM last_run) AND pl.points < 0
    ),
    paid AS (
      SELECT DISTINCT COALESCE(e.target, le."memberId") AS id, le."contributionId"
      FROM ledger_entry le LEFT JOIN eff e ON e.id = le."memberId"
      JOIN payout_run r ON r."communityId" = le."communityId"
        AND (${earlierThan}::int IS NULL OR r.id < ${earlierThan}::int)
        AND le.seq <= r."ledgerHeadSeq" AND le."createdAt" >= r."windowStart" AND le."createdAt" < r."windowEnd"
      WHERE le."communityId" = ${communityId} AND le.kind IN ('AWARD', 'VERIFIER_REWARD')
    ),
    late_clawbacks AS (
      SELECT COALESCE(e.target, le."memberId") AS id, -le.points::bigint AS debt
      FROM ledger_entry le LEFT JOIN eff e ON e.id = le."memberId"
      WHERE le."communityId" = ${communityId} AND le.kind = 'CLAWBACK'
        AND le.seq > COALESCE((SELECT seq FROM last_run), ${headSeq}) AND le.seq <= ${headSeq}
        AND (le."createdAt" < ${utcTimestamp(from)} OR le."createdAt" >= ${utcTimestamp(to)})
        AND EXISTS (SELECT 1 FROM paid p
                    WHERE p.id = COALESCE(e.target, le."memberId") AND p."contributionId" = le."contributionId")
    )
    SELECT id, sum(debt)::bigint AS debt FROM (SELECT * FROM unpaid_lines UNION ALL SELECT * FROM late_clawbacks) d
    GROUP BY id HAVING sum(debt) <> 0`;
  return new Map(rows.map((r) => [r.id, Number(r.debt)]));
}

/**
 * A recorded run's lines, in one statement of three arrays however many members
 * it pays (a nested create would split 20,000 lines into chunks sent at once on
 * the transaction's connection).
 */
async function recordPayoutLines(tx: Tx, runId: number, rows: readonly ExportRow[]): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO payout_line ("runId", "memberId", points, amount)
    SELECT ${runId}::int, l.member, l.points, l.amount
    FROM unnest(${rows.map((r) => r.memberId)}::int[], ${rows.map((r) => r.net)}::int[],
                ${rows.map((r) => r.amount ?? 0)}::int[]) AS l(member, points, amount)`;
}

/** What an erased member's identities column shows instead of their platform user ids. */
const ERASED_IDENTITIES = "erased";

/** Display names and linked identities (of the member and everyone merged into it); an erased member's ids are not shown. */
async function describeMembers(
  tx: Tx,
  communityId: number,
  memberIds: readonly number[],
): Promise<Map<number, { name: string; kind: "person" | "agent"; identities: string }>> {
  if (memberIds.length === 0) return new Map();
  const rows = await tx.$queryRaw<
    Array<{ id: number; name: string; agent: boolean; identities: string | null }>
  >`
    WITH RECURSIVE ${effectiveMembersCte(communityId)}
    SELECT m.id, m."displayName" AS name, m.kind = 'AGENT' AS agent,
           CASE WHEN m."erasedAt" IS NOT NULL THEN ${ERASED_IDENTITIES} ELSE
           (SELECT string_agg(lower(i.platform::text) || ':' || i."platformUserId", ';' ORDER BY i.platform, i."platformUserId")
            FROM identity i WHERE i."memberId" = m.id OR i."memberId" IN (SELECT eff.id FROM eff WHERE eff.target = m.id)) END AS identities
    FROM member m WHERE m.id = ANY(${[...memberIds]}::int[])`;
  return new Map(
    rows.map((r) => [
      r.id,
      {
        name: r.name,
        kind: r.agent ? ("agent" as const) : ("person" as const),
        identities: r.identities ?? "",
      },
    ]),
  );
}

function totalsOf(rows: readonly ExportRow[], budget: number | null): ExportTotals {
  const sum = (pick: (row: ExportRow) => number): number => rows.reduce((total, row) => total + pick(row), 0);
  return {
    members: rows.length,
    award: sum((r) => r.award),
    verifierReward: sum((r) => r.verifierReward),
    clawback: sum((r) => r.clawback),
    adjustment: sum((r) => r.adjustment),
    verified: sum((r) => r.verified),
    carriedDebt: sum((r) => r.carriedDebt),
    net: sum((r) => r.net),
    budget,
    paid: budget === null ? null : sum((r) => r.amount ?? 0),
  };
}

// ---------------------------------------------------------------------------
// CSV

const CSV_HEADER = [
  "member_id",
  "name",
  "kind",
  "identities",
  "award",
  "verifier_reward",
  "clawback",
  "adjustment",
  "verified",
  "carried_debt",
  "net",
  "share_pct",
  "payout",
];

/** Hundredths as a decimal with two places: 1250 → "12.50", -5 → "-0.05". */
function pointsText(hundredths: number): string {
  const sign = hundredths < 0 ? "-" : "";
  const abs = Math.abs(hundredths);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/** The export as CSV (RFC 4180, CRLF), points with two decimals, payouts in minor units. */
export function exportCsv(rows: readonly ExportRow[]): string {
  const lines = [
    CSV_HEADER,
    ...rows.map((r) => [
      String(r.memberId),
      r.name,
      r.kind,
      r.identities,
      pointsText(r.award),
      pointsText(r.verifierReward),
      pointsText(r.clawback),
      pointsText(r.adjustment),
      String(r.verified),
      pointsText(r.carriedDebt),
      pointsText(r.net),
      r.sharePct.toFixed(2),
      r.amount === null ? "" : String(r.amount),
    ]),
  ];
  return lines.map((cells) => cells.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell, quoted when needed. Text that a spreadsheet would run as a
 * formula (starting with = + - @, tab or CR) is prefixed with an apostrophe;
 * plain numbers, which this export writes itself, are left as numbers.
 */
export function csvCell(value: string): string {
  const guarded = FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(guarded) || guarded !== guarded.trim()
    ? `"${guarded.replace(/"/g, '""')}"`
    : guarded;
}
