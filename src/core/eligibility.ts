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
}

export type IneligibleVoter = "OWN_CONTRIBUTION" | "CREDITED" | "BANNED" | "TOO_NEW" | "MISSING_VOTER_ROLE";

/**
 * Whether a member may vote on a contribution. Nobody verifies their own work: the
 * submitter and every credited member are refused first, whatever else is true.
 */
export function voterEligibility(input: {
  voter: Voter;
  submitterId: number;
  creditedMemberIds: readonly number[];
  now: Date;
  config: Pick<CommunityConfig, "minVoterAgeDays" | "voterRole">;
}): Result<true, IneligibleVoter> {
  const { voter, config } = input;
  if (voter.memberId === input.submitterId) return refuse("OWN_CONTRIBUTION");
  if (input.creditedMemberIds.includes(voter.memberId)) return refuse("CREDITED");
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
