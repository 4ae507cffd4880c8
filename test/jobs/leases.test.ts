// The per-card lease of a delivery outlives a platform call slower than the lease
// itself: it is renewed while the delivery runs, so no second worker posts the card;
// and a lease store that lost its keys (Redis flushed) still lets only one post it.
import { describe, expect, it } from "vitest";
import { logContribution } from "../../src/app/contributions.ts";
import { deliverOutboxRow } from "../../src/jobs/delivery.ts";
import { PacingWait } from "../../src/jobs/send.ts";
import type { ChatTarget, MessageRef } from "../../src/ports/chatPlatform.ts";
import type { View } from "../../src/views/view.ts";
import { newCommunity, valueOf } from "../support/communities.ts";
import { useTestDatabase } from "../support/db.ts";
import { BACKENDS, FakePlatform, realClockDeps, useJobRuntime, waitFor } from "./support.ts";

const database = useTestDatabase();

/** A platform whose posts take `delayMs`. */
class SlowPlatform extends FakePlatform {
  posting = false;
  constructor(private readonly delayMs: number) {
    super();
  }
  override async post(target: ChatTarget, view: View): Promise<MessageRef> {
    this.posting = true;
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    this.posting = false;
    return super.post(target, view);
  }
}

/** Logs a contribution and waits until its card's post is under way; the contribution's id. */
async function cardBeingPosted(platform: SlowPlatform): Promise<{ id: number }> {
  const community = await newCommunity(database, { config: { quorum: 20 } });
  const logged = valueOf(
    await logContribution(realClockDeps(database), await community.member("alice"), {
      categorySlug: "docs",
      title: "Guide",
      links: ["https://example.org/guide"],
    }),
  );
  await waitFor(
    async () => platform.posting,
    (posting) => posting,
  );
  return logged;
}

describe.each(BACKENDS)("delivery leases on %s", (kind) => {
  const jobs = useJobRuntime(kind, database);
  it(
    "a platform call slower than the card's lock keeps the lock, so no other worker can take it",
    { timeout: 30_000 },
    async () => {
      const platform = new SlowPlatform(3000);
      const runtime = await jobs.start([platform], { deliveryLeaseMs: 600 });
      const logged = await cardBeingPosted(platform);
      // Well past the lease's own length, while the post still runs.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(platform.posting).toBe(true);
      expect(await runtime.context.coordination.lease(`card:${logged.id}`, "another-worker", 600)).toBe(
        false,
      );
      await runtime.settle();
      expect(platform.calls.filter((c) => c.op === "post")).toHaveLength(1);
    },
  );

  it(
    "a card posted while the lease's store lost every key (FLUSHALL) is posted once: a second delivery waits on the guard",
    { timeout: 30_000 },
    async () => {
      const platform = new SlowPlatform(1500);
      const runtime = await jobs.start([platform]);
      const logged = await cardBeingPosted(platform);
      // Another worker whose lease store grants anything, as after the keys were flushed.
      const forgetful = {
        ...runtime.context,
        coordination: {
          ...runtime.context.coordination,
          lease: async () => true,
          renew: async () => true,
          release: async () => undefined,
        },
      };
      const row = await database.db.outboxMessage.findFirstOrThrow({
        where: { topic: `card:${logged.id}` },
        orderBy: { id: "asc" },
      });
      const again = deliverOutboxRow(forgetful, row.id, { done: new Set(), save: async () => undefined });
      await expect(again).rejects.toBeInstanceOf(PacingWait);
      expect(platform.posting).toBe(true);
      await runtime.settle();
      // Retried once the first delivery is over, it finds the row delivered.
      expect(
        await deliverOutboxRow(forgetful, row.id, { done: new Set(), save: async () => undefined }),
      ).toBe("skipped");
      expect(platform.calls.filter((c) => c.op === "post")).toHaveLength(1);
    },
  );
});
