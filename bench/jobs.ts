// `npm run bench jobs`: the job system's figures on both queue backends.
//
// 1. Vote deadlines: 10,000 pending contributions whose deadlines fall in one
//    minute (spread evenly over it). Each deadline job's fire time (when a
//    worker took it, BullMQ's processedOn) minus its due time (the
//    contribution's closesAt); target p99 ≤ 1 s. Every contribution must be
//    decided exactly once.
// 2. Delivery: outbox rows for many chats delivered to a fake platform by two
//    worker runtimes sharing the backend's pacing; messages/s, and a check from
//    the platform's own record that no chat, and the platform as a whole,
//    exceeded its token bucket.
//
// Works in its own database `cairn_bench_jobs` (dropped and created per backend)
// and Redis database 13 under prefix `cairn-bench-jobs`; removes both at the end.
import os from "node:os";
import { Redis } from "ioredis";
import { ensureCommunityForChat, resolveActor, type Platform } from "../src/app/actors.ts";
import { logContribution } from "../src/app/contributions.ts";
import type { Deps } from "../src/app/deps.ts";
import { openConnections, type Db } from "../src/db/client.ts";
import { startWorkers, type JobRuntime, type QueueSettings } from "../src/jobs/runtime.ts";
import {
  targetKey,
  type ChatPlatform,
  type ChatTarget,
  type MessageRef,
  type PlatformLimits,
} from "../src/ports/chatPlatform.ts";
import type { View } from "../src/views/view.ts";
import pg from "pg";
import { freshMigratedDatabase, log, quantile, round, serverUrl } from "./support.ts";

const DATABASE = "cairn_bench_jobs";
const REDIS_URL = process.env["BENCH_REDIS_URL"] ?? "redis://127.0.0.1:6379/13";
const PREFIX = "cairn-bench-jobs";
const DEADLINES = 10_000;
const WINDOW_MS = 60_000;
/** Time to seed and schedule the deadlines before the first one is due. */
const LEAD_MS = 25_000;

type Kind = "redis" | "postgres";

interface DeadlineResult {
  readonly backend: Kind;
  readonly jobs: number;
  readonly scheduleSeconds: number;
  /** Fire time (a worker took the job, BullMQ's processedOn) − due time. */
  readonly fired: Quantiles;
  /** Decision committed (the job finished, finishedOn) − due time. */
  readonly decided: Quantiles;
  readonly decidedPerSecond: number;
  readonly decidedOnce: boolean;
  readonly lateStart: boolean;
}

