// The deciding vote's statements (src/app/decidingVote.ts), on the typed store. They
// only read and write: the award, its split, the verifier rewards, the chain's
// hashes, the balance and bucket deltas all come in as parameters the core computed.
import type { CastVote } from "../../core/votes.ts";
import { statement } from "../sql.ts";
import { OUTBOX_CHANNEL } from "./outbox.ts";

/** Writes (or changes) a vote that decides its contribution (no tally row: the decision replaces it). */
export const upsertDecidingVote = statement<
  [
    contributionId: number,
    voterId: number,
    choice: string,
    impact: number | null,
    at: string,
    tokenId: number | null,
  ],
  never
>(
  "cairn_decide_upsert_vote",
  `INSERT INTO vote ("contributionId", "voterId", choice, impact, "createdAt", "updatedAt", "tokenId")
   VALUES ($1::int, $2::int, $3::text::"VoteChoice", $4::int, $5::timestamptz AT TIME ZONE 'UTC',
           $5::timestamptz AT TIME ZONE 'UTC', $6::int)
   ON CONFLICT ("contributionId", "voterId")
   DO UPDATE SET choice = EXCLUDED.choice, impact = EXCLUDED.impact, "updatedAt" = EXCLUDED."updatedAt",
                 "tokenId" = EXCLUDED."tokenId"`,
);

/** Makes sure the community has a ledger head to lock (a community's first entry creates it). */
export const ensureLedgerHead = statement<[communityId: number, genesisHash: string], never>(
  "cairn_decide_ensure_head",
  `INSERT INTO ledger_head ("communityId", seq, hash) VALUES ($1::int, 0, $2::text) ON CONFLICT DO NOTHING`,
);

/** The community's ledger head, locked for the decisions' appends, with the epoch of its active scores. */
export interface LockedHeadRow {
  readonly seq: number;
  readonly hash: string;
  readonly activeEpoch: Date;
}

/** Locks the community's ledger head (none yet: no row, and ensureLedgerHead makes it). */
export const lockLedgerHead = statement<[communityId: number], LockedHeadRow>(
  "cairn_decide_lock_head",
  `SELECT h.seq, h.hash, cm."activeEpoch" AT TIME ZONE 'UTC' AS "activeEpoch"
   FROM ledger_head h JOIN community cm ON cm.id = h."communityId"
   WHERE h."communityId" = $1::int
   FOR UPDATE OF h`,
);

/**
 * What a decision's entries are computed from, read under the contribution's row
 * lock before the deciding vote is written (the core adds it: votesWith).
 */
export interface AwardInputsRow {
  readonly categoryWeight: number;
  /** Credited members in member order, and (in the same order) their shares in basis points. */
  readonly creditMembers: number[];
  readonly creditShares: number[];
  /** The votes cast so far, in voter order. */
  readonly votes: CastVote[];
}

/** Reads the award's inputs for the community's contribution of that number. */
export const awardInputs = statement<[communityId: number, number: number], AwardInputsRow>(
  "cairn_decide_award_inputs",
  `SELECT cat.weight AS "categoryWeight",
          ARRAY(SELECT cr."memberId" FROM credit cr WHERE cr."contributionId" = c.id ORDER BY cr."memberId") AS "creditMembers",
          ARRAY(SELECT cr."shareBp" FROM credit cr WHERE cr."contributionId" = c.id ORDER BY cr."memberId") AS "creditShares",
          (SELECT coalesce(json_agg(json_build_object('voterId', v."voterId", 'choice', v.choice, 'impact', v.impact)
                                    ORDER BY v."voterId"), '[]')
           FROM vote v WHERE v."contributionId" = c.id) AS votes
   FROM contribution c JOIN category cat ON cat.id = c."categoryId"
   WHERE c."communityId" = $1::int AND c.number = $2::int`,
);

/**
 * Writes one decision: the contribution's outcome (only while it is still
 * PENDING: everything else hangs on that claim), its history row, the chained
 * ledger entries, the new head, the balance and bucket deltas, and the
 * announcement. Returns the contribution's id when it was claimed.
 */
