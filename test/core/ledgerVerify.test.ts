import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GENESIS_HASH, hashEntry, verifyChain, type HashedLedgerEntry } from "../../src/core/ledger.ts";
import {
  chainRanges,
  checkChainRange,
  joinRangeVerdicts,
  verifiesInBackground,
  verifyProgress,
} from "../../src/core/ledgerVerify.ts";

/** A chain as the ledger appends it: `length` entries from seq 1, each linked to the one before. */
function buildChain(length: number): HashedLedgerEntry[] {
  const chain: HashedLedgerEntry[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= length; seq += 1) {
    const entry = {
      communityId: 3,
      seq,
      kind: "AWARD" as const,
      memberId: 1 + (seq % 5),
      points: 100 * seq,
      contributionId: seq,
      actorId: null,
      reason: `verified #${seq}`,
      createdAt: new Date(Date.UTC(2026, 10, 1) + seq * 60_000),
    };
    const hash = hashEntry(prevHash, entry);
    chain.push({ ...entry, prevHash, hash });
    prevHash = hash;
  }
  return chain;
}

type Tamper = "points" | "hash" | "prevHash" | "delete" | "truncate" | "none";

function tamper(chain: HashedLedgerEntry[], how: Tamper, index: number): HashedLedgerEntry[] {
  const copy = chain.map((e) => ({ ...e }));
  const target = copy[index];
  if (target === undefined || how === "none") return copy;
  if (how === "points") target.points += 1;
  if (how === "hash") target.hash = "f".repeat(64);
  if (how === "prevHash") target.prevHash = "e".repeat(64);
  if (how === "delete") copy.splice(index, 1);
  if (how === "truncate") copy.splice(index);
  return copy;
}

/** Checks every range of `headSeq` on its own, each reading the entry just before it as its anchor. */
function checkByRanges(entries: readonly HashedLedgerEntry[], headSeq: number, size: number) {
  const bySeq = new Map(entries.map((e) => [e.seq, e]));
  return chainRanges(headSeq, size).map((range) =>
    checkChainRange(
      range,
      range.first === 1 ? GENESIS_HASH : (bySeq.get(range.first - 1)?.hash ?? null),
      entries.filter((e) => e.seq >= range.first && e.seq <= range.last),
    ),
  );
}

describe("chain ranges", () => {
  it("cover seq 1 to the head in consecutive ranges of at most the range size", () => {
    fc.assert(
      fc.property(fc.nat(2000), fc.integer({ min: 1, max: 300 }), (head, size) => {
        const ranges = chainRanges(head, size);
        let next = 1;
        for (const range of ranges) {
          expect(range.first).toBe(next);
          expect(range.last - range.first + 1).toBeLessThanOrEqual(size);
          expect(range.last).toBeGreaterThanOrEqual(range.first);
          next = range.last + 1;
        }
        expect(next - 1).toBe(head);
      }),
    );
  });

  it("an empty ledger has no range", () => {
    expect(chainRanges(0)).toEqual([]);
  });
});

describe("joining range verdicts", () => {
  it("equals one whole-chain check, whatever entry is altered, relinked, missing or cut off", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 1, max: 17 }),
        fc.constantFrom<Tamper>("points", "hash", "prevHash", "delete", "truncate", "none"),
        fc.nat(),
        (length, size, how, at) => {
          const chain = buildChain(length);
          const stored = tamper(chain, how, length === 0 ? 0 : at % length);
          expect(joinRangeVerdicts(checkByRanges(stored, length, size))).toEqual(verifyChain(stored));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("names the first broken entry when several ranges are broken", () => {
    const stored = tamper(tamper(buildChain(40), "points", 35), "hash", 12);
    const check = joinRangeVerdicts(checkByRanges(stored, 40, 10));
    expect(check).toEqual({ ok: false, count: 12, brokenAtSeq: 13, reason: "HASH_MISMATCH" });
  });

  it("a range read at another moment whose anchor is not the previous range's last hash is relinked", () => {
    const chain = buildChain(20);
    const verdicts = checkByRanges(chain, 20, 10);
    const second = verdicts[1];
    if (second === undefined) throw new Error("two ranges expected");
    const moved = [verdicts[0], { ...second, anchorHash: "a".repeat(64) }].filter((v) => v !== undefined);
    expect(joinRangeVerdicts(moved)).toEqual({
      ok: false,
      count: 10,
      brokenAtSeq: 11,
      reason: "PREV_HASH_MISMATCH",
    });
  });
});

describe("background verification", () => {
  it("starts above the threshold only", () => {
    expect(verifiesInBackground(100_000)).toBe(false);
    expect(verifiesInBackground(100_001)).toBe(true);
    expect(verifiesInBackground(5, 4)).toBe(true);
  });

  it("progress only grows, and reaches 100 only when every part is done", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50 }), (ranges) => {
        let last = -1;
        for (let done = 0; done <= ranges; done += 1) {
          const percent = verifyProgress(done, ranges, false);
          expect(percent).toBeGreaterThanOrEqual(last);
          expect(percent).toBeLessThan(100);
          last = percent;
        }
        expect(verifyProgress(ranges, ranges, true)).toBe(100);
      }),
    );
  });
});
