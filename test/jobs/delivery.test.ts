// Deliveries through the platform port, on Redis: exactly once per outbox row,
// 429s honoured to the millisecond, permanent failures recorded, busy cards coalesced.
import { beforeEach, afterEach, describe, expect, it } from "vitest";
import { logContribution } from "../../src/app/contributions.ts";
import type { Actor } from "../../src/app/deps.ts";
import { castVote } from "../../src/app/votes.ts";
import { composeOutboxMessages } from "../../src/jobs/compose.ts";
import { deliveryJobId } from "../../src/jobs/delivery.ts";
import { dispatchRows } from "../../src/jobs/dispatcher.ts";
import { startWorkers, type JobRuntime } from "../../src/jobs/runtime.ts";
import { renderPlainText } from "../../src/views/plainText.ts";
import { newCommunity, valueOf, type TestCommunity } from "../support/communities.ts";
import { useTestDatabase } from "../support/db.ts";
import { FakePlatform, cleanupNamespace, queueSettings, realClockDeps } from "./support.ts";

const database = useTestDatabase();

let platform: FakePlatform;
let runtime: JobRuntime;
let settings: ReturnType<typeof queueSettings>;
let community: TestCommunity;
let alice: Actor;

async function start(cardEditDelayMs = 0, dispatcherPollMs = 50): Promise<void> {
  settings = queueSettings("redis", database.url);
  platform = new FakePlatform();
  runtime = await startWorkers({
    ...settings,
    deps: realClockDeps(database),
    platforms: [platform],
    settings: { cardEditDelayMs, backoffMs: 100 },
    dispatcherPollMs,
  });
}

beforeEach(async () => {
  community = await newCommunity(database, { config: { quorum: 20, maxSubmissionsPerDay: 1000 } });
  Object.assign(community.deps, { clock: { now: () => new Date() } });
  alice = await community.member("alice");
});
afterEach(async () => {
  await runtime.close();
  await cleanupNamespace(settings);
});

const logOne = async () =>
  valueOf(
    await logContribution(
      { db: database.db, store: database.store, clock: { now: () => new Date() } },
      alice,
      {
        categorySlug: "docs",
        title: "Guide",
        links: ["https://example.org/guide"],
      },
    ),
  );

describe("delivery", () => {
  it("wakes on the outbox trigger's NOTIFY instead of waiting for its next poll", async () => {
    await start(0, 600_000);
    // The first poll runs at start; after it only a NOTIFY can wake the dispatcher within the test.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await logOne();
    const deadline = Date.now() + 10_000;
    while (platform.calls.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(platform.calls.filter((c) => c.op === "post")).toHaveLength(1);
  });

  it("posts a vote card once even when its outbox row is dispatched twice and its job is lost", async () => {
    await start();
    await logOne();
    await runtime.settle();
    const row = await database.db.outboxMessage.findFirstOrThrow({
      where: { communityId: community.communityId, kind: "VOTE_CARD" },
    });
    await dispatchRows(runtime.context, [row, row]);
    await (await runtime.queues.delivery.getJob(deliveryJobId(row.id)))?.remove();
    await dispatchRows(runtime.context, [row]);
    await runtime.settle();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(platform.calls.filter((c) => c.op === "post")).toHaveLength(1);
    expect(
      (await database.db.outboxMessage.findUniqueOrThrow({ where: { id: row.id } })).deliveredAt,
    ).not.toBeNull();
  });

  it("waits exactly a 429's retry_after before the next attempt", async () => {
    await start();
    platform.failNext({ kind: "rate_limited", retryAfterMs: 800, scope: "chat" });
    await logOne();
    await runtime.settle();
    const [first, second] = platform.calls;
    expect(platform.calls).toHaveLength(2);
    const gap = (second?.at ?? 0) - (first?.at ?? 0);
    expect(gap).toBeGreaterThanOrEqual(800);
    expect(gap).toBeLessThan(800 + 600);
  });

  it("ends a delivery that fails for good and records why on the outbox row", async () => {
    await start();
    platform.failNext({ kind: "permanent", reason: "chat_gone" });
    await logOne();
    await runtime.settle();
    const row = await database.db.outboxMessage.findFirstOrThrow({
      where: { communityId: community.communityId, kind: "VOTE_CARD" },
    });
    expect(row.deliveredAt).toBeNull();
    expect(row.lastError).toMatch(/^permanent: .*chat_gone/);
    expect(platform.calls).toHaveLength(1);
  });

  it("edits a card whose tally changes ten times in a second at most twice, ending on the latest tally", async () => {
    await start(400);
    const logged = await logOne();
    await runtime.settle();
    const voters = await Promise.all(Array.from({ length: 10 }, (_, i) => community.member(`voter${i}`)));
    for (const voter of voters)
      valueOf(
        await castVote({ db: database.db, store: database.store, clock: { now: () => new Date() } }, voter, {
          number: logged.number,
          choice: "APPROVE",
        }),
      );
    await runtime.settle();
    const edits = platform.calls.filter((c) => c.op === "edit");
    expect(edits.length).toBeGreaterThanOrEqual(1);
    expect(edits.length).toBeLessThanOrEqual(2);
    const [card] = await composeOutboxMessages(community.deps, community.communityId, {
      kind: "TALLY",
      contributionId: logged.id,
    });
    expect(edits.at(-1)?.text).toBe(renderPlainText(card!.view));
  });
});
