// Redis stops for 30 s while members keep using the bot: every command is still
// answered (the ledger and its outbox are in PostgreSQL), and once Redis is back
// every message is delivered, none twice.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logContribution } from "../../src/app/contributions.ts";
import { castVote } from "../../src/app/votes.ts";
import { startWorkers, type JobRuntime } from "../../src/jobs/runtime.ts";
import { newCommunity } from "../support/communities.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { FakePlatform, OwnRedisServer, queueSettings, realClockDeps, waitFor } from "./support.ts";

const PORT = 6391;
const OUTAGE_MS = 30_000;
const redis = new OwnRedisServer(PORT);
const REDIS_URL = redis.url;

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  await redis.start();
}, 60_000);

afterAll(async () => {
  await redis.close();
  await database.drop();
});

describe("a Redis outage", () => {
  it(
    "answers every command while Redis is down and delivers every message once after it returns",
    { timeout: 120_000 },
    async () => {
      const platform = new FakePlatform();
      const runtime: JobRuntime = await startWorkers({
        ...queueSettings("redis", database.url, REDIS_URL),
        deps: realClockDeps(database),
        platforms: [platform],
        settings: { cardEditDelayMs: 0, backoffMs: 100 },
        dispatcherPollMs: 100,
      });
      try {
        const community = await newCommunity(database, {
          config: { quorum: 50, maxSubmissionsPerDay: 1000 },
        });
        Object.assign(community.deps, { clock: { now: () => new Date() } });
        const author = await community.member("author");
        const voter = await community.member("voter");
        const log = (n: number) =>
          logContribution(community.deps, author, {
            categorySlug: "docs",
            title: `Work ${n}`,
            links: [`https://example.org/${n}`],
          });

        expect((await log(0)).ok).toBe(true);
        await waitFor(
          async () => platform.calls.filter((c) => c.op === "post").length,
          (n) => n === 1,
        );

        await redis.stop();
        const answered: boolean[] = [];
        const until = Date.now() + OUTAGE_MS;
        for (let n = 1; Date.now() < until; n += 1) {
          const started = Date.now();
          const logged = await log(n);
          const voted = logged.ok
            ? await castVote(community.deps, voter, { number: logged.value.number, choice: "APPROVE" })
            : logged;
          answered.push(logged.ok && voted.ok);
          // Each command is answered at once: nothing on its path waits for Redis.
          expect(Date.now() - started).toBeLessThan(2_000);
          await new Promise((resolve) => setTimeout(resolve, 1_000));
        }
        expect(answered.length).toBeGreaterThanOrEqual(20);
        expect(answered.every(Boolean)).toBe(true);

        await redis.start();
        await runtime.reconcile();
        const rows = await waitFor(
          () => database.db.outboxMessage.findMany({ where: { communityId: community.communityId } }),
          (all) => all.every((row) => row.deliveredAt !== null),
          60_000,
          200,
        );
        const cards = rows.filter((row) => row.kind === "VOTE_CARD").length;
        expect(cards).toBe(answered.length + 1);
        const posts = platform.calls.filter((c) => c.op === "post");
        // One post per card: nothing was delivered twice.
        expect(posts).toHaveLength(cards);
        expect(new Set(posts.map((p) => p.text.split("\n")[0])).size).toBe(cards);
      } finally {
        await runtime.close(5_000);
      }
    },
  );
});
