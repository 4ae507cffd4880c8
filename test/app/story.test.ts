import { describe, expect, it, vi } from "vitest";
import { verifyChain } from "../../src/core/ledger.ts";
import { addCategory } from "../../src/app/community.ts";
import {
  editContribution,
  logContribution,
  withdrawContribution,
  type ContributionDraft,
} from "../../src/app/contributions.ts";
import type { Actor } from "../../src/app/deps.ts";
import {
  appealContribution,
  moderatorDecide,
  reopenContribution,
  voidContribution,
} from "../../src/app/moderation.ts";
import { answerInfoRequest, askForInfo, castVote, closeDueContributions } from "../../src/app/votes.ts";
import { useTestDatabase } from "../support/db.ts";
import {
  FakeClock,
  balanceOf,
  contributionRow,
  newCommunity,
  pointsByMember,
  readLedger,
  valueOf,
  type TestCommunity,
} from "../support/communities.ts";

// Each test drives many transactions against the real database; under a loaded
// machine that takes longer than vitest's 5 s default.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

const database = useTestDatabase();

interface Cast {
  readonly community: TestCommunity;
  readonly alice: Actor;
  readonly bob: Actor;
  readonly voters: Actor[];
  readonly mod: Actor;
  /** Outbox rows written while setting the cast up (the category's moderator log) are before this id. */
  readonly outboxAfter: bigint;
}

/** Alice (submitter), Bob (her co-author), five verifiers and a moderator; a "design" category worth 10.01 points. */
async function cast(clockStart?: string): Promise<Cast> {
  const community = await newCommunity(
    database,
    clockStart === undefined ? {} : { clock: new FakeClock(clockStart) },
  );
  const mod = await community.member("mod", { moderator: true });
  valueOf(
    await addCategory(community.deps, mod, { slug: "design", weight: 1001, description: "Design work" }),
  );
  const alice = await community.member("alice");
  const bob = await community.member("bob");
  const voters: Actor[] = [];
  for (const name of ["vera", "victor", "viola", "vince", "vanya"]) voters.push(await community.member(name));
  const last = await community.deps.db.outboxMessage.findFirst({
    orderBy: { id: "desc" },
    select: { id: true },
  });
  return { community, alice, bob, voters, mod, outboxAfter: last?.id ?? 0n };
}

function draft(community: TestCommunity, overrides: Partial<ContributionDraft> = {}): ContributionDraft {
  return {
    categorySlug: "design",
    title: "New onboarding flow",
    description: "Figma file and the write-up",
    links: ["https://example.org/design/onboarding"],
    coAuthors: [{ member: { kind: "user", user: community.user("bob") }, shareBp: 4000 }],
    ...overrides,
  };
}

function voter(c: Cast, index: number): Actor {
  const actor = c.voters[index];
  if (actor === undefined) throw new Error(`no voter ${index}`);
  return actor;
}

async function historyOf(c: Cast, number: number) {
  const row = await contributionRow(c.community.deps.db, c.community.communityId, number);
  return c.community.deps.db.statusChange.findMany({
    where: { contributionId: row.id },
    orderBy: { id: "asc" },
    select: { fromStatus: true, toStatus: true, actorId: true, reason: true },
  });
}

async function outboxKinds(c: Cast): Promise<string[]> {
  const rows = await c.community.deps.db.outboxMessage.findMany({
    where: { communityId: c.community.communityId, id: { gt: c.outboxAfter } },
    orderBy: { id: "asc" },
  });
  return rows.map((row) => row.kind);
}

async function expectLedgerAgreesWithBalances(c: Cast): Promise<void> {
  const entries = await readLedger(c.community.deps.db, c.community.communityId);
  expect(verifyChain(entries)).toMatchObject({ ok: true, count: entries.length });
  for (const [memberId, points] of pointsByMember(entries))
    expect(await balanceOf(c.community.deps.db, memberId)).toBe(points);
}

