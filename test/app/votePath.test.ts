import { describe, expect, it, vi } from "vitest";
import { logContribution } from "../../src/app/contributions.ts";
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
