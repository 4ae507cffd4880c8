import { DelayedError } from "bullmq";
import { z } from "zod";
import { pendingContribution, type PendingDeadline } from "../app/deadlines.ts";
import type { Deps } from "../app/deps.ts";
import { closeDueInCommunity } from "../app/votes.ts";
import { addJobs, defineJob, type JobContext } from "./definition.ts";
import type { Queues } from "./queues.ts";

/**
 * A contribution's deadline job: its id names the contribution and the deadline,
 * so adding it again is harmless and an extension makes a new job (the old one,
 * firing early, finds nothing due and does nothing).
 */
export function deadlineJobId(contributionId: number, closesAt: Date): string {
  return `deadline-${contributionId}-${closesAt.getTime()}`;
}

export const voteDeadlineJob = defineJob({
  queue: "deadlines",
  name: "vote-deadline",
  payload: z.object({ contributionId: z.number().int().positive(), closesAt: z.iso.datetime() }),
  defaults: {
    attempts: 10,
    backoff: { type: "exponential", delay: 1000 },
    // Kept a week so the reconciler re-adding a deadline that already fired is a no-op.
    removeOnComplete: { age: 7 * 86_400 },
    removeOnFail: { age: 30 * 86_400 },
  },
  async handle(ctx, payload, run) {
    const pending = () => pendingContribution(ctx.deps, payload.contributionId);
    let row = await pending();
    if (row === null) return { decided: null };
    if (row.closesAt.getTime() <= ctx.deps.clock.now().getTime()) {
      // One sweep decides every due contribution of the community, so the jobs
      // of a busy minute mostly find theirs decided already.
      const swept = await closeDueInCommunity(ctx.deps, row.communityId);
      const mine = swept.get(payload.contributionId);
      if (mine !== undefined) return { decided: mine.outcome, swept: swept.size };
      row = await pending();
      if (row === null) return { decided: null };
    }
    const planned = new Date(payload.closesAt).getTime();
    if (row.closesAt.getTime() !== planned) {
      // Extended since this job was made: the new deadline gets its own job.
      await scheduleDeadlines(ctx.queues, ctx.deps, [{ id: payload.contributionId, closesAt: row.closesAt }]);
      return { decided: null, rescheduledTo: row.closesAt.toISOString() };
    }
    // Fired before the deadline by this worker's clock (clock skew): wait the rest.
    const restMs = row.closesAt.getTime() - ctx.deps.clock.now().getTime();
    if (run.token === null) return { decided: null };
    await run.job.moveToDelayed(Date.now() + Math.max(restMs, 10), run.token);
    throw new DelayedError();
  },
});

/** Adds the deadline jobs of pending contributions; ones that exist already are left alone. */
export async function scheduleDeadlines(
  queues: Queues,
  deps: Deps,
  pending: readonly PendingDeadline[],
): Promise<void> {
  const now = deps.clock.now().getTime();
  await addJobs(
    queues,
    voteDeadlineJob,
    pending.map((c) => ({
      payload: { contributionId: c.id, closesAt: c.closesAt.toISOString() },
      options: { jobId: deadlineJobId(c.id, c.closesAt), delay: Math.max(0, c.closesAt.getTime() - now) },
    })),
  );
}

/**
 * Runs the deadlines that are due now but still waiting in the queue: after the
 * clock jumped (the console's /wait) or when their delayed job was computed on a
 * skewed clock.
 */
export async function promoteDueDeadlines(
  ctx: Pick<JobContext, "queues" | "deps">,
  due: readonly PendingDeadline[],
): Promise<void> {
  for (const c of due) {
    const job = await ctx.queues.deadlines.getJob(deadlineJobId(c.id, c.closesAt));
    if (job !== undefined && (await job.isDelayed())) await job.promote().catch(() => {});
  }
}
