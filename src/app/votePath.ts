import type { SqlStore } from "../db/sql.ts";
import { recordVoteWithTally, voteContext, type VoteContextRow } from "../db/paths/votes.ts";
import { MAX_CONTRIBUTION_NUMBER } from "../core/commandLine.ts";
import { countsTowardQuorum, type MemberKind } from "../core/agents.ts";
import { readCommunityConfig } from "../core/config.ts";
import { decideByVotes, type Tally } from "../core/decision.ts";
import { voterEligibility } from "../core/eligibility.ts";
import { ok, refuse, type Result } from "../core/result.ts";
import type { Actor } from "./deps.ts";
import type { VoteChoice, VoteInput, VoteRecorded, VoteRefusal } from "./voteTypes.ts";

/**
 * The common vote — one that does not decide the contribution — in two round
 * trips on the typed store (src/db/paths/votes.ts): BEGIN and the statement that
 * locks the row and reads everything the rules need; then the vote with its
 * tally row, and COMMIT. Each pair is pipelined on one connection; every value is
 * a parameter. The rules themselves run here, in the core. A vote that decides
 * returns null and rolls back; the full path redoes it under the same lock.
 */
export async function castUndecidingVote(
  store: SqlStore,
  actor: Actor,
  input: VoteInput,
  now: Date,
): Promise<Result<VoteRecorded, VoteRefusal> | null> {
  if (!Number.isInteger(input.number) || input.number < 1 || input.number > MAX_CONTRIBUTION_NUMBER)
    return null;
  return store.transaction<Result<VoteRecorded, VoteRefusal> | null>(async (tx) => {
    const [row] = await tx.rows(voteContext, [actor.communityId, input.number, actor.memberId]);
    const outcome = voteOutcome(row, actor, input, now);
    if (outcome === null || !outcome.ok) return { commit: false, value: outcome };
    void tx.rows(recordVoteWithTally, [
      actor.communityId,
      row?.id ?? 0,
      actor.memberId,
      input.choice,
      input.impact ?? null,
      now.toISOString(),
      actor.tokenId ?? null,
    ]);
    // Committed behind the write, in the same round trip.
    return { commit: true, value: outcome };
  });
}

/** What the rules say of this vote given its context: a refusal, a recorded vote, or null to take the full path. */
function voteOutcome(
  row: VoteContextRow | undefined,
  actor: Actor,
  input: VoteInput,
  now: Date,
): Result<VoteRecorded, VoteRefusal> | null {
  if (row === undefined) return refuse("UNKNOWN_CONTRIBUTION", { number: input.number });
  if (!row.voterFound) return null;
  if (row.status !== "PENDING" || row.closesAt.getTime() <= now.getTime()) {
    return refuse("VOTE_CLOSED", { number: input.number, status: row.status });
  }
  const config = readCommunityConfig(row.config);
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
  if (decideByVotes(tally, config) !== null) return null;
  const previous =
    row.previousChoice === null ? null : { choice: row.previousChoice, impact: row.previousImpact };
  return ok({ number: input.number, tally, previous, decision: null, blind: config.blindVoting });
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
