import { describe, expect, it } from "vitest";
import type { ContributionStatus } from "../../src/generated/prisma/enums.ts";
import { inTransaction } from "../../src/app/deps.ts";
import { appendLedgerEntries, type NewLedgerEntry } from "../../src/app/ledger.ts";
import { setProfileVisibility, showProfile } from "../../src/app/profile.ts";
import { useTestDatabase } from "../support/db.ts";
import { FakeClock, newCommunity, valueOf, type TestCommunity } from "../support/communities.ts";

const database = useTestDatabase();

const NOW = "2026-11-28T12:00:00.000Z";

async function community(): Promise<TestCommunity> {
  const clock = new FakeClock("2026-11-01T00:00:00.000Z");
  const c = await newCommunity(database, { clock });
  clock.set(NOW);
  return c;
}

function append(c: TestCommunity, at: string, entries: NewLedgerEntry[]): Promise<unknown> {
  return inTransaction(c.deps, (tx) => appendLedgerEntries(tx, c.communityId, entries, new Date(at)));
}

async function contribution(
  c: TestCommunity,
  number: number,
  slug: string,
  submitterId: number,
  status: ContributionStatus,
  credits: Array<[number, number]>,
  createdAt: string,
): Promise<number> {
  const category = await c.deps.db.category.findUniqueOrThrow({
    where: { communityId_slug: { communityId: c.communityId, slug } },
  });
  const row = await c.deps.db.contribution.create({
    data: {
      communityId: c.communityId,
      number,
      submitterId,
      categoryId: category.id,
      title: `Contribution ${number}`,
      status,
      createdAt: new Date(createdAt),
      closesAt: new Date(createdAt),
      credits: { create: credits.map(([memberId, shareBp]) => ({ memberId, shareBp })) },
    },
  });
  return row.id;
}

