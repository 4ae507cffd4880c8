import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Tx } from "../../src/db/client.ts";
import {
  GENESIS_HASH,
  hashEntry,
  ledgerLineToEntry,
  verifyChain,
  type HashedLedgerEntry,
} from "../../src/core/ledger.ts";
import { inTransaction } from "../../src/app/deps.ts";
import { appendLedgerEntries, type NewLedgerEntry } from "../../src/app/ledger.ts";
import {
  ChainChecker,
  exportLedgerLines,
  recomputeBalances,
  verifyCommunityLedger,
  verifyLedgerFile,
} from "../../src/app/ledgerAudit.ts";
import { createTestDatabase } from "../support/db.ts";
import {
  FakeClock,
  newCommunity,
  valueOf,
  type TestCommunity,
  ledgerEntry as entry,
} from "../support/communities.ts";

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let folder: string;

beforeAll(async () => {
  database = await createTestDatabase();
  folder = await mkdtemp(path.join(tmpdir(), "cairn-ledger-"));
});

afterAll(async () => {
  await database.drop();
  await rm(folder, { recursive: true, force: true });
});

async function community(): Promise<TestCommunity> {
  return newCommunity(database, {
    clock: new FakeClock("2026-01-01T00:00:00.000Z"),
    config: { decayHalfLifeDays: 30 },
  });
}

function append(c: TestCommunity, at: Date, entries: NewLedgerEntry[]): Promise<unknown> {
  return inTransaction(c.deps, (tx) => appendLedgerEntries(tx, c.communityId, entries, at));
}

/** What linking does (see link.ts): MERGE entries move the total, the rest moves directly. */
async function merge(tx: Tx, communityId: number, keep: number, gone: number, at: Date): Promise<void> {
  const balance = await tx.balance.findUnique({ where: { memberId: gone } });
  const points = balance?.total ?? 0;
  await appendLedgerEntries(
    tx,
    communityId,
    [entry("MERGE", gone, -points), entry("MERGE", keep, points)],
    at,
  );
  await tx.$executeRaw`
    INSERT INTO period_balance ("memberId", "communityId", period, points, verified)
    SELECT ${keep}, ${communityId}, period, points, verified FROM period_balance WHERE "memberId" = ${gone}
    ON CONFLICT ("memberId", period) DO UPDATE SET
      points = period_balance.points + EXCLUDED.points, verified = period_balance.verified + EXCLUDED.verified`;
  await tx.periodBalance.deleteMany({ where: { memberId: gone } });
  await tx.$executeRaw`
    INSERT INTO balance ("memberId", "communityId", total, verified, "activeAcc")
    SELECT ${keep}, ${communityId}, 0, verified, "activeAcc" FROM balance WHERE "memberId" = ${gone}
    ON CONFLICT ("memberId") DO UPDATE SET
      verified = balance.verified + EXCLUDED.verified, "activeAcc" = balance."activeAcc" + EXCLUDED."activeAcc"`;
  await tx.balance.updateMany({ where: { memberId: gone }, data: { verified: 0, activeAcc: 0 } });
  await tx.member.update({ where: { id: gone }, data: { mergedIntoId: keep } });
}

async function seedSmallLedger(c: TestCommunity): Promise<void> {
  const [a, b] = await Promise.all([c.member("A"), c.member("B")]);
  await append(c, new Date("2026-02-01T10:00:00Z"), [
    entry("AWARD", a.memberId, 1000, { verifiedDelta: 1 }),
    entry("VERIFIER_REWARD", b.memberId, 25),
  ]);
  await append(c, new Date("2026-02-09T10:00:00Z"), [entry("ADJUSTMENT", b.memberId, -50)]);
  await append(c, new Date("2026-03-01T10:00:00Z"), [entry("AWARD", b.memberId, 300, { verifiedDelta: 1 })]);
}

async function linesOf(c: TestCommunity): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of exportLedgerLines(c.deps.db, c.communityId)) lines.push(line);
  return lines;
}

