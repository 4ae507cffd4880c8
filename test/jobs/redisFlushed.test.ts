// Redis loses every job (FLUSHALL) while deliveries are queued: the workers
// notice on their own (the reconciler's scheduler is gone), re-create the jobs
// from PostgreSQL within seconds and deliver each message once. Without that
// look nothing re-queues them: the dispatcher already handed those rows over,
// and the reconciler's own scheduler went with the flush.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logContribution } from "../../src/app/contributions.ts";
import { castVote } from "../../src/app/votes.ts";
import { reconcilerScheduled } from "../../src/jobs/reconciler.ts";
import { startWorkers, type JobRuntime } from "../../src/jobs/runtime.ts";
import { newCommunity } from "../support/communities.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { FakePlatform, OwnRedisServer, queueSettings, realClockDeps, waitFor } from "./support.ts";

// A Redis of this file's own: FLUSHALL here touches nobody else's keys.
const PORT = 6393;
const redis = new OwnRedisServer(PORT);
const REDIS_URL = redis.url;
/** Long enough that the flush always lands while the tally jobs are still delayed. */
const TALLY_DELAY_MS = 3_000;

let database: TestDatabase;

async function flushAll(): Promise<void> {
  const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  await client.flushall();
  client.disconnect();
}

beforeAll(async () => {
  database = await createTestDatabase();
  await redis.start();
}, 60_000);

afterAll(async () => {
  await redis.close();
  await database.drop();
});

/** A runtime on this file's Redis, looking for lost jobs every `lostJobsCheckMs`. */
function workers(platform: FakePlatform, lostJobsCheckMs: number): Promise<JobRuntime> {
  return startWorkers({
    ...queueSettings("redis", database.url, REDIS_URL),
    deps: realClockDeps(database),
    platforms: [platform],
    settings: { cardEditDelayMs: TALLY_DELAY_MS, backoffMs: 100 },
    dispatcherPollMs: 100,
    lostJobsCheckMs,
  });
}

/**
 * Logs a contribution, waits for its card, then casts votes, whose tally rows
 * become delayed delivery jobs, and flushes Redis before any of them is due.
 */
async function tallyQueuedThenFlushed(runtime: JobRuntime, platform: FakePlatform): Promise<number> {
  const community = await newCommunity(database, { config: { quorum: 50 } });
  Object.assign(community.deps, { clock: { now: () => new Date() } });
  const author = await community.member("author");
  const logged = await logContribution(community.deps, author, {
    categorySlug: "docs",
    title: "Guide",
    links: ["https://example.org/guide"],
  });
  if (!logged.ok) throw new Error("could not log the contribution");
  await waitFor(
    async () => platform.calls.filter((c) => c.op === "post").length,
    (n) => n === 1,
  );
  for (const name of ["bob", "carol"]) {
    const voted = await castVote(community.deps, await community.member(name), {
      number: logged.value.number,
      choice: "APPROVE",
    });
    if (!voted.ok) throw new Error("could not vote");
  }
  await runtime.dispatcher.flush();
  expect(await runtime.queues.delivery.getJobCountByTypes("delayed")).toBeGreaterThan(0);
  await flushAll();
  expect(await runtime.queues.delivery.getJobCountByTypes("delayed")).toBe(0);
  return community.communityId;
}

const undeliveredOf = (communityId: number) => () =>
  database.db.outboxMessage.count({ where: { communityId, deliveredAt: null } });

describe("Redis flushed with deliveries queued", () => {
  it(
    "re-creates the lost delivery jobs within seconds, without a reconcile call, and delivers each message once",
    { timeout: 60_000 },
    async () => {
      const platform = new FakePlatform();
      const runtime = await workers(platform, 500);
      try {
        const communityId = await tallyQueuedThenFlushed(runtime, platform);
        const flushed = Date.now();
        await waitFor(undeliveredOf(communityId), (n) => n === 0, TALLY_DELAY_MS + 10_000, 100);
        expect(Date.now() - flushed).toBeLessThan(TALLY_DELAY_MS + 5_000);
        expect(await reconcilerScheduled(runtime.context)).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 500));
        // One card post and one tally edit of it: nothing was sent twice.
        expect(platform.calls.filter((c) => c.op === "post")).toHaveLength(1);
        expect(platform.calls.filter((c) => c.op === "edit")).toHaveLength(1);
      } finally {
        await runtime.close(5_000);
      }
    },
  );

  it(
    "without the look, the flushed tally stays undelivered: nothing else re-queues it",
    { timeout: 60_000 },
    async () => {
      const platform = new FakePlatform();
      const runtime = await workers(platform, 10 * 60_000);
      try {
        const communityId = await tallyQueuedThenFlushed(runtime, platform);
        await new Promise((resolve) => setTimeout(resolve, TALLY_DELAY_MS + 2_000));
        expect(await undeliveredOf(communityId)()).toBeGreaterThan(0);
        expect(await reconcilerScheduled(runtime.context)).toBe(false);
        expect(platform.calls.filter((c) => c.op === "edit")).toHaveLength(0);
      } finally {
        await runtime.close(5_000);
      }
    },
  );
});
