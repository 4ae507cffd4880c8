import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { activeWeight } from "../../src/core/activeScore.ts";
import { readCommunityConfig } from "../../src/core/config.ts";
import { GENESIS_HASH, verifyChain, type HashedLedgerEntry } from "../../src/core/ledger.ts";
import { periodKeys } from "../../src/core/periods.ts";
import { addCategory } from "../../src/app/community.ts";
import { logContribution } from "../../src/app/contributions.ts";
import { createIdentityLinkCode, redeemIdentityLinkCode } from "../../src/app/link.ts";
import { adjustPoints, moderatorDecide, voidContribution } from "../../src/app/moderation.ts";
import { castVote, closeDueContributions } from "../../src/app/votes.ts";
import { useTestDatabase } from "../support/db.ts";
import { newCommunity, pointsByMember, readLedger, type TestCommunity } from "../support/communities.ts";

// Each test drives many transactions against the real database; under a loaded
// machine that takes longer than vitest's 5 s default.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

const database = useTestDatabase();

const PEOPLE = ["ana", "ben", "cleo", "dev", "eli"] as const;
const person = fc.integer({ min: 0, max: PEOPLE.length - 1 });
/** Which logged contribution an action is about: an index taken modulo how many there are. */
const target = fc.nat({ max: 50 });

type Action =
  | {
      kind: "log";
      by: number;
      coAuthor: number | null;
      shareBp: number | null;
      category: "code" | "docs" | "thanks";
    }
  | { kind: "vote"; by: number; target: number; approve: boolean; impact: number | null }
  | { kind: "decide"; target: number; verified: boolean }
  | { kind: "void"; target: number }
  | { kind: "adjust"; member: number; points: number }
  | { kind: "link"; asker: number; redeemer: number }
  | { kind: "tick"; hours: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("log" as const),
      by: person,
      coAuthor: fc.option(person),
      shareBp: fc.option(fc.integer({ min: 1, max: 9999 })),
      category: fc.constantFrom("code" as const, "docs" as const, "thanks" as const),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("vote" as const),
      by: person,
      target,
      approve: fc.boolean(),
      impact: fc.option(fc.integer({ min: 1, max: 5 })),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("decide" as const), target, verified: fc.boolean() }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("void" as const), target }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("adjust" as const),
      member: person,
      points: fc.integer({ min: -5000, max: 5000 }).filter((p) => p !== 0),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("link" as const), asker: person, redeemer: person }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("tick" as const), hours: fc.integer({ min: 1, max: 80 }) }),
  },
);

/** Runs one action the way a chat would: each actor resolved from their platform account at the time. */
async function apply(community: TestCommunity, numbers: number[], a: Action): Promise<void> {
  const deps = community.deps;
  const as = (index: number) => community.member(PEOPLE[index] ?? "ana");
  const pick = (index: number): number | undefined =>
    numbers.length === 0 ? undefined : numbers[index % numbers.length];
  const mod = () => community.member("mod", { moderator: true });
  switch (a.kind) {
    case "log": {
      const coAuthors =
        a.coAuthor === null
          ? []
          : [
              {
                member: { kind: "user" as const, user: community.user(PEOPLE[a.coAuthor] ?? "ana") },
                shareBp: a.shareBp,
              },
            ];
      const logged = await logContribution(deps, await as(a.by), {
        categorySlug: a.category,
        title: `Work ${numbers.length + 1}`,
        links: [],
        coAuthors,
      });
      if (logged.ok) numbers.push(logged.value.number);
      return;
    }
    case "vote": {
      const number = pick(a.target);
      if (number === undefined) return;
      await castVote(deps, await as(a.by), {
        number,
        choice: a.approve ? "APPROVE" : "REJECT",
        ...(a.approve && a.impact !== null ? { impact: a.impact } : {}),
      });
      return;
    }
    case "decide": {
      const number = pick(a.target);
      if (number !== undefined)
        await moderatorDecide(deps, await mod(), {
          number,
          outcome: a.verified ? "VERIFIED" : "REJECTED",
          reason: "moderator call",
        });
      return;
    }
    case "void": {
      const number = pick(a.target);
      if (number !== undefined) await voidContribution(deps, await mod(), { number, reason: "voided" });
      return;
    }
    case "adjust":
      await adjustPoints(deps, await mod(), {
        member: { kind: "user", user: community.user(PEOPLE[a.member] ?? "ana") },
        points: a.points,
        reason: "adjusted",
      });
      return;
    case "link": {
      const code = await createIdentityLinkCode(deps, await as(a.asker));
      if (code.ok) await redeemIdentityLinkCode(deps, await as(a.redeemer), code.value.code);
      return;
    }
    case "tick":
      community.clock.advanceHours(a.hours);
      await closeDueContributions(deps);
      return;
  }
}

