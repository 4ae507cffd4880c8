import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { splitByShares, type Share } from "../../src/core/split.ts";

describe("splitting an award by shares", () => {
  it("gives everything to a sole author", () => {
    expect(splitByShares(1234, [{ memberId: 1, shareBp: 10_000 }])).toEqual([{ memberId: 1, points: 1234 }]);
  });

  it("splits exactly when the quotas are whole", () => {
    const shares = [
      { memberId: 1, shareBp: 6000 },
      { memberId: 2, shareBp: 4000 },
    ];
    expect(splitByShares(1000, shares)).toEqual([
      { memberId: 1, points: 600 },
      { memberId: 2, points: 400 },
    ]);
  });

  it("gives leftover points to the largest remainders", () => {
    const shares = [
      { memberId: 1, shareBp: 3333 },
      { memberId: 2, shareBp: 3333 },
      { memberId: 3, shareBp: 3334 },
    ];
    expect(splitByShares(100, shares)).toEqual([
      { memberId: 1, points: 33 },
      { memberId: 2, points: 33 },
      { memberId: 3, points: 34 },
    ]);
  });

  it("breaks equal remainders by the larger share, then the smaller member id", () => {
    const equal = [
      { memberId: 9, shareBp: 5000 },
      { memberId: 4, shareBp: 5000 },
    ];
    expect(splitByShares(1, equal)).toEqual([
      { memberId: 9, points: 0 },
      { memberId: 4, points: 1 },
    ]);
    const unequal = [
      { memberId: 1, shareBp: 2500 },
      { memberId: 2, shareBp: 7500 },
    ];
    expect(splitByShares(2, unequal)).toEqual([
      { memberId: 1, points: 0 },
      { memberId: 2, points: 2 },
    ]);
  });

  it("splits a negative total as the mirror of the positive one", () => {
    const shares = [
      { memberId: 1, shareBp: 3333 },
      { memberId: 2, shareBp: 6667 },
    ];
    expect(splitByShares(-101, shares)).toEqual(
      splitByShares(101, shares).map((p) => ({ ...p, points: -p.points })),
    );
  });

  it("refuses shares that do not add up to 100%", () => {
    expect(() => splitByShares(100, [{ memberId: 1, shareBp: 9999 }])).toThrow(RangeError);
    expect(() => splitByShares(100, [])).toThrow(RangeError);
  });
});

/** Shares in basis points summing to 10000, with distinct member ids. */
const shareSets: fc.Arbitrary<Share[]> = fc
  .array(fc.nat(10_000), { minLength: 0, maxLength: 8 })
  .chain((cuts) => {
    const points = [0, ...[...cuts].sort((a, b) => a - b), 10_000];
    const bps = points.slice(1).map((p, i) => p - (points[i] ?? 0));
    return fc
      .uniqueArray(fc.integer({ min: 1, max: 1000 }), { minLength: bps.length, maxLength: bps.length })
      .map((ids) => bps.map((shareBp, i) => ({ memberId: ids[i] ?? 0, shareBp })));
  });

describe("split properties", () => {
  const totals = fc.integer({ min: -10_000_000, max: 10_000_000 });

  it("parts always add up to the total exactly", () => {
    fc.assert(
      fc.property(totals, shareSets, (total, shares) => {
        expect(splitByShares(total, shares).reduce((sum, p) => sum + p.points, 0)).toBe(total);
      }),
    );
  });

  it("each part is within one point of its exact quota", () => {
    fc.assert(
      fc.property(totals, shareSets, (total, shares) => {
        splitByShares(total, shares).forEach((part, i) => {
          const quota = (total * (shares[i]?.shareBp ?? 0)) / 10_000;
          expect(Math.abs(part.points - quota)).toBeLessThan(1);
        });
      }),
    );
  });

  it("is deterministic and keeps the input order", () => {
    fc.assert(
      fc.property(totals, shareSets, (total, shares) => {
        const parts = splitByShares(total, shares);
        expect(parts.map((p) => p.memberId)).toEqual(shares.map((s) => s.memberId));
        expect(splitByShares(total, [...shares])).toEqual(parts);
      }),
    );
  });

  it("does not depend on the order shares are listed in", () => {
    fc.assert(
      fc.property(totals, shareSets, (total, shares) => {
        const byMember = (parts: Array<{ memberId: number; points: number }>) =>
          Object.fromEntries(parts.map((p) => [p.memberId, p.points]));
        expect(byMember(splitByShares(total, [...shares].reverse()))).toEqual(
          byMember(splitByShares(total, shares)),
        );
      }),
    );
  });
});
