import type { SqlStore, SqlTx } from "../db/sql.ts";
import { recordVoteWithTally, voteContext, type VoteContextRow } from "../db/paths/votes.ts";
import { isContributionNumber } from "../core/commandLine.ts";
import { countsTowardQuorum, type MemberKind } from "../core/agents.ts";
import { readCommunityConfig, type CommunityConfig, type ConfigReads } from "../core/config.ts";
import { decideByVotes, type Tally, type VoteOutcome } from "../core/decision.ts";
import { voterEligibility } from "../core/eligibility.ts";
import { ok, refuse, type Result } from "../core/result.ts";
import { DecisionBatches, type QueuedVote } from "./decisionBatches.ts";
import { awardInputs } from "../db/paths/decisions.ts";
import { lockHead, recordDecidingVote, writeDecidingVote, type WrittenDecision } from "./decidingVote.ts";
import type { LedgerHead } from "../core/ledgerAppend.ts";
import type { Actor } from "./deps.ts";
import type { VoteChoice, VoteInput, VoteRecorded, VoteRefusal } from "./voteTypes.ts";

/**
 * A vote on the typed store (src/db/paths/votes.ts, src/db/paths/decisions.ts):
 * BEGIN and the statement that locks the contribution row and reads everything
 * the rules need share the first round trip. A vote that does not decide then
 * writes the vote with its tally row and COMMITs in the second; one that decides
 * goes on in the same transaction (app/decidingVote: one more round trip under
 * the ledger head). Every value is a parameter; the rules run here and in the
 * core. Null when the voter is not a member of the contribution's community or
 * the number is out of range: the Prisma path answers those.
 */
export async function castVoteOnStore(
  store: SqlStore,
  actor: Actor,
  input: VoteInput,
  now: Date,
  configs?: ConfigReads,
): Promise<Result<VoteRecorded, VoteRefusal> | null> {
  if (!isContributionNumber(input.number)) return null;
  const batches = batchesOf(store);
  // While the community's decisions are being written, a vote waits for their next batch
  // rather than opening a transaction only to find that out (the batch judges it the same).
  if (batches.busy(actor.communityId)) return batches.submit({ actor, input, now, configs });
  let alone = false;
  try {
    const cast = await store.transaction<Cast | "QUEUE">(async (tx) => {
      const [row] = await tx.rows(voteContext, [actor.communityId, input.number, actor.memberId]);
      const judged = judgeVote(row, actor, input, now, configs);
      if (row === undefined || judged === null || !judged.ok)
        return { commit: false, value: refused(judged) };
      if (judged.value.outcome !== null) {
        alone = batches.enterAlone(actor.communityId);
        // Others of this community are being decided: join their batch (this transaction rolls back).
        if (!alone) return { commit: false, value: "QUEUE" };
      }
      return { commit: true, value: await sent(writeJudged(tx, actor, input, now, row.id, judged.value)) };
    });
    if (cast === "QUEUE") return batches.submit({ actor, input, now, configs });
    return await settled(cast, input.number);
  } finally {
    if (alone) batches.leave(actor.communityId);
  }
}

/** What a vote's transaction wrote: its result, and for a decision the claim to check after COMMIT. */
interface Cast {
  readonly result: Result<VoteRecorded, VoteRefusal> | null;
  readonly decided: Promise<WrittenDecision> | null;
}

function refused(judged: Result<JudgedVote, VoteRefusal> | null): Cast {
  return { result: judged === null || judged.ok ? null : judged, decided: null };
}

/** Sends the writes of a judged vote: the vote and its tally row, or (deciding) the vote and its decision. */
function writeJudged(
  tx: SqlTx,
  actor: Actor,
  input: VoteInput,
  now: Date,
  contributionId: number,
  judged: JudgedVote,
): Cast {
  if (judged.outcome === null) {
    void tx.rows(recordVoteWithTally, [
      actor.communityId,
      contributionId,
      actor.memberId,
      input.choice,
      input.impact ?? null,
      now.toISOString(),
      actor.tokenId ?? null,
    ]);
    return { result: ok(judged.recorded), decided: null };
  }
  const vote = { actor, input, contributionId, outcome: judged.outcome, now };
  return { result: ok(judged.recorded), decided: recordDecidingVote(tx, vote, judged.config) };
}

/** Waits until every statement of the cast has been sent, so COMMIT goes behind them. */
async function sent(cast: Cast): Promise<Cast> {
  if (cast.decided !== null) await cast.decided;
  return cast;
}

/** The vote's result once its transaction committed, with the decision it wrote (checked to be claimed). */
async function settled(cast: Cast, number: number): Promise<Result<VoteRecorded, VoteRefusal> | null> {
  if (cast.decided === null || cast.result === null || !cast.result.ok) return cast.result;
  const written = await cast.decided;
  if ((await written.claimed).length !== 1)
    throw new Error(`contribution #${number} was decided under its row lock by someone else`);
  return ok({ ...cast.result.value, decision: written.decision });
}

/**
 * A batch of deciding votes of one community (distinct contributions, in number
 * order) in one transaction. The first round trip locks every contribution and
 * reads its vote context, then locks the ledger head and reads each award's
 * inputs; the second writes the votes and every decision, chained one after the
 * other from the head, with COMMIT behind them. A vote that no longer decides
 * (or is refused now) is written (or refused) as it would have been alone.
 */