describe("showProfile", () => {
  it("shows points, rank, counts by status, streak, recent contributions, categories and identities", async () => {
    const c = await community();
    const [ada, bo] = await Promise.all([c.member("Ada"), c.member("Bo")]);
    const a = ada.memberId;
    const b = bo.memberId;
    const c1 = await contribution(c, 1, "code", a, "VERIFIED", [[a, 10_000]], "2026-11-16T08:00:00Z");
    const c2 = await contribution(
      c,
      2,
      "docs",
      b,
      "VERIFIED",
      [
        [a, 6_000],
        [b, 4_000],
      ],
      "2026-11-23T08:00:00Z",
    );
    await contribution(c, 3, "code", a, "PENDING", [[a, 10_000]], "2026-11-27T08:00:00Z");
    await contribution(c, 4, "docs", a, "REJECTED", [[a, 10_000]], "2026-11-20T08:00:00Z");
    await contribution(c, 5, "data", b, "PENDING", [[b, 10_000]], "2026-11-27T09:00:00Z"); // not Ada's
    await append(c, "2026-11-17T08:00:00Z", [
      {
        kind: "AWARD",
        memberId: a,
        points: 1000,
        contributionId: c1,
        actorId: null,
        reason: "verified",
        verifiedDelta: 1,
      },
    ]);
    await append(c, "2026-11-24T08:00:00Z", [
      {
        kind: "AWARD",
        memberId: a,
        points: 300,
        contributionId: c2,
        actorId: null,
        reason: "verified",
        verifiedDelta: 1,
      },
      {
        kind: "AWARD",
        memberId: b,
        points: 200,
        contributionId: c2,
        actorId: null,
        reason: "verified",
        verifiedDelta: 1,
      },
      { kind: "ADJUSTMENT", memberId: b, points: 2000, contributionId: null, actorId: null, reason: "event" },
    ]);
    const profile = valueOf(await showProfile(c.deps, { actor: ada }));
    expect(profile).toMatchObject({
      memberId: a,
      name: "Ada",
      hidden: false,
      points: { total: 1300 },
      rank: 2,
      streak: 2,
    });
    expect(profile.points.active).toBeGreaterThan(1200);
    expect(profile.points.active).toBeLessThanOrEqual(1300);
    expect(profile.counts).toEqual({
      PENDING: 1,
      VERIFIED: 2,
      REJECTED: 1,
      EXPIRED: 0,
      WITHDRAWN: 0,
      VOIDED: 0,
    });
    expect(profile.recent.map((r) => [r.number, r.status, r.points])).toEqual([
      [3, "PENDING", 0],
      [2, "VERIFIED", 300],
      [4, "REJECTED", 0],
      [1, "VERIFIED", 1000],
    ]);
    expect(profile.categories).toEqual([
      { slug: "code", verified: 1 },
      { slug: "docs", verified: 1 },
    ]);
    expect(profile.identities).toEqual([{ platform: "CONSOLE", displayName: "Ada" }]);
  });

  it("finds another member by name, refuses unknown names, and keeps only the last five", async () => {
    const c = await community();
    const [ada, bo] = await Promise.all([c.member("Ada"), c.member("Bo")]);
    for (let n = 1; n <= 7; n += 1) {
      await contribution(
        c,
        n,
        "code",
        bo.memberId,
        "PENDING",
        [[bo.memberId, 10_000]],
        `2026-11-${10 + n}T08:00:00Z`,
      );
    }
    const profile = valueOf(await showProfile(c.deps, { actor: ada, member: { kind: "name", name: "@bo" } }));
    expect(profile.name).toBe("Bo");
    expect(profile.recent.map((r) => r.number)).toEqual([7, 6, 5, 4, 3]);
    expect(profile.counts.PENDING).toBe(7);
    expect(profile.rank).toBeNull(); // no points yet
    const unknown = await showProfile(c.deps, { actor: ada, member: { kind: "name", name: "Nobody" } });
    expect(unknown.ok ? null : unknown.error.code).toBe("UNKNOWN_MEMBER");
  });

  it("shows a merged identity's history on the member it merged into", async () => {
    const c = await community();
    const [ada, alt] = await Promise.all([c.member("Ada"), c.member("Ada on Telegram")]);
    await append(c, "2026-11-24T08:00:00Z", [
      {
        kind: "AWARD",
        memberId: alt.memberId,
        points: 400,
        contributionId: null,
        actorId: null,
        reason: "x",
        verifiedDelta: 1,
      },
    ]);
    await c.deps.db.member.update({ where: { id: alt.memberId }, data: { mergedIntoId: ada.memberId } });
    await c.deps.db.identity.updateMany({
      where: { memberId: alt.memberId },
      data: { memberId: ada.memberId },
    });
    const profile = valueOf(await showProfile(c.deps, { actor: alt }));
    expect(profile.memberId).toBe(ada.memberId);
    expect(profile.identities.map((i) => i.displayName).sort()).toEqual(["Ada", "Ada on Telegram"]);
  });
});

describe("setProfileVisibility", () => {
  it("hides a member from the rank and shows them again", async () => {
    const c = await community();
    const ada = await c.member("Ada");
    await append(c, "2026-11-24T08:00:00Z", [
      {
        kind: "ADJUSTMENT",
        memberId: ada.memberId,
        points: 100,
        contributionId: null,
        actorId: null,
        reason: "x",
      },
    ]);
    expect(valueOf(await setProfileVisibility(c.deps, ada, true))).toEqual({ hidden: true, changed: true });
    expect(valueOf(await setProfileVisibility(c.deps, ada, true))).toEqual({ hidden: true, changed: false });
    const hidden = valueOf(await showProfile(c.deps, { actor: ada }));
    expect(hidden).toMatchObject({ hidden: true, rank: null, points: { total: 100 } });
    valueOf(await setProfileVisibility(c.deps, ada, false));
    expect(valueOf(await showProfile(c.deps, { actor: ada }))).toMatchObject({ hidden: false, rank: 1 });
  });
});
