import { describe, expect, it } from "vitest";
import type { LeaderboardWindow } from "../../src/core/periods.ts";
import type { Actor } from "../../src/app/deps.ts";
import { inTransaction } from "../../src/app/deps.ts";
import { appendLedgerEntries, type NewLedgerEntry } from "../../src/app/ledger.ts";
import { scheduledLeaderboard, showLeaderboard, type LeaderboardView } from "../../src/app/leaderboard.ts";
import { useTestDatabase } from "../support/db.ts";
import { FakeClock, newCommunity, valueOf, type TestCommunity } from "../support/communities.ts";

const database = useTestDatabase();

const NOW = "2026-11-28T12:00:00.000Z"; // a Saturday in ISO week 2026-W48 (Mon 23 Nov – Sun 29 Nov)

async function community(config: Record<string, unknown> = {}): Promise<TestCommunity> {
  const clock = new FakeClock("2026-01-01T00:00:00.000Z");
  const c = await newCommunity(database, { clock, config });
  clock.set(NOW);
  return c;
}

function append(c: TestCommunity, at: string, entries: NewLedgerEntry[]): Promise<unknown> {
  return inTransaction(c.deps, (tx) => appendLedgerEntries(tx, c.communityId, entries, new Date(at)));
}

const award = (memberId: number, points: number, contributionId: number | null = null): NewLedgerEntry => ({
  kind: "AWARD",
  memberId,
  points,
  contributionId,
  actorId: null,
  reason: "verified contribution",
  verifiedDelta: 1,
});

async function board(
  c: TestCommunity,
  actor: Actor,
  window: LeaderboardWindow = { kind: "all" },
  extra: { score?: "total" | "active"; limit?: number; categorySlug?: string } = {},
): Promise<LeaderboardView> {
  return valueOf(await showLeaderboard(c.deps, { actor, window, score: extra.score ?? "total", ...extra }));
}

const summary = (view: LeaderboardView): Array<[number, string, number]> =>
  view.rows.map((r) => [r.rank, r.name, r.points]);

