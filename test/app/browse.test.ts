import { describe, expect, it } from "vitest";
import type { ContributionStatus, VoteChoice } from "../../src/generated/prisma/enums.ts";
import { listContributions, reviewQueue, showContribution } from "../../src/app/browse.ts";
import { inTransaction } from "../../src/app/deps.ts";
import { appendLedgerEntries } from "../../src/app/ledger.ts";
import { useTestDatabase } from "../support/db.ts";
import { FakeClock, newCommunity, valueOf, type TestCommunity } from "../support/communities.ts";

const database = useTestDatabase();

const NOW = "2026-11-28T12:00:00.000Z";

async function community(config: Record<string, unknown> = {}): Promise<TestCommunity> {
  return newCommunity(database, { clock: new FakeClock(NOW), config });
}

interface Seed {
  number: number;
  submitterId: number;
  status?: ContributionStatus;
  createdAt?: string;
  credits?: Array<[number, number]>;
  votes?: Array<[number, VoteChoice, number | null]>;
}

async function contribution(c: TestCommunity, seed: Seed): Promise<number> {
  const category = await c.deps.db.category.findUniqueOrThrow({
    where: { communityId_slug: { communityId: c.communityId, slug: "code" } },
  });
  const createdAt = new Date(seed.createdAt ?? "2026-11-27T12:00:00Z");
  const row = await c.deps.db.contribution.create({
    data: {
      communityId: c.communityId,
      number: seed.number,
      submitterId: seed.submitterId,
      categoryId: category.id,
      title: `Contribution ${seed.number}`,
      description: "what was done",
      links: ["https://example.org/pr/1"],
      status: seed.status ?? "PENDING",
      createdAt,
      closesAt: new Date(createdAt.getTime() + 72 * 3_600_000),
      credits: {
        create: (seed.credits ?? [[seed.submitterId, 10_000]]).map(([memberId, shareBp]) => ({
          memberId,
          shareBp,
        })),
      },
      votes: { create: (seed.votes ?? []).map(([voterId, choice, impact]) => ({ voterId, choice, impact })) },
      history: {
        create: [{ fromStatus: null, toStatus: "PENDING", actorId: seed.submitterId, at: createdAt }],
      },
    },
  });
  return row.id;
}

