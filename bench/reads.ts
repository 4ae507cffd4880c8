// Read-path figures on the seeded community: leaderboard latency and ledger verification time.
import type { Actor, Deps } from "../src/app/deps.ts";
import { showLeaderboard } from "../src/app/leaderboard.ts";
import { checkStoredChain, recomputeBalances, verifyCommunityLedger } from "../src/app/ledgerAudit.ts";
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
  for (let i = 0; i < 20; i += 1)
    await show(deps, { actor: actorAt(), window: spec.window, score: spec.score, limit });
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
  /** verifyCommunityLedger as the command (and its background job) runs it: chain ranges and balances side by side. */
  readonly totalSeconds: number;
  /** The chain check alone (checkStoredChain: ranges side by side, hashes recomputed and links checked inside PostgreSQL). */
  readonly chainSeconds: number;
  /** recomputeBalances alone. */
  readonly balancesSeconds: number;
  readonly entries: number;
  readonly chainOk: boolean;
  readonly headMatches: boolean;
  readonly balanceMismatches: number;
}

export async function benchVerify(deps: Deps, communityId: number): Promise<VerifyResult> {
  log("ledger verify: chain check alone (checkStoredChain)");
  const chain = await timed(() => checkStoredChain(deps.db, communityId));
  log(`  ${round(chain.ms / 1000, 2)} s for ${chain.value.chain.count} entries, ok ${chain.value.chain.ok}`);
  log("ledger verify: balance recomputation alone");
  const balances = await timed(() => recomputeBalances(deps.db, communityId));
  log(`  ${round(balances.ms / 1000, 2)} s, ${balances.value.mismatches} mismatches`);
  log("ledger verify: verifyCommunityLedger (chain ranges and balances side by side)");
  const total = await timed(() => verifyCommunityLedger(deps, communityId));
  log(
    `  ${round(total.ms / 1000, 2)} s: chain ok ${total.value.chain.ok}, ${total.value.mismatches} balance mismatches`,
  );
  return {
    totalSeconds: round(total.ms / 1000, 2),
    chainSeconds: round(chain.ms / 1000, 2),
    balancesSeconds: round(balances.ms / 1000, 2),
    entries: total.value.chain.count,
    chainOk: total.value.chain.ok && chain.value.chain.ok,
    headMatches: total.value.headMatches && chain.value.headMatches,
    balanceMismatches: total.value.mismatches,
  };
}
