import type { Worker } from "bullmq";
import { dueDeadlines } from "../app/deadlines.ts";
import type { Deps } from "../app/deps.ts";
import { countUndeliveredOutbox, noteDeliveryError } from "../app/outbox.ts";
import type { ChatPlatform } from "../ports/chatPlatform.ts";
import { openQueueBackend, type QueueBackend } from "./backend.ts";
import { jobCatalog } from "./catalog.ts";
import { promoteDueDeadlines, scheduleDeadlines } from "./deadlines.ts";
import {
  defaultJobSettings,
  queueProcessor,
  type JobContext,
  type JobObserver,
  type JobSettings,
} from "./definition.ts";
import { silentLog, type Log } from "../logger.ts";
import { failureLog, type FailureLog } from "./failureLog.ts";
import { startDispatcher, type Dispatcher } from "./dispatcher.ts";
import { closeQueues, openQueues, QUEUE_KEYS, QUEUE_NAMES, type QueueKey, type Queues } from "./queues.ts";
import { reconcile, scheduleReconciler, watchForLostJobs, type ReconcileReport } from "./reconciler.ts";

export interface QueueSettings {
  readonly databaseUrl: string;
  /** BullMQ on Redis when set, else on the ledger's PostgreSQL. */
  readonly redisUrl: string | undefined;
  /** Redis prefix or PostgreSQL schema; tests use their own. */
  readonly namespace?: string;
}

export interface WorkerOptions extends QueueSettings {
  readonly deps: Deps;
  /** The platforms this process can send to. */
  readonly platforms: readonly ChatPlatform[];
  readonly settings?: Partial<JobSettings>;
  readonly log?: Log;
  readonly observer?: JobObserver;
  readonly concurrency?: Partial<Record<QueueKey, number>>;
  /** How often the reconciler runs (it also runs once at start-up); default 5 minutes. */
  readonly reconcileEveryMs?: number;
  /** BullMQ lock and stall check; shorter in tests so a killed worker's job comes back quickly. */
  readonly lockDurationMs?: number;
  readonly stalledIntervalMs?: number;
  readonly dispatcherPollMs?: number;
  /** How often to look whether the queue store lost its jobs (a flushed Redis); default 5 s. */
  readonly lostJobsCheckMs?: number;
}

export interface JobRuntime {
  readonly backend: QueueBackend;
  readonly queues: Queues;
  readonly dispatcher: Dispatcher;
  readonly context: JobContext;
  reconcile(): Promise<ReconcileReport>;
  /**
   * Resolves once everything the bot owes is done: every outbox row delivered
   * (or given up) and every due deadline decided. The console awaits it after
   * each command so its transcript reads in order.
   */
  settle(timeoutMs?: number): Promise<void>;
  /** Adds an observer (the HTTP server's metrics) until the returned function is called. */
  observe(observer: JobObserver): () => void;
  /** Stops taking jobs, lets running ones finish for at most `timeoutMs`, closes connections. */
  close(timeoutMs?: number): Promise<void>;
}

const DEFAULT_CONCURRENCY: Record<QueueKey, number> = {
  delivery: 8,
  deadlines: 8,
  schedules: 2,
  exports: 1,
  maintenance: 1,
};