/** Checks the ledger and every balance derived from it against a recomputation. */
async function expectLedgerConsistent(community: TestCommunity): Promise<void> {
  const db = database.db;
  const communityId = community.communityId;
  const entries = await readLedger(db, communityId);
  expect(verifyChain(entries)).toEqual({
    ok: true,
    count: entries.length,
    headSeq: entries.length,
    headHash: entries.at(-1)?.hash ?? GENESIS_HASH,
  });
  const head = await db.ledgerHead.findUniqueOrThrow({ where: { communityId } });
  expect(head).toMatchObject({ seq: entries.length, hash: entries.at(-1)?.hash ?? GENESIS_HASH });

  // Totals: per member id exactly as the entries say (MERGE entries move them).
  const balances = await db.balance.findMany({ where: { communityId } });
  const sums = pointsByMember(entries);
  expect(Object.fromEntries(balances.filter((b) => b.total !== 0).map((b) => [b.memberId, b.total]))).toEqual(
    Object.fromEntries([...sums].filter(([, points]) => points !== 0)),
  );

  // Everything else follows the person: the member a merged member was merged into.
  const members = await db.member.findMany({
    where: { communityId },
    select: { id: true, mergedIntoId: true },
  });
  const into = new Map(members.map((m) => [m.id, m.mergedIntoId]));
  const effective = (id: number): number => {
    let current = id;
    for (let next = into.get(current); next !== null && next !== undefined; next = into.get(current))
      current = next;
    return current;
  };
  const earned = entries.filter((e) => e.kind !== "MERGE");
  const community_ = await db.community.findUniqueOrThrow({ where: { id: communityId } });
  const halfLife = readCommunityConfig(community_.config).decayHalfLifeDays;

  const periods = new Map<string, number>();
  const active = new Map<number, number>();
  for (const e of earned) {
    const who = effective(e.memberId);
    const keys = periodKeys(e.createdAt);
    for (const period of [keys.day, keys.week, keys.month])
      periods.set(`${who}|${period}`, (periods.get(`${who}|${period}`) ?? 0) + e.points);
    active.set(
      who,
      (active.get(who) ?? 0) + e.points * activeWeight(e.createdAt, community_.activeEpoch, halfLife),
    );
  }
  const stored = await db.periodBalance.findMany({ where: { communityId } });
  expect(
    Object.fromEntries(
      stored.filter((p) => p.points !== 0).map((p) => [`${p.memberId}|${p.period}`, p.points]),
    ),
  ).toEqual(Object.fromEntries([...periods].filter(([, points]) => points !== 0)));
  for (const b of balances) expect(b.activeAcc).toBeCloseTo(active.get(b.memberId) ?? 0, 6);

  // Verified: one per award on a contribution that is verified now (voided ones were taken back).
  const verifiedNow = new Set(
    (
      await db.contribution.findMany({ where: { communityId, status: "VERIFIED" }, select: { id: true } })
    ).map((c) => c.id),
  );
  const verified = new Map<number, number>();
  for (const e of entries) {
    if (e.kind === "AWARD" && e.contributionId !== null && verifiedNow.has(e.contributionId)) {
      verified.set(effective(e.memberId), (verified.get(effective(e.memberId)) ?? 0) + 1);
    }
  }
  expect(
    Object.fromEntries(balances.filter((b) => b.verified !== 0).map((b) => [b.memberId, b.verified])),
  ).toEqual(Object.fromEntries(verified));

  // One decision's worth of awards per contribution.
  expect(awardBatches(entries).every((batches) => batches <= 1)).toBe(true);
}

function awardBatches(entries: readonly HashedLedgerEntry[]): number[] {
  const batches = new Map<number, Set<number>>();
  for (const e of entries) {
    if (e.kind !== "AWARD" || e.contributionId === null) continue;
    const seqs = batches.get(e.contributionId) ?? new Set<number>();
    seqs.add(e.createdAt.getTime());
    batches.set(e.contributionId, seqs);
  }
  return [...batches.values()].map((s) => s.size);
}

describe("the ledger under any sequence of use cases", () => {
  it("verifies, and every balance equals a recomputation from it", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 5, maxLength: 30 }), async (actions) => {
        const community = await newCommunity(database, { config: { quorum: 2 } });
        const mod = await community.member("mod", { moderator: true });
        await addCategory(community.deps, mod, { slug: "thanks", weight: 0 });
        const numbers: number[] = [];
        for (const a of actions) await apply(community, numbers, a);
        await expectLedgerConsistent(community);
      }),
      { numRuns: 15 },
    );
  }, 180_000);
});
