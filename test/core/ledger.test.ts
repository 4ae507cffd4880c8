import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  canonicalEntryJson,
  entryToLedgerLine,
  GENESIS_HASH,
  hashEntry,
  ledgerKinds,
  ledgerLineToEntry,
  verifyChain,
  type HashedLedgerEntry,
  type LedgerEntryFacts,
} from "../../src/core/ledger.ts";

type Facts = Omit<LedgerEntryFacts, "seq" | "communityId">;

const award: Facts = {
  kind: "AWARD",
  memberId: 7,
  points: 1500,
  contributionId: 42,
  actorId: null,
  reason: "verified #42",
  createdAt: new Date("2026-11-28T10:00:00.000Z"),
};

/** A chain as the ledger appends it: seq from 1, each entry linked to the one before. */
function buildChain(facts: readonly Facts[], communityId = 1): HashedLedgerEntry[] {
  const chain: HashedLedgerEntry[] = [];
  let prevHash = GENESIS_HASH;
  facts.forEach((f, i) => {
    const entry = { ...f, communityId, seq: i + 1 };
    const hash = hashEntry(prevHash, entry);
    chain.push({ ...entry, prevHash, hash });
    prevHash = hash;
  });
  return chain;
}

describe("canonical entry JSON", () => {
  it("lists the facts in sorted key order with the time as an ISO string", () => {
    expect(canonicalEntryJson({ ...award, communityId: 1, seq: 1 })).toBe(
      '{"actorId":null,"communityId":1,"contributionId":42,"createdAt":"2026-11-28T10:00:00.000Z",' +
        '"kind":"AWARD","memberId":7,"points":1500,"reason":"verified #42","seq":1}',
    );
  });

  it("ignores anything that is not a ledger fact, such as names", () => {
    const facts = { ...award, communityId: 1, seq: 1 };
    expect(canonicalEntryJson({ ...facts, memberName: "Alice" } as LedgerEntryFacts)).toBe(
      canonicalEntryJson(facts),
    );
  });
});