describe("all-time board", () => {
  it("ranks ties as 1, 2, 2, 4 with names, points and verified counts", async () => {
    const c = await community();
    // One after another: equal points are listed in member order.
    const ada = await c.member("Ada");
    const bo = await c.member("Bo");
    const cy = await c.member("Cy");
    const di = await c.member("Di");
    await append(c, "2026-11-20T10:00:00Z", [
      award(ada!.memberId, 500),
      award(bo!.memberId, 300),
      award(cy!.memberId, 300),
    ]);
    await append(c, "2026-11-21T10:00:00Z", [award(di!.memberId, 100)]);
    const view = await board(c, ada!);
    expect(summary(view)).toEqual([
      [1, "Ada", 500],
      [2, "Bo", 300],
      [2, "Cy", 300],
      [4, "Di", 100],
    ]);
    expect(view.rows.map((r) => r.verified)).toEqual([1, 1, 1, 1]);
    expect(view.rows[0]?.isCaller).toBe(true);
    expect(view.callerRow).toBeNull();
    expect(view.windowLabel).toBe("all time");
  });

  it("leaves out hidden, banned and merged members and members without points", async () => {
    const c = await community();
    const [shown, hidden, banned, merged, idle] = await Promise.all(
      ["Shown", "Hidden", "Banned", "Merged", "Idle"].map((n) => c.member(n)),
    );
    await append(c, "2026-11-20T10:00:00Z", [
      award(shown!.memberId, 100),
      award(hidden!.memberId, 900),
      award(banned!.memberId, 800),
      award(merged!.memberId, 700),
    ]);
    await c.deps.db.member.update({ where: { id: hidden!.memberId }, data: { hidden: true } });
    await c.deps.db.member.update({ where: { id: banned!.memberId }, data: { banned: true } });
    await c.deps.db.member.update({
      where: { id: merged!.memberId },
      data: { mergedIntoId: shown!.memberId },
    });
    const view = await board(c, idle!);
    expect(summary(view)).toEqual([[1, "Shown", 100]]);
    expect(view.callerRow).toBeNull();
    const hiddenView = await board(c, hidden!, { kind: "all" }, { limit: 1 });
    expect(hiddenView.callerRow).toBeNull();
  });

  it("adds the caller's own row with their competition rank when they are outside the top N", async () => {
    const c = await community();
    const names = ["A", "B", "C", "D", "E"];
    const actors = await Promise.all(names.map((n) => c.member(n)));
    const points = [500, 400, 300, 300, 200];
    await append(
      c,
      "2026-11-20T10:00:00Z",
      actors.map((a, i) => award(a.memberId, points[i]!)),
    );
    const d = actors[3]!;
    const view = await board(c, d, { kind: "all" }, { limit: 2 });
    expect(summary(view)).toEqual([
      [1, "A", 500],
      [2, "B", 400],
    ]);
    expect(view.callerRow).toMatchObject({ rank: 3, name: "D", points: 300, isCaller: true });
    const e = await board(c, actors[4]!, { kind: "all" }, { limit: 3 });
    expect(e.callerRow).toMatchObject({ rank: 5, name: "E" });
    const top = await board(c, actors[1]!, { kind: "all" }, { limit: 2 });
    expect(top.callerRow).toBeNull();
    expect(top.rows.find((r) => r.isCaller)?.name).toBe("B");
  });

  it("ranks the caller past hidden, banned and merged members above them", async () => {
    const c = await community();
    const names = ["Top", "Hidden", "Banned", "Merged", "Mid", "Me"];
    const [top, hidden, banned, merged, mid, me] = await Promise.all(names.map((n) => c.member(n)));
    await append(c, "2026-11-26T10:00:00Z", [
      award(top!.memberId, 900),
      award(hidden!.memberId, 800),
      award(banned!.memberId, 700),
      award(merged!.memberId, 600),
      award(mid!.memberId, 500),
      award(me!.memberId, 100),
    ]);
    await c.deps.db.member.update({ where: { id: hidden!.memberId }, data: { hidden: true } });
    await c.deps.db.member.update({ where: { id: banned!.memberId }, data: { banned: true } });
    await c.deps.db.member.update({ where: { id: merged!.memberId }, data: { mergedIntoId: top!.memberId } });
    for (const window of [{ kind: "all" }, { kind: "month" }, { kind: "last7" }] as const) {
      const view = await board(c, me!, window, { limit: 1 });
      expect(summary(view)).toEqual([[1, "Top", 900]]);
      expect(view.callerRow).toMatchObject({ rank: 3, name: "Me", points: 100 });
    }
    const active = await board(c, me!, { kind: "all" }, { score: "active", limit: 1 });
    expect(active.callerRow).toMatchObject({ rank: 3, name: "Me" });
  });

  it("ranks a caller just below the configured size from the rows read with the board", async () => {
    const c = await community({ leaderboardSize: 2 });
    // One after another: equal points are listed in member order.
    const actors: Actor[] = [];
    for (const name of ["A", "B", "C", "D"]) actors.push(await c.member(name));
    await append(
      c,
      "2026-11-20T10:00:00Z",
      actors.map((a, i) => award(a.memberId, [400, 300, 300, 100][i]!)),
    );
    const view = await board(c, actors[2]!);
    expect(summary(view)).toEqual([
      [1, "A", 400],
      [2, "B", 300],
    ]);
    expect(view.callerRow).toMatchObject({ rank: 2, name: "C", points: 300, isCaller: true });
    const last = await board(c, actors[3]!, { kind: "all" }, { score: "active" });
    expect(last.rows).toHaveLength(2);
    expect(last.callerRow).toMatchObject({ rank: 4, name: "D" });
  });

  it("uses the configured size by default and never shows more than 25 rows", async () => {
    const c = await community({ leaderboardSize: 3 });
    const actors = await Promise.all(Array.from({ length: 30 }, (_, i) => c.member(`M${i}`)));
    await append(
      c,
      "2026-11-20T10:00:00Z",
      actors.map((a, i) => award(a.memberId, 100 + i)),
    );
    expect((await board(c, actors[0]!)).rows).toHaveLength(3);
    const big = await board(c, actors[0]!, { kind: "all" }, { limit: 100 });
    expect(big.rows).toHaveLength(25);
    expect(big.callerRow).toMatchObject({ rank: 30, points: 100 });
  });
});

