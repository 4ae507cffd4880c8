// One contribution: credits, evidence (links and digests), votes (blind while
// pending where the community votes blind), questions and history.
import type { ContributionDetail } from "../../../app/browse.ts";
import { formatTally } from "../../../views/contribution.ts";
import { evidenceLink, html, userParagraph, userText, type Html } from "../html.ts";
import { memberLink, points, status, time } from "./common.ts";

function creditsTable(communityId: number, d: ContributionDetail): Html {
  return html`<div class="scroll">
    <table>
      <caption>
        Credits
      </caption>
      <thead>
        <tr>
          <th scope="col">Member</th>
          <th scope="col" class="num">Share</th>
          <th scope="col" class="num">Points</th>
        </tr>
      </thead>
      <tbody>
        ${d.credits.map(
          (c) =>
            html`<tr>
              <td>${memberLink(communityId, c)}</td>
              <td class="num">${c.shareBp / 100}%</td>
              <td class="num">${points(c.points)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

function evidence(d: ContributionDetail): Html {
  if (d.links.length === 0 && d.digests.length === 0) return html`<p>No evidence attached.</p>`;
  return html`<ul>
    ${d.links.map((link) => html`<li>${evidenceLink(link)}</li>`)}${d.digests.map(
      (digest) => html`<li>Content digest <code>${digest}</code></li>`,
    )}
  </ul>`;
}

function votes(communityId: number, d: ContributionDetail): Html {
  const agents = d.agentVotes === 0 ? "" : ` (${d.agentVotes} by agents, not counted towards quorum)`;
  const tally = html`<p>${formatTally(d.tally)}${agents}</p>`;
  if (d.blind)
    return html`${tally}
      <p class="muted">
        This community votes blind: who voted which way is shown once the contribution is decided.
      </p>`;
  if (d.votes.length === 0) return tally;
  return html`${tally}
    <div class="scroll">
      <table>
        <caption>
          Votes
        </caption>
        <thead>
          <tr>
            <th scope="col">Voter</th>
            <th scope="col">Vote</th>
            <th scope="col" class="num">Impact</th>
          </tr>
        </thead>
        <tbody>
          ${d.votes.map(
            (v) =>
              html`<tr>
                <td>
                  ${memberLink(communityId, { memberId: v.voterId, name: v.voter, ...(v.voterKind === undefined ? {} : { kind: v.voterKind }), ...(v.hidden === undefined ? {} : { hidden: v.hidden }) })}
                </td>
                <td>${status(v.choice)}</td>
                <td class="num">${v.impact ?? "—"}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
}

function history(d: ContributionDetail): Html {
  return html`<ol>
    ${d.history.map(
      (h) =>
        html`<li>
          ${time(h.at)}
          ${h.from === null ? "logged" : `${status(h.from)} → ${status(h.to)}`}${h.actor === null ? "" : html` by ${userText(h.actor)}`}${h.reason === "" ? "" : html`: ${userText(h.reason)}`}
        </li>`,
    )}
  </ol>`;
}

function questions(d: ContributionDetail): Html | "" {
  if (d.questions.length === 0) return "";
  return html`<section aria-labelledby="questions-h">
    <h2 id="questions-h">Questions</h2>
    <ul>
      ${d.questions.map(
        (q) =>
          html`<li>
            ${userText(q.asker)} asked ${time(q.askedAt)}:
            ${userText(q.question)}${q.answer === null ? html` <span class="muted">(not answered yet)</span>` : html`<br />Answer: ${userText(q.answer)}`}
          </li>`,
      )}
    </ul>
  </section>`;
}

export function contributionBody(communityId: number, d: ContributionDetail): Html {
  const outcome = d.status === "VERIFIED" ? `verified, ${points(d.award ?? 0)} points` : status(d.status);
  const appeal =
    d.appeal === null
      ? ""
      : html`<section aria-labelledby="appeal-h">
          <h2 id="appeal-h">Appeal</h2>
          <p>By ${userText(d.appeal.appellant)} (${status(d.appeal.status)}): ${userText(d.appeal.reason)}</p>
        </section>`;
  return html`<h1>#${d.number} ${userText(d.title)}</h1>
    <dl class="facts">
      <dt>Status</dt>
      <dd>${outcome}</dd>
      <dt>Category</dt>
      <dd>${d.category}</dd>
      <dt>Submitted by</dt>
      <dd>
        ${userText(d.submitter)}${d.submitterKind === "AGENT" ? html` <span class="mark">[agent]</span>` : ""}
      </dd>
      <dt>Logged</dt>
      <dd>${time(d.createdAt)}</dd>
      ${
        d.status === "PENDING"
          ? html`<dt>Voting closes</dt>
              <dd>${time(d.closesAt)}</dd>`
          : ""
      }
      ${
        d.decidedAt === null
          ? ""
          : html`<dt>Decided</dt>
              <dd>${time(d.decidedAt)}${d.decidedBy === null ? "" : ` (${status(d.decidedBy)})`}</dd>`
      }
      ${
        d.loggedThrough === null
          ? ""
          : html`<dt>Logged through</dt>
              <dd>API token ${userText(d.loggedThrough)}</dd>`
      }
    </dl>
    ${d.description === "" ? "" : userParagraph(d.description)}
    <section aria-labelledby="credits-h">
      <h2 id="credits-h">Credits</h2>
      ${creditsTable(communityId, d)}
    </section>
    <section aria-labelledby="evidence-h">
      <h2 id="evidence-h">Evidence</h2>
      ${evidence(d)}
    </section>
    <section aria-labelledby="votes-h">
      <h2 id="votes-h">Votes</h2>
      ${votes(communityId, d)}
    </section>
    ${questions(d)}
    <section aria-labelledby="history-h">
      <h2 id="history-h">History</h2>
      ${history(d)}
    </section>
    ${appeal}`;
}