/** Logs #1 with Bob on 40% and has it approved by three verifiers rating impact 2, 5 and 4. */
async function verifiedContribution(c: Cast): Promise<number> {
  const logged = valueOf(await logContribution(c.community.deps, c.alice, draft(c.community)));
  valueOf(
    await castVote(c.community.deps, voter(c, 0), { number: logged.number, choice: "APPROVE", impact: 2 }),
  );
  valueOf(
    await castVote(c.community.deps, voter(c, 1), { number: logged.number, choice: "APPROVE", impact: 5 }),
  );
  const third = valueOf(
    await castVote(c.community.deps, voter(c, 2), { number: logged.number, choice: "APPROVE", impact: 4 }),
  );
  expect(third.decision).toEqual({ outcome: "VERIFIED", decidedBy: "VOTES", award: 1502 });
  return logged.number;
}

describe("a contribution verified by its peers", () => {
  it("credits the submitter 60% and the co-author 40% when logged with a co-author at 40", async () => {
    const c = await cast();
    const logged = valueOf(await logContribution(c.community.deps, c.alice, draft(c.community)));
    expect(logged.number).toBe(1);
    expect(logged.credits).toEqual([
      { memberId: c.alice.memberId, shareBp: 6000 },
      { memberId: c.bob.memberId, shareBp: 4000 },
    ]);
    const row = await contributionRow(c.community.deps.db, c.community.communityId, 1);
    expect(row).toMatchObject({
      status: "PENDING",
      submitterId: c.alice.memberId,
      award: null,
      decidedAt: null,
    });
    expect(row.closesAt.getTime() - row.createdAt.getTime()).toBe(72 * 3_600_000);
    expect(await outboxKinds(c)).toEqual(["VOTE_CARD"]);
  });

  it("stays pending with a running tally until the third approval", async () => {
    const c = await cast();
    const { number } = valueOf(await logContribution(c.community.deps, c.alice, draft(c.community)));
    const first = valueOf(
      await castVote(c.community.deps, voter(c, 0), { number, choice: "APPROVE", impact: 2 }),
    );
    const second = valueOf(
      await castVote(c.community.deps, voter(c, 1), { number, choice: "APPROVE", impact: 5 }),
    );
    expect(first).toMatchObject({ tally: { approvals: 1, rejections: 0 }, previous: null, decision: null });
    expect(second).toMatchObject({ tally: { approvals: 2, rejections: 0 }, decision: null });
    expect((await contributionRow(c.community.deps.db, c.community.communityId, number)).status).toBe(
      "PENDING",
    );
    expect(await readLedger(c.community.deps.db, c.community.communityId)).toEqual([]);
  });

  it("awards weight × multiplier of the median rating, split by largest remainder, and rewards every voter", async () => {
    const c = await cast();
    const number = await verifiedContribution(c);
    // median of 2, 5, 4 is 4 → ×1.5; 10.01 × 1.5 = 15.015 → 1502 hundredths;
    // 60% is 901.2 and 40% is 600.8: the leftover hundredth goes to the larger remainder (Bob).
    const row = await contributionRow(c.community.deps.db, c.community.communityId, number);
    expect(row).toMatchObject({ status: "VERIFIED", decidedBy: "VOTES", award: 1502 });
    expect(row.decidedAt).toEqual(c.community.clock.now());
    const entries = await readLedger(c.community.deps.db, c.community.communityId);
    const facts = entries.map((e) => ({
      kind: e.kind,
      memberId: e.memberId,
      points: e.points,
      contributionId: e.contributionId,
    }));
    expect(facts).toHaveLength(5);
    expect(facts).toEqual(
      expect.arrayContaining([
        { kind: "AWARD", memberId: c.alice.memberId, points: 901, contributionId: row.id },
        { kind: "AWARD", memberId: c.bob.memberId, points: 601, contributionId: row.id },
        ...[0, 1, 2].map((i) => ({
          kind: "VERIFIER_REWARD",
          memberId: voter(c, i).memberId,
          points: 25,
          contributionId: row.id,
        })),
      ]),
    );
    expect(await balanceOf(c.community.deps.db, c.alice.memberId)).toBe(901);
    expect(await balanceOf(c.community.deps.db, c.bob.memberId)).toBe(601);
    for (const i of [0, 1, 2]) expect(await balanceOf(c.community.deps.db, voter(c, i).memberId)).toBe(25);
    const verified = await c.community.deps.db.balance.findMany({
      where: { memberId: { in: [c.alice.memberId, c.bob.memberId] } },
      select: { verified: true },
    });
    expect(verified).toEqual([{ verified: 1 }, { verified: 1 }]);
    await expectLedgerAgreesWithBalances(c);
  });

  it("records the whole status history and the messages to post", async () => {
    const c = await cast();
    const number = await verifiedContribution(c);
    expect(await historyOf(c, number)).toEqual([
      { fromStatus: null, toStatus: "PENDING", actorId: c.alice.memberId, reason: "" },
      { fromStatus: "PENDING", toStatus: "VERIFIED", actorId: null, reason: "decided by vote" },
    ]);
    expect(await outboxKinds(c)).toEqual(["VOTE_CARD", "TALLY", "TALLY", "DECISION"]);
    const row = await contributionRow(c.community.deps.db, c.community.communityId, number);
    const payloads = await c.community.deps.db.outboxMessage.findMany({
      where: { communityId: c.community.communityId, id: { gt: c.outboxAfter } },
    });
    for (const message of payloads) expect(message.payload).toMatchObject({ contributionId: row.id });
  });

  it("refuses further votes once verified", async () => {
    const c = await cast();
    const number = await verifiedContribution(c);
    const late = await castVote(c.community.deps, voter(c, 3), { number, choice: "REJECT" });
    expect(late).toMatchObject({ ok: false, error: { code: "VOTE_CLOSED" } });
  });
});