describe("showContribution", () => {
  it("shows credits with the points they earned, votes, questions, history and the appeal", async () => {
    const c = await community();
    const [ada, bo, cy, di] = await Promise.all([
      c.member("Ada"),
      c.member("Bo"),
      c.member("Cy"),
      c.member("Di"),
    ]);
    const id = await contribution(c, {
      number: 1,
      submitterId: ada.memberId,
      status: "REJECTED",
      credits: [
        [ada.memberId, 7_000],
        [bo.memberId, 3_000],
      ],
      votes: [
        [cy.memberId, "REJECT", null],
        [di.memberId, "APPROVE", 4],
      ],
    });
    await c.deps.db.question.create({
      data: {
        contributionId: id,
        askerId: cy.memberId,
        question: "Which PR?",
        answer: "#12",
        answeredAt: new Date(NOW),
      },
    });
    await c.deps.db.statusChange.create({
      data: {
        contributionId: id,
        fromStatus: "PENDING",
        toStatus: "REJECTED",
        actorId: null,
        reason: "votes",
        at: new Date(NOW),
      },
    });
    await c.deps.db.appeal.create({
      data: { contributionId: id, appellantId: ada.memberId, reason: "It was merged" },
    });
    await inTransaction(c.deps, (tx) =>
      appendLedgerEntries(
        tx,
        c.communityId,
        [
          {
            kind: "AWARD",
            memberId: ada.memberId,
            points: 700,
            contributionId: id,
            actorId: null,
            reason: "v",
            verifiedDelta: 1,
          },
          {
            kind: "AWARD",
            memberId: bo.memberId,
            points: 300,
            contributionId: id,
            actorId: null,
            reason: "v",
            verifiedDelta: 1,
          },
          {
            kind: "VERIFIER_REWARD",
            memberId: di.memberId,
            points: 25,
            contributionId: id,
            actorId: null,
            reason: "v",
          },
          {
            kind: "CLAWBACK",
            memberId: bo.memberId,
            points: -300,
            contributionId: id,
            actorId: null,
            reason: "v",
            verifiedDelta: -1,
          },
        ],
        new Date(NOW),
      ),
    );
    const detail = valueOf(await showContribution(c.deps, { actor: bo, number: 1 }));
    expect(detail).toMatchObject({
      number: 1,
      title: "Contribution 1",
      description: "what was done",
      links: ["https://example.org/pr/1"],
      category: "code",
      submitter: "Ada",
      status: "REJECTED",
      blind: false,
      tally: { approvals: 1, rejections: 1, voters: 2 },
    });
    expect(detail.credits).toEqual([
      { memberId: ada.memberId, name: "Ada", kind: "PERSON", shareBp: 7_000, points: 700 },
      { memberId: bo.memberId, name: "Bo", kind: "PERSON", shareBp: 3_000, points: 0 },
    ]);
    expect(detail.votes.map((v) => [v.voter, v.choice, v.impact])).toEqual([
      ["Cy", "REJECT", null],
      ["Di", "APPROVE", 4],
    ]);
    expect(detail.questions).toEqual([
      expect.objectContaining({ asker: "Cy", question: "Which PR?", answer: "#12" }),
    ]);
    expect(detail.history.map((h) => [h.from, h.to, h.actor, h.reason])).toEqual([
      [null, "PENDING", "Ada", ""],
      ["PENDING", "REJECTED", null, "votes"],
    ]);
    expect(detail.appeal).toMatchObject({ appellant: "Ada", reason: "It was merged", status: "OPEN" });
  });

  it("hides vote directions of a pending contribution under blind voting", async () => {
    const c = await community({ blindVoting: true });
    const [ada, bo, cy, di] = await Promise.all([
      c.member("Ada"),
      c.member("Bo"),
      c.member("Cy"),
      c.member("Di"),
    ]);
    await contribution(c, {
      number: 1,
      submitterId: ada.memberId,
      votes: [
        [bo.memberId, "APPROVE", 5],
        [cy.memberId, "REJECT", null],
      ],
    });
    const asBo = valueOf(await showContribution(c.deps, { actor: bo, number: 1 }));
    expect(asBo.blind).toBe(true);
    expect(asBo.tally).toEqual({ approvals: null, rejections: null, voters: 2 });
    expect(asBo.votes.map((v) => v.voter)).toEqual(["Bo"]);
    expect(asBo.ownVote).toMatchObject({ choice: "APPROVE", impact: 5 });
    const asDi = valueOf(await showContribution(c.deps, { actor: di, number: 1 }));
    expect(asDi.votes).toEqual([]);
    expect(asDi.ownVote).toBeNull();
    await c.deps.db.contribution.updateMany({
      where: { communityId: c.communityId, number: 1 },
      data: { status: "VERIFIED" },
    });
    const decided = valueOf(await showContribution(c.deps, { actor: di, number: 1 }));
    expect(decided.tally).toEqual({ approvals: 1, rejections: 1, voters: 2 });
    expect(decided.votes).toHaveLength(2);
  });

  it("refuses an unknown number", async () => {
    const c = await community();
    const ada = await c.member("Ada");
    const result = await showContribution(c.deps, { actor: ada, number: 99 });
    expect(result.ok ? null : result.error.code).toBe("UNKNOWN_CONTRIBUTION");
  });
});

