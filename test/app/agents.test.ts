// Agent members in the use cases: the deadline sweep counts people only, and a
// moderator's token is recorded on the ledger entries its decisions and
// adjustments write.
import { describe, expect, it } from "vitest";
import { logContribution } from "../../src/app/contributions.ts";
import { adjustPoints, moderatorDecide } from "../../src/app/moderation.ts";
import { authenticateToken, createToken } from "../../src/app/tokens.ts";
import { castVote, closeDueInCommunity } from "../../src/app/votes.ts";
import { contributionRow, newCommunity, valueOf, type TestCommunity } from "../support/communities.ts";
import { useTestDatabase } from "../support/db.ts";

const database = useTestDatabase();

async function tokenActor(
  community: TestCommunity,
  owner: string,
  name: string,
  scopes: string[],
  agent: boolean,
) {
  const maker = await community.member(owner, { moderator: true });
  const made = valueOf(await createToken(community.deps, maker, { name, scopes, agent }));
  return valueOf(await authenticateToken(community.deps, made.token));
}

describe("agents in the use cases", () => {
  it("at the deadline, agents' votes alone leave a contribution expired; people's decide it", async () => {
    const community = await newCommunity(database, { config: { quorum: 2, agentVoting: true } });
    const alice = await community.member("alice");
    const agents = await Promise.all(
      ["b1", "b2", "b3"].map((name) => tokenActor(community, "olga", name, ["vote"], true)),
    );
    for (const title of ["One", "Two"])
      valueOf(await logContribution(community.deps, alice, { categorySlug: "code", title, links: [] }));
    for (const agent of agents) {
      valueOf(await castVote(community.deps, agent.actor, { number: 1, choice: "APPROVE" }));
      valueOf(await castVote(community.deps, agent.actor, { number: 2, choice: "REJECT" }));
    }
    for (const name of ["carol", "dan"])
      valueOf(await castVote(community.deps, await community.member(name), { number: 2, choice: "APPROVE" }));
    // Two people approving against three agents rejecting: people's votes verify it.
    expect((await contributionRow(database.db, community.communityId, 2))?.status).toBe("VERIFIED");
    community.clock.advanceHours(73);
    await closeDueInCommunity(community.deps, community.communityId);
    expect((await contributionRow(database.db, community.communityId, 1))?.status).toBe("EXPIRED");
  });

  it("records a moderator's token on the entries of its override and its adjustment", async () => {
    const community = await newCommunity(database, { config: { quorum: 5 } });
    const alice = await community.member("alice");
    valueOf(
      await logContribution(community.deps, alice, { categorySlug: "code", title: "Parser", links: [] }),
    );
    const mod = await tokenActor(community, "olga", "mod-bot", ["moderate"], false);
    valueOf(
      await moderatorDecide(community.deps, mod.actor, {
        number: 1,
        outcome: "VERIFIED",
        reason: "checked by hand",
      }),
    );
    valueOf(
      await adjustPoints(community.deps, mod.actor, {
        member: { kind: "name", name: "alice" },
        points: 100,
        reason: "meetup",
      }),
    );
    const entries = await database.db.ledgerEntry.findMany({ where: { communityId: community.communityId } });
    expect(entries.map((e) => e.kind).sort()).toEqual(["ADJUSTMENT", "AWARD"]);
    expect(entries.every((e) => e.tokenId === mod.tokenId)).toBe(true);
  });
});