interface Quantiles {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

function quantiles(samples: readonly number[]): Quantiles {
  return {
    p50Ms: round(quantile(samples, 0.5), 0),
    p99Ms: round(quantile(samples, 0.99), 0),
    maxMs: round(Math.max(...samples), 0),
  };
}

interface DeliveryResult {
  readonly backend: Kind;
  readonly scenario: string;
  readonly messages: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly busiestChatPerSecond: number;
  readonly busiestPlatformPerSecond: number;
  readonly pacingHeld: boolean;
}

interface Scenario {
  readonly name: string;
  readonly chats: number;
  readonly perChat: number;
  readonly limits: PlatformLimits;
}

/** Discord's global 50/s with a 5/s bucket per chat: the platform limit binds. Then limits far above what the workers reach. */
const SCENARIOS: readonly Scenario[] = [
  {
    name: "paced (50/s global, 5/s per chat)",
    chats: 20,
    perChat: 25,
    limits: { global: { capacity: 50, perSecond: 50 }, perChat: { capacity: 5, perSecond: 5 } },
  },
  {
    name: "unthrottled (limits not reached)",
    chats: 20,
    perChat: 100,
    limits: {
      global: { capacity: 100_000, perSecond: 100_000 },
      perChat: { capacity: 100_000, perSecond: 100_000 },
    },
  },
];

/** A platform that answers at once and records when each chat was spoken to. */
class BenchPlatform implements ChatPlatform {
  readonly calls: Array<{ readonly key: string; readonly at: number }> = [];
  private next = 1;
  constructor(
    readonly limits: PlatformLimits,
    readonly platform: Platform = "CONSOLE",
  ) {}
  async post(target: ChatTarget, _view: View): Promise<MessageRef> {
    this.calls.push({ key: targetKey(target), at: performance.now() });
    return { messageId: String(this.next++) };
  }
  async edit(target: ChatTarget, _ref: MessageRef, _view: View): Promise<void> {
    this.calls.push({ key: targetKey(target), at: performance.now() });
  }
  async delete(target: ChatTarget, _ref: MessageRef): Promise<void> {
    this.calls.push({ key: targetKey(target), at: performance.now() });
  }
}

export async function runJobsBench(): Promise<void> {
  log(
    `jobs bench: PostgreSQL at ${new URL(serverUrl).host} (database ${DATABASE}), Redis ${new URL(REDIS_URL).host}${new URL(REDIS_URL).pathname} prefix ${PREFIX}; ${os.cpus().length} CPUs, load ${round(os.loadavg()[0] ?? 0, 2)}`,
  );
  const deadlines: DeadlineResult[] = [];
  const deliveries: DeliveryResult[] = [];
  try {
    for (const kind of ["redis", "postgres"] as const) {
      deadlines.push(await benchDeadlines(kind));
      for (const scenario of SCENARIOS) deliveries.push(await benchDelivery(kind, scenario));
    }
  } finally {
    await clearRedis();
    await dropDatabase();
  }
  printTables(deadlines, deliveries);
}

/** A fresh database and queue namespace for one backend. */
async function prepare(kind: Kind): Promise<{ url: string; queue: QueueSettings }> {
  await clearRedis();
  const url = await freshMigratedDatabase(DATABASE, () => {});
  return {
    url,
    queue:
      kind === "redis"
        ? { databaseUrl: url, redisUrl: REDIS_URL, namespace: PREFIX }
        : { databaseUrl: url, redisUrl: undefined },
  };
}

async function benchDeadlines(kind: Kind): Promise<DeadlineResult> {
  log(`${kind}: ${DEADLINES} vote deadlines due within one minute`);
  const { url, queue } = await prepare(kind);
  const connections = openConnections(url, { poolSize: 16 });
  const { db, store } = connections;
  const deps: Deps = { db, store, clock: { now: () => new Date() } };
  const platform = new BenchPlatform(
    SCENARIOS[1]?.limits ?? {
      global: { capacity: 1e5, perSecond: 1e5 },
      perChat: { capacity: 1e5, perSecond: 1e5 },
    },
  );
  const runtime = await startWorkers({
    ...queue,
    deps,
    platforms: [platform],
    settings: { cardEditDelayMs: 0 },
    reconcileEveryMs: 3_600_000,
  });
  try {
    const dueStart = Date.now() + LEAD_MS;
    const ids = await seedPendingContributions(deps, DEADLINES, dueStart);
    const scheduling = performance.now();
    // What the reconciler does at start-up and every few minutes: one delayed job per pending contribution.
    await runtime.reconcile();
    const scheduleSeconds = (performance.now() - scheduling) / 1000;
    const lateStart = Date.now() > dueStart;
    log(
      `  scheduled in ${round(scheduleSeconds, 1)} s; first deadline in ${round((dueStart - Date.now()) / 1000, 1)} s`,
    );
    await waitUntil(
      async () => (await db.contribution.count({ where: { status: "PENDING" } })) === 0,
      dueStart + WINDOW_MS + 600_000 - Date.now(),
    );
    const lateness = await firingLateness(runtime, ids);
    const decisions = await db.statusChange.groupBy({
      by: ["contributionId"],
      where: { fromStatus: "PENDING" },
      _count: true,
    });
    const decidedOnce = decisions.length === DEADLINES && decisions.every((d) => d._count === 1);
    const lastFinished = Math.max(...lateness.map((l) => l.finishedAt));
    const result: DeadlineResult = {
      backend: kind,
      jobs: lateness.length,
      scheduleSeconds: round(scheduleSeconds, 1),
      fired: quantiles(lateness.map((l) => l.firedMs)),
      decided: quantiles(lateness.map((l) => l.doneMs)),
      // From the first deadline to the last decision.
      decidedPerSecond: round(DEADLINES / ((lastFinished - dueStart) / 1000), 0),
      decidedOnce,
      lateStart,
    };
    const { fired, decided } = result;
    log(
      `  fired − due: p50 ${fired.p50Ms} ms, p99 ${fired.p99Ms} ms, max ${fired.maxMs} ms; decided − due: p50 ${decided.p50Ms} ms, p99 ${decided.p99Ms} ms; decided once: ${decidedOnce}`,
    );
    return result;
  } finally {
    await runtime.close();
    await connections.close();
  }
}

/** One contribution through the use case, then `count - 1` copies, deadlines spread evenly over WINDOW_MS from `dueStart`. */
async function seedPendingContributions(deps: Deps, count: number, dueStart: number): Promise<Set<number>> {
  const chat = { platform: "CONSOLE" as const, chatId: "bench-deadlines", title: "Deadlines" };
  const { communityId } = await ensureCommunityForChat(deps, chat);
  await deps.db.community.update({
    where: { id: communityId },
    data: { config: { timezone: "UTC", maxSubmissionsPerDay: 100 } },
  });
  const actor = await resolveActor(deps, chat, {
    platform: "CONSOLE",
    userId: "bench-alice",
    displayName: "alice",
  });
  if (!actor.ok) throw new Error(`bench member: ${actor.error.code}`);
  const logged = await logContribution(deps, actor.value, {
    categorySlug: "docs",
    title: "Guide 0",
    links: ["https://example.org/g/0"],
  });
  if (!logged.ok) throw new Error(`bench contribution: ${logged.error.code}`);
  const model = await deps.db.contribution.findUniqueOrThrow({ where: { id: logged.value.id } });
  const due = (i: number) => new Date(dueStart + Math.floor((i * WINDOW_MS) / count));
  await deps.db.contribution.update({ where: { id: model.id }, data: { closesAt: due(0) } });
  for (let from = 1; from < count; from += 2000) {
    const size = Math.min(2000, count - from);
    await deps.db.contribution.createMany({
      data: Array.from({ length: size }, (_, k) => ({
        communityId,
        number: from + k + 1,
        submitterId: model.submitterId,
        categoryId: model.categoryId,
        title: `Guide ${from + k}`,
        closesAt: due(from + k),
      })),
    });
  }
  const rows = await deps.db.contribution.findMany({ where: { communityId }, select: { id: true } });
  return new Set(rows.map((r) => r.id));
}

/** Fire time − due time and finish time − due time of every deadline job of `ids`, in ms. */
async function firingLateness(
  runtime: JobRuntime,
  ids: ReadonlySet<number>,
): Promise<Array<{ firedMs: number; doneMs: number; finishedAt: number }>> {
  const lateness: Array<{ firedMs: number; doneMs: number; finishedAt: number }> = [];
  const seen = new Set<number>();
  for (let start = 0; ; start += 1000) {
    const jobs = await runtime.queues.deadlines.getJobs(["completed"], start, start + 999, true);
    for (const job of jobs) {
      const data = job.data as { contributionId: number; closesAt: string };
      if (
        !ids.has(data.contributionId) ||
        seen.has(data.contributionId) ||
        job.processedOn === undefined ||
        job.finishedOn === undefined
      )
        continue;
      seen.add(data.contributionId);
      const due = Date.parse(data.closesAt);
      lateness.push({
        firedMs: job.processedOn - due,
        doneMs: job.finishedOn - due,
        finishedAt: job.finishedOn,
      });
    }
    if (jobs.length < 1000) break;
  }
  if (seen.size !== ids.size)
    throw new Error(`${ids.size - seen.size} deadline jobs missing from the completed set`);
  return lateness;
}

async function benchDelivery(kind: Kind, scenario: Scenario): Promise<DeliveryResult> {
  const total = scenario.chats * scenario.perChat;
  log(
    `${kind}: delivering ${total} messages to ${scenario.chats} chats, ${scenario.name}, two worker runtimes`,
  );
  const { url, queue } = await prepare(kind);
  const connections = openConnections(url, { poolSize: 16 });
  const { db, store } = connections;
  const deps: Deps = { db, store, clock: { now: () => new Date() } };
  const platform = new BenchPlatform(scenario.limits);
  const communities = await seedChats(deps, scenario.chats);
  const runtimes = [
    await startWorkers({
      ...queue,
      deps,
      platforms: [platform],
      settings: { cardEditDelayMs: 0 },
      dispatcherPollMs: 50,
      reconcileEveryMs: 3_600_000,
    }),
    await startWorkers({
      ...queue,
      deps,
      platforms: [platform],
      settings: { cardEditDelayMs: 0 },
      dispatcherPollMs: 50,
      reconcileEveryMs: 3_600_000,
    }),
  ];
  try {
    const started = performance.now();
    await writeModLogRows(db, communities, scenario.perChat);
    await waitUntil(async () => platform.calls.length >= total, 300_000);
    const seconds = (Math.max(...platform.calls.map((c) => c.at)) - started) / 1000;
    await waitUntil(
      async () => (await db.outboxMessage.count({ where: { deliveredAt: null } })) === 0,
      60_000,
    );
    const byChat = new Map<string, Array<{ at: number }>>();
    for (const call of platform.calls) byChat.set(call.key, [...(byChat.get(call.key) ?? []), call]);
    const chatsHeld = [...byChat.values()].every((calls) =>
      withinBucket(
        calls.map((c) => c.at),
        scenario.limits.perChat,
      ),
    );
    const globalHeld = withinBucket(
      platform.calls.map((c) => c.at),
      scenario.limits.global,
    );
    const result = {
      backend: kind,
      scenario: scenario.name,
      messages: platform.calls.length,
      seconds: round(seconds, 1),
      perSecond: round(total / seconds, 0),
      busiestChatPerSecond: Math.max(
        ...[...byChat.values()].map((calls) => busiestSecond(calls.map((c) => c.at))),
      ),
      busiestPlatformPerSecond: busiestSecond(platform.calls.map((c) => c.at)),
      pacingHeld: chatsHeld && globalHeld && platform.calls.length === total,
    };
    log(
      `  ${result.perSecond} messages/s; busiest chat ${result.busiestChatPerSecond} in a second; pacing held: ${result.pacingHeld}`,
    );
    return result;
  } finally {
    for (const runtime of runtimes) await runtime.close();
    await connections.close();
  }
}

async function seedChats(deps: Deps, count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const { communityId } = await ensureCommunityForChat(deps, {
      platform: "CONSOLE",
      chatId: `bench-chat-${i}`,
      title: `Chat ${i}`,
    });
    ids.push(communityId);
  }
  return ids;
}

