import pg from "pg";
import { pendingDeadlinesOf } from "../app/deadlines.ts";
import { readOutboxPayload, undeliveredOutboxRows, type OutboxRow } from "../app/outbox.ts";
import { OUTBOX_CHANNEL } from "../app/outboxWake.ts";
import { communitiesWithScheduleChanges } from "../app/schedules.ts";
import { scheduleDeadlines } from "./deadlines.ts";
import { addJobs, type JobContext } from "./definition.ts";
import { deliverJob, deliveryJobId } from "./delivery.ts";
import { retryIfFailed } from "./queues.ts";
import { syncCommunitySchedules } from "./schedules.ts";

const BATCH = 1000;

/**
 * Turns outbox rows into delivery jobs (job id = row id, so a row dispatched
 * twice is still one job) and, from the same rows, keeps the jobs the rows imply:
 * a vote card or tally schedules its contribution's deadline (an extension shows
 * up as a tally), a schedule change in the mod log re-syncs the community's
 * schedulers.
 */
export async function dispatchRows(ctx: JobContext, rows: readonly OutboxRow[]): Promise<void> {
  if (rows.length === 0) return;
  await addJobs(
    ctx.queues,
    deliverJob,
    rows.map((row) => ({
      payload: { outboxId: row.id.toString() },
      options: {
        jobId: deliveryJobId(row.id),
        delay: row.kind === "TALLY" ? ctx.settings.cardEditDelayMs : 0,
        attempts: ctx.settings.deliveryAttempts,
        backoff: { type: "exponential", delay: ctx.settings.backoffMs },
      },
    })),
  );
  const contributionIds = new Set<number>();
  const auditIds: number[] = [];
  for (const row of rows) {
    const payload = readOutboxPayload(row.payload);
    if (payload === null) continue;
    if (payload.kind === "MOD_LOG") auditIds.push(payload.auditId);
    else if (payload.kind === "VOTE_CARD" || payload.kind === "TALLY")
      contributionIds.add(payload.contributionId);
  }
  if (contributionIds.size > 0)
    await scheduleDeadlines(ctx.queues, ctx.deps, await pendingDeadlinesOf(ctx.deps, [...contributionIds]));
  for (const communityId of await communitiesWithScheduleChanges(ctx.deps, auditIds))
    await syncCommunitySchedules(ctx.queues, ctx.deps, communityId);
}

/** Every undelivered row, oldest first, in batches: what the reconciler re-dispatches. */
export async function dispatchAllUndelivered(ctx: JobContext): Promise<number> {
  let after = -1n;
  let total = 0;
  for (;;) {
    const rows = await undeliveredOutboxRows(ctx.deps, { after, limit: BATCH });
    await dispatchRows(ctx, rows);
    // Rows whose job ran out of attempts (a long outage): the add above kept the failed job.
    for (const row of rows) await retryIfFailed(ctx.queues.delivery, deliveryJobId(row.id));
    total += rows.length;
    const last = rows.at(-1);
    if (last === undefined || rows.length < BATCH) return total;
    after = last.id;
  }
}

export interface Dispatcher {
  /** Looks for new rows now (a command that just wrote some can call it). */
  wake(): void;
  /** Resolves once every row committed before the call has been turned into a job. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

export interface DispatcherOptions {
  readonly pollMs?: number;
  /** When given, LISTENs on OUTBOX_CHANNEL so a use case's commit wakes it at once (SqlStore.wake). */
  readonly databaseUrl?: string;
  readonly onError?: (error: unknown) => void;
}

/**
 * Watches the outbox: wakes on NOTIFY or every `pollMs`, and dispatches rows it
 * has not dispatched yet. Rows that commit out of id order are caught by
 * re-reading a window below the highest id seen; the reconciler catches anything
 * else. Several processes may run one each: job ids make that harmless.
 */
export function startDispatcher(ctx: JobContext, options: DispatcherOptions = {}): Dispatcher {
  const pollMs = options.pollMs ?? 250;
  const LAG_IDS = 1000n;
  const dispatched = new Set<bigint>();
  let highest = 0n;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  let again = false;
  let listener: pg.Client | null = null;

  const pass = async (): Promise<void> => {
    const floor = highest > LAG_IDS ? highest - LAG_IDS : 0n;
    const rows = await undeliveredOutboxRows(ctx.deps, { after: floor, limit: BATCH });
    const fresh = rows.filter((row) => !dispatched.has(row.id));
    await dispatchRows(ctx, fresh);
    for (const row of fresh) {
      dispatched.add(row.id);
      if (row.id > highest) highest = row.id;
    }
    for (const id of dispatched) if (id <= floor) dispatched.delete(id);
    if (rows.length === BATCH) again = true;
  };

  const run = (): Promise<void> => {
    running = running.then(async () => {
      do {
        again = false;
        if (stopped) return;
        await pass().catch((error: unknown) => options.onError?.(error));
      } while (again);
    });
    return running;
  };

  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      void run().then(schedule);
    }, pollMs);
  };

  if (options.databaseUrl !== undefined) {
    const client = new pg.Client({ connectionString: options.databaseUrl });
    listener = client;
    client.on("notification", () => void run());
    client.on("error", (error) => options.onError?.(error));
    client
      .connect()
      .then(() => client.query(`LISTEN ${OUTBOX_CHANNEL}`))
      .catch((error: unknown) => options.onError?.(error));
  }
  void run().then(schedule);

  return {
    wake: () => void run(),
    flush: () => run(),
    async stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      await running;
      await listener?.end().catch(() => {});
    },
  };
}
