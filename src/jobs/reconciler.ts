import { z } from "zod";
import { pendingDeadlinePage } from "../app/deadlines.ts";
import { liveCommunityIds } from "../app/schedules.ts";
import { deadlineJobId, promoteDueDeadlines, scheduleDeadlines } from "./deadlines.ts";
import { defineJob, type JobContext } from "./definition.ts";
import { dispatchAllUndelivered } from "./dispatcher.ts";
import { retryIfFailed } from "./queues.ts";
import { removeCommunitySchedules, scheduledCommunityIds, syncCommunitySchedules } from "./schedules.ts";
import { withTimeout } from "../timing.ts";

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

/** Whether the reconciler's scheduler is still in the queue store: every worker puts it there at start-up. */
export async function reconcilerScheduled(ctx: JobContext): Promise<boolean> {
  return (await ctx.queues.maintenance.getJobScheduler(RECONCILE_SCHEDULER)) !== undefined;
}

export interface LostJobsWatch {
  stop(): Promise<void>;
}

export interface LostJobsWatchOptions {
  /** How often to look; a flushed store is restored within about this long. */
  readonly checkEveryMs: number;
  /** The reconciler's interval, scheduled again when its scheduler was lost. */
  readonly reconcileEveryMs: number;
  /** Told once per restore, with what the reconcile re-created. */
  readonly onRestored?: (report: ReconcileReport) => void;
  readonly onError?: (error: unknown) => void;
}

/**
 * Notices the queue store losing its jobs (Redis flushed, or restarted without
 * persistence): the reconciler's scheduler is the marker, since nothing removes
 * it. When it is gone, schedules it again first (so a loss during the restore is
 * noticed on the next look) and reconciles at once, so the deliveries and
 * deadlines that were queued resume within seconds instead of never. A look that
 * fails (the store is down) is only reported; the next one tries again.
 */
export function watchForLostJobs(ctx: JobContext, options: LostJobsWatchOptions): LostJobsWatch {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();

  const look = async (): Promise<void> => {
    if (await reconcilerScheduled(ctx)) return;
    await scheduleReconciler(ctx, options.reconcileEveryMs);
    options.onRestored?.(await reconcile(ctx));
  };
  const next = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = look()
        .catch((error: unknown) => options.onError?.(error))
        .then(next);
    }, options.checkEveryMs);
  };
  next();

  return {
    async stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      // A look that hangs on a store that is down does not hold up shutdown.
      await withTimeout(running, 5_000);
    },
  };
}