describe("exportLedgerLines and verifyLedgerFile", () => {
  it("exports JSON lines that verify as the community's chain", async () => {
    const c = await community();
    await seedSmallLedger(c);
    const lines = await linesOf(c);
    expect(lines).toHaveLength(4);
    const entries = lines.map((line) => valueOf(ledgerLineToEntry(line)));
    const head = await c.deps.db.ledgerHead.findUniqueOrThrow({ where: { communityId: c.communityId } });
    expect(verifyChain(entries)).toEqual({ ok: true, count: 4, headSeq: 4, headHash: head.hash });
    const file = path.join(folder, "ok.jsonl");
    await writeFile(file, lines.join("\n") + "\n");
    expect(valueOf(await verifyLedgerFile(file))).toEqual({
      ok: true,
      count: 4,
      headSeq: 4,
      headHash: head.hash,
    });
  });

  it("reports the first altered entry of a file, a bad line by number, and an unreadable file", async () => {
    const c = await community();
    await seedSmallLedger(c);
    const lines = await linesOf(c);
    const tampered = lines.map((line, i) => (i === 2 ? line.replace('"points":-50', '"points":50') : line));
    const file = path.join(folder, "tampered.jsonl");
    await writeFile(file, tampered.join("\n"));
    expect(valueOf(await verifyLedgerFile(file))).toEqual({
      ok: false,
      count: 2,
      brokenAtSeq: 3,
      reason: "HASH_MISMATCH",
    });

    const bad = path.join(folder, "bad.jsonl");
    await writeFile(bad, [lines[0], "{not json", lines[1]].join("\n"));
    const badResult = await verifyLedgerFile(bad);
    expect(badResult.ok ? null : badResult.error).toEqual({
      code: "BAD_LEDGER_LINE",
      detail: { line: 2, problem: "not JSON" },
    });

    const missing = await verifyLedgerFile(path.join(folder, "missing.jsonl"));
    expect(missing.ok ? null : missing.error.code).toBe("UNREADABLE_FILE");
  });

  it("exports in pages without losing or repeating entries", async () => {
    const c = await community();
    const a = await c.member("A");
    for (let chunk = 0; chunk < 6; chunk += 1) {
      await append(
        c,
        new Date(Date.UTC(2026, 1, 1 + chunk)),
        Array.from({ length: 1_675 }, () => entry("ADJUSTMENT", a.memberId, 1)),
      );
    }
    const lines = await linesOf(c);
    expect(lines).toHaveLength(10_050);
    expect(verifyChain(lines.map((line) => valueOf(ledgerLineToEntry(line))))).toMatchObject({
      ok: true,
      count: 10_050,
    });
    expect(await verifyCommunityLedger(c.deps, c.communityId)).toMatchObject({
      chain: { ok: true, count: 10_050 },
      headMatches: true,
      balancesAgree: true,
    });
  });
});

