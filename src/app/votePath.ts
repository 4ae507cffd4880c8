import type { SqlStore } from "../db/sql.ts";
import { recordVoteWithTally, voteContext, type VoteContextRow } from "../db/paths/votes.ts";
import { MAX_CONTRIBUTION_NUMBER } from "../core/commandLine.ts";
import { countsTowardQuorum, type MemberKind } from "../core/agents.ts";
import { readCommunityConfig, type CommunityConfig } from "../core/config.ts";
import { decideByVotes, type Tally, type VoteOutcome } from "../core/decision.ts";
import { voterEligibility } from "../core/eligibility.ts";
import { ok, refuse, type Result } from "../core/result.ts";
import { recordDecidingVote } from "./decidingVote.ts";
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
): Promise<Result<VoteRecorded, VoteRefusal> | null> {
  if (!Number.isInteger(input.number) || input.number < 1 || input.number > MAX_CONTRIBUTION_NUMBER)
    return null;
  const cast = await store.transaction<{ result: Result<VoteRecorded, VoteRefusal> | null; claim: Claim }>(
    async (tx) => {
      const [row] = await tx.rows(voteContext, [actor.communityId, input.number, actor.memberId]);
      const judged = judgeVote(row, actor, input, now);
      if (judged === null) return { commit: false, value: { result: null, claim: null } };
      if (!judged.ok) return { commit: false, value: { result: judged, claim: null } };
      if (row === undefined) return { commit: false, value: { result: null, claim: null } };
      const { recorded, outcome, config } = judged.value;
      if (outcome === null) {
        void tx.rows(recordVoteWithTally, [
          actor.communityId,
          row.id,
          actor.memberId,
          input.choice,
          input.impact ?? null,
          now.toISOString(),
          actor.tokenId ?? null,
        ]);
        // Committed behind the write, in the same round trip.
        return { commit: true, value: { result: ok(recorded), claim: null } };
      }
      const written = await recordDecidingVote(tx, actor, input, row.id, outcome, config, now);
      return {
        commit: true,
        value: { result: ok({ ...recorded, decision: written.decision }), claim: written.claimed },
      };
    },
  );
  if (cast.claim !== null && (await cast.claim).length !== 1)
    throw new Error(`contribution #${input.number} was decided under its row lock by someone else`);
  return cast.result;
}

type Claim = Promise<Array<{ id: number }>> | null;

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
): Result<JudgedVote, VoteRefusal> | null {
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
