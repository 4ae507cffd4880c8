import type { CommunityConfig } from "./config.ts";

/** Approvals and rejections counted on one contribution (needs-info is not a vote). */
export type Tally = { approvals: number; rejections: number };

export type VoteOutcome = "VERIFIED" | "REJECTED";

type DecisionRules = Pick<CommunityConfig, "quorum" | "approvalRatio">;

/**
 * A/T ≥ ratio compared in whole basis points, so 0.66 of 50 votes is decided the
 * same on every machine and never by a float rounding error.
 */
function meetsApprovalRatio(tally: Tally, approvalRatio: number): boolean {
  const ratioBp = Math.round(approvalRatio * 10_000);
  return tally.approvals * 10_000 >= ratioBp * (tally.approvals + tally.rejections);
}

/**
 * The outcome the votes force before the deadline, or null while still open:
 * verified once approvals reach quorum with the ratio met, rejected once
 * rejections reach quorum with the ratio missed.
 */
export function decideByVotes(tally: Tally, config: DecisionRules): VoteOutcome | null {
  const approved = meetsApprovalRatio(tally, config.approvalRatio);
  if (approved && tally.approvals >= config.quorum) return "VERIFIED";
  if (!approved && tally.rejections >= config.quorum) return "REJECTED";
  return null;
}

/**
 * The outcome when the vote window closes: by ratio if at least quorum voted,
 * otherwise EXPIRED (and the contribution goes to the moderator queue).
 */
export function decideAtDeadline(tally: Tally, config: DecisionRules): VoteOutcome | "EXPIRED" {
  if (tally.approvals + tally.rejections < config.quorum) return "EXPIRED";
  return meetsApprovalRatio(tally, config.approvalRatio) ? "VERIFIED" : "REJECTED";
}

/**
 * Whether the voters on a contribution earn the verifier reward: only when the
 * votes decided it (as they came in, or by ratio at the deadline) — not when a
 * moderator did, and not when it expired without quorum.
 */
export function votersEarnRewards(
  decidedBy: "VOTES" | "DEADLINE" | "MODERATOR",
  outcome: VoteOutcome | "EXPIRED",
): boolean {
  return decidedBy !== "MODERATOR" && outcome !== "EXPIRED";
}
