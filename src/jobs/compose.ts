import { readModLogEntry } from "../app/audit.ts";
import { showContribution } from "../app/browse.ts";
import { cardContribution } from "../app/cards.ts";
import type { Deps } from "../app/deps.ts";
import type { OutboxPayload } from "../app/outbox.ts";
import type { Audience } from "../app/targets.ts";
import { decisionView, voteCardView } from "../views/contribution.ts";
import { publicView, privateView, type View } from "../views/view.ts";

/** A message ready for a platform to post (or, for a card, to edit in place). */
export interface OutgoingMessage {
  readonly communityId: number;
  readonly audience: Audience;
  /** Messages with one `replaces` key are one message on the platform: later ones edit it. */
  readonly replaces: string | null;
  readonly view: View;
}

/** Nobody: what the public sees of a contribution (blind votes stay hidden). */
const publicViewer = (communityId: number) => ({
  communityId,
  memberId: 0,
  isModerator: false,
  spaceId: null,
});

/**
 * Turns an outbox row into the messages to deliver, rendered from the current
 * state of the ledger, so a late delivery never shows an older tally.
 */
export async function composeOutboxMessages(
  deps: Deps,
  communityId: number,
  payload: OutboxPayload,
): Promise<OutgoingMessage[]> {
  if (payload.kind === "MOD_LOG") return modLogMessages(deps, communityId, payload.auditId);
  const contribution = await cardContribution(deps, payload.contributionId);
  if (contribution === null) return [];
  const detail = await showContribution(deps, {
    actor: publicViewer(communityId),
    number: contribution.number,
  });
  if (!detail.ok) return [];
  const card: OutgoingMessage = {
    communityId,
    audience: { kind: "verification" },
    replaces: `card:${payload.contributionId}`,
    view: voteCardView(detail.value),
  };
  switch (payload.kind) {
    case "VOTE_CARD":
    case "TALLY":
    case "INFO_ANSWERED":
      return [card];
    case "DECISION":
      return [
        card,
        { communityId, audience: { kind: "verification" }, replaces: null, view: decisionView(detail.value) },
      ];
    case "NEEDS_INFO": {
      const question = detail.value.questions.at(-1);
      const notice = privateView(
        [
          `${question?.asker ?? "A verifier"} asks about #${contribution.number} "${detail.value.title}": ${question?.question ?? ""}`,
          `Reply with /answer #${contribution.number} <your answer>.`,
        ],
        { title: "A verifier needs more information" },
      );
      return [
        card,
        {
          communityId,
          audience: { kind: "member", memberId: contribution.submitterId },
          replaces: null,
          view: notice,
        },
      ];
    }
  }
}

async function modLogMessages(deps: Deps, communityId: number, auditId: number): Promise<OutgoingMessage[]> {
  const entry = await readModLogEntry(deps, auditId);
  if (entry === null) return [];
  const target = entry.target === "" ? "" : ` ${entry.target}`;
  const reason = entry.reason === "" ? "" : `: ${entry.reason}`;
  return [
    {
      communityId,
      audience: { kind: "modlog" },
      replaces: null,
      view: publicView([`${entry.actor} — ${entry.action}${target}${reason}`]),
    },
  ];
}
