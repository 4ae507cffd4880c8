// The chain check that runs inside PostgreSQL (app/ledgerAudit checkStoredChain)
// against the core it replaces, on the real database: the canonical JSON built
// in SQL is core canonicalEntryJson byte for byte, and the verdict on any chain,
// tampered or not, is core verifyChain's.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  canonicalEntryJson,
  GENESIS_HASH,
  hashEntry,
  ledgerKinds,
  verifyChain,
  type HashedLedgerEntry,
  type LedgerEntryFacts,
} from "../../src/core/ledger.ts";
import { canonicalEntryJsonSql, checkStoredChain } from "../../src/app/ledgerAudit.ts";
import { createTestDatabase } from "../support/db.ts";
import { FakeClock, newCommunity, type TestCommunity } from "../support/communities.ts";

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let c: TestCommunity;
let memberIds: number[];
let contributionId: number;

beforeAll(async () => {
  database = await createTestDatabase();
  c = await newCommunity(database, { clock: new FakeClock("2026-01-01T00:00:00.000Z") });
  memberIds = (await Promise.all(["A", "B", "C"].map((name) => c.member(name)))).map((a) => a.memberId);
  const category = await c.deps.db.category.findFirstOrThrow({ where: { communityId: c.communityId } });
  const contribution = await c.deps.db.contribution.create({
    data: {
      communityId: c.communityId,
      number: 1,
      submitterId: memberIds[0]!,
      categoryId: category.id,
      title: "t",
      closesAt: new Date(),
    },
  });
  contributionId = contribution.id;
});

afterAll(async () => {
  await database.drop();
});

const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });

/**
 * Reasons with everything JSON escaping can trip on: quotes, backslashes, every
 * control character but NUL (which PostgreSQL text cannot hold), DEL, U+2028/9,
 * non-ASCII and astral characters, and arbitrary well-formed Unicode.
 */
const nastyReason = fc
  .oneof(
    fc.string({ unit: "binary", maxLength: 24 }),
    fc.string({
      unit: fc.oneof(
        fc.constantFrom(
          '"',
          "\\",
          "/",
          "\b",
          "\f",
          "\n",
          "\r",
          "\t",
          "\u007f",
          "\u2028",
          "\u2029",
          "é",
          "😀",
          "\ufeff",
          "'",
          "%",
        ),
        fc.integer({ min: 1, max: 0x1f }).map((code) => String.fromCharCode(code)),
      ),
      maxLength: 24,
    }),
  )
  .filter((reason) => !reason.includes("\u0000") && Buffer.from(reason, "utf8").toString("utf8") === reason);

const facts: fc.Arbitrary<Omit<LedgerEntryFacts, "communityId" | "seq">> = fc
  .record({
    kind: fc.constantFrom(...ledgerKinds),
    memberIndex: fc.nat(2),
    points: int32,
    withContribution: fc.boolean(),
    actorId: fc.option(int32),
    reason: nastyReason,
    createdAt: fc.date({
      min: new Date("1000-01-01T00:00:00.000Z"),
      max: new Date("9999-12-31T23:59:59.999Z"),
      noInvalidDate: true,
    }),
  })
  .map(({ memberIndex, withContribution, ...rest }) => ({
    ...rest,
    memberId: memberIds[memberIndex]!,
    contributionId: withContribution ? contributionId : null,
  }));

async function store(
  entries: readonly HashedLedgerEntry[],
  head: { seq: number; hash: string },
): Promise<void> {
  const db = c.deps.db;
  await db.ledgerEntry.deleteMany({ where: { communityId: c.communityId } });
  await db.ledgerEntry.createMany({ data: entries.map((e) => ({ ...e })) });
  await db.ledgerHead.upsert({
    where: { communityId: c.communityId },
    create: { communityId: c.communityId, ...head },
    update: head,
  });
}

function chainOf(list: ReadonlyArray<Omit<LedgerEntryFacts, "communityId" | "seq">>): HashedLedgerEntry[] {
  let prevHash = GENESIS_HASH;
  return list.map((f, i) => {
    const entry = { ...f, communityId: c.communityId, seq: i + 1 };
    const hash = hashEntry(prevHash, entry);
    const linked = { ...entry, prevHash, hash };
    prevHash = hash;
    return linked;
  });
}

