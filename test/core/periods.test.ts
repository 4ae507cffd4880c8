import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  dayKeysBetween,
  describeWindow,
  isoWeekKey,
  parseWindow,
  periodKeys,
  startOfIsoWeek,
  windowBounds,
  windowText,
  type LeaderboardWindow,
} from "../../src/core/periods.ts";

const at = (iso: string): Date => new Date(iso);
const now = at("2026-11-28T15:30:00Z"); // a Saturday in ISO week 48

describe("ISO weeks", () => {
  it.each([
    ["2026-11-28T15:30:00Z", "2026-W48"],
    ["2026-11-23T00:00:00Z", "2026-W48"],
    ["2026-11-22T23:59:59.999Z", "2026-W47"],
    ["2021-01-03T12:00:00Z", "2020-W53"],
    ["2021-01-04T00:00:00Z", "2021-W01"],
    ["2019-12-30T00:00:00Z", "2020-W01"],
    ["2024-12-30T00:00:00Z", "2025-W01"],
    ["2027-01-01T00:00:00Z", "2026-W53"],
    ["2026-01-05T00:00:00Z", "2026-W02"],
  ])("puts %s in %s", (iso, week) => expect(isoWeekKey(at(iso))).toBe(week));

  it("starts each week on Monday 00:00 UTC", () => {
    expect(startOfIsoWeek(now).toISOString()).toBe("2026-11-23T00:00:00.000Z");
    expect(startOfIsoWeek(at("2026-11-23T00:00:00Z")).toISOString()).toBe("2026-11-23T00:00:00.000Z");
    expect(startOfIsoWeek(at("2026-11-29T23:59:59Z")).toISOString()).toBe("2026-11-23T00:00:00.000Z");
  });

  it("gives every day of a week the same key, and the next Monday a new one", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("1990-01-01"), max: new Date("2100-01-01"), noInvalidDate: true }),
        (d) => {
          const monday = startOfIsoWeek(d);
          expect(isoWeekKey(monday)).toBe(isoWeekKey(d));
          expect(isoWeekKey(new Date(monday.getTime() + 7 * 86_400_000 - 1))).toBe(isoWeekKey(d));
          expect(isoWeekKey(new Date(monday.getTime() + 7 * 86_400_000))).not.toBe(isoWeekKey(d));
        },
      ),
    );
  });
});

describe("period keys", () => {
  it("names the UTC day, ISO week and month buckets", () => {
    expect(periodKeys(now)).toEqual({ day: "D:2026-11-28", week: "W:2026-W48", month: "M:2026-11" });
  });

  it("uses UTC, not the machine's zone", () => {
    expect(periodKeys(at("2026-12-31T23:30:00-05:00"))).toEqual({
      day: "D:2027-01-01",
      week: "W:2026-W53",
      month: "M:2027-01",
    });
  });

  it("lists the days overlapping a half-open span", () => {
    expect(dayKeysBetween(at("2026-11-27T12:00:00Z"), at("2026-11-30T00:00:00Z"))).toEqual([
      "D:2026-11-27",
      "D:2026-11-28",
      "D:2026-11-29",
    ]);
    expect(dayKeysBetween(at("2026-11-28T00:00:00Z"), at("2026-11-28T00:00:00Z"))).toEqual([]);
  });
});

describe("parsing leaderboard windows", () => {
  it.each<[string | undefined, LeaderboardWindow]>([
    [undefined, { kind: "all" }],
    ["", { kind: "all" }],
    ["all", { kind: "all" }],
    ["alltime", { kind: "all" }],
    ["All-Time", { kind: "all" }],
    ["week", { kind: "week" }],
    ["month", { kind: "month" }],
    ["7d", { kind: "last7" }],
    ["last7", { kind: "last7" }],
    ["30d", { kind: "last30" }],
    ["last30", { kind: "last30" }],
    ["season:Winter 2026", { kind: "season", name: "Winter 2026" }],
    [
      "2026-11-01..2026-11-28",
      { kind: "range", from: at("2026-11-01T00:00:00Z"), to: at("2026-11-28T00:00:00Z") },
    ],
    [
      "2026-11-28..2026-11-28",
      { kind: "range", from: at("2026-11-28T00:00:00Z"), to: at("2026-11-28T00:00:00Z") },
    ],
  ])("reads %j", (text, window) => expect(parseWindow(text)).toEqual({ ok: true, value: window }));

  it.each([
    "yesterday",
    "season:",
    "2026-11-28..2026-11-01",
    "2026-02-30..2026-03-01",
    "2026-11-01",
    "2026-1-1..2026-2-1",
    "2000-01-01..2020-01-10",
  ])("refuses %j", (text) => {
    const result = parseWindow(text);
    expect(result.ok ? "accepted" : result.error.code).toBe("BAD_WINDOW");
  });

  it("accepts ranges up to 3660 days", () => {
    expect(parseWindow("2016-01-01..2026-01-07").ok).toBe(true);
    expect(parseWindow("2016-01-01..2026-01-08").ok).toBe(false);
  });
});

