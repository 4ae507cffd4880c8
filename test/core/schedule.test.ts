import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isSchedule, nextRuns } from "../../src/core/schedule.ts";

describe("schedules", () => {
  it.each([
    "0 9 * * 1",
    "0 9 * * *",
    "*/5 * * * *",
    "0 0 1 jan *",
    "0 12 * * mon-fri",
    "15,45 8-17/2 1-31 1-12 0-7",
    "@weekly",
    "@daily",
    "0 9 ? * MON#1",
    "0 9 L * *",
    "0 30 18 * * 5",
  ])("accepts %j, as BullMQ's job schedulers do", (text) => expect(isSchedule(text)).toBe(true));

  it.each([
    "",
    "0 9 * *",
    "0 9 * * 1 2026",
    "60 * * * *",
    "* 24 * * *",
    "* * 0 * *",
    "* * * 13 *",
    "* * * * 8",
    "5-1 * * * *",
    "*/0 * * * *",
    "@sometimes",
    "every monday",
    "* * * * * *",
    "*/10 * * * * *",
    "@secondly",
  ])("refuses %j", (text) => expect(isSchedule(text)).toBe(false));

  it("names the next runs in the community's time zone", () => {
    const from = new Date("2026-12-03T12:00:00Z");
    const runs = nextRuns("0 9 ? * MON#1", { timezone: "Europe/Berlin", from, count: 2 });
    expect(runs.map((run) => run.toISOString())).toEqual([
      "2026-12-07T08:00:00.000Z",
      "2027-01-04T08:00:00.000Z",
    ]);
    expect(nextRuns("not a schedule", { timezone: "UTC", from, count: 2 })).toEqual([]);
  });

  it("refuses seconds that fire twice in a minute even when the first runs lie minutes apart", () => {
    // Found by the property below: from 00:00:00 it runs at 00:00:01, then 00:02:00 and 00:02:01.
    expect(isSchedule("1,0 */2 */1 * * *")).toBe(false);
    expect(isSchedule("30 */2 * * * *")).toBe(true);
  });

  it("never accepts a schedule that fires twice within a minute", () => {
    const field = (max: number): fc.Arbitrary<string> =>
      fc.oneof(
        fc.constant("*"),
        fc.integer({ min: 0, max }).map(String),
        fc.integer({ min: 1, max: 30 }).map((step) => `*/${step}`),
        fc
          .tuple(fc.integer({ min: 0, max }), fc.integer({ min: 0, max }))
          .map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
        fc.tuple(fc.integer({ min: 0, max }), fc.integer({ min: 0, max })).map(([a, b]) => `${a},${b}`),
      );
    const schedule = fc
      .tuple(fc.option(field(59), { nil: undefined }), field(59), field(23))
      .map(([seconds, ...rest]) => [...(seconds === undefined ? [] : [seconds]), ...rest, "* * *"].join(" "));
    let accepted = 0;
    fc.assert(
      fc.property(schedule, (text) => {
        if (!isSchedule(text)) return;
        accepted += 1;
        const runs = nextRuns(text, { timezone: "UTC", from: new Date("2026-01-01T00:00:00Z"), count: 20 });
        for (let i = 1; i < runs.length; i++)
          expect((runs[i]?.getTime() ?? 0) - (runs[i - 1]?.getTime() ?? 0)).toBeGreaterThanOrEqual(60_000);
      }),
      { numRuns: 300 },
    );
    expect(accepted).toBeGreaterThan(50);
  });
});