/** `cairn worker` (and the worker half of `cairn start`): runs every queue's jobs. */
export async function startWorkers(options: WorkerOptions): Promise<JobRuntime> {
  const backend = await openQueueBackend(options);
  const queues = openQueues(backend);
  const observers = new Set<JobObserver>(options.observer === undefined ? [] : [options.observer]);
  const context: JobContext = {
    deps: options.deps,
    queues,
    coordination: backend.coordination,
    platforms: new Map(options.platforms.map((p) => [p.platform, p])),
    settings: { ...defaultJobSettings, ...options.settings },
    log: options.log ?? silentLog,
    observer: fanOut(observers),
  };
  // One line now and then for an outage of the database, every other failure whole.
  const failed = failureLog(context.log);
  const workers: Worker[] = QUEUE_KEYS.map((key) => {
    const definitions = jobCatalog.filter((d) => d.queue === key);
    const worker = backend.worker(QUEUE_NAMES[key], queueProcessor(context, definitions), {
      concurrency: options.concurrency?.[key] ?? DEFAULT_CONCURRENCY[key],
      ...(options.lockDurationMs === undefined ? {} : { lockDuration: options.lockDurationMs }),
      ...(options.stalledIntervalMs === undefined ? {} : { stalledInterval: options.stalledIntervalMs }),
    });
    watch(worker, key, context, failed);
    return worker;
  });
  const dispatcher = startDispatcher(context, {
    ...(options.dispatcherPollMs === undefined ? {} : { pollMs: options.dispatcherPollMs }),
    databaseUrl: options.databaseUrl,
    onError: (error) => failed("error", {}, error, "outbox dispatch failed"),
  });
  const report = await reconcile(context);
  context.log.info({ ...report, backend: backend.description }, "reconciled jobs with the database");
  const reconcileEveryMs = options.reconcileEveryMs ?? 5 * 60_000;
  await scheduleReconciler(context, reconcileEveryMs);
  const lostJobs = watchForLostJobs(context, {
    checkEveryMs: options.lostJobsCheckMs ?? 5_000,
    reconcileEveryMs,
    onRestored: (restored) =>
      context.log.warn(
        { ...restored },
        "the queue store had lost its jobs; re-created them from the database",
      ),
    onError: (error) => failed("error", {}, error, "could not check the queue store for lost jobs"),
  });

  return {
    backend,
    queues,
    dispatcher,
    context,
    reconcile: () => reconcile(context),
    settle: (timeoutMs = 15_000) => settle(context, dispatcher, timeoutMs),
    observe(observer) {
      observers.add(observer);
      return () => void observers.delete(observer);
    },
    async close(timeoutMs = 10_000) {
      await lostJobs.stop();
      await dispatcher.stop();
      const graceful = Promise.all(workers.map((w) => w.close()));
      const timedOut = await Promise.race([graceful.then(() => false), delay(timeoutMs).then(() => true)]);
      if (timedOut) {
        context.log.warn(
          { timeoutMs },
          "jobs still running at shutdown; they will run again on another worker",
        );
        await Promise.all(workers.map((w) => w.close(true)));
      }
      await closeQueues(queues);
      await backend.close();
    },
  };
}

/** `cairn bot`: only adds jobs (exports asked for by a command); the workers run elsewhere. */
export async function openJobQueues(
  settings: QueueSettings,
): Promise<{ backend: QueueBackend; queues: Queues; close(): Promise<void> }> {
  const backend = await openQueueBackend(settings);
  const queues = openQueues(backend);
  return {
    backend,
    queues,
    async close() {
      await closeQueues(queues);
      await backend.close();
    },
  };
}

/** One observer that tells every observer of the set, as it is at the time of each report. */
function fanOut(observers: ReadonlySet<JobObserver>): JobObserver {
  return {
    jobFinished: (...args) => observers.forEach((o) => o.jobFinished(...args)),
    deliveryFailed: (...args) => observers.forEach((o) => o.deliveryFailed(...args)),
  };
}

function watch(worker: Worker, queue: QueueKey, ctx: JobContext, failed: FailureLog): void {
  const seconds = (job: { processedOn?: number | undefined; finishedOn?: number | undefined }) =>
    job.processedOn === undefined ? 0 : ((job.finishedOn ?? Date.now()) - job.processedOn) / 1000;
  worker.on("completed", (job) => ctx.observer?.jobFinished(queue, job.name, "completed", seconds(job)));
  worker.on("failed", (job, error) => {
    if (job === undefined) return;
    ctx.observer?.jobFinished(queue, job.name, "failed", seconds(job));
    failed("warn", { jobId: job.id, queue, job: job.name, attempt: job.attemptsMade }, error, "job failed");
    const outboxId = (job.data as { outboxId?: unknown }).outboxId;
    if (queue === "delivery" && typeof outboxId === "string") {
      void noteDeliveryError(ctx.deps, BigInt(outboxId), error.message).catch(() => {});
    }
  });
  worker.on("error", (error) => failed("error", { queue }, error, "worker error"));
}

async function settle(ctx: JobContext, dispatcher: Dispatcher, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await dispatcher.flush();
    const due = await dueDeadlines(ctx.deps);
    await scheduleDeadlines(ctx.queues, ctx.deps, due);
    await promoteDueDeadlines(ctx, due);
    const undelivered = await countUndeliveredOutbox(ctx.deps);
    const busy = await Promise.all(
      (["delivery", "deadlines", "exports"] as const).map(async (key) => {
        const counts = await ctx.queues[key].getJobCounts("active", "waiting", "prioritized");
        return Object.values(counts).reduce((a, b) => a + b, 0);
      }),
    );
    if (due.length === 0 && undelivered === 0 && busy.every((n) => n === 0)) return;
    if (Date.now() > deadline)
      throw new Error(`jobs did not settle within ${timeoutMs} ms (${undelivered} messages undelivered)`);
    await delay(15);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