describe("windows", () => {
  it("count only the buckets of the window", async () => {
    const c = await community();
    const [week, month, last7, last30, old] = await Promise.all(
      ["Week", "Month", "Last7", "Last30", "Old"].map((n) => c.member(n)),
    );
    await append(c, "2026-11-24T08:00:00Z", [award(week!.memberId, 100)]); // this week
    await append(c, "2026-11-10T08:00:00Z", [award(month!.memberId, 200)]); // this month, not last 7 days
    await append(c, "2026-11-22T23:00:00Z", [award(last7!.memberId, 300)]); // last 7 days, last week
    await append(c, "2026-10-31T08:00:00Z", [award(last30!.memberId, 400)]); // last 30 days, last month
    await append(c, "2026-09-01T08:00:00Z", [award(old!.memberId, 500)]);
    const names = async (window: LeaderboardWindow): Promise<string[]> =>
      (await board(c, week!, window)).rows.map((r) => r.name).sort();
    expect(await names({ kind: "week" })).toEqual(["Week"]);
    expect(await names({ kind: "month" })).toEqual(["Last7", "Month", "Week"]);
    expect(await names({ kind: "last7" })).toEqual(["Last7", "Week"]);
    expect(await names({ kind: "last30" })).toEqual(["Last30", "Last7", "Month", "Week"]);
    expect(await names({ kind: "all" })).toEqual(["Last30", "Last7", "Month", "Old", "Week"]);
    expect(
      await names({
        kind: "range",
        from: new Date("2026-10-31T00:00:00Z"),
        to: new Date("2026-11-10T00:00:00Z"),
      }),
    ).toEqual(["Last30", "Month"]);
    const weekView = await board(c, old!, { kind: "week" });
    expect(weekView.windowLabel).toBe("this week");
    expect(weekView.callerRow).toBeNull();
  });

  it("sums a season's days and refuses an unknown season", async () => {
    const c = await community();
    const [a, b] = await Promise.all([c.member("A"), c.member("B")]);
    await c.deps.db.season.create({
      data: {
        communityId: c.communityId,
        name: "Autumn",
        startsAt: new Date("2026-09-01T00:00:00Z"),
        endsAt: new Date("2026-10-01T00:00:00Z"),
      },
    });
    await append(c, "2026-09-05T08:00:00Z", [award(a!.memberId, 100)]);
    await append(c, "2026-09-20T08:00:00Z", [award(a!.memberId, 50), award(b!.memberId, 120)]);
    await append(c, "2026-10-02T08:00:00Z", [award(b!.memberId, 1000)]);
    const view = await board(c, a!, { kind: "season", name: "autumn" });
    expect(summary(view)).toEqual([
      [1, "A", 150],
      [2, "B", 120],
    ]);
    const unknown = await showLeaderboard(c.deps, {
      actor: a!,
      window: { kind: "season", name: "Winter" },
      score: "total",
    });
    expect(unknown.ok ? null : unknown.error.code).toBe("UNKNOWN_SEASON");
  });

  it("ranks a windowed board with the caller outside the top N", async () => {
    const c = await community();
    const actors = await Promise.all(["A", "B", "C"].map((n) => c.member(n)));
    await append(
      c,
      "2026-11-26T08:00:00Z",
      actors.map((a, i) => award(a.memberId, 300 - i * 100)),
    );
    const view = await board(c, actors[2]!, { kind: "last7" }, { limit: 1 });
    expect(summary(view)).toEqual([[1, "A", 300]]);
    expect(view.callerRow).toMatchObject({ rank: 3, points: 100 });
  });
});

describe("active score", () => {
  it("decays old points so steady recent work ranks above an old burst", async () => {
    const c = await community({ decayHalfLifeDays: 90 });
    const [burst, steady] = await Promise.all([c.member("Burst"), c.member("Steady")]);
    // 180 days before now: two half-lives, a quarter of the points remain.
    await append(c, "2026-06-01T12:00:00Z", [award(burst!.memberId, 1000)]);
    await append(c, "2026-11-28T12:00:00Z", [award(steady!.memberId, 400)]);
    const total = await board(c, steady!);
    expect(summary(total)).toEqual([
      [1, "Burst", 1000],
      [2, "Steady", 400],
    ]);
    const active = await board(c, steady!, { kind: "all" }, { score: "active" });
    expect(active.score).toBe("active");
    expect(summary(active)).toEqual([
      [1, "Steady", 400],
      [2, "Burst", 250],
    ]);
    const outside = await board(c, burst!, { kind: "all" }, { score: "active", limit: 1 });
    expect(outside.callerRow).toMatchObject({ rank: 2, points: 250 });
    const monthActive = await board(c, steady!, { kind: "month" }, { score: "active" });
    expect(summary(monthActive)).toEqual([[1, "Steady", 400]]);
  });
});