describe("listContributions", () => {
  it("pages newest first, ten at a time, filtered by status and member", async () => {
    const c = await community();
    const [ada, bo] = await Promise.all([c.member("Ada"), c.member("Bo")]);
    for (let n = 1; n <= 23; n += 1) {
      const byAda = n % 3 !== 0;
      await contribution(c, {
        number: n,
        submitterId: byAda ? ada.memberId : bo.memberId,
        status: n % 2 === 0 ? "VERIFIED" : "PENDING",
        createdAt: new Date(Date.UTC(2026, 10, 1, n)).toISOString(),
        // #3 is Bo's, with Ada credited too.
        credits:
          n === 3
            ? [
                [bo.memberId, 5_000],
                [ada.memberId, 5_000],
              ]
            : [[byAda ? ada.memberId : bo.memberId, 10_000]],
      });
    }
    const first = valueOf(await listContributions(c.deps, { actor: ada, page: 1 }));
    expect(first).toMatchObject({ page: 1, pages: 3, total: 23 });
    expect(first.items.map((i) => i.number)).toEqual([23, 22, 21, 20, 19, 18, 17, 16, 15, 14]);
    const last = valueOf(await listContributions(c.deps, { actor: ada, page: 3 }));
    expect(last.items.map((i) => i.number)).toEqual([3, 2, 1]);
    expect(valueOf(await listContributions(c.deps, { actor: ada, page: 4 })).items).toEqual([]);
    const verified = valueOf(await listContributions(c.deps, { actor: ada, status: "VERIFIED", page: 2 }));
    expect(verified).toMatchObject({ total: 11, pages: 2 });
    expect(verified.items.every((i) => i.status === "VERIFIED")).toBe(true);
    const bos = valueOf(
      await listContributions(c.deps, { actor: ada, member: { kind: "name", name: "Bo" }, page: 1 }),
    );
    expect(bos.items.map((i) => i.number)).toEqual([21, 18, 15, 12, 9, 6, 3]);
    const adas = valueOf(
      await listContributions(c.deps, { actor: bo, member: { kind: "user", user: c.user("Ada") }, page: 2 }),
    );
    expect(adas.total).toBe(17);
    expect(adas.items.map((i) => i.number)).toEqual([8, 7, 5, 4, 3, 2, 1]);
    const unknown = await listContributions(c.deps, {
      actor: ada,
      member: { kind: "name", name: "Zed" },
      page: 1,
    });
    expect(unknown.ok ? null : unknown.error.code).toBe("UNKNOWN_MEMBER");
  });
});

describe("reviewQueue", () => {
  it("is for moderators only", async () => {
    const c = await community();
    const ada = await c.member("Ada");
    const result = await reviewQueue(c.deps, ada);
    expect(result.ok ? null : result.error.code).toBe("NOT_MODERATOR");
  });

  it("lists pending oldest first with age and tally, expired ones, open appeals and unanswered questions", async () => {
    const c = await community();
    const [mod, ada, bo, cy] = await Promise.all([
      c.member("Mod", { moderator: true }),
      c.member("Ada"),
      c.member("Bo"),
      c.member("Cy"),
    ]);
    const newer = await contribution(c, {
      number: 1,
      submitterId: ada.memberId,
      createdAt: "2026-11-28T06:00:00Z",
    });
    await contribution(c, {
      number: 2,
      submitterId: ada.memberId,
      createdAt: "2026-11-26T12:00:00Z",
      votes: [
        [bo.memberId, "APPROVE", null],
        [cy.memberId, "REJECT", null],
        [mod.memberId, "APPROVE", null],
      ],
    });
    await contribution(c, {
      number: 3,
      submitterId: bo.memberId,
      status: "EXPIRED",
      createdAt: "2026-11-20T12:00:00Z",
    });
    const rejected = await contribution(c, { number: 4, submitterId: bo.memberId, status: "REJECTED" });
    await contribution(c, { number: 5, submitterId: bo.memberId, status: "VERIFIED" });
    await c.deps.db.appeal.create({
      data: { contributionId: rejected, appellantId: bo.memberId, reason: "Please look again" },
    });
    await c.deps.db.question.create({
      data: { contributionId: newer, askerId: cy.memberId, question: "Link?" },
    });
    const queue = valueOf(await reviewQueue(c.deps, mod));
    expect(queue.pending.map((p) => [p.number, p.ageHours, p.tally])).toEqual([
      [2, 48, { approvals: 2, rejections: 1, voters: 3 }],
      [1, 6, { approvals: 0, rejections: 0, voters: 0 }],
    ]);
    expect(queue.expired.map((e) => e.number)).toEqual([3]);
    expect(queue.appeals).toEqual([
      expect.objectContaining({ number: 4, appellant: "Bo", reason: "Please look again" }),
    ]);
    expect(queue.questions).toEqual([expect.objectContaining({ number: 1, asker: "Cy", question: "Link?" })]);
    expect(queue.counts).toEqual({ pending: 2, expired: 1, appeals: 1, questions: 1 });
  });
});
