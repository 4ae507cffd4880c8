// Agent members and evidence digests over real HTTP against a real api.server on
// the real PostgreSQL: agents' votes never decide alone, an agent and its owner
// count as one, agents keep their own daily limit, boards show people unless
// asked, digests are duplicates like links, and every write records its token.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { closeDueContributions } from "../../../src/app/votes.ts";
import { useTestDatabase } from "../../support/db.ts";
import { contributionRow } from "../../support/communities.ts";
import { verifyLedgerLines } from "./ledgerLines.ts";
import { FakeClock, apiCommunity, call, useApiServer } from "./support.ts";

const database = useTestDatabase();
const clock = new FakeClock();
const api = useApiServer(database, clock);

const link = (): string => `https://example.org/${randomUUID()}`;
const digest = (): string => `sha256:${randomUUID().replaceAll("-", "").repeat(2)}`;

async function log(token: string, extra: Record<string, unknown> = {}) {
  return call(api.server, "POST", "/contributions", {
    token,
    body: { category: "code", title: "Labelled rows", links: [link()], ...extra },
  });
}

const vote = (token: string, number: number, choice = "approve") =>
  call(api.server, "PUT", `/contributions/${number}/vote`, { token, body: { choice } });

async function tokenIdOf(name: string): Promise<number> {
  return (await database.db.apiToken.findFirstOrThrow({ where: { name }, orderBy: { id: "desc" } })).id;
}

describe("agent members", () => {
  it("are made by a moderator's token as members of kind agent owned by that moderator", async () => {
    const community = await apiCommunity(database, clock);
    const agent = await community.agentToken("olga", "labeller", ["contribute", "read"]);
    const me = await call(api.server, "GET", "/members/me", { token: agent });
    expect(me.json).toMatchObject({ name: "labeller", kind: "AGENT", ownerName: "olga" });
    const olga = await community.member("olga");
    const row = await database.db.member.findUniqueOrThrow({ where: { id: me.json["memberId"] as number } });
    expect(row).toMatchObject({ kind: "AGENT", ownerId: olga.memberId });
  });

  it("vote only where agentVoting is on, and even then never verify or reject alone", async () => {
    const off = await apiCommunity(database, clock, { quorum: 1 });
    const alice = await off.token("alice", ["contribute"]);
    const bot = await off.agentToken("olga", "checker", ["vote", "read"]);
    await log(alice);
    expect((await vote(bot, 1)).json).toMatchObject({ status: 403, code: "AGENT_VOTING_OFF" });

    const community = await apiCommunity(database, clock, { quorum: 1, agentVoting: true });
    const author = await community.token("alice", ["contribute"]);
    const bots = await Promise.all(
      ["a1", "a2", "a3"].map((name) => community.agentToken("olga", name, ["vote", "read"])),
    );
    const carol = await community.token("carol", ["vote", "read"]);
    await log(author);
    await log(author);
    for (const bot of bots) {
      const answer = await vote(bot, 1);
      expect(answer.json).toMatchObject({ decision: null, tally: { approvals: 0, rejections: 0 } });
      await vote(bot, 2, "reject");
    }
    expect((await contributionRow(database.db, community.communityId, 1))?.status).toBe("PENDING");
    const shown = await call(api.server, "GET", "/contributions/1", { token: carol });
    expect(shown.json["votes"]).toHaveLength(3);
    expect(shown.json["agentVotes"]).toBe(3);
    expect((shown.json["votes"] as Array<{ voterKind: string }>).every((v) => v.voterKind === "AGENT")).toBe(
      true,
    );

    // A person's vote is what verifies; at the deadline agents' votes alone leave it expired.
    expect((await vote(carol, 1)).json).toMatchObject({ decision: { outcome: "VERIFIED" } });
    clock.advanceHours(73);
    await closeDueContributions(community.deps);
    expect((await contributionRow(database.db, community.communityId, 2))?.status).toBe("EXPIRED");
  });

  it("count as one with their owner: neither votes on the other's contributions", async () => {
    const community = await apiCommunity(database, clock, { agentVoting: true });
    const agent = await community.agentToken("olga", "shipper", ["contribute", "vote", "read"]);
    const olga = await community.token("olga", ["contribute", "vote"]);
    const logged = await log(agent);
    expect(logged.status).toBe(201);
    expect((await vote(olga, 1)).json).toMatchObject({
      status: 403,
      code: "AGENT_OWNER_CONFLICT",
      detail: "An agent and its owner count as one: neither may vote on the other's contributions.",
    });
    await log(olga);
    expect((await vote(agent, 2)).json).toMatchObject({ status: 403, code: "AGENT_OWNER_CONFLICT" });
    expect(
      await database.db.vote.count({ where: { contribution: { communityId: community.communityId } } }),
    ).toBe(0);
  });

  it("keep their own daily limit, maxAgentSubmissionsPerDay", async () => {
    const community = await apiCommunity(database, clock, { maxAgentSubmissionsPerDay: 2 });
    const agent = await community.agentToken("olga", "ci", ["contribute"]);
    const alice = await community.token("alice", ["contribute"]);
    expect((await log(agent)).status).toBe(201);
    expect((await log(agent)).status).toBe(201);
    const third = await log(agent);
    expect(third.json).toMatchObject({ status: 429, code: "SUBMISSION_LIMIT" });
    expect(third.headers.get("retry-after")).not.toBeNull();
    expect((await log(alice)).status).toBe(201);
  });

  it("are on the boards only when asked: people by default, agents, or all", async () => {
    const community = await apiCommunity(database, clock, { quorum: 1 });
    const agent = await community.agentToken("olga", "labeller", ["contribute"]);
    const alice = await community.token("alice", ["contribute", "read"]);
    const bob = await community.token("bob", ["vote", "read"]);
    await log(agent);
    await log(alice);
    await vote(bob, 1);
    await vote(bob, 2);
    const names = async (query: string) => {
      const board = await call(api.server, "GET", `/leaderboard${query}`, { token: bob });
      return (board.json["rows"] as Array<{ name: string; kind: string }>).map((r) => `${r.name}:${r.kind}`);
    };
    expect(await names("")).toEqual(["alice:PERSON", "bob:PERSON"]);
    expect(await names("?members=agents")).toEqual(["labeller:AGENT"]);
    expect((await names("?members=all&window=month")).sort()).toEqual([
      "alice:PERSON",
      "bob:PERSON",
      "labeller:AGENT",
    ]);
    expect(await names("?members=agents&window=7d")).toEqual(["labeller:AGENT"]);
    // The caller's rank outside the rows shown counts people only: the agent above bob is not.
    for (const query of ["?limit=1", "?limit=1&score=active", "?limit=1&window=7d"]) {
      const board = await call(api.server, "GET", `/leaderboard${query}`, { token: bob });
      expect(board.json["callerRow"], query).toMatchObject({ name: "bob", rank: 2 });
    }
    expect((await call(api.server, "GET", "/leaderboard?members=robots", { token: bob })).status).toBe(400);
    const exporter = await community.token("olga", ["export"]);
    const csv = await call(api.server, "POST", "/exports", { token: exporter, body: { format: "csv" } });
    expect(csv.text).toMatch(/^\d+,labeller,agent,,/m);
    expect(csv.text).toMatch(/^\d+,alice,person,/m);
  });
});

