// The board's query (`window`, `category`, `score`, `members`) read the way the
// chat's /leaderboard reads its arguments, and written back as links.
import { BOARD_MEMBERS, type BoardMembers } from "../../core/agents.ts";
import { parseWindow, windowText, type LeaderboardWindow } from "../../core/periods.ts";
import type { LeaderboardScore } from "../../app/leaderboard.ts";
import { refusalText } from "../../views/refusals.ts";

export interface BoardQuery {
  readonly window: LeaderboardWindow;
  readonly category: string | null;
  readonly score: LeaderboardScore;
  readonly members: BoardMembers;
}

export type RawQuery = Readonly<Record<string, string | string[] | undefined>>;

/** One value of a query parameter (the first when repeated), trimmed; undefined when absent or empty. */
export function queryValue(query: RawQuery, key: string): string | undefined {
  const raw = query[key];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  return value === undefined || value === "" ? undefined : value;
}

/** A query the board cannot show, with the one line that says how to ask. */
export interface BadQuery {
  readonly bad: string;
}

/** The board asked for; `range` (a date range typed in the form) wins over `window`. */
export function readBoardQuery(query: RawQuery): BoardQuery | BadQuery {
  const window = parseWindow(queryValue(query, "range") ?? queryValue(query, "window"));
  if (!window.ok) return { bad: refusalText(window.error) };
  const score = queryValue(query, "score") ?? "total";
  if (score !== "total" && score !== "active") return { bad: "Scores: total or active." };
  const members = queryValue(query, "members") ?? "people";
  if (!(BOARD_MEMBERS as readonly string[]).includes(members))
    return { bad: "Members: people, agents or all." };
  return {
    window: window.value,
    category: queryValue(query, "category")?.toLowerCase() ?? null,
    score,
    members: members as BoardMembers,
  };
}

/** `?window=…&…` with the defaults left out ("" for the default board). */
export function boardSearch(query: BoardQuery, omitWindow = false): string {
  const params = new URLSearchParams();
  if (!omitWindow && query.window.kind !== "all") params.set("window", windowText(query.window));
  if (query.category !== null) params.set("category", query.category);
  if (query.score !== "total") params.set("score", query.score);
  if (query.members !== "people") params.set("members", query.members);
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}
