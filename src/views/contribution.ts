import type { ContributionDetail, ContributionPage, ReviewQueue } from "../app/browse.ts";
import type { TallyView } from "../core/blindVoting.ts";
import { formatPoints } from "../core/points.ts";
import { memberName } from "./memberName.ts";
import { privateView, publicView, type Button, type View } from "./view.ts";

/** "2026-11-28 09:00 UTC" — every platform shows the same, unambiguous time. */
export function formatTime(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** A time as the clock reads in `timeZone`: `2026-12-07 09:00`. */
export function formatTimeIn(at: Date, timeZone: string): string {
  const format = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  const part = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
  return `${part["year"]}-${part["month"]}-${part["day"]} ${part["hour"]}:${part["minute"]}`;
}

export function formatTally(tally: TallyView): string {
  if (tally.approvals === null || tally.rejections === null)
    return `${tally.voters} vote(s) so far (blind voting)`;
  return `${tally.approvals} approve · ${tally.rejections} reject`;
}

function creditsLine(detail: ContributionDetail): string {
  return detail.credits
    .map(
      (c) =>
        `${memberName(c.name, c.kind)} ${c.shareBp / 100}%${detail.status === "VERIFIED" ? ` (${formatPoints(c.points)} pts)` : ""}`,
    )
    .join(", ");
}

/** The buttons of a pending card, each with the text command it stands for. */
export function voteButtons(number: number): Button[] {
  return [
    { label: "Approve", command: `/vote #${number} approve`, style: "primary" },
    { label: "Reject", command: `/vote #${number} reject`, style: "danger" },
    { label: "Needs info", command: `/vote #${number} info`, style: "secondary", asksFor: "question" },
    ...[1, 2, 3, 4, 5].map((impact): Button => ({
      label: `Impact ${impact}`,
      command: `/vote #${number} approve ${impact}`,
      style: "secondary",
    })),
  ];
}

/** The vote card posted in the verification chat; locked (no buttons) once decided. */
export function voteCardView(detail: ContributionDetail): View {
  const pending = detail.status === "PENDING";
  const fields = [
    { name: "Category", value: detail.category },
    { name: "Credits", value: creditsLine(detail) },
    ...(detail.links.length === 0 && detail.digests.length === 0
      ? []
      : [{ name: "Evidence", value: [...detail.links, ...detail.digests].join("\n") }]),
    {
      name: "Tally",
      value:
        formatTally(detail.tally) +
        (detail.agentVotes === 0 ? "" : ` (${detail.agentVotes} by agents, not counted towards quorum)`),
    },
    pending
      ? { name: "Closes", value: formatTime(detail.closesAt) }
      : { name: "Outcome", value: outcomeText(detail) },
    ...detail.questions.map((q) => ({
      name: `Question from ${q.asker}`,
      value: q.answer === null ? q.question : `${q.question}\nAnswer: ${q.answer}`,
    })),
  ];
  return publicView(detail.description === "" ? [] : [detail.description], {
    title: `#${detail.number} ${detail.title} — by ${memberName(detail.submitter, detail.submitterKind)}`,
    fields,
    ...(pending ? { buttons: voteButtons(detail.number) } : {}),
  });
}

function outcomeText(detail: ContributionDetail): string {
  const status = detail.status.toLowerCase();
  if (detail.status === "VERIFIED") return `verified, ${formatPoints(detail.award ?? 0)} points`;
  return status;
}

/** The announcement when a contribution is decided, withdrawn or voided. */
export function decisionView(detail: ContributionDetail): View {
  const credited = detail.credits.map((c) => c.name).join(", ");
  const last = detail.history.at(-1);
  const reason = last === undefined || last.reason === "" ? "" : ` (${last.reason})`;
  const line =
    detail.status === "VERIFIED"
      ? `#${detail.number} "${detail.title}" is verified: ${formatPoints(detail.award ?? 0)} points for ${credited}.`
      : `#${detail.number} "${detail.title}" is ${detail.status.toLowerCase()}${reason}.`;
  return publicView([line], { tone: detail.status === "VERIFIED" ? "success" : "info" });
}

/** `/contribution #N` in full. */
export function contributionDetailView(detail: ContributionDetail): View {
  const card = voteCardView(detail);
  const votes = detail.votes.map(
    (v) =>
      `${memberName(v.voter, v.voterKind)}: ${v.choice.toLowerCase()}${v.impact === null ? "" : ` (impact ${v.impact})`}`,
  );
  const history = detail.history.map(
    (h) =>
      `${formatTime(h.at)} ${h.from === null ? "logged" : `${h.from.toLowerCase()} → ${h.to.toLowerCase()}`}${h.actor === null ? "" : ` by ${h.actor}`}${h.reason === "" ? "" : `: ${h.reason}`}`,
  );
  const appeal =
    detail.appeal === null
      ? []
      : [
          `Appeal by ${detail.appeal.appellant} (${detail.appeal.status.toLowerCase()}): ${detail.appeal.reason}`,
        ];
  const through = detail.loggedThrough === null ? [] : [`Logged through API token ${detail.loggedThrough}.`];
  return privateView(
    [
      ...card.lines,
      ...through,
      ...(votes.length === 0 ? [] : ["Votes:", ...votes]),
      "History:",
      ...history,
      ...appeal,
    ],
    {
      title: `${card.title ?? ""} [${detail.status.toLowerCase()}]`,
      fields: card.fields ?? [],
      ...(card.buttons === undefined ? {} : { buttons: card.buttons }),
    },
  );
}

/** `/contributions`: one page of summaries. */
export function contributionPageView(page: ContributionPage): View {
  if (page.total === 0) return privateView(["No contributions match."]);
  const lines = page.items.map(
    (c) =>
      `#${c.number} [${c.status.toLowerCase()}] ${c.title} — ${memberName(c.submitter, c.submitterKind)}, ${c.category}${c.award === null ? "" : `, ${formatPoints(c.award)} pts`}`,
  );
  return privateView([...lines, `Page ${page.page} of ${page.pages} (${page.total} in all).`], {
    title: "Contributions",
  });
}

/** `/review queue`. */
export function reviewQueueView(queue: ReviewQueue): View {
  const lines: string[] = [];
  lines.push(`Pending (${queue.counts.pending}), oldest first:`);
  for (const c of queue.pending)
    lines.push(
      `  #${c.number} ${c.title} — ${c.ageHours}h old, ${formatTally(c.tally)}, closes ${formatTime(c.closesAt)}`,
    );
  lines.push(`Expired without quorum (${queue.counts.expired}):`);
  for (const c of queue.expired) lines.push(`  #${c.number} ${c.title} — ${formatTally(c.tally)}`);
  lines.push(`Appeals (${queue.counts.appeals}):`);
  for (const a of queue.appeals)
    lines.push(`  #${a.number} ${a.title} (${a.status.toLowerCase()}) — ${a.appellant}: ${a.reason}`);
  lines.push(`Waiting for an answer (${queue.counts.questions}):`);
  for (const q of queue.questions) lines.push(`  #${q.number} ${q.title} — ${q.asker} asked: ${q.question}`);
  return privateView(lines, { title: "Review queue" });
}