describe("voiding a verified contribution", () => {
  it("claws back the award and the approvers' rewards as new entries, leaving every balance at zero", async () => {
    const c = await cast();
    const number = await verifiedContribution(c);
    const before = await readLedger(c.community.deps.db, c.community.communityId);
    c.community.clock.advanceHours(5);
    const voided = valueOf(
      await voidContribution(c.community.deps, c.mod, { number, reason: "copied from another project" }),
    );
    expect(voided).toEqual({ number, clawedBack: 1502 + 3 * 25 });

    const after = await readLedger(c.community.deps.db, c.community.communityId);
    expect(after.slice(0, before.length)).toEqual(before);
    const clawbacks = after.slice(before.length);
    expect(clawbacks.every((e) => e.kind === "CLAWBACK" && e.actorId === c.mod.memberId)).toBe(true);
    expect(clawbacks.map((e) => ({ memberId: e.memberId, points: e.points }))).toEqual(
      expect.arrayContaining([
        { memberId: c.alice.memberId, points: -901 },
        { memberId: c.bob.memberId, points: -601 },
        ...[0, 1, 2].map((i) => ({ memberId: voter(c, i).memberId, points: -25 })),
      ]),
    );
    expect(clawbacks).toHaveLength(5);
    for (const actor of [c.alice, c.bob, voter(c, 0), voter(c, 1), voter(c, 2)]) {
      expect(await balanceOf(c.community.deps.db, actor.memberId)).toBe(0);
    }
    const verified = await c.community.deps.db.balance.findMany({
      where: { memberId: { in: [c.alice.memberId, c.bob.memberId] } },
      select: { verified: true },
    });
    expect(verified).toEqual([{ verified: 0 }, { verified: 0 }]);
    await expectLedgerAgreesWithBalances(c);
  });

  it("marks it VOIDED with the moderator's reason, audits it and announces it", async () => {
    const c = await cast();
    const number = await verifiedContribution(c);
    valueOf(
      await voidContribution(c.community.deps, c.mod, { number, reason: "copied from another project" }),
    );
    expect((await contributionRow(c.community.deps.db, c.community.communityId, number)).status).toBe(
      "VOIDED",
    );
    expect((await historyOf(c, number)).at(-1)).toEqual({
      fromStatus: "VERIFIED",
      toStatus: "VOIDED",
      actorId: c.mod.memberId,
      reason: "copied from another project",
    });
    const audit = await c.community.deps.db.auditLog.findMany({
      where: { communityId: c.community.communityId, action: "review.void" },
    });
    expect(audit).toMatchObject([
      { actorId: c.mod.memberId, target: `contribution:${number}`, reason: "copied from another project" },
    ]);
    expect((await outboxKinds(c)).slice(-2)).toEqual(expect.arrayContaining(["DECISION", "MOD_LOG"]));
  });

  it("keeps the rewards of verifiers who rejected it", async () => {
    const c = await cast();
    const { number } = valueOf(await logContribution(c.community.deps, c.alice, draft(c.community)));
    valueOf(await castVote(c.community.deps, voter(c, 3), { number, choice: "REJECT" }));
    for (const i of [0, 1, 2])
      valueOf(await castVote(c.community.deps, voter(c, i), { number, choice: "APPROVE" }));
    // 3 of 4 approve: 75% ≥ 66%, verified with no ratings (multiplier 1).
    expect((await contributionRow(c.community.deps.db, c.community.communityId, number)).award).toBe(1001);
    valueOf(await voidContribution(c.community.deps, c.mod, { number, reason: "duplicate of older work" }));
    expect(await balanceOf(c.community.deps.db, voter(c, 3).memberId)).toBe(25);
    for (const i of [0, 1, 2]) expect(await balanceOf(c.community.deps.db, voter(c, i).memberId)).toBe(0);
    await expectLedgerAgreesWithBalances(c);
  });
  it("no longer counts as a verified contribution of anyone credited, even where their share of the award was zero", async () => {
    const c = await cast();
    valueOf(await addCategory(c.community.deps, c.mod, { slug: "thanks", weight: 0 }));
    const { number } = valueOf(
      await logContribution(c.community.deps, c.alice, draft(c.community, { categorySlug: "thanks" })),
    );
    for (const i of [0, 1, 2])
      valueOf(await castVote(c.community.deps, voter(c, i), { number, choice: "APPROVE" }));
    const verified = async () =>
      (
        await c.community.deps.db.balance.findMany({
          where: { memberId: { in: [c.alice.memberId, c.bob.memberId] } },
          select: { verified: true },
        })
      ).map((b) => b.verified);
    expect(await verified()).toEqual([1, 1]);
    valueOf(await voidContribution(c.community.deps, c.mod, { number, reason: "not a contribution" }));
    expect(await verified()).toEqual([0, 0]);
    await expectLedgerAgreesWithBalances(c);
  });
});