/** `perChat` moderator-log lines per community, each with its outbox row, as recordModeratorAction writes them. */
async function writeModLogRows(db: Db, communities: readonly number[], perChat: number): Promise<void> {
  await db.$transaction(async (tx) => {
    for (let n = 0; n < perChat; n++) {
      const audits = await tx.auditLog.createManyAndReturn({
        data: communities.map((communityId) => ({
          communityId,
          actorId: null,
          action: "bench.note",
          target: `#${n}`,
        })),
        select: { id: true, communityId: true },
      });
      await tx.outboxMessage.createMany({
        data: audits.map((a) => ({
          communityId: a.communityId,
          kind: "MOD_LOG",
          topic: `audit:${a.id}`,
          payload: { kind: "MOD_LOG", auditId: a.id },
        })),
      });
    }
  });
}

/** True when no stretch of `times` (ms) holds more calls than a token bucket allows: capacity + rate × length (+1 for the edges). */
function withinBucket(times: readonly number[], pace: { capacity: number; perSecond: number }): boolean {
  const sorted = [...times].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i; j < sorted.length; j++) {
      const allowed = pace.capacity + (pace.perSecond * ((sorted[j] ?? 0) - (sorted[i] ?? 0))) / 1000 + 1;
      if (j - i + 1 > allowed) return false;
    }
  }
  return true;
}

