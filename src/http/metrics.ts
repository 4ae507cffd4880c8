// Cairn's Prometheus metrics: one registry per HTTP server (never prom-client's
// global one), so tests and several servers in one process never share counters.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Db } from "../db/client.ts";
import type { JobObserver } from "../jobs/definition.ts";
import type { Log } from "../logger.ts";
import { notGivenUp } from "../app/outbox.ts";
import { QUEUE_KEYS, type Queues } from "../jobs/queues.ts";
import { withTimeout } from "../timing.ts";

/** The job states `cairn_jobs` reports for every queue. */
export const JOB_STATES = [
  "waiting",
  "active",
  "delayed",
  "prioritized",
  "waiting-children",
  "completed",
  "failed",
] as const;

/** How long a scrape waits for Redis or PostgreSQL before it reports without them. */
const SCRAPE_TIMEOUT_MS = 2000;

export interface MetricsSources {
  readonly db: Db;
  /** Counted at scrape time; omitted where this process has no queues. */
  readonly queues?: Queues;
  readonly log: Log;
}

export interface CairnMetrics {
  readonly registry: Registry;
  /** Give it to the job runtime: job durations and delivery failures. */
  readonly observer: JobObserver;
  observeCommand(command: string, platform: string, seconds: number): void;
}

/** A fresh registry with every Cairn family and the process' default metrics. */
export function createMetrics(sources: MetricsSources): CairnMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const jobDuration = new Histogram({
    name: "cairn_job_duration_seconds",
    help: "Time a job's handler ran, by queue, job name and outcome.",
    labelNames: ["queue", "name", "outcome"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const deliveryFailures = new Counter({
    name: "cairn_delivery_failures_total",
    help: "Failed attempts to post, edit or delete a message, by platform and reason (rate_limited, transient or the permanent reason).",
    labelNames: ["platform", "reason"] as const,
    registers: [registry],
  });
  const commandDuration = new Histogram({
    name: "cairn_command_duration_seconds",
    help: "Time from a command's arrival to its answer, by command and platform.",
    labelNames: ["command", "platform"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  new Gauge({
    name: "cairn_jobs",
    help: "Jobs in each queue (delivery, deadlines, schedules, exports, maintenance) by state, counted at scrape time.",
    labelNames: ["queue", "state"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const queues = sources.queues;
      if (queues === undefined) return;
      const counted = await withTimeout(
        Promise.all(QUEUE_KEYS.map((key) => queues[key].getJobCounts(...JOB_STATES))),
        SCRAPE_TIMEOUT_MS,
      );
      if (counted === null) {
        sources.log.warn({}, "metrics: the queue backend did not answer job counts in time");
        return;
      }
      for (const [index, counts] of counted.value.entries()) {
        const queue = QUEUE_KEYS[index] ?? "delivery";
        for (const state of JOB_STATES) this.set({ queue, state }, counts[state] ?? 0);
      }
    },
  });
  new Gauge({
    name: "cairn_outbox_lag_seconds",
    help: "Age of the oldest outbox row not yet delivered (0 when every row is delivered).",
    registers: [registry],
    async collect() {
      const oldest = await withTimeout(
        sources.db.outboxMessage.findFirst({
          where: { deliveredAt: null, ...notGivenUp },
          orderBy: { id: "asc" },
          select: { createdAt: true },
        }),
        SCRAPE_TIMEOUT_MS,
      );
      if (oldest === null) {
        sources.log.warn({}, "metrics: the database did not answer the outbox lag in time");
        return;
      }
      this.set(
        oldest.value === null ? 0 : Math.max(0, (Date.now() - oldest.value.createdAt.getTime()) / 1000),
      );
    },
  });
  return {
    registry,
    observer: {
      jobFinished: (queue, name, outcome, seconds) => jobDuration.observe({ queue, name, outcome }, seconds),
      deliveryFailed: (platform, reason) => deliveryFailures.inc({ platform, reason }),
    },
    observeCommand: (command, platform, seconds) => commandDuration.observe({ command, platform }, seconds),
  };
}
