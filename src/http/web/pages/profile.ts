// A member's public profile: what /profile shows, without their platform accounts.
import type { ProfileView } from "../../../app/profile.ts";
import { html, userText, type Html } from "../html.ts";
import { points, status } from "./common.ts";

export function profileBody(communityId: number, profile: ProfileView): Html {
  const counts = Object.entries(profile.counts).filter(([, n]) => n > 0);
  const agent =
    profile.kind === "AGENT"
      ? html`<p>
          An agent member; ${profile.ownerName === null ? "its owner" : userText(profile.ownerName)} answers
          for it. People verify its work.
        </p>`
      : "";
  return html`<h1>
      ${userText(profile.name)}${profile.kind === "AGENT" ? html` <span class="mark">[agent]</span>` : ""}
    </h1>
    ${agent}
    <dl class="facts">
      <dt>Points</dt>
      <dd>${points(profile.points.total)}</dd>
      <dt>Active score</dt>
      <dd>${points(profile.points.active)}</dd>
      <dt>Rank (all time)</dt>
      <dd>${profile.rank === null ? "not on the board" : `#${profile.rank}`}</dd>
      <dt>Streak</dt>
      <dd>${profile.streak} week(s)</dd>
      <dt>Contributions</dt>
      <dd>${counts.length === 0 ? "none yet" : counts.map(([s, n]) => `${n} ${status(s)}`).join(", ")}</dd>
      <dt>Categories</dt>
      <dd>
        ${profile.categories.length === 0 ? "none yet" : profile.categories.map((c) => `${c.slug} (${c.verified})`).join(", ")}
      </dd>
    </dl>
    <section aria-labelledby="recent-h">
      <h2 id="recent-h">Recent contributions</h2>
      ${
        profile.recent.length === 0
          ? html`<p>None yet.</p>`
          : html`<ul>
              ${profile.recent.map(
                (c) =>
                  html`<li>
                    <a href="/c/${communityId}/contributions/${c.number}"
                      >#${c.number} ${userText(c.title)}</a
                    >
                    <span class="muted"
                      >— ${status(c.status)}${c.points === 0 ? "" : `, ${points(c.points)} pts`}</span
                    >
                  </li>`,
              )}
            </ul>`
      }
    </section>`;
}
