import type { Tally } from "../core/decision.ts";
import type { VoteChoice } from "../core/votes.ts";
import type { Decision } from "./decisions.ts";

export type { VoteChoice };

export interface VoteInput {
  readonly number: number;
  readonly choice: VoteChoice;
  /** Impact rating 1..5 for an approval. */
  readonly impact?: number;
}

export type VoteRefusal =
  | "UNKNOWN_CONTRIBUTION"
  | "VOTE_CLOSED"
  | "BAD_IMPACT"
  | "IMPACT_ON_REJECT"
  | "OWN_CONTRIBUTION"
  | "CREDITED"
  | "AGENT_OWNER_CONFLICT"
  | "AGENT_VOTING_OFF"
  | "BANNED"
  | "TOO_NEW"
  | "MISSING_VOTER_ROLE";

export interface VoteRecorded {
  readonly number: number;
  readonly tally: Tally;
  /** The vote this one replaced, or null for a first vote. */
  readonly previous: { choice: VoteChoice; impact: number | null } | null;
  readonly decision: Decision | null;
  /** Blind voting is on: the tally must not be shown while the contribution is pending. */
  readonly blind: boolean;
}
