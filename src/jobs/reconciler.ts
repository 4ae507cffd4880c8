import { z } from "zod";
import { pendingDeadlinePage } from "../app/deadlines.ts";
import { liveCommunityIds } from "../app/schedules.ts";
import { deadlineJobId, promoteDueDeadlines, scheduleDeadlines } from "./deadlines.ts";
import { defineJob, type JobContext } from "./definition.ts";
import { dispatchAllUndelivered } from "./dispatcher.ts";
import { retryIfFailed } from "./queues.ts";
import { removeCommunitySchedules, scheduledCommunityIds, syncCommunitySchedules } from "./schedules.ts";

export interface ReconcileReport {
  readonly deadlines: number;
  readonly outbox: number;
  readonly communities: number;
  readonly removedSchedules: number;
}

const PAGE = 5000;

/**
 * Re-creates from PostgreSQL every job that should exist: a deadline job per
 * pending contribution, a delivery job per undelivered outbox row, the
 * schedulers of every live community; and removes the schedulers of deleted
 * communities. Every add is keyed, so running it any number of times is safe;
 * a job that exists but ran out of attempts is retried with fresh attempts;
 * this is what makes a flushed Redis harmless.
 */
export async function reconcile(ctx: JobContext): Promise<ReconcileReport> {
  let deadlines = 0;
  let after = 0;
  for (;;) {
    const pending = await pendingDeadlinePage(ctx.deps, { after, limit: PAGE });
    await scheduleDeadlines(ctx.queues, ctx.deps, pending);
    // A deadline job that ran out of attempts keeps its id, so the add above left it failed.
    for (const c of pending) await retryIfFailed(ctx.queues.deadlines, deadlineJobId(c.id, c.closesAt));
    const now = ctx.deps.clock.now().getTime();
    await promoteDueDeadlines(
      ctx,
      pending.filter((c) => c.closesAt.getTime() <= now),
    );
    deadlines += pending.length;
    const last = pending.at(-1);
    if (last === undefined || pending.length < PAGE) break;
    after = last.id;
  }
  const outbox = await dispatchAllUndelivered(ctx);
  const live = await liveCommunityIds(ctx.deps);
  for (const id of live) await syncCommunitySchedules(ctx.queues, ctx.deps, id);
  const liveIds = new Set(live);
  let removedSchedules = 0;
  for (const id of await scheduledCommunityIds(ctx.queues)) {
    if (liveIds.has(id)) continue;
    await removeCommunitySchedules(ctx.queues, id);
    removedSchedules += 1;
  }
  return { deadlines, outbox, communities: live.length, removedSchedules };
}

export const reconcileJob = defineJob({
  queue: "maintenance",
  name: "reconcile",
  payload: z.object({}),
  defaults: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
  handle: (ctx) => reconcile(ctx),
});

export const RECONCILE_SCHEDULER = "reconcile";

/** Runs the reconciler every `everyMs` from whichever worker is free. */
export async function scheduleReconciler(ctx: JobContext, everyMs: number): Promise<void> {
  await ctx.queues.maintenance.upsertJobScheduler(
    RECONCILE_SCHEDULER,
    { every: everyMs },
    { name: reconcileJob.name, data: {}, opts: reconcileJob.defaults ?? {} },
  );
}
