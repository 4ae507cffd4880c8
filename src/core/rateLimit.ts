import type { CommunityConfig } from "./config.ts";
import { ok, refuse, type Result } from "./result.ts";

/**
 * Whether a member may log another contribution, given how many they logged in the
 * last 24 hours. `remaining` is how many more they may log after this one.
 */
export function submissionAllowance(
  submittedInLast24h: number,
  config: Pick<CommunityConfig, "maxSubmissionsPerDay">,
): Result<{ remaining: number }, "SUBMISSION_LIMIT"> {
  const limit = config.maxSubmissionsPerDay;
  if (submittedInLast24h >= limit) return refuse("SUBMISSION_LIMIT", { limit });
  return ok({ remaining: limit - submittedInLast24h - 1 });
}
