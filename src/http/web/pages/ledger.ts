// The ledger explorer: one page of entries by sequence number, the facts each
// hash covers, and the data the browser re-checks them from.
import type { LedgerPage } from "../../../app/ledgerAudit.ts";
import { html, scriptJson, userText, type Html } from "../html.ts";
import { points, time } from "./common.ts";

export interface LedgerPageInput {
  readonly communityId: number;
  readonly from: number;
  readonly size: number;
  readonly page: LedgerPage;
  /** Display names of the entries' members that public pages may show. */
  readonly names: ReadonlyMap<number, string>;
  /** Contribution numbers by contribution id. */
  readonly numbers: ReadonlyMap<number, number>;
}

function memberCell(input: LedgerPageInput, memberId: number): Html {
  const name = input.names.get(memberId);
  return name === undefined
    ? html`<span class="muted">member ${memberId}</span>`
    : html`<a href="/c/${input.communityId}/members/${memberId}">${userText(name)}</a>`;
}

function contributionCell(input: LedgerPageInput, contributionId: number | null): Html | "" {
  if (contributionId === null) return "";
  const number = input.numbers.get(contributionId);
  return number === undefined
    ? html`${contributionId}`
    : html`<a href="/c/${input.communityId}/contributions/${number}">#${number}</a>`;
}

function pager(input: LedgerPageInput, where: "above" | "below"): Html {
  const base = `/c/${input.communityId}/ledger`;
  const head = input.page.head.seq;
  const newest = Math.max(1, head - input.size + 1);
  const links: Html[] = [];
  if (input.from > 1) {
    links.push(html`<a href="${base}?from=1">First</a>`);
    links.push(html`<a href="${base}?from=${Math.max(1, input.from - input.size)}" rel="prev">Previous</a>`);
  }
  if (input.from + input.size <= head)
    links.push(html`<a href="${base}?from=${input.from + input.size}" rel="next">Next</a>`);
  if (input.from < newest) links.push(html`<a href="${base}?from=${newest}">Newest</a>`);
  return html`<nav aria-label="Ledger pages ${where} the entries" class="pager">${links}</nav>`;
}

export function ledgerBody(input: LedgerPageInput): Html {
  const { page } = input;
  const entries = page.entries;
  const last = entries.at(-1)?.seq ?? input.from - 1;
  const data = {
    from: input.from,
    anchorHash: page.anchorHash,
    entries: entries.map((e) => ({
      seq: e.seq,
      communityId: e.communityId,
      kind: e.kind,
      memberId: e.memberId,
      points: e.points,
      contributionId: e.contributionId,
      actorId: e.actorId,
      reason: e.reason,
      createdAt: e.createdAt.toISOString(),
      prevHash: e.prevHash,
      hash: e.hash,
    })),
  };
  const rows = entries.map(
    (e) =>
      html`<tr id="entry-${e.seq}">
        <td class="num">${e.seq}</td>
        <td>${time(e.createdAt)}</td>
        <td>${e.kind.toLowerCase()}</td>
        <td>${memberCell(input, e.memberId)}</td>
        <td class="num">${points(e.points)}</td>
        <td>${contributionCell(input, e.contributionId)}</td>
        <td>${userText(e.reason)}</td>
        <td><span class="hash" title="${e.hash}">${e.hash.slice(0, 12)}…</span></td>
        <td class="verdict">not checked</td>
      </tr>`,
  );
  return html`<h1>Ledger</h1>
    <p>
      ${page.head.seq} entries in all; the newest is #${page.head.seq}, hash <code>${page.head.hash}</code>.
      Each entry's hash is sha256 of the previous entry's hash followed by the canonical JSON of its facts
      (names are not part of it).
    </p>
    <p id="ledger-check" class="check" role="status" aria-live="polite">
      Your browser checks the entries on this page when JavaScript runs. Without it,
      <a href="/c/${input.communityId}/ledger.jsonl">download the ledger</a> and run
      <code>cairn ledger verify FILE</code>.
    </p>
    ${pager(input, "above")}
    ${
      entries.length === 0
        ? html`<p>No entries from #${input.from} on.</p>`
        : html`<div class="scroll">
            <table>
              <caption>
                Entries
                #${input.from}–#${last}${input.from > 1 ? html`, linked to entry #${input.from - 1} (hash <span class="hash">${page.anchorHash.slice(0, 12)}…</span>)` : ""}
              </caption>
              <thead>
                <tr>
                  <th scope="col" class="num">Seq</th>
                  <th scope="col">Time</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Member</th>
                  <th scope="col" class="num">Points</th>
                  <th scope="col">Contribution</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Hash</th>
                  <th scope="col">Check</th>
                </tr>
              </thead>
              <tbody>
                ${rows}
              </tbody>
            </table>
          </div>`
    }
    ${pager(input, "below")}
    <script type="application/json" id="ledger-data">
      ${scriptJson(data)}
    </script>`;
}
