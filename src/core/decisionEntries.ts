import { verifierRewards } from "./clawback.ts";
import type { CommunityConfig } from "./config.ts";
import { votersEarnRewards, type VoteOutcome } from "./decision.ts";
import type { NewLedgerEntry } from "./ledgerAppend.ts";
import { splitByShares, type Share } from "./split.ts";

/** Who or what decided a contribution. */
export type DecidedBy = "VOTES" | "DEADLINE" | "MODERATOR";

/** What a decision of one contribution is, as far as the ledger is concerned. */
export interface DecisionFacts {
  readonly contributionId: number;
  readonly outcome: VoteOutcome | "EXPIRED";
  readonly decidedBy: DecidedBy;
  readonly actorId: number | null;
  readonly tokenId: number | null;
}

/**
 * The ledger entries a decision writes: the award split between the credited
 * members by their shares (verified only: `award` is its total, undefined
 * otherwise), then one verifier reward per voter when the votes decided it.
 */
export function decisionLedgerEntries(
  decision: DecisionFacts,
  award: number | undefined,
  credits: readonly Share[],
  voterIds: readonly number[],
  config: Pick<CommunityConfig, "verifierReward">,
): NewLedgerEntry[] {
  const awards: NewLedgerEntry[] =
    award === undefined
      ? []
      : splitByShares(award, credits).map((part) => ({
          kind: "AWARD",
          memberId: part.memberId,
          points: part.points,
          contributionId: decision.contributionId,
          actorId: decision.actorId,
          reason: "verified contribution",
          verifiedDelta: 1,
          tokenId: decision.tokenId,
        }));
  const rewards: NewLedgerEntry[] = votersEarnRewards(decision.decidedBy, decision.outcome)
    ? verifierRewards(voterIds, config.verifierReward).map((reward) => ({
        kind: "VERIFIER_REWARD",
        memberId: reward.memberId,
        points: reward.points,
        contributionId: decision.contributionId,
        actorId: null,
        reason: "verified by vote",
        tokenId: decision.tokenId,
      }))
    : [];
  return [...awards, ...rewards];
}