/** The most calls in any 1 s window. */
function busiestSecond(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let from = 0;
  for (let to = 0; to < sorted.length; to++) {
    while ((sorted[to] ?? 0) - (sorted[from] ?? 0) >= 1000) from++;
    best = Math.max(best, to - from + 1);
  }
  return best;
}

async function waitUntil(done: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > until) throw new Error(`gave up after ${round(timeoutMs / 1000, 0)} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function clearRedis(): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${PREFIX}:*`, "COUNT", 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

async function dropDatabase(): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(DATABASE)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

function printTables(deadlines: readonly DeadlineResult[], deliveries: readonly DeliveryResult[]): void {
  const out = (line = "") => process.stdout.write(`${line}\n`);
  out();
  out(
    `Cairn jobs bench, ${os.cpus().length} CPUs, load ${round(os.loadavg()[0] ?? 0, 2)} (other work on this machine skews every figure)`,
  );
  out();
  out(
    table(
      [
        "vote deadlines",
        "jobs",
        "scheduled in",
        "fire − due p50",
        "p99",
        "max",
        "fire p99 ≤ 1 s",
        "decided − due p50",
        "p99",
        "max",
        "decisions/s",
        "decided once",
      ],
      deadlines.map((d) => [
        d.backend,
        `${d.jobs}`,
        `${d.scheduleSeconds} s`,
        `${d.fired.p50Ms} ms`,
        `${d.fired.p99Ms} ms`,
        `${d.fired.maxMs} ms`,
        d.fired.p99Ms <= 1000 && !d.lateStart ? "PASS" : "FAIL",
        `${d.decided.p50Ms} ms`,
        `${d.decided.p99Ms} ms`,
        `${d.decided.maxMs} ms`,
        `${d.decidedPerSecond}`,
        d.decidedOnce ? "yes" : "NO",
      ]),
    ),
  );
  out();
  out(
    table(
      [
        "delivery",
        "scenario",
        "messages",
        "seconds",
        "messages/s",
        "busiest chat /1 s",
        "busiest platform /1 s",
        "pacing held",
      ],
      deliveries.map((d) => [
        d.backend,
        d.scenario,
        `${d.messages}`,
        `${d.seconds}`,
        `${d.perSecond}`,
        `${d.busiestChatPerSecond}`,
        `${d.busiestPlatformPerSecond}`,
        d.pacingHeld ? "yes" : "NO",
      ]),
    ),
  );
  out();
}

function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}
