import { describe, expect, it, vi } from "vitest";
import { logContribution } from "../../src/app/contributions.ts";
import { batchesOf } from "../../src/app/votePath.ts";
import { castVote } from "../../src/app/votes.ts";
import { useTestDatabase } from "../support/db.ts";
import { contributionRow, newCommunity, valueOf } from "../support/communities.ts";

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

const database = useTestDatabase();

describe("votes cast at the same moment", () => {
  it("decide the contribution as soon as together they reach quorum", async () => {
    const community = await newCommunity(database, { config: { quorum: 3 } });
    const submitter = await community.member("sub");
    const voters = await Promise.all(
      ["v1", "v2", "v3", "v4", "v5", "v6", "v7"].map((n) => community.member(n)),
    );
    for (let round = 0; round < 6; round += 1) {
      const logged = valueOf(
        await logContribution(community.deps, submitter, {
          categorySlug: "docs",
          title: `Round ${round}`,
          links: [`https://example.org/round/${round}`],
        }),
      );
      const [first, ...rest] = voters.slice(round % 3, (round % 3) + 3);
      if (first === undefined) throw new Error("no voter");
      valueOf(await castVote(community.deps, first, { number: logged.number, choice: "APPROVE" }));
      const results = await Promise.all(
        rest.map((voter) => castVote(community.deps, voter, { number: logged.number, choice: "APPROVE" })),
      );
      expect(results.every((r) => r.ok)).toBe(true);
      expect((await contributionRow(database.db, community.communityId, logged.number)).status).toBe(
        "VERIFIED",
      );
    }
  });
});

describe("a vote cast while its community's decisions are being written", () => {
  it("waits for their next batch and is recorded, refused or decides exactly as on its own", async () => {
    const community = await newCommunity(database, { config: { quorum: 2 } });
    const submitter = await community.member("sub");
    const [ann, bob] = await Promise.all(["ann", "bob"].map((n) => community.member(n)));
    if (ann === undefined || bob === undefined) throw new Error("no voters");
    const logged = valueOf(
      await logContribution(community.deps, submitter, {
        categorySlug: "docs",
        title: "Busy community",
        links: ["https://example.org/busy"],
      }),
    );
    const batches = batchesOf(community.deps.store);
    expect(batches.enterAlone(community.communityId)).toBe(true);
    try {
      expect(batches.busy(community.communityId)).toBe(true);
      const own = await castVote(community.deps, submitter, { number: logged.number, choice: "APPROVE" });
      expect(own.ok ? null : own.error.code).toBe("OWN_CONTRIBUTION");
      const first = valueOf(
        await castVote(community.deps, ann, { number: logged.number, choice: "APPROVE" }),
      );
      expect(first).toMatchObject({ tally: { approvals: 1, rejections: 0 }, decision: null });
      const second = valueOf(
        await castVote(community.deps, bob, { number: logged.number, choice: "APPROVE" }),
      );
      expect(second.decision).toMatchObject({ outcome: "VERIFIED", decidedBy: "VOTES" });
    } finally {
      batches.leave(community.communityId);
    }
    // The queue looks once more, a turn after its last batch, before the community is free.
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches.busy(community.communityId)).toBe(false);
    expect((await contributionRow(database.db, community.communityId, logged.number)).status).toBe(
      "VERIFIED",
    );
    const votes = await database.db.vote.count({
      where: { contribution: { communityId: community.communityId } },
    });
    expect(votes).toBe(2);
  });
});

describe("a deciding vote that changes the voter's earlier vote", () => {
  it.each([
    ["on its own", false],
    ["in a batch", true],
  ])("awards by the ratings after the change and rewards each voter once (%s)", async (_how, queued) => {
    const community = await newCommunity(database, { config: { quorum: 2, verifierReward: 10 } });
    const submitter = await community.member("sub");
    const [ann, bob] = await Promise.all(["ann", "bob"].map((n) => community.member(n)));
    if (ann === undefined || bob === undefined) throw new Error("no voters");
    const logged = valueOf(
      await logContribution(community.deps, submitter, {
        categorySlug: "docs",
        title: "Changed mind",
        links: ["https://example.org/changed-mind"],
      }),
    );
    valueOf(await castVote(community.deps, ann, { number: logged.number, choice: "APPROVE", impact: 5 }));
    valueOf(await castVote(community.deps, bob, { number: logged.number, choice: "REJECT" }));
    const batches = batchesOf(community.deps.store);
    if (queued) expect(batches.enterAlone(community.communityId)).toBe(true);
    const deciding = castVote(community.deps, bob, { number: logged.number, choice: "APPROVE", impact: 1 });
    if (queued) {
      await new Promise((resolve) => setImmediate(resolve));
      expect(batches.busy(community.communityId)).toBe(true);
      batches.leave(community.communityId);
    }
    const decided = valueOf(await deciding);
    // Ratings 5 and 1: median 3, multiplier 100 %; bob's rejection carried no rating.
    const category = await database.db.category.findFirstOrThrow({
      where: { communityId: community.communityId, slug: "docs" },
    });
    expect(decided.decision).toMatchObject({ outcome: "VERIFIED", award: category.weight });
    const entries = await database.db.ledgerEntry.findMany({
      where: { communityId: community.communityId },
      select: { kind: true, memberId: true, points: true },
    });
    expect(entries.filter((e) => e.kind === "AWARD")).toEqual([
      { kind: "AWARD", memberId: submitter.memberId, points: category.weight },
    ]);
    const rewarded = entries.filter((e) => e.kind === "VERIFIER_REWARD").map((e) => e.memberId);
    expect(rewarded.sort((a, b) => a - b)).toEqual([ann.memberId, bob.memberId].sort((a, b) => a - b));
  });
});
