import { describe, expect, it, vi } from "vitest";
import { logContribution } from "../../src/app/contributions.ts";
import { DecisionBatches, type QueuedVote } from "../../src/app/decisionBatches.ts";
import { verifyCommunityLedger } from "../../src/app/ledgerAudit.ts";
import { castVote } from "../../src/app/votes.ts";
import type { SqlStore } from "../../src/db/sql.ts";
import { ok } from "../../src/core/result.ts";
import { useTestDatabase } from "../support/db.ts";
import { newCommunity, valueOf } from "../support/communities.ts";

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const database = useTestDatabase();

describe("deciding votes of one community at the same moment", () => {
  it("decide each contribution once, with a valid chain and balances equal to a recomputation", async () => {
    const community = await newCommunity(database, { config: { quorum: 1, maxSubmissionsPerDay: 100 } });
    const submitter = await community.member("sub");
    const voters = await Promise.all(Array.from({ length: 12 }, (_, i) => community.member(`v${i}`)));
    const numbers: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      const logged = valueOf(
        await logContribution(community.deps, submitter, {
          categorySlug: "docs",
          title: `Work ${i}`,
          links: [`https://example.org/batch/${i}`],
        }),
      );
      numbers.push(logged.number);
    }
    // Two voters on each of six contributions and one on each of the other six, all at once.
    const casts = voters.flatMap((voter, i) => {
      const own = numbers[i] ?? 0;
      const shared = numbers[i % 6] ?? 0;
      return [
        castVote(community.deps, voter, { number: own, choice: "APPROVE", impact: 1 + (i % 5) }),
        ...(i >= 6 ? [castVote(community.deps, voter, { number: shared, choice: "REJECT" })] : []),
      ];
    });
    const results = await Promise.all(casts);
    const decided = results.flatMap((r) => (r.ok && r.value.decision !== null ? [r.value.number] : []));
    expect(decided.sort((a, b) => a - b)).toEqual([...numbers].sort((a, b) => a - b));
    const refused = results.flatMap((r) => (r.ok ? [] : [r.error.code]));
    expect(new Set(refused)).toEqual(new Set(refused.length === 0 ? [] : ["VOTE_CLOSED"]));
    const rows = await community.deps.db.contribution.findMany({
      where: { communityId: community.communityId },
      select: { id: true, status: true },
    });
    expect(rows.every((r) => r.status === "VERIFIED" || r.status === "REJECTED")).toBe(true);
    const history = await community.deps.db.statusChange.groupBy({
      by: ["contributionId"],
      where: { contributionId: { in: rows.map((r) => r.id) }, fromStatus: "PENDING" },
      _count: true,
    });
    expect(history.map((h) => h._count)).toEqual(rows.map(() => 1));
    const verification = await verifyCommunityLedger(community.deps, community.communityId);
    expect(verification.chain.ok).toBe(true);
    expect(verification.headMatches).toBe(true);
    expect(verification.mismatches).toBe(0);
  });
});

describe("DecisionBatches", () => {
  const store = {} as SqlStore;
  const vote = (communityId: number, number: number): Omit<QueuedVote, "resolve" | "reject"> => ({
    actor: { communityId, memberId: number } as QueuedVote["actor"],
    input: { number, choice: "APPROVE" },
    now: new Date(0),
  });
  const recorded = (number: number) =>
    ok({ number, tally: { approvals: 1, rejections: 0 }, previous: null, decision: null, blind: false });

  it("writes votes queued behind a vote written alone together, in number order, one per contribution", async () => {
    const batches: number[][] = [];
    const queue = new DecisionBatches(
      store,
      async (_store, batch) => {
        batches.push(batch.map((v) => v.input.number));
        return batch.map((v) => recorded(v.input.number));
      },
      async (_store, v) => recorded(v.input.number),
    );
    expect(queue.busy(1)).toBe(false);
    expect(queue.enterAlone(1)).toBe(true);
    expect(queue.busy(1)).toBe(true);
    expect(queue.enterAlone(1)).toBe(false);
    expect(queue.busy(2)).toBe(false);
    expect(queue.enterAlone(2)).toBe(true);
    const answers = await Promise.all([9, 3, 3, 5].map((n) => queue.submit(vote(1, n))));
    queue.leave(1);
    expect(answers.map((a) => (a?.ok === true ? a.value.number : null))).toEqual([9, 3, 3, 5]);
    expect(batches).toEqual([[3, 5, 9], [3]]);
    // The queue looks once more, a turn after the last batch, before the community is free.
    await new Promise((resolve) => setImmediate(resolve));
    expect(queue.busy(1)).toBe(false);
    expect(queue.enterAlone(1)).toBe(true);
  });

  it("lets callers answered by a batch vote again before the next batch is taken, so their votes go together", async () => {
    const batches: number[][] = [];
    let arrivesMeanwhile: Promise<unknown> = Promise.resolve();
    const queue = new DecisionBatches(
      store,
      async (_store, batch) => {
        batches.push(batch.map((v) => v.input.number));
        // Another caller's vote arrives while the first batch is written.
        if (batches.length === 1) arrivesMeanwhile = queue.submit(vote(4, 30));
        await new Promise((resolve) => setTimeout(resolve, 5));
        return batch.map((v) => recorded(v.input.number));
      },
      async (_store, v) => recorded(v.input.number),
    );
    // Three callers, each voting again once answered (a few steps later, as castVote's callers do).
    const again = [1, 2, 3].map(async (n) => {
      await queue.submit(vote(4, n));
      for (let step = 0; step < 5; step += 1) await Promise.resolve();
      return queue.submit(vote(4, n + 10));
    });
    await Promise.all(again);
    await arrivesMeanwhile;
    expect(batches).toEqual([
      [1, 2, 3],
      [11, 12, 13, 30],
    ]);
  });

  it("writes each vote of a failed batch alone, so one vote's failure fails only that vote", async () => {
    const queue = new DecisionBatches(
      store,
      async () => {
        throw new Error("batch failed");
      },
      async (_store, v) => {
        if (v.input.number === 2) throw new Error("vote 2 failed");
        return recorded(v.input.number);
      },
    );
    const answers = await Promise.allSettled([1, 2, 3].map((n) => queue.submit(vote(7, n))));
    expect(answers.map((a) => a.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
  });
});