describe("canonicalEntryJsonSql", () => {
  it("builds core canonicalEntryJson byte for byte from the stored row", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(facts, { minLength: 1, maxLength: 20 }), async (list) => {
        const entries = chainOf(list);
        await store(entries, { seq: entries.length, hash: entries.at(-1)!.hash });
        const rows = await c.deps.db.$queryRaw<Array<{ seq: number; json: string; hash: string }>>`
          SELECT e.seq, ${canonicalEntryJsonSql("e")} AS json,
                 encode(sha256(convert_to(e."prevHash" || ${canonicalEntryJsonSql("e")}, 'UTF8')), 'hex') AS hash
          FROM ledger_entry e WHERE e."communityId" = ${c.communityId} ORDER BY e.seq`;
        expect(rows.map((r) => r.json)).toEqual(entries.map((e) => canonicalEntryJson(e)));
        expect(rows.map((r) => r.hash)).toEqual(entries.map((e) => e.hash));
      }),
      { numRuns: 60 },
    );
  });
});

type Tamper =
  | { op: "none" }
  | { op: "points" | "reason" | "createdAt" | "prevHash" | "hash" | "delete" | "renumber"; at: number }
  | { op: "swap"; at: number; with: number }
  | { op: "head"; seq: number };

const tamper: fc.Arbitrary<Tamper> = fc.oneof(
  fc.constant({ op: "none" as const }),
  fc.record({
    op: fc.constantFrom("points", "reason", "createdAt", "prevHash", "hash", "delete", "renumber"),
    at: fc.nat(),
  }),
  fc.record({ op: fc.constant("swap" as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ op: fc.constant("head" as const), seq: fc.integer({ min: 0, max: 30 }) }),
);

/** Alters a stored chain the way someone editing the table might; returns the entries and head as stored. */
function tampered(
  chain: HashedLedgerEntry[],
  t: Tamper,
): { entries: HashedLedgerEntry[]; head: { seq: number; hash: string } } {
  const entries = chain.map((e) => ({ ...e }));
  let head = { seq: chain.length, hash: chain.at(-1)?.hash ?? GENESIS_HASH };
  const i = t.op === "none" || t.op === "head" ? 0 : t.at % Math.max(entries.length, 1);
  const e = entries[i];
  if (e === undefined) return { entries, head };
  switch (t.op) {
    case "points":
      e.points = e.points === 2 ** 31 - 1 ? 0 : e.points + 1;
      break;
    case "reason":
      e.reason = `${e.reason}\u2028`;
      break;
    case "createdAt":
      e.createdAt = new Date(e.createdAt.getTime() + 1);
      break;
    case "prevHash":
      e.prevHash = e.prevHash.replace(/^./, (ch) => (ch === "a" ? "b" : "a"));
      break;
    case "hash":
      e.hash = e.hash.replace(/.$/, (ch) => (ch === "a" ? "b" : "a"));
      break;
    case "delete":
      entries.splice(i, 1);
      break;
    case "renumber":
      // Every entry from here on moves up by one: a gap that the hashes alone would not show first.
      for (const later of entries.slice(i)) later.seq += 1;
      head = { ...head, seq: head.seq + 1 };
      break;
    case "swap": {
      const j = t.with % entries.length;
      const other = entries[j]!;
      [e.seq, other.seq] = [other.seq, e.seq];
      break;
    }
    case "head":
      head = { seq: t.seq, hash: chain[t.seq - 1]?.hash ?? GENESIS_HASH };
      break;
  }
  return { entries, head };
}

describe("checkStoredChain", () => {
  it("gives core verifyChain's verdict on any chain, tampered or not, and checks the head", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(facts, { maxLength: 14 }),
        tamper,
        fc.integer({ min: 1, max: 6 }),
        async (list, t, rangeSize) => {
          const { entries, head } = tampered(chainOf(list), t);
          await store(entries, head);
          // Ranges of a few entries, checked side by side: a problem in any range is named, the first one winning.
          const result = await checkStoredChain(c.deps.db, c.communityId, { rangeSize, concurrency: 3 });
          // What the core says about the stored rows up to the head, in seq order.
          const stored = [...entries]
            .sort((a, b) => a.seq - b.seq)
            .filter((e) => e.seq > 0 && e.seq <= head.seq);
          const expected = verifyChain(stored);
          expect(result.chain).toEqual(expected);
          expect(result.headMatches).toBe(
            expected.ok && expected.headSeq === head.seq && expected.headHash === head.hash,
          );
        },
      ),
      { numRuns: 150 },
    );
  });
});
