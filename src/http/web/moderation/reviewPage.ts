// The review queue page: what chat's `/review queue` lists, each item with a
// form for the actions its status allows, and one form for any contribution
// by number (void applies to verified ones, which the queue does not list).
import type { QueuedContribution, ReviewQueue } from "../../../app/browse.ts";
import { formatTally, formatTime } from "../../../views/contribution.ts";
import { html, page, type SafeHtml } from "./html.ts";

export const REVIEW_ACTIONS = ["approve", "reject", "void", "extend", "reopen"] as const;
export type ReviewAction = (typeof REVIEW_ACTIONS)[number];

export interface ReviewPageModel {
  readonly communityId: number;
  readonly communityName: string;
  readonly memberName: string;
  readonly csrf: string;
  readonly queue: ReviewQueue;
  readonly message?: { readonly tone: "notice" | "refusal"; readonly line: string };
}

const PENDING_ACTIONS: readonly ReviewAction[] = ["approve", "reject", "extend"];
const EXPIRED_ACTIONS: readonly ReviewAction[] = ["approve", "reject", "reopen"];
const APPEAL_ACTIONS: readonly ReviewAction[] = ["reopen", "reject"];

export function reviewPage(model: ReviewPageModel): string {
  const { queue } = model;
  const form = actionForm(model);
  const body = html`${messageLine(model.message)}
    <p>Signed in as ${model.memberName}.</p>
    <section aria-labelledby="pending">
      <h2 id="pending">Pending (${queue.counts.pending})</h2>
      ${contributionTable(queue.pending, PENDING_ACTIONS, form, "closes")}
    </section>
    <section aria-labelledby="expired">
      <h2 id="expired">Expired without quorum (${queue.counts.expired})</h2>
      ${contributionTable(queue.expired, EXPIRED_ACTIONS, form, "expired")}
    </section>
    <section aria-labelledby="appeals">
      <h2 id="appeals">Open appeals (${queue.counts.appeals})</h2>
      ${appealTable(queue, form)}
    </section>
    <section aria-labelledby="any">
      <h2 id="any">Any contribution</h2>
      ${form(null, REVIEW_ACTIONS)}
    </section>`;
  return page({
    title: `Review queue · ${model.communityName}`,
    body,
    signOut: html`<form method="post" action="/logout">
      <input type="hidden" name="csrf" value="${model.csrf}" /><button type="submit">Sign out</button>
    </form>`,
  });
}

function messageLine(message: ReviewPageModel["message"]): SafeHtml {
  if (message === undefined) return html``;
  return html`<p class="${message.tone}" role="${message.tone === "refusal" ? "alert" : "status"}">
    ${message.line}
  </p>`;
}

type ActionForm = (number: number | null, actions: readonly ReviewAction[]) => SafeHtml;

/** A form posting one action with its reason (and hours, for extend) and the session's CSRF token. */
function actionForm(model: ReviewPageModel): ActionForm {
  return (number, actions) => {
    const id = number === null ? "any" : String(number);
    const target =
      number === null
        ? html`<label for="number-${id}"
            >Contribution<input
              id="number-${id}"
              name="number"
              inputmode="numeric"
              required
              placeholder="#42"
          /></label>`
        : html`<input type="hidden" name="number" value="${number}" />`;
    return html`<form class="act" method="post" action="/c/${model.communityId}/review">
      <input type="hidden" name="csrf" value="${model.csrf}" />${target}<label for="action-${id}"
        >Action<select id="action-${id}" name="action">
          ${actions.map((a) => html`<option value="${a}">${a}</option>`)}
        </select></label
      ><label for="reason-${id}"
        >Reason<input id="reason-${id}" name="reason" required maxlength="500" /></label
      ><label for="hours-${id}"
        >Hours (extend)<input id="hours-${id}" name="hours" type="number" min="1" max="720" /></label
      ><button type="submit">Apply${number === null ? "" : html` to #${number}`}</button>
    </form>`;
  };
}

function contributionTable(
  items: readonly QueuedContribution[],
  actions: readonly ReviewAction[],
  form: ActionForm,
  when: "closes" | "expired",
): SafeHtml {
  if (items.length === 0) return html`<p>Nothing here.</p>`;
  const rows = items.map(
    (c) =>
      html`<tr>
          <td>#${c.number}</td>
          <td>${c.title}</td>
          <td>${c.submitter}</td>
          <td>${c.category}</td>
          <td>${formatTally(c.tally)}</td>
          <td>
            ${when === "closes" ? `closes ${formatTime(c.closesAt)}` : `expired ${c.decidedAt === null ? "" : formatTime(c.decidedAt)}`}
          </td>
        </tr>
        <tr>
          <td colspan="6">${form(c.number, actions)}</td>
        </tr>`,
  );
  return html`<table>
    <thead>
      <tr>
        <th scope="col">#</th>
        <th scope="col">Title</th>
        <th scope="col">Submitter</th>
        <th scope="col">Category</th>
        <th scope="col">Votes</th>
        <th scope="col">When</th>
      </tr>
    </thead>
    <tbody>
      ${rows}
    </tbody>
  </table>`;
}

function appealTable(queue: ReviewQueue, form: ActionForm): SafeHtml {
  if (queue.appeals.length === 0) return html`<p>Nothing here.</p>`;
  const rows = queue.appeals.map(
    (a) =>
      html`<tr>
          <td>#${a.number}</td>
          <td>${a.title}</td>
          <td>${a.appellant}</td>
          <td>${a.reason}</td>
        </tr>
        <tr>
          <td colspan="4">${form(a.number, APPEAL_ACTIONS)}</td>
        </tr>`,
  );
  return html`<table>
    <thead>
      <tr>
        <th scope="col">#</th>
        <th scope="col">Title</th>
        <th scope="col">Appellant</th>
        <th scope="col">Appeal</th>
      </tr>
    </thead>
    <tbody>
      ${rows}
    </tbody>
  </table>`;
}