describe("a contribution rejected by its peers", () => {
  it("is rejected at the third rejection with no award, and every voter is rewarded", async () => {
    const c = await cast();
    const { number } = valueOf(await logContribution(c.community.deps, c.alice, draft(c.community)));
    valueOf(await castVote(c.community.deps, voter(c, 0), { number, choice: "REJECT" }));
    valueOf(await castVote(c.community.deps, voter(c, 1), { number, choice: "APPROVE", impact: 5 }));
    valueOf(await castVote(c.community.deps, voter(c, 2), { number, choice: "REJECT" }));
    const last = valueOf(await castVote(c.community.deps, voter(c, 3), { number, choice: "REJECT" }));
    expect(last.decision).toEqual({ outcome: "REJECTED", decidedBy: "VOTES", award: 0 });
    const row = await contributionRow(c.community.deps.db, c.community.communityId, number);
    expect(row).toMatchObject({ status: "REJECTED", decidedBy: "VOTES", award: null });
    const entries = await readLedger(c.community.deps.db, c.community.communityId);
    expect(entries.filter((e) => e.kind === "AWARD")).toEqual([]);
    expect(entries.map((e) => e.memberId).sort()).toEqual(
      [0, 1, 2, 3].map((i) => voter(c, i).memberId).sort(),
    );
    expect(await balanceOf(c.community.deps.db, c.alice.memberId)).toBe(0);
    expect((await historyOf(c, number)).at(-1)).toMatchObject({
      fromStatus: "PENDING",
      toStatus: "REJECTED",
    });
    await expectLedgerAgreesWithBalances(c);
  });

  it("counts a changed vote once, as its latest choice", async () => {
    const c = await cast();
    const { number } = valueOf(await logContribution(c.community.deps, c.alice, draft(c.community)));
    valueOf(await castVote(c.community.deps, voter(c, 0), { number, choice: "APPROVE", impact: 3 }));
    const changed = valueOf(await castVote(c.community.deps, voter(c, 0), { number, choice: "REJECT" }));
    expect(changed).toMatchObject({
      tally: { approvals: 0, rejections: 1 },
      previous: { choice: "APPROVE", impact: 3 },
    });
  });
});

