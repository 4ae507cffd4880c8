// A community's contributions, newest number first, a page at a time (the
// API's keyset paging), filtered by status. A list holds no votes, so
// blind voting has nothing to hide here; hidden submitters are unnamed.
import type { ContributionPage, ContributionSummary } from "../../../app/browse.ts";
import type { ContributionStatus } from "../../../generated/prisma/enums.ts";
import { html, trusted, userText, type Html } from "../html.ts";
import { points, status, time } from "./common.ts";

/** The statuses a reader may filter by, as chat's `/contributions` names them. */
export const LISTED_STATUSES = ["pending", "verified", "rejected", "expired", "withdrawn", "voided"] as const;
export type ListedStatus = (typeof LISTED_STATUSES)[number];

export interface ContributionsQuery {
  readonly status: ListedStatus | null;
  /** Contributions numbered below this; 0 starts at the newest. */
  readonly cursor: number;
  /** Contributions a page holds, when not the default. */
  readonly limit: number | null;
}

export const toStatus = (s: ListedStatus): ContributionStatus => s.toUpperCase() as ContributionStatus;

export function contributionsSearch(query: ContributionsQuery): string {
  const params = new URLSearchParams();
  if (query.status !== null) params.set("status", query.status);
  if (query.cursor > 0) params.set("cursor", String(query.cursor));
  if (query.limit !== null) params.set("limit", String(query.limit));
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}

function statusLinks(communityId: number, query: ContributionsQuery): Html {
  const current = query.status;
  const link = (label: string, s: ListedStatus | null) =>
    html`<li>
      <a
        href="/c/${communityId}/contributions${contributionsSearch({ ...query, status: s, cursor: 0 })}"
        ${current === s ? trusted(' aria-current="true"') : ""}
        >${label}</a
      >
    </li>`;
  return html`<nav aria-label="Status">
    <ul class="windows">
      ${link("All", null)} ${LISTED_STATUSES.map((s) => link(s, s))}
    </ul>
  </nav>`;
}

function row(communityId: number, c: ContributionSummary): Html {
  return html`<tr>
    <td class="num">${c.number}</td>
    <td><a href="/c/${communityId}/contributions/${c.number}">${userText(c.title)}</a></td>
    <td>${status(c.status)}</td>
    <td>${c.category}</td>
    <td>
      ${c.submitterHidden === true ? html`<span class="muted">${c.submitter}</span>` : userText(c.submitter)}
    </td>
    <td>${time(c.createdAt)}</td>
    <td class="num">${c.award === null ? "" : points(c.award)}</td>
  </tr>`;
}

function table(communityId: number, list: ContributionPage): Html {
  return html`<div class="scroll">
    <table>
      <caption>
        ${list.total === 1 ? "1 contribution" : `${list.total} contributions`}
      </caption>
      <thead>
        <tr>
          <th scope="col" class="num">#</th>
          <th scope="col">Title</th>
          <th scope="col">Status</th>
          <th scope="col">Category</th>
          <th scope="col">Submitter</th>
          <th scope="col">Logged</th>
          <th scope="col" class="num">Points</th>
        </tr>
      </thead>
      <tbody>
        ${list.items.map((c) => row(communityId, c))}
      </tbody>
    </table>
  </div>`;
}

function pager(communityId: number, query: ContributionsQuery, list: ContributionPage): Html {
  const base = `/c/${communityId}/contributions`;
  const newest =
    query.cursor > 0 ? html`<a href="${base}${contributionsSearch({ ...query, cursor: 0 })}">Newest</a>` : "";
  const older =
    list.nextCursor === null
      ? ""
      : html`<a href="${base}${contributionsSearch({ ...query, cursor: list.nextCursor })}" rel="next"
          >Older</a
        >`;
  if (newest === "" && older === "") return html``;
  return html`<nav aria-label="Pages" class="pager">${newest} ${older}</nav>`;
}

export function contributionsBody(
  communityId: number,
  query: ContributionsQuery,
  list: ContributionPage,
): Html {
  const heading = query.status === null ? "Contributions" : `Contributions: ${query.status}`;
  return html`<h1>${heading}</h1>
    ${statusLinks(communityId, query)}
    ${
      list.items.length === 0
        ? html`<p>${query.cursor > 0 ? "No older contributions." : "No contributions here yet."}</p>`
        : table(communityId, list)
    }
    ${pager(communityId, query, list)}`;
}
