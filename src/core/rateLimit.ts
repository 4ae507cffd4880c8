import type { MemberKind } from "./agents.ts";
import type { CommunityConfig } from "./config.ts";
import { ok, refuse, type Result } from "./result.ts";

/**
 * Whether a member may log another contribution, given how many they logged in the
 * last 24 hours. `remaining` is how many more they may log after this one. Agents
 * have their own limit (maxAgentSubmissionsPerDay).
 */
export function submissionAllowance(
  submittedInLast24h: number,
  config: Pick<CommunityConfig, "maxSubmissionsPerDay" | "maxAgentSubmissionsPerDay">,
  kind: MemberKind = "PERSON",
): Result<{ remaining: number }, "SUBMISSION_LIMIT"> {
  const limit = kind === "AGENT" ? config.maxAgentSubmissionsPerDay : config.maxSubmissionsPerDay;
  if (submittedInLast24h >= limit) return refuse("SUBMISSION_LIMIT", { limit });
  return ok({ remaining: limit - submittedInLast24h - 1 });
}

/** How many commands one member may send in a window, and how long the window is. */
export interface CommandRate {
  readonly limit: number;
  readonly windowMs: number;
}

/** 20 commands a minute: more than anyone types, far less than a flood. */
export const COMMAND_RATE: CommandRate = { limit: 20, windowMs: 60_000 };

/** A member's current window: when it started and how many commands it has seen. */
export interface CommandWindow {
  readonly startedAt: number;
  readonly count: number;
}

/**
 * What happens to a member's next command at `now`: it runs while the window
 * holds fewer than `limit`; the first one over gets one refusal; the rest of the
 * window's commands are dropped without an answer. A window starts with the
 * first command after the last one ended.
 */
export function commandAllowance(
  window: CommandWindow | undefined,
  now: number,
  rate: CommandRate = COMMAND_RATE,
): { verdict: "run" | "refuse" | "silent"; window: CommandWindow } {
  const current =
    window === undefined || now - window.startedAt >= rate.windowMs
      ? { startedAt: now, count: 1 }
      : { startedAt: window.startedAt, count: window.count + 1 };
  const verdict =
    current.count <= rate.limit ? "run" : current.count === rate.limit + 1 ? "refuse" : "silent";
  return { verdict, window: current };
}
