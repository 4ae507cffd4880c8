import { sharesParty, type MemberKind, type PartyMember } from "./agents.ts";
import type { CommunityConfig } from "./config.ts";
import { ok, refuse, type Result } from "./result.ts";

const DAY_MS = 86_400_000;

/** The member trying to vote, as far as eligibility is concerned. */
export interface Voter {
  memberId: number;
  banned: boolean;
  joinedAt: Date;
  /** Platform roles the voter holds; compared exactly with the configured voter role. */
  roles: readonly string[];
  /** PERSON unless given. */
  kind?: MemberKind;
  /** An agent's responsible owner. */
  ownerId?: number | null;
}

export type IneligibleVoter =
  | "OWN_CONTRIBUTION"
  | "CREDITED"
  | "AGENT_OWNER_CONFLICT"
  | "AGENT_VOTING_OFF"
  | "BANNED"
  | "TOO_NEW"
  | "MISSING_VOTER_ROLE";

/**
 * Whether a member may vote on a contribution. Nobody verifies their own work: the
 * submitter and every credited member are refused first, whatever else is true;
 * then an agent and its owner count as one (neither votes on the other's work).
 * Agents vote only where the community turns agentVoting on.
 */
export function voterEligibility(input: {
  voter: Voter;
  submitterId: number;
  creditedMemberIds: readonly number[];
  /** Owners of the agents among the submitter and the credited members (those without are left out). */
  ownersOnTheWork?: ReadonlyArray<{ memberId: number; ownerId: number }>;
  now: Date;
  config: Pick<CommunityConfig, "minVoterAgeDays" | "voterRole"> &
    Partial<Pick<CommunityConfig, "agentVoting">>;
}): Result<true, IneligibleVoter> {
  const { voter, config } = input;
  if (voter.memberId === input.submitterId) return refuse("OWN_CONTRIBUTION");
  if (input.creditedMemberIds.includes(voter.memberId)) return refuse("CREDITED");
  if (sharesParty({ memberId: voter.memberId, ownerId: voter.ownerId ?? null }, onTheWork(input)))
    return refuse("AGENT_OWNER_CONFLICT");
  if (voter.kind === "AGENT" && config.agentVoting !== true) return refuse("AGENT_VOTING_OFF");
  if (voter.banned) return refuse("BANNED");
  const ageMs = input.now.getTime() - voter.joinedAt.getTime();
  if (ageMs < config.minVoterAgeDays * DAY_MS) {
    const daysLeft = Math.ceil((config.minVoterAgeDays * DAY_MS - ageMs) / DAY_MS);
    return refuse("TOO_NEW", { days: config.minVoterAgeDays, daysLeft });
  }
  if (config.voterRole !== null && !voter.roles.includes(config.voterRole)) {
    return refuse("MISSING_VOTER_ROLE", { role: config.voterRole });
  }
  return ok(true);
}

/** Everyone on the work with their owner where they have one. */
function onTheWork(input: {
  submitterId: number;
  creditedMemberIds: readonly number[];
  ownersOnTheWork?: ReadonlyArray<{ memberId: number; ownerId: number }>;
}): PartyMember[] {
  const owners = new Map((input.ownersOnTheWork ?? []).map((o) => [o.memberId, o.ownerId]));
  return [input.submitterId, ...input.creditedMemberIds].map((memberId) => ({
    memberId,
    ownerId: owners.get(memberId) ?? null,
  }));
}
