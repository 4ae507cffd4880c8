// A platform down for longer than the whole retry schedule: the failed jobs keep
// their ids, so the reconciler must retry them rather than re-add them (a no-op).
import { describe, expect, it } from "vitest";
import { logContribution } from "../../src/app/contributions.ts";
import { openQueueBackend } from "../../src/jobs/backend.ts";
import { deadlineJobId, voteDeadlineJob } from "../../src/jobs/deadlines.ts";
import { deliveryJobId } from "../../src/jobs/delivery.ts";
import { QUEUE_NAMES } from "../../src/jobs/queues.ts";
import { newCommunity, valueOf } from "../support/communities.ts";
import { useTestDatabase } from "../support/db.ts";
import { BACKENDS, FakePlatform, realClockDeps, useJobRuntime, waitFor } from "./support.ts";

const database = useTestDatabase();

async function logOne() {
  const community = await newCommunity(database, { config: { quorum: 20, maxSubmissionsPerDay: 1000 } });
  const alice = await community.member("alice");
  return valueOf(
    await logContribution(realClockDeps(database), alice, {
      categorySlug: "docs",
      title: "Guide",
      links: ["https://example.org/guide"],
    }),
  );
}

describe.each(BACKENDS)("exhausted retries on %s", (kind) => {
  const jobs = useJobRuntime(kind, database);
  it(
    "a platform down for longer than the whole retry schedule still gets the card once the reconciler runs",
    { timeout: 60_000 },
    async () => {
      const platform = new FakePlatform();
      const outage = Array.from({ length: 3 }, () => ({ kind: "transient" as const, reason: "down" }));
      platform.failNext(...outage);
      const runtime = await jobs.start([platform], { deliveryAttempts: 3, backoffMs: 20 });
      const logged = await logOne();
      const row = await database.db.outboxMessage.findFirstOrThrow({
        where: { kind: "VOTE_CARD", payload: { path: ["contributionId"], equals: logged.id } },
      });
      const job = await waitFor(
        async () => runtime.queues.delivery.getJob(deliveryJobId(row.id)),
        (j) => j !== undefined,
      );
      await waitFor(
        () => job?.isFailed() ?? Promise.resolve(false),
        (failed) => failed,
      );
      expect(platform.calls).toHaveLength(3);
      // The platform is back; the reconciler finds the row undelivered and its job failed.
      await runtime.reconcile();
      await waitFor(
        () => database.db.outboxMessage.findUniqueOrThrow({ where: { id: row.id } }),
        (r) => r.deliveredAt !== null,
      );
      await runtime.reconcile();
      await runtime.settle();
      expect(platform.calls.filter((c) => c.op === "post")).toHaveLength(4);
      expect(platform.calls.slice(3)).toHaveLength(1);
    },
  );

  it(
    "a deadline job that ran out of attempts still decides its contribution once the reconciler runs",
    { timeout: 60_000 },
    async () => {
      const logged = await logOne();
      const closesAt = new Date(Date.now() - 1000);
      await database.db.contribution.update({ where: { id: logged.id }, data: { closesAt } });
      // Every attempt of the deadline job fails (the outage), before the runtime starts.
      const backend = await openQueueBackend(jobs.settings);
      const queue = backend.queue(QUEUE_NAMES.deadlines);
      const jobId = deadlineJobId(logged.id, closesAt);
      await queue.add(
        voteDeadlineJob.name,
        { contributionId: logged.id, closesAt: closesAt.toISOString() },
        { jobId, attempts: 2, backoff: { type: "fixed", delay: 10 } },
      );
      const failing = backend.worker(
        QUEUE_NAMES.deadlines,
        async () => {
          throw new Error("database unreachable");
        },
        { concurrency: 1 },
      );
      await waitFor(
        async () => (await queue.getJob(jobId))?.isFailed() ?? false,
        (failed) => failed,
      );
      await failing.close();
      await queue.close();
      await backend.close();
      const runtime = await jobs.start([new FakePlatform()]);
      await waitFor(
        () => database.db.contribution.findUniqueOrThrow({ where: { id: logged.id } }),
        (c) => c.status !== "PENDING",
      );
      await runtime.reconcile();
      await runtime.settle();
      const decisions = await database.db.statusChange.count({
        where: { contributionId: logged.id, fromStatus: "PENDING" },
      });
      expect(decisions).toBe(1);
    },
  );
});
