/** A verifier's choice on a contribution. */
export type VoteChoice = "APPROVE" | "REJECT";

/** One member's vote on a contribution, as a decision reads it. */
export interface CastVote {
  readonly voterId: number;
  readonly choice: VoteChoice;
  /** Impact rating 1..5, on approvals only. */
  readonly impact: number | null;
}

/**
 * The votes on a contribution once `vote` counts: it replaces its voter's
 * earlier vote or joins the others; in voter order (the order verifier
 * rewards are listed in).
 */
export function votesWith(votes: readonly CastVote[], vote: CastVote): CastVote[] {
  return [...votes.filter((v) => v.voterId !== vote.voterId), vote].sort((a, b) => a.voterId - b.voterId);
}

/** The ratings a verified contribution's award takes: the impacts of the approvals that carry one. */
export function impactRatings(votes: readonly CastVote[]): number[] {
  return votes.flatMap((v) => (v.choice === "APPROVE" && v.impact !== null ? [v.impact] : []));
}