describe("evidence digests", () => {
  it("are kept and shown; one used by another live contribution is refused like a duplicate link", async () => {
    const community = await apiCommunity(database, clock);
    const alice = await community.token("alice", ["contribute", "read"]);
    const bob = await community.token("bob", ["contribute", "read"]);
    const artefact = digest();
    expect((await log(alice, { digests: [artefact.toUpperCase().replace("SHA256", "sha256")] })).status).toBe(
      201,
    );
    const shown = await call(api.server, "GET", "/contributions/1", { token: bob });
    expect(shown.json["digests"]).toEqual([artefact]);
    const twice = await log(bob, { digests: [artefact] });
    expect(twice.json).toMatchObject({
      status: 409,
      code: "DUPLICATE_DIGEST",
      detail: "That evidence digest is already used by contribution #1.",
    });
    expect((await log(bob, { digests: ["sha256:1234"] })).json).toMatchObject({
      status: 422,
      code: "BAD_DIGEST",
    });
    expect(await database.db.contribution.count({ where: { communityId: community.communityId } })).toBe(1);
    // Withdrawn, it frees its digest.
    await call(api.server, "POST", "/contributions/1/withdraw", { token: alice });
    expect((await log(bob, { digests: [artefact] })).status).toBe(201);
  });
});

describe("tokens recorded", () => {
  it("on the contribution, the vote and the ledger entries a token's request wrote, and in the ledger export", async () => {
    const community = await apiCommunity(database, clock, { quorum: 1 });
    const agent = await community.agentToken("olga", "release-bot", ["contribute", "read"]);
    const bob = await community.token("bob", ["vote", "read"], "bob-votes");
    const artefact = digest();
    await log(agent, { digests: [artefact] });
    await vote(bob, 1);
    const agentToken = await tokenIdOf("release-bot");
    const bobToken = await tokenIdOf("bob-votes");
    const contribution = await database.db.contribution.findFirstOrThrow({
      where: { communityId: community.communityId, number: 1 },
      include: { votes: true, ledger: true },
    });
    expect(contribution.tokenId).toBe(agentToken);
    expect(contribution.votes.map((v) => v.tokenId)).toEqual([bobToken]);
    expect(contribution.ledger.length).toBeGreaterThan(0);
    expect(contribution.ledger.every((e) => e.tokenId === bobToken)).toBe(true);
    const detail = await call(api.server, "GET", "/contributions/1", { token: bob });
    expect(detail.json).toMatchObject({ submitterKind: "AGENT", loggedThrough: "release-bot" });
    const text = (await call(api.server, "GET", "/ledger", { token: bob })).text.trim().split("\n");
    const lines = text.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.length).toBe(contribution.ledger.length);
    for (const line of lines) expect(line).toMatchObject({ tokenId: bobToken, digests: [artefact] });
    // The notes sit beside the hashed facts: `cairn ledger verify` still accepts the export.
    expect(await verifyLedgerLines(text)).toMatchObject({ ok: true, count: lines.length });
    expect((await call(api.server, "POST", "/ledger/verify", { token: bob })).status).toBe(200);
  });
});