describe("canonical entry JSON, written out by hand", () => {
  /** The definition: JSON.stringify of the facts with the keys in sorted order. */
  const reference = (e: LedgerEntryFacts): string =>
    JSON.stringify({
      actorId: e.actorId,
      communityId: e.communityId,
      contributionId: e.contributionId,
      createdAt: e.createdAt.toISOString(),
      kind: e.kind,
      memberId: e.memberId,
      points: e.points,
      reason: e.reason,
      seq: e.seq,
    });
  /** Quotes, backslashes, every control character, line and paragraph separators, astral characters, lone surrogates. */
  const nastyReason = fc.oneof(
    fc.string({ unit: "binary", maxLength: 30 }),
    fc.string({
      unit: fc.constantFrom(
        '"',
        "\\",
        "\u0000",
        "\u0001",
        "\u001f",
        "\b",
        "\f",
        "\n",
        "\r",
        "\t",
        "\u007f",
        "\u2028",
        "\u2029",
        "\ud83d",
        "\ude00",
        "é",
        "😀",
        "/",
        "<",
      ),
      maxLength: 20,
    }),
  );
  const facts: fc.Arbitrary<LedgerEntryFacts> = fc.record({
    communityId: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
    seq: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    kind: fc.constantFrom(...ledgerKinds),
    memberId: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
    points: fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.constant(-0)),
    contributionId: fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
    actorId: fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
    reason: nastyReason,
    createdAt: fc.date({
      min: new Date("0001-01-01T00:00:00.000Z"),
      max: new Date("9999-12-31T23:59:59.999Z"),
      noInvalidDate: true,
    }),
  });

  it("is byte for byte JSON.stringify of the facts in key order", () => {
    fc.assert(
      fc.property(facts, (e) => {
        expect(canonicalEntryJson(e)).toBe(reference(e));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("hashing entries", () => {
  it("is sha256 of the previous hash followed by the canonical JSON", () => {
    const facts = { ...award, communityId: 1, seq: 1 };
    expect(hashEntry(GENESIS_HASH, facts)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashEntry(GENESIS_HASH, facts)).toBe(hashEntry("0".repeat(64), { ...facts }));
    expect(hashEntry("1".repeat(64), facts)).not.toBe(hashEntry(GENESIS_HASH, facts));
  });

  it("starts every chain from 64 zeros", () => expect(GENESIS_HASH).toBe("0".repeat(64)));
});

describe("verifying a chain", () => {
  it("accepts an empty ledger with the genesis head", () => {
    expect(verifyChain([])).toEqual({ ok: true, count: 0, headHash: GENESIS_HASH, headSeq: 0 });
  });

  it("accepts a chain built by hashEntry and reports its head", () => {
    const chain = buildChain([award, { ...award, kind: "VERIFIER_REWARD", memberId: 8, points: 25 }]);
    expect(verifyChain(chain)).toEqual({ ok: true, count: 2, headHash: chain[1]?.hash, headSeq: 2 });
  });

  it("reports a changed amount at that entry", () => {
    const chain = buildChain([award, award, award]);
    chain[1] = { ...chain[1]!, points: 9999 };
    expect(verifyChain(chain)).toEqual({ ok: false, count: 1, brokenAtSeq: 2, reason: "HASH_MISMATCH" });
  });

  it("reports a deleted entry at its sequence number", () => {
    const chain = buildChain([award, award, award]);
    chain.splice(1, 1);
    expect(verifyChain(chain)).toEqual({ ok: false, count: 1, brokenAtSeq: 2, reason: "SEQ_GAP" });
  });

  it("reports a deleted entry even when the later ones were renumbered", () => {
    const chain = buildChain([award, award, award]);
    const renumbered = [chain[0]!, { ...chain[2]!, seq: 2 }];
    expect(verifyChain(renumbered)).toEqual({
      ok: false,
      count: 1,
      brokenAtSeq: 2,
      reason: "PREV_HASH_MISMATCH",
    });
  });

  it("reports a chain that does not start at the genesis hash", () => {
    const chain = buildChain([award]);
    chain[0] = { ...chain[0]!, prevHash: "f".repeat(64) };
    expect(verifyChain(chain)).toEqual({ ok: false, count: 0, brokenAtSeq: 1, reason: "PREV_HASH_MISMATCH" });
  });

  it("checks a stream without holding it in memory", () => {
    const facts = Array.from({ length: 50 }, (_, i) => ({ ...award, points: i }));
    const chain = buildChain(facts);
    function* stream(): Generator<HashedLedgerEntry> {
      yield* chain;
    }
    expect(verifyChain(stream())).toMatchObject({ ok: true, count: 50, headSeq: 50 });
  });
});

describe("ledger export lines", () => {
  it("reads back what it writes", () => {
    const [entry] = buildChain([award]);
    expect(ledgerLineToEntry(entryToLedgerLine(entry!))).toEqual({ ok: true, value: entry });
  });

  it("ignores extra fields such as names", () => {
    const [entry] = buildChain([award]);
    const line = JSON.stringify({ ...JSON.parse(entryToLedgerLine(entry!)), memberName: "Alice" });
    expect(ledgerLineToEntry(line)).toEqual({ ok: true, value: entry });
  });

  it.each([
    ["not JSON", "{"],
    ["an array", "[]"],
    ["a missing hash", JSON.stringify({ seq: 1 })],
  ])("refuses %s", (_, line) => {
    expect(ledgerLineToEntry(line).ok).toBe(false);
  });

  it.each([
    ["kind", "BONUS"],
    ["points", 1.5],
    ["createdAt", "yesterday"],
    ["hash", "abc"],
    ["seq", 0],
    ["contributionId", "42"],
  ])("refuses a bad %s", (field, value) => {
    const [entry] = buildChain([award]);
    const line = JSON.stringify({ ...JSON.parse(entryToLedgerLine(entry!)), [field]: value });
    expect(ledgerLineToEntry(line)).toEqual({
      ok: false,
      error: { code: "BAD_LEDGER_LINE", detail: { problem: `bad ${field}` } },
    });
  });
});

describe("ledger properties", () => {
  const facts: fc.Arbitrary<Facts> = fc.record({
    kind: fc.constantFrom(...ledgerKinds),
    memberId: fc.integer({ min: 1, max: 1_000_000 }),
    points: fc.integer({ min: -100_000_000, max: 100_000_000 }),
    contributionId: fc.option(fc.integer({ min: 1, max: 1_000_000 })),
    actorId: fc.option(fc.integer({ min: 1, max: 1_000_000 })),
    reason: fc.string({ maxLength: 40 }),
    createdAt: fc.date({ min: new Date("2020-01-01"), max: new Date("2040-01-01"), noInvalidDate: true }),
  });
  const chains = fc.array(facts, { minLength: 1, maxLength: 12 }).map((f) => buildChain(f));

  /** Ways to alter one entry; each changes a hashed fact or a link. */
  const tampers: ReadonlyArray<(e: HashedLedgerEntry) => HashedLedgerEntry> = [
    (e) => ({ ...e, points: e.points + 1 }),
    (e) => ({ ...e, memberId: e.memberId + 1 }),
    (e) => ({ ...e, kind: e.kind === "AWARD" ? "ADJUSTMENT" : "AWARD" }),
    (e) => ({ ...e, reason: `${e.reason}!` }),
    (e) => ({ ...e, createdAt: new Date(e.createdAt.getTime() + 1) }),
    (e) => ({ ...e, contributionId: e.contributionId === null ? 1 : null }),
    (e) => ({ ...e, actorId: e.actorId === null ? 1 : null }),
    (e) => ({ ...e, communityId: e.communityId + 1 }),
    (e) => ({ ...e, seq: e.seq + 1 }),
    (e) => ({ ...e, hash: e.hash.replace(/^./, (c) => (c === "a" ? "b" : "a")) }),
    (e) => ({ ...e, prevHash: e.prevHash.replace(/^./, (c) => (c === "a" ? "b" : "a")) }),
  ];

  it("a chain built by hashEntry verifies", () => {
    fc.assert(
      fc.property(chains, (chain) => {
        expect(verifyChain(chain)).toEqual({
          ok: true,
          count: chain.length,
          headHash: chain.at(-1)?.hash,
          headSeq: chain.length,
        });
      }),
    );
  });

  it("changing any field of any entry breaks the chain at exactly that entry", () => {
    fc.assert(
      fc.property(chains, fc.nat(), fc.nat(tampers.length - 1), (chain, at, which) => {
        const index = at % chain.length;
        const tampered = [...chain];
        tampered[index] = tampers[which]!(chain[index]!);
        expect(verifyChain(tampered)).toMatchObject({ ok: false, count: index, brokenAtSeq: index + 1 });
      }),
    );
  });

  it("deleting an entry breaks the chain at its sequence number", () => {
    fc.assert(
      fc.property(chains, fc.nat(), (chain, at) => {
        const index = at % chain.length;
        fc.pre(index < chain.length - 1);
        const shortened = chain.filter((_, i) => i !== index);
        expect(verifyChain(shortened)).toMatchObject({ ok: false, brokenAtSeq: index + 1 });
      }),
    );
  });

  it("swapping two entries breaks the chain at the first of them", () => {
    fc.assert(
      fc.property(chains, fc.nat(), fc.nat(), (chain, a, b) => {
        const [i, j] = [a % chain.length, b % chain.length].sort((x, y) => x - y) as [number, number];
        fc.pre(i !== j);
        const swapped = [...chain];
        [swapped[i], swapped[j]] = [chain[j]!, chain[i]!];
        expect(verifyChain(swapped)).toMatchObject({ ok: false, brokenAtSeq: i + 1 });
      }),
    );
  });

  it("every entry survives the export line round trip", () => {
    fc.assert(
      fc.property(chains, (chain) => {
        const read = chain.map((e) => ledgerLineToEntry(entryToLedgerLine(e)));
        expect(read).toEqual(chain.map((value) => ({ ok: true, value })));
      }),
    );
  });
});
