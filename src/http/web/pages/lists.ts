// The seasons list and the downloads page.
import { html, userText, type Html } from "../html.ts";
import { time } from "./common.ts";

export function seasonsBody(
  communityId: number,
  seasons: ReadonlyArray<{ readonly name: string; readonly startsAt: Date; readonly endsAt: Date | null }>,
): Html {
  return html`<h1>Seasons</h1>
    ${
      seasons.length === 0
        ? html`<p>No seasons yet; moderators define them with <code>/season add</code>.</p>`
        : html`<ul>
            ${seasons.map(
              (s) =>
                html`<li>
                  <a href="/c/${communityId}/seasons/${encodeURIComponent(s.name)}">${userText(s.name)}</a>
                  <span class="muted"
                    >— from
                    ${time(s.startsAt)}${s.endsAt === null ? ", open" : html` to ${time(s.endsAt)}`}</span
                  >
                </li>`,
            )}
          </ul>`
    }`;
}

export function downloadsBody(communityId: number): Html {
  return html`<h1>Downloads</h1>
    <ul>
      <li>
        <a href="/c/${communityId}/ledger.jsonl" download>The ledger</a> (JSON lines, every entry with its
        hashes): check it with <code>cairn ledger verify FILE</code>.
      </li>
      <li>
        <a href="/c/${communityId}/attribution.csv" download>Attribution, all time</a> (CSV: points by kind,
        verified contributions and share per member; members hidden from the board are not named). Add
        <code>?window=month</code> (or any board window) for another period.
      </li>
    </ul>`;
}
