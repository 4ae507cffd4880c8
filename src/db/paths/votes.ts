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
}

/** Locks the contribution (community, number) and reads the vote context for the voter; no row when unknown. */
export const voteContext = statement<[communityId: number, number: number, voterId: number], VoteContextRow>(
  "cairn_vote_context",
  `SELECT id, status, "closesAt", "submitterId", config, "voterFound", banned, "joinedAt", credited,
          "previousChoice", "previousImpact", approvals, rejections
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
  ],
  { recorded: string }
>(
  "cairn_record_vote",
  `SELECT cairn_record_vote($1::int, $2::int, $3::int, $4::text, $5::int, $6::timestamptz) AS recorded`,
);

/** Writes (or changes) the vote alone: a vote that decides is announced by its decision, not a tally. */
export const upsertVote = statement<
  [contributionId: number, voterId: number, choice: string, impact: number | null, at: string],
  never
>(
  "cairn_upsert_vote",
  `INSERT INTO vote ("contributionId", "voterId", choice, impact, "createdAt", "updatedAt")
   VALUES ($1::int, $2::int, $3::text::"VoteChoice", $4::int, $5::timestamptz AT TIME ZONE 'UTC', $5::timestamptz AT TIME ZONE 'UTC')
   ON CONFLICT ("contributionId", "voterId")
   DO UPDATE SET choice = EXCLUDED.choice, impact = EXCLUDED.impact, "updatedAt" = EXCLUDED."updatedAt"`,
);
