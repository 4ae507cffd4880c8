// The community's board: every window, category, score and members filter of
// the chat's /leaderboard, as links and as a form that works without script.
import type { ContributionPage } from "../../../app/browse.ts";
import type { LeaderboardRow, LeaderboardView } from "../../../app/leaderboard.ts";
import { windowText, type LeaderboardWindow } from "../../../core/periods.ts";
import { boardSubtitle } from "../../../views/boardImage.ts";
import { html, trusted, userText, type Html } from "../html.ts";
import { boardSearch, type BoardQuery } from "../boardQuery.ts";
import { memberLink, points, status, time } from "./common.ts";

export interface BoardPageInput {
  readonly communityId: number;
  readonly board: LeaderboardView;
  readonly query: BoardQuery;
  readonly categories: ReadonlyArray<{ readonly slug: string }>;
  readonly seasons: ReadonlyArray<{ readonly name: string }>;
  readonly recent: ContributionPage | null;
  /** Where the board's own links point: the board, or a season's page. */
  readonly path: string;
  /** A season's page keeps its window; the board offers every window. */
  readonly fixedWindow: boolean;
}

const WINDOWS: ReadonlyArray<{ readonly window: LeaderboardWindow; readonly label: string }> = [
  { window: { kind: "all" }, label: "All time" },
  { window: { kind: "week" }, label: "This week" },
  { window: { kind: "month" }, label: "This month" },
  { window: { kind: "last7" }, label: "Last 7 days" },
  { window: { kind: "last30" }, label: "Last 30 days" },
];

function selected(on: boolean): Html | "" {
  return on ? trusted(" selected") : "";
}

function windowLinks(input: BoardPageInput): Html {
  const current = windowText(input.query.window);
  const items = WINDOWS.map(({ window, label }) => {
    const here = windowText(window) === current;
    const href = `${input.path}${boardSearch({ ...input.query, window })}`;
    return html`<li><a href="${href}" ${here ? trusted(' aria-current="true"') : ""}>${label}</a></li>`;
  });
  return html`<nav aria-label="Windows">
    <ul class="windows">
      ${items}
    </ul>
  </nav>`;
}

function filterForm(input: BoardPageInput): Html {
  const q = input.query;
  const current = windowText(q.window);
  const windowOptions = [
    ...WINDOWS.map((w) => ({ value: windowText(w.window), label: w.label })),
    ...input.seasons.map((s) => ({ value: `season:${s.name}`, label: `Season ${s.name}` })),
  ];
  if (q.window.kind === "range") windowOptions.push({ value: current, label: current });
  const windowField = input.fixedWindow
    ? ""
    : html`<label for="f-window"
          >Window
          <select id="f-window" name="window">
            ${windowOptions.map(
              (o) => html`<option value="${o.value}" ${selected(o.value === current)}>${o.label}</option>`,
            )}
          </select></label
        >
        <label for="f-range"
          >Or dates (YYYY-MM-DD..YYYY-MM-DD)
          <input id="f-range" name="range" inputmode="numeric" placeholder="2026-11-01..2026-11-30" size="22"
        /></label>`;
  return html`<form
    class="filters"
    method="get"
    action="${input.path}"
    role="search"
    aria-label="Board options"
  >
    ${windowField}
    <label for="f-category"
      >Category
      <select id="f-category" name="category">
        <option value="" ${selected(q.category === null)}>All categories</option>
        ${input.categories.map(
          (c) => html`<option value="${c.slug}" ${selected(c.slug === q.category)}>${c.slug}</option>`,
        )}
      </select></label
    >
    <label for="f-score"
      >Score
      <select id="f-score" name="score">
        <option value="total" ${selected(q.score === "total")}>Total points</option>
        <option value="active" ${selected(q.score === "active")}>Active (decayed)</option>
      </select></label
    >
    <label for="f-members"
      >Members
      <select id="f-members" name="members">
        <option value="people" ${selected(q.members === "people")}>People</option>
        <option value="agents" ${selected(q.members === "agents")}>Agents</option>
        <option value="all" ${selected(q.members === "all")}>Everyone</option>
      </select></label
    >
    <button type="submit">Show</button>
  </form>`;
}

function boardRow(communityId: number, row: LeaderboardRow): Html {
  return html`<tr>
    <td class="num">${row.rank}</td>
    <td>${memberLink(communityId, row)}</td>
    <td class="num">${points(row.points)}</td>
    <td class="num">${row.verified}</td>
    <td class="num">${row.streak}</td>
  </tr>`;
}

/** The board's table: rank, name, points, verified contributions, streak. */
export function boardTable(communityId: number, board: LeaderboardView): Html {
  const members =
    board.members === "agents" ? " · agents" : board.members === "all" ? " · people and agents" : "";
  const caption = `${boardSubtitle(board)}${members}`;
  if (board.rows.length === 0) return html`<p>Nobody has points here yet.</p>`;
  return html`<div class="scroll">
    <table>
      <caption>
        ${caption}
      </caption>
      <thead>
        <tr>
          <th scope="col" class="num">Rank</th>
          <th scope="col">Name</th>
          <th scope="col" class="num">${board.score === "active" ? "Active score" : "Points"}</th>
          <th scope="col" class="num">Verified</th>
          <th scope="col" class="num">Streak (weeks)</th>
        </tr>
      </thead>
      <tbody>
        ${board.rows.map((row) => boardRow(communityId, row))}
      </tbody>
    </table>
  </div>`;
}

function recentList(communityId: number, recent: ContributionPage): Html {
  if (recent.items.length === 0) return html`<p>No contributions yet.</p>`;
  return html`<ul>
    ${recent.items.map(
      (c) =>
        html`<li>
          <a href="/c/${communityId}/contributions/${c.number}">#${c.number} ${userText(c.title)}</a>
          <span class="muted"
            >— ${status(c.status)}, ${c.category}, by ${userText(c.submitter)}, ${time(c.createdAt)}</span
          >
        </li>`,
    )}
  </ul>`;
}

export function boardBody(input: BoardPageInput, heading: string): Html {
  return html`<h1>${userText(heading)}</h1>
    ${input.fixedWindow ? "" : windowLinks(input)} ${filterForm(input)}
    ${boardTable(input.communityId, input.board)}
    ${
      input.recent === null
        ? ""
        : html`<section aria-labelledby="recent-h">
            <h2 id="recent-h">Recent contributions</h2>
            ${recentList(input.communityId, input.recent)}
            <p><a href="/c/${input.communityId}/contributions">All contributions</a></p>
          </section>`
    }`;
}