// closeDueContributions closes every due contribution of the database, as the deadline
// job does. Each test here runs on a clock years before the tests above it (and the rest of
// the file), so the only contributions due at its deadline are its own.
describe("a contribution at its vote deadline", () => {
  it("expires without quorum, earns nobody anything and waits for a moderator", async () => {
    const c = await cast("2004-03-01T12:00:00.000Z");
    const { number, closesAt } = valueOf(
      await logContribution(c.community.deps, c.alice, draft(c.community)),
    );
    valueOf(await castVote(c.community.deps, voter(c, 0), { number, choice: "APPROVE" }));
    valueOf(await castVote(c.community.deps, voter(c, 1), { number, choice: "APPROVE" }));
    c.community.clock.set(new Date(closesAt.getTime() - 1));
    expect(await closeDueContributions(c.community.deps)).toBe(0);
    c.community.clock.set(closesAt);
    expect(await closeDueContributions(c.community.deps)).toBe(1);
    expect(await closeDueContributions(c.community.deps)).toBe(0);
    const row = await contributionRow(c.community.deps.db, c.community.communityId, number);
    expect(row).toMatchObject({ status: "EXPIRED", decidedBy: "DEADLINE", decidedAt: closesAt });
    expect(await readLedger(c.community.deps.db, c.community.communityId)).toEqual([]);
    expect((await historyOf(c, number)).at(-1)).toMatchObject({
      fromStatus: "PENDING",
      toStatus: "EXPIRED",
      actorId: null,
    });
    expect((await outboxKinds(c)).at(-1)).toBe("DECISION");
  });

  it("refuses a vote cast at the deadline itself", async () => {
    const c = await cast("2003-03-01T12:00:00.000Z");
    const { number, closesAt } = valueOf(
      await logContribution(c.community.deps, c.alice, draft(c.community)),
    );
    c.community.clock.set(closesAt);
    const vote = await castVote(c.community.deps, voter(c, 0), { number, choice: "APPROVE" });
    expect(vote).toMatchObject({ ok: false, error: { code: "VOTE_CLOSED" } });
  });

  it("is decided by the approval ratio when quorum voted, with rewards for every voter", async () => {
    const c = await cast("2002-03-01T12:00:00.000Z");
    const { number, closesAt } = valueOf(
      await logContribution(c.community.deps, c.alice, draft(c.community)),
    );
    valueOf(await castVote(c.community.deps, voter(c, 0), { number, choice: "APPROVE", impact: 1 }));
    valueOf(await castVote(c.community.deps, voter(c, 1), { number, choice: "APPROVE", impact: 1 }));
    valueOf(await castVote(c.community.deps, voter(c, 2), { number, choice: "REJECT" }));
    c.community.clock.set(closesAt);
    expect(await closeDueContributions(c.community.deps)).toBe(1);
    // 2 of 3 approve (66.7% ≥ 66%); median impact 1 → ×0.5: 10.01 × 0.5 → 501 hundredths (rounded half up).
    const row = await contributionRow(c.community.deps.db, c.community.communityId, number);
    expect(row).toMatchObject({ status: "VERIFIED", decidedBy: "DEADLINE", award: 501 });
    expect(
      (await balanceOf(c.community.deps.db, c.alice.memberId)) +
        (await balanceOf(c.community.deps.db, c.bob.memberId)),
    ).toBe(501);
    for (const i of [0, 1, 2]) expect(await balanceOf(c.community.deps.db, voter(c, i).memberId)).toBe(25);
    await expectLedgerAgreesWithBalances(c);
  });

  it("can be verified by a moderator after it expired, with no verifier rewards", async () => {
    const c = await cast("2001-03-01T12:00:00.000Z");
    const { number, closesAt } = valueOf(
      await logContribution(c.community.deps, c.alice, draft(c.community)),
    );
    valueOf(await castVote(c.community.deps, voter(c, 0), { number, choice: "APPROVE" }));
    c.community.clock.set(closesAt);
    await closeDueContributions(c.community.deps);
    const decided = valueOf(
      await moderatorDecide(c.community.deps, c.mod, {
        number,
        outcome: "VERIFIED",
        reason: "checked by hand",
      }),
    );
    expect(decided).toEqual({ outcome: "VERIFIED", decidedBy: "MODERATOR", award: 1001 });
    const entries = await readLedger(c.community.deps.db, c.community.communityId);
    expect(entries.map((e) => e.kind)).toEqual(["AWARD", "AWARD"]);
    expect(entries.every((e) => e.actorId === c.mod.memberId)).toBe(true);
    expect((await historyOf(c, number)).at(-1)).toEqual({
      fromStatus: "EXPIRED",
      toStatus: "VERIFIED",
      actorId: c.mod.memberId,
      reason: "checked by hand",
    });
    await expectLedgerAgreesWithBalances(c);
  });
});