async function writeDecisionBatch(
  store: SqlStore,
  batch: readonly QueuedVote[],
): Promise<Array<Result<VoteRecorded, VoteRefusal> | null>> {
  const communityId = batch[0]?.actor.communityId ?? 0;
  const casts = await store.transaction<Cast[]>(async (tx) => {
    const contexts = batch.map((v) => tx.rows(voteContext, [communityId, v.input.number, v.actor.memberId]));
    const locked = lockHead(tx, communityId);
    const inputs = batch.map((v) => tx.rows(awardInputs, [communityId, v.input.number]));
    // Awaited together: a failed transaction rejects every one, and none may go unhandled.
    const [rows, { activeEpoch, ...lockedHead }, awards] = await Promise.all([
      Promise.all(contexts),
      locked,
      Promise.all(inputs),
    ]);
    let head: LedgerHead = lockedHead;
    const casts = batch.map((v, i): Cast => {
      const row = rows[i]?.[0];
      const verdict = judgeVote(row, v.actor, v.input, v.now, v.configs);
      const award = awards[i]?.[0];
      if (row === undefined || verdict === null || !verdict.ok) return refused(verdict);
      if (verdict.value.outcome === null)
        return writeJudged(tx, v.actor, v.input, v.now, row.id, verdict.value);
      if (award === undefined) throw new Error(`contribution #${v.input.number} vanished under its row lock`);
      const vote = {
        actor: v.actor,
        input: v.input,
        contributionId: row.id,
        outcome: verdict.value.outcome,
        now: v.now,
      };
      const written = writeDecidingVote(tx, vote, verdict.value.config, award, head, activeEpoch);
      head = written.head;
      return { result: ok(verdict.value.recorded), decided: Promise.resolve(written) };
    });
    return { commit: true, value: casts };
  });
  return Promise.all(casts.map((cast, i) => settled(cast, batch[i]?.input.number ?? 0)));
}

/** A queued vote written alone after its batch failed: the whole store path again, outside any batch. */
async function writeQueuedAlone(
  store: SqlStore,
  vote: QueuedVote,
): Promise<Result<VoteRecorded, VoteRefusal> | null> {
  const cast = await store.transaction<Cast>(async (tx) => {
    const [row] = await tx.rows(voteContext, [
      vote.actor.communityId,
      vote.input.number,
      vote.actor.memberId,
    ]);
    const judged = judgeVote(row, vote.actor, vote.input, vote.now, vote.configs);
    if (row === undefined || judged === null || !judged.ok) return { commit: false, value: refused(judged) };
    return {
      commit: true,
      value: await sent(writeJudged(tx, vote.actor, vote.input, vote.now, row.id, judged.value)),
    };
  });
  return settled(cast, vote.input.number);
}

const batchesByStore = new WeakMap<SqlStore, DecisionBatches>();

/** The store's group commit of deciding votes (one per store, in this process). */
export function batchesOf(store: SqlStore): DecisionBatches {
  let batches = batchesByStore.get(store);
  if (batches === undefined) {
    batches = new DecisionBatches(store, writeDecisionBatch, writeQueuedAlone);
    batchesByStore.set(store, batches);
  }
  return batches;
}

interface JudgedVote {
  readonly recorded: VoteRecorded;
  /** What the votes decide once this one counts, or null while still open. */
  readonly outcome: VoteOutcome | null;
  readonly config: CommunityConfig;
}

/** What the rules say of this vote given its context: a refusal, a vote (deciding or not), or null to take the Prisma path. */
function judgeVote(
  row: VoteContextRow | undefined,
  actor: Actor,
  input: VoteInput,
  now: Date,
  configs: ConfigReads | undefined,
): Result<JudgedVote, VoteRefusal> | null {
  if (row === undefined) return refuse("UNKNOWN_CONTRIBUTION", { number: input.number });
  if (!row.voterFound) return null;
  if (row.status !== "PENDING" || row.closesAt.getTime() <= now.getTime()) {
    return refuse("VOTE_CLOSED", { number: input.number, status: row.status });
  }
  const config = readCommunityConfig(row.config, configs);
  const eligible = voterEligibility({
    voter: {
      memberId: actor.memberId,
      banned: row.banned,
      joinedAt: row.joinedAt,
      roles: actor.roles ?? [],
      kind: row.voterKind ?? "PERSON",
      ownerId: row.voterOwner,
    },
    submitterId: row.submitterId,
    creditedMemberIds: row.credited,
    ownersOnTheWork: row.ownedMembers.map((memberId, i) => ({ memberId, ownerId: row.memberOwners[i] ?? 0 })),
    now,
    config,
  });
  if (!eligible.ok) return eligible;
  const tally = tallyAfter(row, input.choice, row.voterKind ?? "PERSON");
  const previous =
    row.previousChoice === null ? null : { choice: row.previousChoice, impact: row.previousImpact };
  return ok({
    recorded: { number: input.number, tally, previous, decision: null, blind: config.blindVoting },
    outcome: decideByVotes(tally, config),
    config,
  });
}

/**
 * The decision tally (people's votes only, as core quorumTally counts) once this
 * voter's vote replaces their previous one (the row lock keeps it exact).
 */
function tallyAfter(row: VoteContextRow, choice: VoteChoice, voterKind: MemberKind): Tally {
  const people = {
    approvals: row.approvals - row.agentApprovals,
    rejections: row.rejections - row.agentRejections,
  };
  if (!countsTowardQuorum(voterKind)) return people;
  const approvals =
    people.approvals - (row.previousChoice === "APPROVE" ? 1 : 0) + (choice === "APPROVE" ? 1 : 0);
  const rejections =
    people.rejections - (row.previousChoice === "REJECT" ? 1 : 0) + (choice === "REJECT" ? 1 : 0);
  return { approvals, rejections };
}
