// The deadline sweep decides many due contributions of a community in one
// transaction. Whatever the votes, it must decide exactly what deciding each
// contribution on its own decides: the same outcomes, awards and ledger
// entries, once each, with a ledger that verifies.
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { logContribution } from "../../src/app/contributions.ts";
import { verifyCommunityLedger } from "../../src/app/ledgerAudit.ts";
import { castVote, closeContributionIfDue, closeDueInCommunity } from "../../src/app/votes.ts";
import { useTestDatabase } from "../support/db.ts";
import { FakeClock, newCommunity, readLedger, valueOf, type TestCommunity } from "../support/communities.ts";

vi.setConfig({ testTimeout: 120_000 });

const database = useTestDatabase();

const VOTERS = ["vera", "victor", "viola", "vince"] as const;

interface Vote {
  readonly voter: number;
  readonly approve: boolean;
  readonly impact: number | null;
}

/** Per contribution: who votes how. Fewer than three votes never decide before the deadline. */
const scenario = fc.array(
  fc.uniqueArray(
    fc.record({
      voter: fc.integer({ min: 0, max: VOTERS.length - 1 }),
      approve: fc.boolean(),
      impact: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
    }),
    { selector: (v) => v.voter, maxLength: 3 },
  ),
  { minLength: 1, maxLength: 6 },
);

/** Logs the contributions (alice with bob as co-author) and casts the votes; returns the clock at the deadline. */
async function play(community: TestCommunity, votes: readonly (readonly Vote[])[]): Promise<Date> {
  const alice = await community.member("alice");
  const voters = await Promise.all(VOTERS.map((name) => community.member(name)));
  let closesAt = new Date(0);
  for (const [i, contributionVotes] of votes.entries()) {
    const logged = valueOf(
      await logContribution(community.deps, alice, {
        categorySlug: "code",
        title: `Change ${i + 1}`,
        links: [`https://example.org/pr/${i + 1}`],
        coAuthors: [{ member: { kind: "user", user: community.user("bob") }, shareBp: 3333 }],
      }),
    );
    closesAt = logged.closesAt;
    for (const vote of contributionVotes) {
      const voter = voters[vote.voter];
      if (voter === undefined) throw new Error("no such voter");
      valueOf(
        await castVote(community.deps, voter, {
          number: logged.number,
          choice: vote.approve ? "APPROVE" : "REJECT",
          ...(vote.approve && vote.impact !== null ? { impact: vote.impact } : {}),
        }),
      );
    }
  }
  return closesAt;
}

/** What a community's decisions came to, in terms that do not depend on its ids. */
async function outcomeOf(community: TestCommunity) {
  const db = community.deps.db;
  const contributions = await db.contribution.findMany({
    where: { communityId: community.communityId },
    orderBy: { number: "asc" },
    select: { id: true, number: true, status: true, decidedBy: true, award: true },
  });
  const members = await db.member.findMany({ where: { communityId: community.communityId } });
  const nameOf = new Map(members.map((m) => [m.id, m.displayName]));
  const numberOf = new Map(contributions.map((c) => [c.id, c.number]));
  const ledger = (await readLedger(db, community.communityId)).map((e) => ({
    kind: e.kind,
    member: nameOf.get(e.memberId),
    points: e.points,
    contribution: e.contributionId === null ? null : numberOf.get(e.contributionId),
  }));
  const announcements = await db.outboxMessage.count({
    where: { communityId: community.communityId, kind: "DECISION" },
  });
  return {
    contributions: contributions.map(({ id: _id, ...rest }) => rest),
    ledger: ledger.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    announcements,
  };
}

describe("the deadline sweep", () => {
  it("decides exactly what deciding each contribution alone decides, once each", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (votes) => {
        const start = "2003-01-01T00:00:00.000Z";
        const alone = await newCommunity(database, { clock: new FakeClock(start) });
        const swept = await newCommunity(database, { clock: new FakeClock(start) });
        const deadline = await play(alone, votes);
        await play(swept, votes);
        alone.clock.set(deadline);
        swept.clock.set(deadline);

        const ids = await alone.deps.db.contribution.findMany({
          where: { communityId: alone.communityId },
          select: { id: true },
        });
        for (const { id } of ids) await closeContributionIfDue(alone.deps, id);
        const pending = await swept.deps.db.contribution.count({
          where: { communityId: swept.communityId, status: "PENDING" },
        });
        const decided = await closeDueInCommunity(swept.deps, swept.communityId);

        expect(decided.size).toBe(pending);
        expect(await outcomeOf(swept)).toEqual(await outcomeOf(alone));
        expect((await closeDueInCommunity(swept.deps, swept.communityId)).size).toBe(0);
        const check = await verifyCommunityLedger(swept.deps, swept.communityId);
        expect(check.chain.ok).toBe(true);
        expect(check.headMatches).toBe(true);
        expect(check.balancesAgree).toBe(true);
      }),
      { numRuns: 12 },
    );
  });

  it("leaves a contribution whose deadline has not passed, and one another transaction holds", async () => {
    const community = await newCommunity(database, { clock: new FakeClock("2003-06-01T00:00:00.000Z") });
    const deadline = await play(community, [[], [], []]);
    community.clock.set(deadline);
    const [held, , later] = await community.deps.db.contribution.findMany({
      where: { communityId: community.communityId },
      orderBy: { number: "asc" },
    });
    if (held === undefined || later === undefined) throw new Error("three contributions expected");
    await community.deps.db.contribution.update({
      where: { id: later.id },
      data: { closesAt: new Date(deadline.getTime() + 1) },
    });
    let release = (): void => {};
    const holding = community.deps.db.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM contribution WHERE id = ${held.id} FOR UPDATE`;
      await new Promise<void>((resolve) => (release = resolve));
    });
    await new Promise((resolve) => setTimeout(resolve, 100));

    const decided = await closeDueInCommunity(community.deps, community.communityId);
    release();
    await holding;

    expect([...decided.keys()]).toHaveLength(1);
    expect(decided.has(held.id)).toBe(false);
    expect(decided.has(later.id)).toBe(false);
    expect((await closeDueInCommunity(community.deps, community.communityId)).has(held.id)).toBe(true);
  });
});
