import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { splitBudget, type MemberPoints } from "../../src/core/payout.ts";

const amounts = (lines: ReadonlyArray<{ amount: number }>): number[] => lines.map((l) => l.amount);
const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

describe("splitting a payout budget", () => {
  it("splits in proportion to points", () => {
    const points = [
      { memberId: 1, points: 300 },
      { memberId: 2, points: 100 },
    ];
    expect(splitBudget(1000, points)).toEqual([
      { memberId: 1, points: 300, amount: 750 },
      { memberId: 2, points: 100, amount: 250 },
    ]);
  });

  it("gives the leftover units to the largest remainders so the budget is spent exactly", () => {
    const points = [1, 2, 3].map((memberId) => ({ memberId, points: 100 }));
    expect(amounts(splitBudget(100, points))).toEqual([34, 33, 33]);
  });

  it("gives nothing to members without positive points", () => {
    const points = [
      { memberId: 1, points: 500 },
      { memberId: 2, points: 0 },
      { memberId: 3, points: -200 },
    ];
    expect(amounts(splitBudget(999, points))).toEqual([999, 0, 0]);
  });

  it("pays nobody when nobody has positive points", () => {
    expect(amounts(splitBudget(1000, [{ memberId: 1, points: -5 }]))).toEqual([0]);
    expect(splitBudget(1000, [])).toEqual([]);
  });

  it("caps each member and shares the excess among the others", () => {
    const points = [
      { memberId: 1, points: 800 },
      { memberId: 2, points: 100 },
      { memberId: 3, points: 100 },
    ];
    expect(amounts(splitBudget(1000, points, 500))).toEqual([500, 250, 250]);
  });

  it("re-checks the cap after redistributing", () => {
    const points = [
      { memberId: 1, points: 600 },
      { memberId: 2, points: 300 },
      { memberId: 3, points: 100 },
    ];
    expect(amounts(splitBudget(1000, points, 400))).toEqual([400, 400, 200]);
  });

  it("leaves the rest unallocated when everyone is capped", () => {
    const points = [
      { memberId: 1, points: 5 },
      { memberId: 2, points: 1 },
    ];
    expect(amounts(splitBudget(1000, points, 300))).toEqual([300, 300]);
  });

  it("refuses a negative or fractional budget", () => {
    expect(() => splitBudget(-1, [])).toThrow(RangeError);
    expect(() => splitBudget(1.5, [])).toThrow(RangeError);
    expect(() => splitBudget(100, [], -1)).toThrow(RangeError);
  });
});

describe("payout properties", () => {
  const members: fc.Arbitrary<MemberPoints[]> = fc.uniqueArray(
    fc.record({
      memberId: fc.integer({ min: 1, max: 500 }),
      points: fc.integer({ min: -1000, max: 1_000_000 }),
    }),
    { selector: (m) => m.memberId, maxLength: 15 },
  );
  const budgets = fc.integer({ min: 0, max: 100_000_000 });
  const caps = fc.option(fc.integer({ min: 0, max: 10_000_000 }), { nil: undefined });
  const hasPositive = (points: readonly MemberPoints[]): boolean => points.some((m) => m.points > 0);

  it("spends exactly the budget when uncapped and someone has points", () => {
    fc.assert(
      fc.property(budgets, members, (budget, points) => {
        fc.pre(hasPositive(points));
        expect(sum(amounts(splitBudget(budget, points)))).toBe(budget);
      }),
    );
  });

  it("never pays above the cap or the budget, and spends the budget unless everyone is capped", () => {
    fc.assert(
      fc.property(budgets, members, caps, (budget, points, cap) => {
        const lines = splitBudget(budget, points, cap);
        const total = sum(amounts(lines));
        expect(total).toBeLessThanOrEqual(budget);
        if (cap === undefined) return;
        expect(lines.every((l) => l.amount <= cap)).toBe(true);
        const paid = lines.filter((l) => l.points > 0);
        if (paid.length > 0 && total < budget) expect(paid.every((l) => l.amount === cap)).toBe(true);
      }),
    );
  });

  it("more points never means a smaller amount, and equal points differ by at most one unit", () => {
    fc.assert(
      fc.property(budgets, members, caps, (budget, points, cap) => {
        const lines = splitBudget(budget, points, cap);
        for (const a of lines) {
          for (const b of lines) {
            if (a.points > b.points) expect(a.amount).toBeGreaterThanOrEqual(b.amount);
            if (a.points === b.points) expect(Math.abs(a.amount - b.amount)).toBeLessThanOrEqual(1);
          }
        }
      }),
    );
  });

  it("pays only positive points, whole units, in input order", () => {
    fc.assert(
      fc.property(budgets, members, caps, (budget, points, cap) => {
        const lines = splitBudget(budget, points, cap);
        expect(lines.map(({ memberId, points: p }) => ({ memberId, points: p }))).toEqual(points);
        for (const line of lines) {
          expect(Number.isInteger(line.amount) && line.amount >= 0).toBe(true);
          if (line.points <= 0) expect(line.amount).toBe(0);
        }
      }),
    );
  });
});