describe("an appealed rejection", () => {
  async function rejected(c: Cast): Promise<number> {
    const { number } = valueOf(await logContribution(c.community.deps, c.alice, draft(c.community)));
    for (const i of [0, 1, 2])
      valueOf(await castVote(c.community.deps, voter(c, i), { number, choice: "REJECT" }));
    return number;
  }

  it("is reopened for a fresh vote with the old votes cleared and the window restarted", async () => {
    const c = await cast();
    const number = await rejected(c);
    valueOf(
      await appealContribution(c.community.deps, c.alice, {
        number,
        reason: "the demo link was broken, fixed now",
      }),
    );
    const row = await contributionRow(c.community.deps.db, c.community.communityId, number);
    expect(await c.community.deps.db.appeal.findUnique({ where: { contributionId: row.id } })).toMatchObject({
      status: "OPEN",
      appellantId: c.alice.memberId,
    });
    c.community.clock.advanceHours(10);
    const reopened = valueOf(
      await reopenContribution(c.community.deps, c.mod, { number, reason: "appeal accepted" }),
    );
    expect(reopened.closesAt).toEqual(new Date(c.community.clock.now().getTime() + 72 * 3_600_000));
    const after = await contributionRow(c.community.deps.db, c.community.communityId, number);
    expect(after).toMatchObject({
      status: "PENDING",
      decidedAt: null,
      decidedBy: null,
      closesAt: reopened.closesAt,
    });
    expect(await c.community.deps.db.vote.count({ where: { contributionId: row.id } })).toBe(0);
    expect(await c.community.deps.db.appeal.findUnique({ where: { contributionId: row.id } })).toMatchObject({
      status: "ACCEPTED",
      resolverId: c.mod.memberId,
    });
    expect((await historyOf(c, number)).map((h) => h.toStatus)).toEqual(["PENDING", "REJECTED", "PENDING"]);
    expect((await outboxKinds(c)).filter((k) => k === "VOTE_CARD")).toHaveLength(2);
  });

  it("can then be verified by the same verifiers voting again", async () => {
    const c = await cast();
    const number = await rejected(c);
    valueOf(
      await appealContribution(c.community.deps, c.alice, {
        number,
        reason: "the demo link was broken, fixed now",
      }),
    );
    valueOf(await reopenContribution(c.community.deps, c.mod, { number, reason: "appeal accepted" }));
    for (const i of [0, 1])
      valueOf(await castVote(c.community.deps, voter(c, i), { number, choice: "APPROVE", impact: 3 }));
    const third = valueOf(
      await castVote(c.community.deps, voter(c, 2), { number, choice: "APPROVE", impact: 3 }),
    );
    expect(third.decision).toEqual({ outcome: "VERIFIED", decidedBy: "VOTES", award: 1001 });
    // 1001 split 60/40 = 600.6 / 400.4: the leftover hundredth goes to Alice.
    expect(await balanceOf(c.community.deps.db, c.alice.memberId)).toBe(601);
    expect(await balanceOf(c.community.deps.db, c.bob.memberId)).toBe(400);
    expect((await historyOf(c, number)).map((h) => h.toStatus)).toEqual([
      "PENDING",
      "REJECTED",
      "PENDING",
      "VERIFIED",
    ]);
    await expectLedgerAgreesWithBalances(c);
  });

  it("is denied when a moderator rejects it while the appeal is open", async () => {
    const c = await cast();
    const number = await rejected(c);
    valueOf(await appealContribution(c.community.deps, c.alice, { number, reason: "please look again" }));
    const denied = valueOf(
      await moderatorDecide(c.community.deps, c.mod, {
        number,
        outcome: "REJECTED",
        reason: "still no evidence",
      }),
    );
    expect(denied).toEqual({ appealDenied: true });
    const row = await contributionRow(c.community.deps.db, c.community.communityId, number);
    expect(row.status).toBe("REJECTED");
    expect(await c.community.deps.db.appeal.findUnique({ where: { contributionId: row.id } })).toMatchObject({
      status: "DENIED",
    });
  });
});