export const writeDecision = statement<
  [
    communityId: number,
    contributionId: number,
    outcome: string,
    decidedBy: string,
    award: number | null,
    at: string,
    reason: string,
    entrySeqs: number[],
    entryKinds: string[],
    entryMembers: number[],
    entryPoints: number[],
    entryContributions: Array<number | null>,
    entryActors: Array<number | null>,
    entryReasons: string[],
    entryPrevHashes: string[],
    entryHashes: string[],
    entryTokens: Array<number | null>,
    headSeq: number,
    headHash: string,
    balanceMembers: number[],
    balancePoints: number[],
    balanceVerified: number[],
    balanceActive: number[],
    bucketMembers: number[],
    bucketPeriods: string[],
    bucketPoints: number[],
    bucketVerified: number[],
  ],
  { id: number }
>(
  "cairn_decide_write",
  `WITH claim AS (
     UPDATE contribution SET status = $3::text::"ContributionStatus", "decidedAt" = $6::timestamptz AT TIME ZONE 'UTC',
            "decidedBy" = $4::text::"DecidedBy", award = coalesce($5::int, award)
     WHERE id = $2::int AND status = 'PENDING' RETURNING id
   ), history AS (
     INSERT INTO status_change ("contributionId", "fromStatus", "toStatus", "actorId", reason, at)
     SELECT claim.id, 'PENDING', $3::text::"ContributionStatus", NULL, $7::text, $6::timestamptz AT TIME ZONE 'UTC'
     FROM claim
   ), entries AS (
     INSERT INTO ledger_entry ("communityId", seq, kind, "memberId", points, "contributionId", "actorId", reason,
                               "createdAt", "prevHash", hash, "tokenId")
     SELECT $1::int, e.seq, e.kind::"LedgerKind", e.member, e.points, e.contribution, e.actor, e.reason,
            $6::timestamptz AT TIME ZONE 'UTC', e.prev, e.hash, e.token
     FROM claim, unnest($8::int[], $9::text[], $10::int[], $11::int[], $12::int[], $13::int[], $14::text[],
                        $15::text[], $16::text[], $17::int[])
          AS e(seq, kind, member, points, contribution, actor, reason, prev, hash, token)
   ), head AS (
     UPDATE ledger_head SET seq = $18::int, hash = $19::text
     WHERE "communityId" = $1::int AND cardinality($8::int[]) > 0 AND EXISTS (SELECT 1 FROM claim)
   ), balances AS (
     INSERT INTO balance ("memberId", "communityId", total, verified, "activeAcc")
     SELECT d.member, $1::int, d.points, d.verified, d.active
     FROM claim, unnest($20::int[], $21::int[], $22::int[], $23::float8[]) AS d(member, points, verified, active)
     ON CONFLICT ("memberId") DO UPDATE SET
       total = balance.total + EXCLUDED.total,
       verified = balance.verified + EXCLUDED.verified,
       "activeAcc" = balance."activeAcc" + EXCLUDED."activeAcc"
   ), buckets AS (
     INSERT INTO period_balance ("memberId", "communityId", period, points, verified)
     SELECT d.member, $1::int, d.period, d.points, d.verified
     FROM claim, unnest($24::int[], $25::text[], $26::int[], $27::int[]) AS d(member, period, points, verified)
     ON CONFLICT ("memberId", period) DO UPDATE SET
       points = period_balance.points + EXCLUDED.points,
       verified = period_balance.verified + EXCLUDED.verified
   ), announcement AS (
     INSERT INTO outbox_message ("communityId", kind, topic, payload, "createdAt")
     SELECT $1::int, 'DECISION', 'decision:' || claim.id,
            jsonb_build_object('kind', 'DECISION', 'contributionId', claim.id), $6::timestamptz AT TIME ZONE 'UTC'
     FROM claim
   )
   SELECT id FROM claim`,
  { wakes: OUTBOX_CHANNEL },
);
