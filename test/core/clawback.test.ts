import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clawbackFor, verifierRewards, type ClawbackSource } from "../../src/core/clawback.ts";

const entries: ClawbackSource[] = [
  { kind: "AWARD", memberId: 1, points: 700 },
  { kind: "AWARD", memberId: 2, points: 300 },
  { kind: "VERIFIER_REWARD", memberId: 10, points: 25 },
  { kind: "VERIFIER_REWARD", memberId: 11, points: 25 },
  { kind: "VERIFIER_REWARD", memberId: 12, points: 25 },
];

describe("clawing back a voided contribution", () => {
  it("takes back every award and the rewards of those who approved", () => {
    expect(clawbackFor(entries, new Set([10, 11]))).toEqual([
      { memberId: 1, points: -700, of: "AWARD" },
      { memberId: 2, points: -300, of: "AWARD" },
      { memberId: 10, points: -25, of: "VERIFIER_REWARD" },
      { memberId: 11, points: -25, of: "VERIFIER_REWARD" },
    ]);
  });

  it("lets rejecters keep their reward", () => {
    expect(clawbackFor(entries, new Set()).map((row) => row.memberId)).toEqual([1, 2]);
  });

  it("takes nothing twice", () => {
    const once = clawbackFor(entries, new Set([10, 11]));
    const after = [
      ...entries,
      ...once.map(({ memberId, points }) => ({ kind: "CLAWBACK" as const, memberId, points })),
    ];
    expect(clawbackFor(after, new Set([10, 11]))).toEqual([]);
  });

  it("takes only what is left after a partial clawback", () => {
    const after = [...entries, { kind: "CLAWBACK" as const, memberId: 1, points: -200 }];
    expect(clawbackFor(after, new Set())).toEqual([
      { memberId: 1, points: -500, of: "AWARD" },
      { memberId: 2, points: -300, of: "AWARD" },
    ]);
  });

  it("sums several awards to one member into one row and ignores adjustments and merges", () => {
    const mixed: ClawbackSource[] = [
      { kind: "AWARD", memberId: 1, points: 100 },
      { kind: "ADJUSTMENT", memberId: 1, points: 5000 },
      { kind: "AWARD", memberId: 1, points: 50 },
      { kind: "MERGE", memberId: 1, points: 900 },
    ];
    expect(clawbackFor(mixed, new Set())).toEqual([{ memberId: 1, points: -150, of: "AWARD" }]);
  });
});

describe("clawback properties", () => {
  const sources: fc.Arbitrary<ClawbackSource[]> = fc.array(
    fc.record({
      kind: fc.constantFrom("AWARD" as const, "VERIFIER_REWARD" as const),
      memberId: fc.integer({ min: 1, max: 6 }),
      points: fc.integer({ min: 1, max: 10_000 }),
    }),
    { maxLength: 12 },
  );
  const approvers = fc.uniqueArray(fc.integer({ min: 1, max: 6 })).map((ids) => new Set(ids));

  it("after clawing back, what the contribution gave approvers and authors nets to zero", () => {
    fc.assert(
      fc.property(sources, approvers, (given, approverIds) => {
        const rows = clawbackFor(given, approverIds);
        const ledger = [
          ...given,
          ...rows.map(({ memberId, points }) => ({ kind: "CLAWBACK" as const, memberId, points })),
        ];
        for (const memberId of [1, 2, 3, 4, 5, 6]) {
          const net = ledger
            .filter((e) => e.memberId === memberId)
            .filter((e) => e.kind !== "VERIFIER_REWARD" || approverIds.has(memberId))
            .reduce((sum, e) => sum + e.points, 0);
          expect(net).toBe(0);
        }
        expect(clawbackFor(ledger, approverIds)).toEqual([]);
      }),
    );
  });

  it("has one row per member and kind, none of them zero", () => {
    fc.assert(
      fc.property(sources, approvers, (given, approverIds) => {
        const rows = clawbackFor(given, approverIds);
        const keys = rows.map((r) => `${r.memberId}:${r.of}`);
        expect(new Set(keys).size).toBe(keys.length);
        expect(rows.every((r) => r.points < 0)).toBe(true);
      }),
    );
  });
});

describe("verifier rewards", () => {
  it("rewards each voter once", () => {
    expect(verifierRewards([3, 4, 3], 25)).toEqual([
      { memberId: 3, points: 25 },
      { memberId: 4, points: 25 },
    ]);
  });

  it("rewards nobody when the reward is zero", () => expect(verifierRewards([3, 4], 0)).toEqual([]));
});