describe("needs-info", () => {
  it("puts a verifier's question to the submitter without counting as a vote, and records the answer", async () => {
    const c = await cast();
    const { number } = valueOf(await logContribution(c.community.deps, c.alice, draft(c.community)));
    const asked = valueOf(await askForInfo(c.community.deps, voter(c, 0), number, "Which screens changed?"));
    const row = await contributionRow(c.community.deps.db, c.community.communityId, number);
    expect(await c.community.deps.db.vote.count({ where: { contributionId: row.id } })).toBe(0);
    expect(await c.community.deps.db.question.findUnique({ where: { id: asked.questionId } })).toMatchObject({
      askerId: voter(c, 0).memberId,
      question: "Which screens changed?",
      answer: null,
    });
    c.community.clock.advanceHours(1);
    const answered = valueOf(
      await answerInfoRequest(c.community.deps, c.alice, number, "Signup and the first-run tour"),
    );
    expect(answered.questionId).toBe(asked.questionId);
    expect(await c.community.deps.db.question.findUnique({ where: { id: asked.questionId } })).toMatchObject({
      answer: "Signup and the first-run tour",
      answeredAt: c.community.clock.now(),
    });
    expect(await outboxKinds(c)).toEqual(["VOTE_CARD", "NEEDS_INFO", "INFO_ANSWERED", "TALLY"]);
    // A question is not a vote: the submitter may still edit.
    valueOf(await editContribution(c.community.deps, c.alice, number, { title: "New onboarding flow, v2" }));
  });

  it("answers the oldest open question first", async () => {
    const c = await cast();
    const { number } = valueOf(await logContribution(c.community.deps, c.alice, draft(c.community)));
    const first = valueOf(await askForInfo(c.community.deps, voter(c, 0), number, "Which screens?"));
    const second = valueOf(await askForInfo(c.community.deps, voter(c, 1), number, "Any user testing?"));
    expect(valueOf(await answerInfoRequest(c.community.deps, c.alice, number, "Signup")).questionId).toBe(
      first.questionId,
    );
    expect(valueOf(await answerInfoRequest(c.community.deps, c.alice, number, "Five users")).questionId).toBe(
      second.questionId,
    );
  });
});

