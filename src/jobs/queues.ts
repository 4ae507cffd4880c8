import type { Queue } from "bullmq";
import type { QueueBackend } from "./backend.ts";

/** Cairn's queues: one per kind of work, so a slow export never holds up a vote card. */
export const QUEUE_NAMES = {
  delivery: "cairn-delivery",
  deadlines: "cairn-deadlines",
  schedules: "cairn-schedules",
  exports: "cairn-exports",
  maintenance: "cairn-maintenance",
} as const;

export type QueueKey = keyof typeof QUEUE_NAMES;
export type Queues = { readonly [K in QueueKey]: Queue };

export const QUEUE_KEYS = Object.keys(QUEUE_NAMES) as QueueKey[];

export function openQueues(backend: QueueBackend): Queues {
  return {
    delivery: backend.queue(QUEUE_NAMES.delivery),
    deadlines: backend.queue(QUEUE_NAMES.deadlines),
    schedules: backend.queue(QUEUE_NAMES.schedules),
    exports: backend.queue(QUEUE_NAMES.exports),
    maintenance: backend.queue(QUEUE_NAMES.maintenance),
  };
}

/**
 * Gives a job that ran out of attempts a fresh set: a failed job keeps its id,
 * so re-adding it under that id does nothing, and the row or contribution it
 * stands for would otherwise wait for good. True when it was retried.
 */
export async function retryIfFailed(queue: Queue, jobId: string): Promise<boolean> {
  const job = await queue.getJob(jobId);
  if (job === undefined || !(await job.isFailed())) return false;
  await job.retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true });
  return true;
}

export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.all(QUEUE_KEYS.map((key) => queues[key].close()));
}