describe("verifyCommunityLedger", () => {
  it("agrees on an untouched ledger", async () => {
    const c = await community();
    await seedSmallLedger(c);
    const result = await verifyCommunityLedger(c.deps, c.communityId);
    expect(result).toMatchObject({
      chain: { ok: true, count: 4 },
      headMatches: true,
      balancesAgree: true,
      mismatches: 0,
    });
  });

  it("finds a ledger row whose points were changed in the database, at its seq", async () => {
    const c = await community();
    await seedSmallLedger(c);
    await c.deps.db
      .$executeRaw`UPDATE ledger_entry SET points = points + 1 WHERE "communityId" = ${c.communityId} AND seq = 3`;
    const result = await verifyCommunityLedger(c.deps, c.communityId);
    expect(result.chain).toEqual({ ok: false, count: 2, brokenAtSeq: 3, reason: "HASH_MISMATCH" });
    expect(result.headMatches).toBe(false);
    expect(result.balancesAgree).toBe(false);
    expect(result.balances.totals).toBe(1);
  });

  it("reports its progress as ranges and balances finish, reaching 100 only at the end", async () => {
    const c = await community();
    await seedSmallLedger(c);
    const seen: number[] = [];
    const result = await verifyCommunityLedger(c.deps, c.communityId, {
      rangeSize: 1,
      concurrency: 2,
      onProgress: (percent) => {
        seen.push(percent);
      },
    });
    expect(result).toMatchObject({ chain: { ok: true, count: 4 }, balancesAgree: true });
    // Four ranges of one entry and the balances: five parts.
    expect(seen).toHaveLength(5);
    expect(seen.at(-1)).toBe(100);
    expect(seen.slice(0, -1).every((p) => p < 100)).toBe(true);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  it("notices a deleted tail and a balance changed behind the ledger's back", async () => {
    const c = await community();
    await seedSmallLedger(c);
    await c.deps.db.$executeRaw`DELETE FROM ledger_entry WHERE "communityId" = ${c.communityId} AND seq = 4`;
    const truncated = await verifyCommunityLedger(c.deps, c.communityId);
    expect(truncated.chain).toMatchObject({ ok: true, count: 3 });
    expect(truncated.headMatches).toBe(false);

    const d = await community();
    await seedSmallLedger(d);
    const a = await d.member("A");
    await d.deps.db.balance.update({ where: { memberId: a.memberId }, data: { verified: { increment: 1 } } });
    await d.deps.db.periodBalance.updateMany({
      where: { memberId: a.memberId, period: "W:2026-W05" },
      data: { points: { increment: 5 } },
    });
    const check = await recomputeBalances(d.deps.db, d.communityId);
    expect(check).toMatchObject({ totals: 0, verified: 1, active: 0, periods: 1, mismatches: 2 });
  });
});

// ---------------------------------------------------------------------------
// Properties

type Step =
  | { op: "award"; member: number; points: number; days: number }
  | { op: "reward"; member: number; points: number; days: number }
  | { op: "adjust"; member: number; points: number; days: number }
  | { op: "clawback"; pick: number; days: number }
  | { op: "merge"; keep: number; gone: number; days: number };

const MEMBERS = 4;
const member = fc.integer({ min: 0, max: MEMBERS - 1 });
const days = fc.integer({ min: 0, max: 40 });
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constant("award" as const), member, points: fc.integer({ min: 1, max: 5000 }), days }),
  fc.record({ op: fc.constant("reward" as const), member, points: fc.integer({ min: 1, max: 100 }), days }),
  fc.record({
    op: fc.constant("adjust" as const),
    member,
    points: fc.integer({ min: -2000, max: 2000 }),
    days,
  }),
  fc.record({ op: fc.constant("clawback" as const), pick: fc.nat(), days }),
  fc.record({ op: fc.constant("merge" as const), keep: member, gone: member, days }),
);

