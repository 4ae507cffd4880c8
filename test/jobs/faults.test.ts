// Faults with an exact ledger outcome: Redis losing every job, a worker killed
// with SIGKILL while deciding.
import { spawn } from "node:child_process";
import path from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { logContribution } from "../../src/app/contributions.ts";
import { castVote } from "../../src/app/votes.ts";
import { GENESIS_HASH, verifyChain } from "../../src/core/ledger.ts";
import { scheduleDeadlines } from "../../src/jobs/deadlines.ts";
import { openJobQueues, startWorkers, type JobRuntime } from "../../src/jobs/runtime.ts";
import { newCommunity, readLedger, valueOf } from "../support/communities.ts";
import { useTestDatabase } from "../support/db.ts";
import { FakePlatform, cleanupNamespace, queueSettings, realClockDeps, waitFor } from "./support.ts";

const database = useTestDatabase();

const now = () => new Date();

/** A community with one pending contribution that has two approvals and a rejection (quorum 3). */
async function pendingWithVotes(i: number): Promise<{ id: number; communityId: number }> {
  const community = await newCommunity(database, { config: { quorum: 3 } });
  const deps = { db: database.db, store: database.store, clock: { now } };
  const alice = await community.member("alice");
  const logged = valueOf(
    await logContribution(deps, alice, {
      categorySlug: "docs",
      title: `Guide ${i}`,
      links: [`https://example.org/g/${i}`],
    }),
  );
  for (const [name, choice] of [
    ["bob", "APPROVE"],
    ["carol", "APPROVE"],
    ["dave", "REJECT"],
  ] as const) {
    valueOf(await castVote(deps, await community.member(name), { number: logged.number, choice }));
  }
  return { id: logged.id, communityId: community.communityId };
}

async function decisionsOf(ids: readonly number[]) {
  const changes = await database.db.statusChange.groupBy({
    by: ["contributionId"],
    where: { contributionId: { in: [...ids] }, fromStatus: "PENDING" },
    _count: true,
  });
  return changes.map((c) => c._count);
}

