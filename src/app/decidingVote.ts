import type { SqlTx } from "../db/sql.ts";
import {
  awardInputs,
  ensureLedgerHead,
  lockLedgerHead,
  upsertDecidingVote,
  writeDecision,
  type AwardInputsRow,
  type LockedHeadRow,
} from "../db/paths/decisions.ts";
import { activeWeight } from "../core/activeScore.ts";
import type { CommunityConfig } from "../core/config.ts";
import type { VoteOutcome } from "../core/decision.ts";
import { decisionLedgerEntries } from "../core/decisionEntries.ts";
import { awardPoints } from "../core/impact.ts";
import { GENESIS_HASH } from "../core/ledger.ts";
import { balanceDeltas, bucketDeltas, chainEntries, type LedgerHead } from "../core/ledgerAppend.ts";
import { impactRatings, votesWith } from "../core/votes.ts";
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
 * trip locks the community's ledger head and reads the award's inputs (a
 * community's first decision makes its head in one more); the core then adds
 * the vote to the votes read and computes the award, its split, the verifier
 * rewards, the chained entries with their hashes and the balance and bucket
 * deltas; the vote and one statement writing all of it with the announcement
 * are sent together, and COMMIT rides behind them. The ledger head is held for
 * that one round trip and the commit.
 */
export async function recordDecidingVote(
  tx: SqlTx,
  vote: DecidingVote,
  config: CommunityConfig,
): Promise<WrittenDecision> {
  // Awaited together: a failed transaction rejects both, and neither may go unhandled.
  const [locked, inputs] = await Promise.all([
    lockHead(tx, vote.actor.communityId),
    readAwardInputs(tx, vote),
  ]);
  return writeDecidingVote(tx, vote, config, inputs, locked, locked.activeEpoch);
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
 * Locks the community's ledger head (sent behind whatever the transaction has in
 * flight, so it is taken after the contribution rows those lock); a community's
 * first entry finds no head, makes it and locks it.
 */
export async function lockHead(tx: SqlTx, communityId: number): Promise<LockedHeadRow> {
  const [head] = await tx.rows(lockLedgerHead, [communityId]);
  if (head !== undefined) return head;
  void tx.rows(ensureLedgerHead, [communityId, GENESIS_HASH]);
  const [first] = await tx.rows(lockLedgerHead, [communityId]);
  if (first === undefined) throw new Error(`no ledger head for community ${communityId}`);
  return first;
}

/** Sends the read of what the vote's award needs (its contribution row is locked: the votes read stay exact). */
export async function readAwardInputs(tx: SqlTx, vote: DecidingVote): Promise<AwardInputsRow> {
  const [inputs] = await tx.rows(awardInputs, [vote.actor.communityId, vote.input.number]);
  if (inputs === undefined) throw new Error(`contribution #${vote.input.number} vanished under its row lock`);
  return inputs;
}

/**
 * Sends the vote and the statement writing the decision after `head` (the head
 * the caller holds: the one locked, or the one the previous decision of the
 * same transaction left); returns the decision and the head it leaves.
 */
export function writeDecidingVote(
  tx: SqlTx,
  vote: DecidingVote,
  config: CommunityConfig,
  inputs: AwardInputsRow,
  head: LedgerHead,
  activeEpoch: Date,
): WrittenDecision {
  const { actor, input, contributionId, outcome, now } = vote;
  const tokenId = actor.tokenId ?? null;
  const votes = votesWith(inputs.votes, {
    voterId: actor.memberId,
    choice: input.choice,
    impact: input.impact ?? null,
  });
  const award =
    outcome === "VERIFIED"
      ? awardPoints(inputs.categoryWeight, impactRatings(votes), config.impactMultipliers)
      : undefined;
  const credits = inputs.creditMembers.map((memberId, i) => ({
    memberId,
    shareBp: inputs.creditShares[i] ?? 0,
  }));
  const entries = decisionLedgerEntries(
    { contributionId, outcome, decidedBy: "VOTES", actorId: null, tokenId },
    award,
    credits,
    votes.map((v) => v.voterId),
    config,
  );
  const chained = chainEntries(head, actor.communityId, entries, now);
  const balances = balanceDeltas(entries, activeWeight(now, activeEpoch, config.decayHalfLifeDays));
  const buckets = bucketDeltas(entries, now);
  const at = now.toISOString();
  void tx.rows(upsertDecidingVote, [
    contributionId,
    actor.memberId,
    input.choice,
    input.impact ?? null,
    at,
    tokenId,
  ]);
  const claimed = tx.rows(writeDecision, [
    actor.communityId,
    contributionId,
    outcome,
    "VOTES",
    award ?? null,
    at,
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
