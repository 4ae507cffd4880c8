// The vote path's statements (src/app/votePath.ts): the two server-side functions of
// migration vote_path_functions, which hold no rule, called with parameters.
import { statement } from "../sql.ts";

/** Everything the vote rules need, read after locking the contribution row. */
export interface VoteContextRow {
  readonly id: number;
  readonly status: string;
  readonly closesAt: Date;
  readonly submitterId: number;
  readonly config: unknown;
  readonly voterFound: boolean;
  readonly banned: boolean;
  readonly joinedAt: Date;
  readonly credited: number[];
  readonly previousChoice: "APPROVE" | "REJECT" | null;
  readonly previousImpact: number | null;
  readonly approvals: number;
  readonly rejections: number;
  readonly voterKind: "PERSON" | "AGENT" | null;
  readonly voterOwner: number | null;
  /** The agents among the submitter and the credited members, and (in the same order) their owners. */
  readonly ownedMembers: number[];
  readonly memberOwners: number[];
  readonly agentApprovals: number;
  readonly agentRejections: number;
}

/** Locks the contribution (community, number) and reads the vote context for the voter; no row when unknown. */
export const voteContext = statement<[communityId: number, number: number, voterId: number], VoteContextRow>(
  "cairn_vote_context",
  `SELECT id, status, "closesAt", "submitterId", config, "voterFound", banned, "joinedAt", credited,
          "previousChoice", "previousImpact", approvals, rejections,
          "voterKind", "voterOwner", "ownedMembers", "memberOwners", "agentApprovals", "agentRejections"
   FROM cairn_vote_context($1::int, $2::int, $3::int)`,
);

/** Writes (or changes) the vote and the card's tally row for the outbox. */
export const recordVoteWithTally = statement<
  [
    communityId: number,
    contributionId: number,
    voterId: number,
    choice: string,
    impact: number | null,
    at: string,
    tokenId: number | null,
  ],
  { recorded: string }
>(
  "cairn_record_vote",
  `SELECT cairn_record_vote($1::int, $2::int, $3::int, $4::text, $5::int, $6::timestamptz, $7::int) AS recorded`,
);