describe("category filter", () => {
  it("counts only entries on contributions of the category and refuses unknown categories", async () => {
    const c = await community();
    const [a, b] = await Promise.all([c.member("A"), c.member("B")]);
    const categories = await c.deps.db.category.findMany({ where: { communityId: c.communityId } });
    const code = categories.find((cat) => cat.slug === "code")!;
    const docs = categories.find((cat) => cat.slug === "docs")!;
    const make = (number: number, categoryId: number, submitterId: number) =>
      c.deps.db.contribution.create({
        data: {
          communityId: c.communityId,
          number,
          submitterId,
          categoryId,
          title: `#${number}`,
          status: "VERIFIED",
          closesAt: new Date(NOW),
          credits: { create: [{ memberId: submitterId, shareBp: 10_000 }] },
        },
      });
    const c1 = await make(1, code.id, a!.memberId);
    const c2 = await make(2, docs.id, b!.memberId);
    const c3 = await make(3, docs.id, a!.memberId);
    await append(c, "2026-11-25T08:00:00Z", [
      award(a!.memberId, 1000, c1.id),
      award(b!.memberId, 500, c2.id),
      award(a!.memberId, 200, c3.id),
      {
        kind: "VERIFIER_REWARD",
        memberId: a!.memberId,
        points: 25,
        contributionId: c2.id,
        actorId: null,
        reason: "vote",
      },
    ]);
    const view = await board(c, a!, { kind: "all" }, { categorySlug: "docs" });
    expect(view.category).toBe("docs");
    expect(summary(view)).toEqual([
      [1, "B", 500],
      [2, "A", 225],
    ]);
    expect(view.rows.map((r) => r.verified)).toEqual([1, 1]);
    await append(c, "2026-11-26T08:00:00Z", [
      {
        kind: "CLAWBACK",
        memberId: b!.memberId,
        points: -500,
        contributionId: c2.id,
        actorId: null,
        reason: "void",
        verifiedDelta: -1,
      },
    ]);
    const afterVoid = await board(c, a!, { kind: "all" }, { categorySlug: "docs" });
    expect(summary(afterVoid)).toEqual([[1, "A", 225]]);
    const week = await board(c, a!, { kind: "week" }, { categorySlug: "code" });
    expect(summary(week)).toEqual([[1, "A", 1000]]);
    const refused = await showLeaderboard(c.deps, {
      actor: a!,
      window: { kind: "all" },
      score: "total",
      categorySlug: "art",
    });
    expect(refused.ok ? null : refused.error.code).toBe("UNKNOWN_CATEGORY");
  });
});

describe("streaks and the scheduled post", () => {
  it("shows consecutive weeks with verified work and posts without a caller", async () => {
    const c = await community();
    const [a, b] = await Promise.all([c.member("A"), c.member("B")]);
    // A: weeks 46, 47 and 48 (current); B: week 45 only, then a gap.
    for (const at of ["2026-11-10T08:00:00Z", "2026-11-17T08:00:00Z", "2026-11-24T08:00:00Z"]) {
      await append(c, at, [award(a!.memberId, 100)]);
    }
    await append(c, "2026-11-03T08:00:00Z", [award(b!.memberId, 50)]);
    await append(c, "2026-11-18T08:00:00Z", [
      {
        kind: "ADJUSTMENT",
        memberId: b!.memberId,
        points: 10,
        contributionId: null,
        actorId: null,
        reason: "bonus",
      },
    ]);
    const view = valueOf(await scheduledLeaderboard(c.deps, c.communityId, { kind: "all" }));
    expect(view.rows.map((r) => [r.name, r.streak, r.isCaller])).toEqual([
      ["A", 3, false],
      ["B", 0, false],
    ]);
    expect(view.callerRow).toBeNull();
  });
});
