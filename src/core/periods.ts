import { ok, refuse, type Result } from "./result.ts";

const DAY_MS = 86_400_000;
const MAX_RANGE_DAYS = 3660;

/** Which contributions a leaderboard or export counts. Range days are UTC and both included. */
export type LeaderboardWindow =
  | { kind: "all" }
  | { kind: "week" }
  | { kind: "month" }
  | { kind: "last7" }
  | { kind: "last30" }
  | { kind: "season"; name: string }
  | { kind: "range"; from: Date; to: Date };

/** A season as a moderator defined it; an open season has no end yet. */
export interface Season {
  name: string;
  startsAt: Date;
  endsAt: Date | null;
}

/** A window as instants: from inclusive, to exclusive, null for unbounded. */
export interface WindowBounds {
  from: Date | null;
  to: Date | null;
  /** The one period bucket ("W:…" or "M:…") covering exactly this window, if there is one. */
  bucket: string | null;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, "0");

function startOfUtcDay(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

function addDays(d: Date, days: number): Date {
  return new Date(d.getTime() + days * DAY_MS);
}

/** `YYYY-MM-DD` of the UTC day. */
export function utcDayText(d: Date): string {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** The Monday 00:00 UTC starting the ISO week of `d`. */
export function startOfIsoWeek(d: Date): Date {
  const day = startOfUtcDay(d);
  return addDays(day, -((day.getUTCDay() + 6) % 7));
}

/** The ISO 8601 week of a UTC instant, like "2026-W48"; the year is the week's, not the day's. */
export function isoWeekKey(d: Date): string {
  const thursday = addDays(startOfIsoWeek(d), 3);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return `${year}-W${pad(week)}`;
}

/** The day, week and month buckets an entry made at `at` is counted in. */
export function periodKeys(at: Date): { day: string; week: string; month: string } {
  return {
    day: `D:${utcDayText(at)}`,
    week: `W:${isoWeekKey(at)}`,
    month: `M:${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}`,
  };
}

/** The day bucket keys ("D:YYYY-MM-DD") of every UTC day that overlaps [from, to). */
export function dayKeysBetween(from: Date, to: Date): string[] {
  const keys: string[] = [];
  for (let day = startOfUtcDay(from); day < to; day = addDays(day, 1)) keys.push(`D:${utcDayText(day)}`);
  return keys;
}

const NAMED_WINDOWS: Record<string, LeaderboardWindow> = {
  all: { kind: "all" },
  alltime: { kind: "all" },
  "all-time": { kind: "all" },
  week: { kind: "week" },
  month: { kind: "month" },
  "7d": { kind: "last7" },
  last7: { kind: "last7" },
  "30d": { kind: "last30" },
  last30: { kind: "last30" },
};

/**
 * Reads a window as typed: all (alltime, all-time), week, month, 7d (last7),
 * 30d (last30), season:<name>, or YYYY-MM-DD..YYYY-MM-DD with both days included.
 * No text means all time.
 */
export function parseWindow(text: string | undefined): Result<LeaderboardWindow, "BAD_WINDOW"> {
  const typed = (text ?? "").trim();
  if (typed === "") return ok({ kind: "all" });
  const key = typed.toLowerCase();
  const named = Object.hasOwn(NAMED_WINDOWS, key) ? NAMED_WINDOWS[key] : undefined;
  if (named !== undefined) return ok(named);
  const season = /^season:(.+)$/i.exec(typed)?.[1]?.trim();
  if (season !== undefined && season !== "") return ok({ kind: "season", name: season });
  const range = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(typed);
  const from = parseUtcDay(range?.[1]);
  const to = parseUtcDay(range?.[2]);
  if (from === null || to === null || from > to) return refuse("BAD_WINDOW");
  if ((to.getTime() - from.getTime()) / DAY_MS + 1 > MAX_RANGE_DAYS)
    return refuse("BAD_WINDOW", { maxDays: MAX_RANGE_DAYS });
  return ok({ kind: "range", from, to });
}

/** A window written the way parseWindow reads it back: `parseWindow(windowText(w))` is `w`. */
export function windowText(w: LeaderboardWindow): string {
  switch (w.kind) {
    case "all":
      return "all";
    case "week":
    case "month":
      return w.kind;
    case "last7":
      return "7d";
    case "last30":
      return "30d";
    case "season":
      return `season:${w.name}`;
    case "range":
      return `${utcDayText(w.from)}..${utcDayText(w.to)}`;
  }
}

/** A real calendar day as UTC midnight, or null (2026-02-30 is not a day). */
function parseUtcDay(text: string | undefined): Date | null {
  if (text === undefined) return null;
  const day = new Date(`${text}T00:00:00.000Z`);
  return Number.isNaN(day.getTime()) || utcDayText(day) !== text ? null : day;
}

/**
 * The instants a window covers at `now`: this week and this month run to the end
 * of the current bucket; the last 7 and 30 days are whole UTC days ending today,
 * so they line up with day buckets.
 */
export function windowBounds(
  w: LeaderboardWindow,
  now: Date,
  seasons: readonly Season[],
): Result<WindowBounds, "UNKNOWN_SEASON"> {
  const tomorrow = addDays(startOfUtcDay(now), 1);
  switch (w.kind) {
    case "all":
      return ok({ from: null, to: null, bucket: null });
    case "week": {
      const from = startOfIsoWeek(now);
      return ok({ from, to: addDays(from, 7), bucket: periodKeys(now).week });
    }
    case "month": {
      const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
      const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
      return ok({ from, to, bucket: periodKeys(now).month });
    }
    case "last7":
      return ok({ from: addDays(tomorrow, -7), to: tomorrow, bucket: null });
    case "last30":
      return ok({ from: addDays(tomorrow, -30), to: tomorrow, bucket: null });
    case "season": {
      const season = findSeason(seasons, w.name);
      if (season === undefined) return refuse("UNKNOWN_SEASON", { name: w.name });
      return ok({ from: season.startsAt, to: season.endsAt, bucket: null });
    }
    case "range":
      return ok({ from: startOfUtcDay(w.from), to: addDays(startOfUtcDay(w.to), 1), bucket: null });
  }
}

/** A season by name: exact spelling first, then ignoring case. */
function findSeason(seasons: readonly Season[], name: string): Season | undefined {
  return (
    seasons.find((s) => s.name === name) ?? seasons.find((s) => s.name.toLowerCase() === name.toLowerCase())
  );
}

/** The window in words, for board titles: "all time", "this week", "2026-11-01 to 2026-11-28". */
export function describeWindow(w: LeaderboardWindow): string {
  switch (w.kind) {
    case "all":
      return "all time";
    case "week":
      return "this week";
    case "month":
      return "this month";
    case "last7":
      return "the last 7 days";
    case "last30":
      return "the last 30 days";
    case "season":
      return `season ${w.name}`;
    case "range":
      return `${utcDayText(w.from)} to ${utcDayText(w.to)}`;
  }
}