describe("faults", () => {
  it(
    "fires every one of 100 pending deadlines, each with votes pending, once after Redis lost all its jobs and the reconciler ran",
    { timeout: 90_000 },
    async () => {
      // A Redis database of this test's own: flushing it is FLUSHALL for this test and touches no other.
      const redisUrl = "redis://127.0.0.1:6379/9";
      // One contribution per community, so each deadline needs its own job (a deadline job decides
      // every due contribution of its community): only re-created jobs can decide them all.
      const contributions = await Promise.all(Array.from({ length: 100 }, (_, i) => pendingWithVotes(i)));
      const ids = contributions.map((c) => c.id);
      const runtime = await startWorkers({
        databaseUrl: database.url,
        redisUrl,
        namespace: "cairn-flush",
        deps: realClockDeps(database),
        platforms: [new FakePlatform()],
        settings: { cardEditDelayMs: 0 },
      });
      await database.db.contribution.updateMany({
        where: { id: { in: ids } },
        data: { closesAt: new Date(Date.now() + 2500) },
      });
      await runtime.reconcile();
      expect(await runtime.queues.deadlines.getJobCountByTypes("delayed")).toBeGreaterThanOrEqual(100);
      const redis = new Redis(redisUrl);
      await redis.flushdb();
      expect(await runtime.queues.deadlines.getJobCountByTypes("delayed")).toBe(0);
      await runtime.reconcile();
      await waitFor(
        () => database.db.contribution.count({ where: { id: { in: ids }, status: "PENDING" } }),
        (n) => n === 0,
        30_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      const counts = await decisionsOf(ids);
      expect(counts).toHaveLength(100);
      expect(counts.every((n) => n === 1)).toBe(true);
      // Two approvals and a rejection at quorum 3: verified by ratio at the deadline, so each
      // community's ledger holds the award and three verifier rewards, once.
      for (const { communityId } of contributions) {
        const ledger = await readLedger(database.db, communityId);
        expect(ledger.map((e) => e.kind).sort()).toEqual([
          "AWARD",
          "VERIFIER_REWARD",
          "VERIFIER_REWARD",
          "VERIFIER_REWARD",
        ]);
        expect(verifyChain(ledger).ok).toBe(true);
      }
      await runtime.close();
      await redis.flushdb();
      redis.disconnect();
    },
  );

  it(
    "decides once when the worker deciding is killed with SIGKILL in the middle of its transaction",
    { timeout: 40_000 },
    async () => {
      // Two approvals and a rejection under quorum 3: verified at the deadline, with
      // an award and verifier rewards, so the decision writes ledger entries.
      const community = await newCommunity(database, {
        config: { quorum: 3, maxSubmissionsPerDay: 1000 },
      });
      const deps = realClockDeps(database);
      const alice = await community.member("alice");
      const logged = valueOf(
        await logContribution(deps, alice, {
          categorySlug: "docs",
          title: "Guide",
          links: ["https://example.org/guide"],
        }),
      );
      for (const [name, choice] of [
        ["bob", "APPROVE"],
        ["carol", "APPROVE"],
        ["dave", "REJECT"],
      ] as const) {
        valueOf(await castVote(deps, await community.member(name), { number: logged.number, choice }));
      }
      const id = logged.id;
      // The head the decision locks after it has claimed the contribution and written its status change.
      await database.db
        .$executeRaw`INSERT INTO ledger_head ("communityId", seq, hash) VALUES (${community.communityId}, 0, ${GENESIS_HASH}) ON CONFLICT DO NOTHING`;

      // The child runs on Redis and starts with no lock held, so nothing blocks its start-up reconcile.
      const settings = queueSettings("redis", database.url);
      const child = spawn(
        process.execPath,
        ["--import", "tsx", path.join(import.meta.dirname, "fixtures", "deadlineWorker.ts")],
        {
          env: { ...process.env, QUEUE_SETTINGS: JSON.stringify(settings) },
          stdio: ["ignore", "pipe", "inherit"],
        },
      );
      const exited = new Promise((resolve) => child.once("exit", resolve));
      await new Promise<void>((resolve) =>
        child.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve()),
      );

      const holder = new pg.Client({ connectionString: database.url });
      await holder.connect();
      let runtime: JobRuntime | undefined;
      try {
        await holder.query("BEGIN");
        await holder.query('SELECT seq FROM ledger_head WHERE "communityId" = $1 FOR UPDATE', [
          community.communityId,
        ]);
        // Due now: the child's worker takes the deadline job and blocks on the ledger head inside its transaction.
        const closesAt = new Date(Date.now() - 1000);
        await database.db.contribution.update({ where: { id }, data: { closesAt } });
        const producer = await openJobQueues(settings);
        await scheduleDeadlines(producer.queues, deps, [{ id, closesAt }]);
        await producer.close();
        await waitFor(
          // Asked outside the holder's transaction: pg_stat_activity is a snapshot per transaction.
          async () =>
            (
              await database.db.$queryRaw<
                Array<{ n: number }>
              >`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database() AND query LIKE '%ledger_head%'`
            )[0]?.n ?? 0,
          (n) => n > 0,
          20_000,
        );
        child.kill("SIGKILL");
        await exited;
        await holder.query("ROLLBACK");
        expect((await database.db.contribution.findUniqueOrThrow({ where: { id } })).status).toBe("PENDING");

        runtime = await startWorkers({
          ...settings,
          deps,
          platforms: [new FakePlatform()],
          settings: { cardEditDelayMs: 0 },
          lockDurationMs: 1000,
          stalledIntervalMs: 500,
        });
        const decided = await waitFor(
          () => database.db.contribution.findUniqueOrThrow({ where: { id } }),
          (c) => c.status !== "PENDING",
          20_000,
        );
        expect(decided.status).toBe("VERIFIED");
        await new Promise((resolve) => setTimeout(resolve, 1500));
        expect(await decisionsOf([id])).toEqual([1]);
        expect(
          await database.db.outboxMessage.count({
            where: { communityId: community.communityId, kind: "DECISION" },
          }),
        ).toBe(1);
        const ledger = await readLedger(database.db, community.communityId);
        expect(verifyChain(ledger).ok).toBe(true);
        // One award to alice and one verifier reward per voter: nothing from the killed attempt.
        const alicePoints = ledger.filter((e) => e.kind === "AWARD").map((e) => e.memberId);
        expect(alicePoints).toEqual([alice.memberId]);
        const rewarded = ledger.filter((e) => e.kind === "VERIFIER_REWARD").map((e) => e.memberId);
        expect(new Set(rewarded).size).toBe(rewarded.length);
        expect(ledger.every((e) => e.contributionId === id)).toBe(true);
      } finally {
        child.kill("SIGKILL");
        await holder.end().catch(() => {});
        await runtime?.close();
        await cleanupNamespace(settings);
      }
    },
  );
});