describe("recomputeBalances", () => {
  it("agrees with the stored balances after any sequence of appends and merges", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 14 }), async (steps) => {
        const c = await community();
        const actors = await Promise.all(Array.from({ length: MEMBERS }, (_, i) => c.member(`M${i}`)));
        const ids = actors.map((a) => a.memberId);
        const category = await c.deps.db.category.findFirstOrThrow({ where: { communityId: c.communityId } });
        const mergedInto = new Map<number, number>();
        const effective = (id: number): number => {
          let at = id;
          while (mergedInto.has(at)) at = mergedInto.get(at)!;
          return at;
        };
        const awards: Array<{ memberId: number; points: number; contributionId: number; clawed: boolean }> =
          [];
        let clock = new Date("2026-02-01T09:00:00Z").getTime();
        let number = 0;
        for (const s of steps) {
          clock += s.days * 7 * 3_600_000 + 1000;
          const at = new Date(clock);
          if (s.op === "award") {
            number += 1;
            const credited = ids[s.member]!;
            const voter = ids[(s.member + 1) % MEMBERS]!;
            const contribution = await c.deps.db.contribution.create({
              data: {
                communityId: c.communityId,
                number,
                submitterId: credited,
                categoryId: category.id,
                title: "t",
                closesAt: at,
                status: "VERIFIED",
              },
            });
            await append(c, at, [
              entry("AWARD", credited, s.points, { verifiedDelta: 1, contributionId: contribution.id }),
              entry("VERIFIER_REWARD", voter, 25, { contributionId: contribution.id }),
            ]);
            awards.push({
              memberId: credited,
              points: s.points,
              contributionId: contribution.id,
              clawed: false,
            });
          } else if (s.op === "reward") {
            await append(c, at, [entry("VERIFIER_REWARD", ids[s.member]!, s.points)]);
          } else if (s.op === "adjust") {
            await append(c, at, [entry("ADJUSTMENT", ids[s.member]!, s.points)]);
          } else if (s.op === "clawback") {
            const open = awards.filter((a) => !a.clawed);
            const target = open[s.pick % Math.max(open.length, 1)];
            if (target === undefined) continue;
            target.clawed = true;
            // As voidContribution does: from the members the ledger entries name.
            await append(c, at, [
              entry("CLAWBACK", target.memberId, -target.points, {
                verifiedDelta: -1,
                contributionId: target.contributionId,
              }),
            ]);
          } else {
            const keep = effective(ids[s.keep]!);
            const gone = effective(ids[s.gone]!);
            if (keep === gone) continue;
            await inTransaction(c.deps, (tx) => merge(tx, c.communityId, keep, gone, at));
            mergedInto.set(gone, keep);
          }
        }
        const check = await recomputeBalances(c.deps.db, c.communityId);
        expect(check).toEqual({ mismatches: 0, totals: 0, verified: 0, active: 0, periods: 0 });
        const verification = await verifyCommunityLedger(c.deps, c.communityId);
        expect(verification).toMatchObject({ headMatches: true, balancesAgree: true, chain: { ok: true } });
      }),
      { numRuns: 12 },
    );
  });

  it("notices an active accumulator changed behind the ledger's back", async () => {
    const c = await community();
    await seedSmallLedger(c);
    const b = await c.member("B");
    await c.deps.db.balance.update({
      where: { memberId: b.memberId },
      data: { activeAcc: { multiply: 1.01 } },
    });
    expect(await recomputeBalances(c.deps.db, c.communityId)).toMatchObject({ active: 1, mismatches: 1 });
  });
});

describe("ChainChecker", () => {
  const chain = (length: number): HashedLedgerEntry[] => {
    const entries: HashedLedgerEntry[] = [];
    let prevHash = GENESIS_HASH;
    for (let seq = 1; seq <= length; seq += 1) {
      const facts = {
        communityId: 1,
        seq,
        kind: "ADJUSTMENT" as const,
        memberId: (seq % 3) + 1,
        points: seq * 7,
        contributionId: null,
        actorId: null,
        reason: "r",
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, seq)),
      };
      const hash = hashEntry(prevHash, facts);
      entries.push({ ...facts, prevHash, hash });
      prevHash = hash;
    }
    return entries;
  };

  it("gives the same verdict as verifyChain for any single alteration", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 12 }),
        fc.nat(),
        fc.constantFrom("points", "seq", "prevHash", "drop", "none"),
        (length, pick, change) => {
          const entries = chain(length);
          const index = length === 0 ? -1 : pick % length;
          const target = entries[index];
          if (target !== undefined) {
            if (change === "points") entries[index] = { ...target, points: target.points + 1 };
            if (change === "seq") entries[index] = { ...target, seq: target.seq + 1 };
            if (change === "prevHash")
              entries[index] = { ...target, prevHash: GENESIS_HASH.replace(/^0/, "1") };
            if (change === "drop") entries.splice(index, 1);
          }
          const checker = new ChainChecker();
          for (const e of entries) if (!checker.add(e)) break;
          expect(checker.result()).toEqual(verifyChain(entries));
        },
      ),
    );
  });
});
