import { UnrecoverableError, type Job, type JobsOptions, type Processor } from "bullmq";
import type { z } from "zod";
import type { Platform } from "../app/actors.ts";
import type { Deps } from "../app/deps.ts";
import type { ChatPlatform } from "../ports/chatPlatform.ts";
import type { Coordination } from "./coordination.ts";
import type { QueueKey, Queues } from "./queues.ts";
import { logWith, type Log } from "../logger.ts";

/** What the job system reports to /metrics; null when nobody measures. */
export interface JobObserver {
  jobFinished(
    queue: string,
    name: string,
    outcome: "completed" | "failed" | "delayed",
    seconds: number,
  ): void;
  deliveryFailed(platform: string, reason: string): void;
}

export interface JobSettings {
  /** How long a tally edit waits so that a burst of votes becomes one edit; 0 in the console. */
  readonly cardEditDelayMs: number;
  /** Where export files are written (the console prints the path). */
  readonly exportDir: string;
  /** Attempts of a delivery that fails transiently, with exponential backoff from `backoffMs`. */
  readonly deliveryAttempts: number;
  readonly backoffMs: number;
  /** How long a delivery's per-card lease lasts; renewed every third of it while the delivery runs. */
  readonly deliveryLeaseMs: number;
}

export const defaultJobSettings: JobSettings = {
  cardEditDelayMs: 1000,
  exportDir: ".cairn/exports",
  deliveryAttempts: 8,
  backoffMs: 1000,
  deliveryLeaseMs: 60_000,
};

/** What every job handler is given. */
export interface JobContext {
  readonly deps: Deps;
  readonly queues: Queues;
  readonly coordination: Coordination;
  readonly platforms: ReadonlyMap<Platform, ChatPlatform>;
  readonly settings: JobSettings;
  readonly log: Log;
  readonly observer: JobObserver | null;
}

/** The running job, for handlers that move themselves to later or report progress. */
export interface JobRun {
  readonly job: Job;
  /** The worker's lock token; null when a handler runs outside a worker (tests, the console's settle). */
  readonly token: string | null;
}

/**
 * A job: its queue, its name, the schema of its payload and its handler. Jobs
 * are a typed list (jobs/catalog.ts), never discovered by scanning files.
 */
export interface JobDefinition<P> {
  readonly queue: QueueKey;
  readonly name: string;
  readonly payload: z.ZodType<P>;
  readonly defaults?: JobsOptions;
  handle(ctx: JobContext, payload: P, run: JobRun): Promise<unknown>;
}

export function defineJob<P>(definition: JobDefinition<P>): JobDefinition<P> {
  return definition;
}

/** Adds a job after checking its payload against its own schema. */
export async function addJob<P>(
  queues: Queues,
  definition: JobDefinition<P>,
  payload: P,
  options: JobsOptions = {},
): Promise<Job> {
  const data = definition.payload.parse(payload);
  return queues[definition.queue].add(definition.name, data, { ...definition.defaults, ...options });
}

/** Adds many jobs of one definition in one round trip; job ids make repeats harmless. */
export async function addJobs<P>(
  queues: Queues,
  definition: JobDefinition<P>,
  entries: ReadonlyArray<{ readonly payload: P; readonly options: JobsOptions }>,
): Promise<void> {
  if (entries.length === 0) return;
  await queues[definition.queue].addBulk(
    entries.map((entry) => ({
      name: definition.name,
      data: definition.payload.parse(entry.payload),
      opts: { ...definition.defaults, ...entry.options },
    })),
  );
}

/**
 * The processor of one queue: finds the job's definition by name, checks the
 * payload (a job that can never succeed fails at once with UnrecoverableError)
 * and runs the handler.
 */
export function queueProcessor(
  ctx: JobContext,
  definitions: ReadonlyArray<JobDefinition<unknown>>,
): Processor {
  const byName = new Map(definitions.map((d) => [d.name, d]));
  return async (job, token) => {
    const definition = byName.get(job.name);
    if (definition === undefined) throw new UnrecoverableError(`no job named "${job.name}"`);
    const parsed = definition.payload.safeParse(job.data);
    if (!parsed.success)
      throw new UnrecoverableError(
        `bad payload for ${job.name}: ${parsed.error.issues[0]?.message ?? "invalid"}`,
      );
    const log = logWith(ctx.log, { jobId: job.id, queue: definition.queue, job: job.name });
    return definition.handle({ ...ctx, log }, parsed.data, { job, token: token ?? null });
  };
}
