import type { SqlTx } from "../db/sql.ts";
import {
  decisionContext,
  ensureLedgerHead,
  upsertDecidingVote,
  writeDecision,
} from "../db/paths/decisions.ts";
import { activeWeight } from "../core/activeScore.ts";
import type { CommunityConfig } from "../core/config.ts";
import type { VoteOutcome } from "../core/decision.ts";
import { decisionLedgerEntries } from "../core/decisionEntries.ts";
import { awardPoints } from "../core/impact.ts";
import { GENESIS_HASH } from "../core/ledger.ts";
import { balanceDeltas, bucketDeltas, chainEntries } from "../core/ledgerAppend.ts";
import type { Actor } from "./deps.ts";
import type { Decision } from "./decisions.ts";
import type { VoteInput } from "./voteTypes.ts";

/** The decision written in a transaction, and the claim to check once it has committed. */
export interface WrittenDecision {
  readonly decision: Decision;
  /** The claimed contribution (one row) once the write has run; none would mean it was not PENDING. */
  readonly claimed: Promise<Array<{ id: number }>>;
}

/**
 * The vote that decides its contribution, on the typed store, inside the
 * transaction that locked the contribution row and found it pending: one round
 * trip writes the vote, locks the community's ledger head and reads the award's
 * inputs; the core then computes the award, its split, the verifier rewards,
 * the chained entries with their hashes and the balance and bucket deltas; one
 * statement writes all of it with the announcement, and COMMIT rides behind it.
 * The ledger head is held for that one round trip and the commit.
 */
export async function recordDecidingVote(
  tx: SqlTx,
  actor: Actor,
  input: VoteInput,
  contributionId: number,
  outcome: VoteOutcome,
  config: CommunityConfig,
  now: Date,
): Promise<WrittenDecision> {
  const at = now.toISOString();
  const tokenId = actor.tokenId ?? null;
  void tx.rows(upsertDecidingVote, [
    contributionId,
    actor.memberId,
    input.choice,
    input.impact ?? null,
    at,
    tokenId,
  ]);
  void tx.rows(ensureLedgerHead, [actor.communityId, GENESIS_HASH]);
  const [context] = await tx.rows(decisionContext, [actor.communityId, contributionId]);
  if (context === undefined) throw new Error(`no ledger head for community ${actor.communityId}`);
  const award =
    outcome === "VERIFIED"
      ? awardPoints(context.categoryWeight, context.ratings, config.impactMultipliers)
      : undefined;
  const credits = context.creditMembers.map((memberId, i) => ({
    memberId,
    shareBp: context.creditShares[i] ?? 0,
  }));
  const entries = decisionLedgerEntries(
    { contributionId, outcome, decidedBy: "VOTES", actorId: null, tokenId },
    award,
    credits,
    context.voterIds,
    config,
  );
  const chained = chainEntries(context, actor.communityId, entries, now).entries;
  const head = chained.at(-1) ?? context;
  const balances = balanceDeltas(entries, activeWeight(now, context.activeEpoch, config.decayHalfLifeDays));
  const buckets = bucketDeltas(entries, now);
  const claimed = tx.rows(writeDecision, [
    actor.communityId,
    contributionId,
    outcome,
    "VOTES",
    award ?? null,
    at,
    "decided by vote",
    chained.map((e) => e.seq),
    chained.map((e) => e.kind),
    chained.map((e) => e.memberId),
    chained.map((e) => e.points),
    chained.map((e) => e.contributionId),
    chained.map((e) => e.actorId),
    chained.map((e) => e.reason),
    chained.map((e) => e.prevHash),
    chained.map((e) => e.hash),
    chained.map((e) => e.tokenId),
    head.seq,
    head.hash,
    balances.map((b) => b.memberId),
    balances.map((b) => b.points),
    balances.map((b) => b.verified),
    balances.map((b) => b.active),
    buckets.map((b) => b.memberId),
    buckets.map((b) => b.period),
    buckets.map((b) => b.points),
    buckets.map((b) => b.verified),
  ]);
  return { decision: { outcome, decidedBy: "VOTES", award: award ?? 0 }, claimed };
}
