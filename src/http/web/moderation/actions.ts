// One review form, posted: the same use cases (and so the same permission
// checks, refusals and audit log) as chat's /review approve|reject|void|extend|reopen.
import type { Actor, Deps } from "../../../app/deps.ts";
import {
  extendDeadline,
  moderatorDecide,
  reopenContribution,
  voidContribution,
} from "../../../app/moderation.ts";
import { parseContributionNumber } from "../../../core/commandLine.ts";
import { formatPoints } from "../../../core/points.ts";
import { refuse, type Result } from "../../../core/result.ts";
import { formatTime } from "../../../views/contribution.ts";
import { REVIEW_ACTIONS, type ReviewAction } from "./reviewPage.ts";

export interface ReviewForm {
  readonly action?: string;
  readonly number?: string;
  readonly reason?: string;
  readonly hours?: string;
}

const isAction = (text: string | undefined): text is ReviewAction =>
  (REVIEW_ACTIONS as readonly string[]).includes(text ?? "");

/** Runs the form's action as `actor`; the line says what happened. */
export async function runReviewForm(deps: Deps, actor: Actor, form: ReviewForm): Promise<Result<string>> {
  if (!isAction(form.action)) return refuse("USAGE", { usage: `action: ${REVIEW_ACTIONS.join(", ")}` });
  const parsed = parseContributionNumber(form.number ?? "");
  if (!parsed.ok) return refuse("BAD_CONTRIBUTION_ID");
  const number = parsed.value;
  const reason = form.reason ?? "";
  return ACTIONS[form.action](deps, actor, { number, reason, hours: form.hours ?? "" });
}

interface Target {
  readonly number: number;
  readonly reason: string;
  readonly hours: string;
}

type Run = (deps: Deps, actor: Actor, target: Target) => Promise<Result<string>>;

const decide =
  (outcome: "VERIFIED" | "REJECTED"): Run =>
  async (deps, actor, { number, reason }) => {
    const result = await moderatorDecide(deps, actor, { number, outcome, reason });
    if (!result.ok) return result;
    const line =
      "appealDenied" in result.value
        ? `The appeal of #${number} is denied.`
        : `#${number} is ${result.value.outcome.toLowerCase()} (${formatPoints(result.value.award)} points awarded).`;
    return { ok: true, value: line };
  };

const ACTIONS: Record<ReviewAction, Run> = {
  approve: decide("VERIFIED"),
  reject: decide("REJECTED"),
  void: async (deps, actor, { number, reason }) => {
    const result = await voidContribution(deps, actor, { number, reason });
    if (!result.ok) return result;
    return {
      ok: true,
      value: `#${number} is void; ${formatPoints(result.value.clawedBack)} points clawed back.`,
    };
  },
  extend: async (deps, actor, { number, reason, hours }) => {
    // Anything but a whole number reaches the use case as NaN, which it refuses as BAD_HOURS.
    const result = await extendDeadline(deps, actor, { number, reason, hours: wholeHours(hours) });
    if (!result.ok) return result;
    return { ok: true, value: `Voting on #${number} now closes ${formatTime(result.value.closesAt)}.` };
  },
  reopen: async (deps, actor, { number, reason }) => {
    const result = await reopenContribution(deps, actor, { number, reason });
    if (!result.ok) return result;
    return {
      ok: true,
      value: `#${number} is open for a fresh vote until ${formatTime(result.value.closesAt)}.`,
    };
  },
};

function wholeHours(text: string): number {
  return /^\d{1,4}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
}
