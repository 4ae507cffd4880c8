import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { awardPoints, impactMultiplierPct, medianRating } from "../../src/core/impact.ts";

const scale = [50, 75, 100, 150, 200];

describe("median impact rating", () => {
  it("is null when nobody rated", () => expect(medianRating([])).toBeNull());
  it("is the middle rating of an odd count", () => expect(medianRating([5, 1, 3])).toBe(3));
  it("is the mean of the two middle ratings of an even count", () =>
    expect(medianRating([4, 1, 3, 5])).toBe(3.5));
  it("does not reorder the caller's ratings", () => {
    const ratings = [5, 1, 3];
    medianRating(ratings);
    expect(ratings).toEqual([5, 1, 3]);
  });
});

describe("impact multiplier", () => {
  it("is 100% with no ratings", () => expect(impactMultiplierPct(null, scale)).toBe(100));
  it.each([
    [1, 50],
    [2, 75],
    [3, 100],
    [4, 150],
    [5, 200],
  ])("reads median %i from the scale as %i%%", (median, pct) =>
    expect(impactMultiplierPct(median, scale)).toBe(pct),
  );
  it("takes the rounded mean of the neighbours for a half median", () => {
    expect(impactMultiplierPct(3.5, scale)).toBe(125);
    expect(impactMultiplierPct(2.5, scale)).toBe(88);
  });
  it("uses the community's own scale", () => expect(impactMultiplierPct(5, [10, 20, 30, 40, 500])).toBe(500));
});

describe("awarding points", () => {
  it("awards the category weight when nobody rated", () => expect(awardPoints(1000, [], scale)).toBe(1000));
  it("multiplies the weight by the median's multiplier", () => {
    expect(awardPoints(1000, [4, 4, 5], scale)).toBe(1500);
    expect(awardPoints(1000, [1, 2], scale)).toBe(630);
  });
  it("rounds to whole hundredths", () => expect(awardPoints(333, [2], scale)).toBe(250));
  it("resists one outlier where a mean would not", () => {
    expect(awardPoints(1000, [3, 3, 3, 3, 1], scale)).toBe(1000);
    expect(awardPoints(1000, [3, 3, 3, 3, 5], scale)).toBe(1000);
  });
});

describe("impact properties", () => {
  const ratings = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 15 });
  const panels = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 15 });

  it("one outlier rating moves the median no further than the ratings beside the middle", () => {
    fc.assert(
      fc.property(panels, fc.integer({ min: 1, max: 5 }), (given, outlier) => {
        const sorted = [...given].sort((a, b) => a - b);
        const n = sorted.length;
        const low = sorted[Math.max(Math.floor((n - 1) / 2) - 1, 0)] ?? 0;
        const high = sorted[Math.min(Math.floor(n / 2) + 1, n - 1)] ?? 0;
        const median = medianRating([...given, outlier]) ?? 0;
        expect(median).toBeGreaterThanOrEqual(low);
        expect(median).toBeLessThanOrEqual(high);
        const award = awardPoints(1000, [...given, outlier], scale);
        expect(award).toBeGreaterThanOrEqual(awardPoints(1000, [low], scale));
        expect(award).toBeLessThanOrEqual(awardPoints(1000, [high], scale));
      }),
    );
  });

  it("the award is a whole number that never decreases as ratings rise", () => {
    fc.assert(
      fc.property(ratings, fc.nat(100_000), fc.nat(14), (given, weight, which) => {
        const index = which % given.length;
        const raised = given.map((r, i) => (i === index ? Math.min(r + 1, 5) : r));
        const award = awardPoints(weight, given, scale);
        expect(Number.isInteger(award)).toBe(true);
        expect(awardPoints(weight, raised, scale)).toBeGreaterThanOrEqual(award);
      }),
    );
  });
});