describe("editing and withdrawing", () => {
  it("lets the submitter edit title, description, links and category before the first vote", async () => {
    const c = await cast();
    const { number } = valueOf(await logContribution(c.community.deps, c.alice, draft(c.community)));
    valueOf(
      await editContribution(c.community.deps, c.alice, number, {
        title: "  Onboarding   flow redesign ",
        description: "Now with the tour",
        links: ["https://example.org/design/onboarding-v2", "https://example.org/design/tour"],
        categorySlug: "DOCS",
      }),
    );
    const row = await contributionRow(c.community.deps.db, c.community.communityId, number);
    const docs = await c.community.deps.db.category.findFirstOrThrow({
      where: { communityId: c.community.communityId, slug: "docs" },
    });
    expect(row).toMatchObject({
      title: "Onboarding flow redesign",
      description: "Now with the tour",
      links: ["https://example.org/design/onboarding-v2", "https://example.org/design/tour"],
      categoryId: docs.id,
      status: "PENDING",
    });
    const evidence = await c.community.deps.db.evidenceLink.findMany({
      where: { contributionId: row.id },
      orderBy: { id: "asc" },
    });
    expect(evidence.map((e) => e.normalizedUrl)).toEqual([
      "https://example.org/design/onboarding-v2",
      "https://example.org/design/tour",
    ]);
    // The old link is free again.
    valueOf(await logContribution(c.community.deps, c.bob, draft(c.community, { coAuthors: [] })));
  });

  it("refuses an edit after the first vote and leaves the contribution as it was", async () => {
    const c = await cast();
    const { number } = valueOf(await logContribution(c.community.deps, c.alice, draft(c.community)));
    valueOf(await castVote(c.community.deps, voter(c, 0), { number, choice: "APPROVE" }));
    const edit = await editContribution(c.community.deps, c.alice, number, { title: "Something else" });
    expect(edit).toMatchObject({ ok: false, error: { code: "ALREADY_VOTED_ON" } });
    expect((await contributionRow(c.community.deps.db, c.community.communityId, number)).title).toBe(
      "New onboarding flow",
    );
  });

  it("withdraws a pending contribution, closes its vote and frees its evidence link", async () => {
    const c = await cast();
    const { number } = valueOf(await logContribution(c.community.deps, c.alice, draft(c.community)));
    valueOf(await withdrawContribution(c.community.deps, c.alice, number));
    const row = await contributionRow(c.community.deps.db, c.community.communityId, number);
    expect(row).toMatchObject({ status: "WITHDRAWN", decidedAt: c.community.clock.now() });
    expect((await historyOf(c, number)).at(-1)).toEqual({
      fromStatus: "PENDING",
      toStatus: "WITHDRAWN",
      actorId: c.alice.memberId,
      reason: "withdrawn by the submitter",
    });
    expect(await castVote(c.community.deps, voter(c, 0), { number, choice: "APPROVE" })).toMatchObject({
      ok: false,
      error: { code: "VOTE_CLOSED" },
    });
    expect(await withdrawContribution(c.community.deps, c.alice, number)).toMatchObject({
      ok: false,
      error: { code: "NOT_PENDING" },
    });
    const again = valueOf(await logContribution(c.community.deps, c.alice, draft(c.community)));
    expect(again.number).toBe(number + 1);
  });

  it("frees the evidence link of a rejected contribution but not of an expired one", async () => {
    const c = await cast();
    const first = valueOf(
      await logContribution(
        c.community.deps,
        c.alice,
        draft(c.community, { links: ["https://example.org/a"] }),
      ),
    );
    const second = valueOf(
      await logContribution(
        c.community.deps,
        c.alice,
        draft(c.community, { links: ["https://example.org/b"] }),
      ),
    );
    for (const i of [0, 1, 2])
      valueOf(await castVote(c.community.deps, voter(c, i), { number: first.number, choice: "REJECT" }));
    c.community.clock.set(second.closesAt);
    await closeDueContributions(c.community.deps);
    valueOf(
      await logContribution(
        c.community.deps,
        c.bob,
        draft(c.community, { coAuthors: [], links: ["https://example.org/a"] }),
      ),
    );
    const duplicate = await logContribution(
      c.community.deps,
      c.bob,
      draft(c.community, { coAuthors: [], links: ["https://example.org/b"] }),
    );
    expect(duplicate).toMatchObject({
      ok: false,
      error: { code: "DUPLICATE_LINK", detail: { number: second.number } },
    });
  });
});
