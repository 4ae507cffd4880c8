import type { SqlTx } from "../db/sql.ts";
import {
  decisionContext,
  ensureLedgerHead,
  upsertDecidingVote,
  writeDecision,
  type DecisionContextRow,
} from "../db/paths/decisions.ts";
import { activeWeight } from "../core/activeScore.ts";
import type { CommunityConfig } from "../core/config.ts";
import type { VoteOutcome } from "../core/decision.ts";
import { decisionLedgerEntries } from "../core/decisionEntries.ts";
import { awardPoints } from "../core/impact.ts";
import { GENESIS_HASH } from "../core/ledger.ts";
import { balanceDeltas, bucketDeltas, chainEntries, type LedgerHead } from "../core/ledgerAppend.ts";
import type { Actor } from "./deps.ts";
import type { Decision } from "./decisions.ts";
import type { VoteInput } from "./voteTypes.ts";

/** The decision written in a transaction, and the claim to check once it has committed. */
export interface WrittenDecision {
  readonly decision: Decision;
  /** The claimed contribution (one row) once the write has run; none would mean it was not PENDING. */
  readonly claimed: Promise<Array<{ id: number }>>;
  /** The ledger head once this decision's entries are appended. */
  readonly head: LedgerHead;
}

/**
 * The vote that decides its contribution, on the typed store, inside the
 * transaction that locked the contribution row and found it pending: one round
 * trip writes the vote, locks the community's ledger head and reads the award's
 * inputs (a community's first decision makes its head in one more); the core
 * then computes the award, its split, the verifier rewards, the chained
 * entries with their hashes and the balance and bucket deltas; one
 * statement writes all of it with the announcement, and COMMIT rides behind it.
 * The ledger head is held for that one round trip and the commit.
 */
export async function recordDecidingVote(
  tx: SqlTx,
  vote: DecidingVote,
  config: CommunityConfig,
): Promise<WrittenDecision> {
  const context = await readDecisionInputs(tx, vote);
  return writeDecidingVote(tx, vote, config, context, context);
}

/** A vote the rules found decides its (locked, pending) contribution. */
export interface DecidingVote {
  readonly actor: Actor;
  readonly input: VoteInput;
  readonly contributionId: number;
  readonly outcome: VoteOutcome;
  readonly now: Date;
}

/**
 * Writes the vote, locks the ledger head and reads what the award needs, sent
 * at once; a community's first entry finds no head, makes it and reads again.
 */
export async function readDecisionInputs(tx: SqlTx, vote: DecidingVote): Promise<DecisionContextRow> {
  const { actor, input } = vote;
  const at = vote.now.toISOString();
  void tx.rows(upsertDecidingVote, [
    vote.contributionId,
    actor.memberId,
    input.choice,
    input.impact ?? null,
    at,
    actor.tokenId ?? null,
  ]);
  const [context] = await tx.rows(decisionContext, [actor.communityId, vote.contributionId]);
  if (context !== undefined) return context;
  void tx.rows(ensureLedgerHead, [actor.communityId, GENESIS_HASH]);
  const [first] = await tx.rows(decisionContext, [actor.communityId, vote.contributionId]);
  if (first === undefined) throw new Error(`no ledger head for community ${actor.communityId}`);
  return first;
}

/**
 * Sends the statement writing the decision after `head` (the head the caller
 * holds: the one read, or the one the previous decision of the same
 * transaction left); returns the decision and the head it leaves.
 */
export function writeDecidingVote(
  tx: SqlTx,
  vote: DecidingVote,
  config: CommunityConfig,
  context: DecisionContextRow,
  head: LedgerHead,
): WrittenDecision {
  const { actor, contributionId, outcome, now } = vote;
  const tokenId = actor.tokenId ?? null;
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
  const chained = chainEntries(head, actor.communityId, entries, now);
  const balances = balanceDeltas(entries, activeWeight(now, context.activeEpoch, config.decayHalfLifeDays));
  const buckets = bucketDeltas(entries, now);
  const claimed = tx.rows(writeDecision, [
    actor.communityId,
    contributionId,
    outcome,
    "VOTES",
    award ?? null,
    now.toISOString(),
    "decided by vote",
    chained.entries.map((e) => e.seq),
    chained.entries.map((e) => e.kind),
    chained.entries.map((e) => e.memberId),
    chained.entries.map((e) => e.points),
    chained.entries.map((e) => e.contributionId),
    chained.entries.map((e) => e.actorId),
    chained.entries.map((e) => e.reason),
    chained.entries.map((e) => e.prevHash),
    chained.entries.map((e) => e.hash),
    chained.entries.map((e) => e.tokenId),
    chained.head.seq,
    chained.head.hash,
    balances.map((b) => b.memberId),
    balances.map((b) => b.points),
    balances.map((b) => b.verified),
    balances.map((b) => b.active),
    buckets.map((b) => b.memberId),
    buckets.map((b) => b.period),
    buckets.map((b) => b.points),
    buckets.map((b) => b.verified),
  ]);
  return { decision: { outcome, decidedBy: "VOTES", award: award ?? 0 }, claimed, head: chained.head };
}
