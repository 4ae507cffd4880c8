// Pieces several pages share: member names with their profile links, points,
// times and statuses as the chat writes them.
import type { MemberKind } from "../../../core/agents.ts";
import { formatPoints } from "../../../core/points.ts";
import { formatTime } from "../../../views/contribution.ts";
import { AGENT_MARK } from "../../../views/memberName.ts";
import { html, userText, type Html } from "../html.ts";

export { formatTime };

/** A member's name, linked to their profile unless they are hidden from public pages; agents marked. */
export function memberLink(
  communityId: number,
  member: {
    readonly memberId: number;
    readonly name: string;
    readonly kind?: MemberKind;
    readonly hidden?: true;
  },
): Html {
  const mark = member.kind === "AGENT" ? html` <span class="mark">${AGENT_MARK}</span>` : "";
  if (member.hidden === true) return html`<span class="muted">${userText(member.name)}</span>`;
  return html`<a href="/c/${communityId}/members/${member.memberId}">${userText(member.name)}</a>${mark}`;
}

export function points(hundredths: number): string {
  return formatPoints(hundredths);
}

export function status(text: string): string {
  return text.toLowerCase();
}

export function time(at: Date): Html {
  return html`<time datetime="${at.toISOString()}">${formatTime(at)}</time>`;
}
