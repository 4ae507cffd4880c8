// Read-path figures on the seeded community: leaderboard latency and ledger verification time.
import type { Actor, Deps } from "../src/app/deps.ts";
import { showLeaderboard } from "../src/app/leaderboard.ts";
import { ChainChecker, recomputeBalances, verifyCommunityLedger } from "../src/app/ledgerAudit.ts";
import type { HashedLedgerEntry, LedgerKind } from "../src/core/ledger.ts";
import type { LeaderboardWindow } from "../src/core/periods.ts";
import { log, prng, quantile, round, timed } from "./support.ts";

export interface LatencyResult {
  readonly board: string;
  readonly calls: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly rows: number | null;
}

export interface BoardSpec {
  readonly board: string;
  readonly window: LeaderboardWindow;
  readonly score: "total" | "active";
}

export const BOARDS: readonly BoardSpec[] = [
  { board: "all-time", window: { kind: "all" }, score: "total" },
  { board: "monthly", window: { kind: "month" }, score: "total" },
  { board: "active", window: { kind: "all" }, score: "active" },
];

type ShowLeaderboard = typeof showLeaderboard;

/** Rows shown by a board result, if its shape says (for the report only). */
function rowsOf(result: Awaited<ReturnType<ShowLeaderboard>>): number | null {
  return result.ok ? result.value.rows.length : null;
}

/** `calls` sequential showLeaderboard calls, each from a random member (so the caller's-row path runs). */
export async function benchLeaderboard(
  deps: Deps,
  show: ShowLeaderboard,
  spec: BoardSpec,
  communityId: number,
  memberIds: Int32Array,
  calls: number,
  limit: number,
): Promise<LatencyResult> {
  const random = prng(spec.board.length * 7919);
  const actorAt = (): Actor => ({
    communityId,
    memberId: memberIds[Math.floor(random() * memberIds.length)] ?? 0,
    isModerator: false,
    spaceId: null,
  });
  const first = await show(deps, { actor: actorAt(), window: spec.window, score: spec.score, limit });
  if (!first.ok) throw new Error(`showLeaderboard refused: ${first.error.code}`);
  for (let i = 0; i < 20; i += 1) await show(deps, { actor: actorAt(), window: spec.window, score: spec.score, limit });
  const samples: number[] = [];
  for (let i = 0; i < calls; i += 1) {
    const actor = actorAt();
    const { ms } = await timed(() => show(deps, { actor, window: spec.window, score: spec.score, limit }));
    samples.push(ms);
  }
  const result = {
    board: spec.board,
    calls,
    p50Ms: round(quantile(samples, 0.5), 2),
    p99Ms: round(quantile(samples, 0.99), 2),
    maxMs: round(Math.max(...samples), 2),
    rows: rowsOf(first),
  };
  log(`  leaderboard ${spec.board}: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms`);
  return result;
}

export interface VerifyResult {
  /** verifyCommunityLedger as the command runs it: chain check and balance recomputation in parallel. */
  readonly totalSeconds: number;
  /** The chain check alone: the same keyset pages and checker, nothing else running. */
  readonly chainSeconds: number;
  /** recomputeBalances alone. */
  readonly balancesSeconds: number;
  readonly entries: number;
  readonly chainOk: boolean;
  readonly headMatches: boolean;
  readonly balanceMismatches: number;
}

interface LedgerRow {
  seq: number;
  kind: LedgerKind;
  memberId: number;
  points: number;
  contributionId: number | null;
  actorId: number | null;
  reason: string;
  createdAt: Date;
  prevHash: string;
  hash: string;
}

/** The chain check of verifyCommunityLedger on its own (its page query, page size 20 000). */
async function checkChainOnly(deps: Deps, communityId: number): Promise<{ ok: boolean; count: number }> {
  const head = await deps.db.ledgerHead.findUniqueOrThrow({ where: { communityId } });
  const checker = new ChainChecker();
  let after = 0;
  while (after < head.seq) {
    const rows = await deps.db.$queryRaw<LedgerRow[]>`
      SELECT seq, kind::text AS kind, "memberId", points, "contributionId", "actorId", reason, "createdAt", "prevHash", hash
      FROM ledger_entry
      WHERE "communityId" = ${communityId} AND seq > ${after} AND seq <= ${head.seq}
      ORDER BY seq LIMIT 20000`;
    if (rows.length === 0) break;
    for (const row of rows) {
      const entry: HashedLedgerEntry = { communityId, ...row };
      if (!checker.add(entry)) return { ok: false, count: checker.result().count };
    }
    after = rows[rows.length - 1]?.seq ?? head.seq;
  }
  const result = checker.result();
  return { ok: result.ok, count: result.count };
}

export async function benchVerify(deps: Deps, communityId: number): Promise<VerifyResult> {
  log("ledger verify: verifyCommunityLedger (chain + balances)");
  const total = await timed(() => verifyCommunityLedger(deps, communityId));
  log(`  ${round(total.ms / 1000, 2)} s: chain ok ${total.value.chain.ok}, ${total.value.mismatches} balance mismatches`);
  log("ledger verify: chain check alone");
  const chain = await timed(() => checkChainOnly(deps, communityId));
  log(`  ${round(chain.ms / 1000, 2)} s for ${chain.value.count} entries`);
  log("ledger verify: balance recomputation alone");
  const balances = await timed(() => recomputeBalances(deps.db, communityId));
  log(`  ${round(balances.ms / 1000, 2)} s`);
  return {
    totalSeconds: round(total.ms / 1000, 2),
    chainSeconds: round(chain.ms / 1000, 2),
    balancesSeconds: round(balances.ms / 1000, 2),
    entries: total.value.chain.count,
    chainOk: total.value.chain.ok && chain.value.ok,
    headMatches: total.value.headMatches,
    balanceMismatches: total.value.mismatches,
  };
}
