// Agent members: members of kind agent act through an API token and answer to
// a person, their owner. People verify agents' work: the quorum counts people only.
import type { Tally } from "./decision.ts";
import type { VoteChoice } from "./votes.ts";

/** A person, or an agent acting through an API token with a person as its responsible owner. */
export type MemberKind = "PERSON" | "AGENT";

/** Which members a board shows: people (the default), agents, or both. */
export const BOARD_MEMBERS = ["people", "agents", "all"] as const;
export type BoardMembers = (typeof BOARD_MEMBERS)[number];

/** One vote as the decision rules see it: its choice and who cast it. */
export interface CountedVote {
  readonly choice: VoteChoice;
  readonly voterKind: MemberKind;
}

/** Whether a vote of a member of this kind counts towards quorum and ratio: only people's do. */
export function countsTowardQuorum(kind: MemberKind): boolean {
  return kind === "PERSON";
}

/**
 * The tally the decision rules (decideByVotes, decideAtDeadline) are given:
 * people's approvals and rejections only. Agents' votes, where a community lets
 * agents vote, are shown but never verify or reject anything, alone or together.
 */
export function quorumTally(votes: readonly CountedVote[]): Tally {
  let approvals = 0;
  let rejections = 0;
  for (const vote of votes) {
    if (!countsTowardQuorum(vote.voterKind)) continue;
    if (vote.choice === "APPROVE") approvals += 1;
    else rejections += 1;
  }
  return { approvals, rejections };
}

/** A member as the conflict rule sees them: an agent's party is its owner, a person's is themself. */
export interface PartyMember {
  readonly memberId: number;
  readonly ownerId: number | null;
}

/** The person a member answers to: their owner when they are an agent, else themself. */
export function partyOf(member: PartyMember): number {
  return member.ownerId ?? member.memberId;
}

/**
 * Whether a voter belongs to the same party as anyone on the work (the
 * submitter or a credited member): an agent and its owner count as one, so
 * neither votes on the other's contributions (nor an agent on its sibling's).
 */
export function sharesParty(voter: PartyMember, onTheWork: readonly PartyMember[]): boolean {
  const party = partyOf(voter);
  return onTheWork.some((member) => partyOf(member) === party);
}