describe("window bounds", () => {
  const seasons = [
    { name: "Autumn", startsAt: at("2026-09-01T00:00:00Z"), endsAt: at("2026-12-01T00:00:00Z") },
    { name: "Open", startsAt: at("2026-11-01T00:00:00Z"), endsAt: null },
  ];
  const bounds = (w: LeaderboardWindow) => windowBounds(w, now, seasons);

  it("leaves all time unbounded", () =>
    expect(bounds({ kind: "all" })).toEqual({ ok: true, value: { from: null, to: null, bucket: null } }));

  it("covers this ISO week as its one bucket", () => {
    expect(bounds({ kind: "week" })).toEqual({
      ok: true,
      value: { from: at("2026-11-23T00:00:00Z"), to: at("2026-11-30T00:00:00Z"), bucket: "W:2026-W48" },
    });
  });

  it("covers this month as its one bucket", () => {
    expect(bounds({ kind: "month" })).toEqual({
      ok: true,
      value: { from: at("2026-11-01T00:00:00Z"), to: at("2026-12-01T00:00:00Z"), bucket: "M:2026-11" },
    });
  });

  it("covers the last 7 and 30 days as whole UTC days ending today", () => {
    expect(bounds({ kind: "last7" })).toEqual({
      ok: true,
      value: { from: at("2026-11-22T00:00:00Z"), to: at("2026-11-29T00:00:00Z"), bucket: null },
    });
    const last30 = bounds({ kind: "last30" });
    expect(last30.ok && dayKeysBetween(last30.value.from!, last30.value.to!)).toHaveLength(30);
  });

  it("covers a season from its start to its end, or open-ended while it runs", () => {
    expect(bounds({ kind: "season", name: "autumn" })).toEqual({
      ok: true,
      value: { from: at("2026-09-01T00:00:00Z"), to: at("2026-12-01T00:00:00Z"), bucket: null },
    });
    expect(bounds({ kind: "season", name: "Open" })).toEqual({
      ok: true,
      value: { from: at("2026-11-01T00:00:00Z"), to: null, bucket: null },
    });
  });

  it("refuses a season nobody defined", () => {
    expect(bounds({ kind: "season", name: "Spring" })).toEqual({
      ok: false,
      error: { code: "UNKNOWN_SEASON", detail: { name: "Spring" } },
    });
  });

  it("includes the whole last day of a range", () => {
    const parsed = parseWindow("2026-11-01..2026-11-28");
    if (!parsed.ok) throw new Error("range refused");
    expect(bounds(parsed.value)).toEqual({
      ok: true,
      value: { from: at("2026-11-01T00:00:00Z"), to: at("2026-11-29T00:00:00Z"), bucket: null },
    });
  });
});

describe("describing windows", () => {
  it.each<[LeaderboardWindow, string]>([
    [{ kind: "all" }, "all time"],
    [{ kind: "week" }, "this week"],
    [{ kind: "month" }, "this month"],
    [{ kind: "last7" }, "the last 7 days"],
    [{ kind: "last30" }, "the last 30 days"],
    [{ kind: "season", name: "Autumn" }, "season Autumn"],
    [
      { kind: "range", from: at("2026-11-01T00:00:00Z"), to: at("2026-11-28T00:00:00Z") },
      "2026-11-01 to 2026-11-28",
    ],
  ])("describes %j as %j", (w, text) => expect(describeWindow(w)).toBe(text));
});

describe("window names that are also JavaScript object properties", () => {
  it("are refused like any unknown window", () => {
    for (const text of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      expect(parseWindow(text)).toMatchObject({ ok: false, error: { code: "BAD_WINDOW" } });
    }
  });
});

describe("windowText", () => {
  const day = fc.integer({ min: 0, max: 20_000 }).map((n) => new Date(Date.UTC(2000, 0, 1) + n * 86_400_000));
  const window: fc.Arbitrary<LeaderboardWindow> = fc.oneof(
    fc.constantFrom<LeaderboardWindow>(
      { kind: "all" },
      { kind: "week" },
      { kind: "month" },
      { kind: "last7" },
      { kind: "last30" },
    ),
    fc
      .string({ minLength: 1, maxLength: 40 })
      .filter((name) => name.trim() === name && name !== "")
      .map((name): LeaderboardWindow => ({ kind: "season", name })),
    fc.tuple(day, fc.integer({ min: 0, max: 3000 })).map(([from, days]): LeaderboardWindow => ({
      kind: "range",
      from,
      to: new Date(from.getTime() + days * 86_400_000),
    })),
  );

  it("writes every window so that parseWindow reads back the same window", () => {
    fc.assert(
      fc.property(window, (w) => {
        expect(parseWindow(windowText(w))).toEqual({ ok: true, value: w });
      }),
    );
  });
});
