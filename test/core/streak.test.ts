import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isoWeekKey } from "../../src/core/periods.ts";
import { isoWeeksInYear, previousIsoWeek, streakWeeks } from "../../src/core/streak.ts";

const now = new Date("2026-11-28T12:00:00Z"); // 2026-W48

describe("previous ISO week", () => {
  it("steps back within a year", () => expect(previousIsoWeek("2026-W48")).toBe("2026-W47"));
  it("steps back from week 10 to week 09", () => expect(previousIsoWeek("2026-W10")).toBe("2026-W09"));
  it("steps back into a 53-week year", () => expect(previousIsoWeek("2021-W01")).toBe("2020-W53"));
  it("steps back into a 52-week year", () => expect(previousIsoWeek("2026-W01")).toBe("2025-W52"));
  it("refuses what is not a week key", () => expect(() => previousIsoWeek("2026-48")).toThrow(RangeError));
  it("knows which years have 53 weeks", () => {
    expect([2015, 2020, 2026, 2032].map(isoWeeksInYear)).toEqual([53, 53, 53, 53]);
    expect([2019, 2021, 2025].map(isoWeeksInYear)).toEqual([52, 52, 52]);
  });

  it("is the key of the same moment one week earlier", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("1990-01-08"), max: new Date("2100-01-01"), noInvalidDate: true }),
        (d) => {
          expect(previousIsoWeek(isoWeekKey(d))).toBe(isoWeekKey(new Date(d.getTime() - 7 * 86_400_000)));
        },
      ),
    );
  });
});

describe("streak weeks", () => {
  it("is zero with no verified work", () => expect(streakWeeks(new Set(), now)).toBe(0));

  it("counts consecutive weeks up to the current one", () => {
    expect(streakWeeks(new Set(["2026-W48", "2026-W47", "2026-W46", "2026-W44"]), now)).toBe(3);
  });

  it("is not broken while the current week is still running", () => {
    expect(streakWeeks(new Set(["2026-W47", "2026-W46"]), now)).toBe(2);
  });

  it("is broken when the previous week had no work either", () => {
    expect(streakWeeks(new Set(["2026-W46", "2026-W45"]), now)).toBe(0);
  });

  it("continues across a year with 53 weeks", () => {
    const weeks = new Set(["2021-W02", "2021-W01", "2020-W53", "2020-W52"]);
    expect(streakWeeks(weeks, new Date("2021-01-13T00:00:00Z"))).toBe(4);
  });

  it("counts every week when work was verified every week", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 120 }), fc.boolean(), (length, currentDone) => {
        const weeks = new Set<string>();
        let week = isoWeekKey(now);
        if (!currentDone) week = previousIsoWeek(week);
        for (let i = 0; i < length; i += 1) {
          weeks.add(week);
          week = previousIsoWeek(week);
        }
        expect(streakWeeks(weeks, now)).toBe(length);
      }),
    );
  });
});
