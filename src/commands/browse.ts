import type { BoardMembers } from "../core/agents.ts";
import { z } from "zod";
import { listContributions, reviewQueue, showContribution } from "../app/browse.ts";
import { buildExport, exportRowCount, INLINE_EXPORT_MEMBERS } from "../app/exports.ts";
import { showLeaderboard } from "../app/leaderboard.ts";
import { readHead, verifyCommunityLedger } from "../app/ledgerAudit.ts";
import { verifiesInBackground } from "../core/ledgerVerify.ts";
import { ledgerVerificationView, ledgerVerifyRunningView, ledgerVerifyStartedView } from "../views/ledger.ts";
import { setProfileVisibility, showProfile } from "../app/profile.ts";
import type { MemberRef } from "../app/actors.ts";
import { parseWindow, windowText } from "../core/periods.ts";
import { formatPoints } from "../core/points.ts";
import { leaderboardView, profileView } from "../views/boards.ts";
import { profileCardAttachment } from "../views/profileCard.ts";
import { contributionDetailView, contributionPageView, reviewQueueView } from "../views/contribution.ts";
import { privateView, successView } from "../views/view.ts";
import { refused } from "./contributor.ts";
import {
  amount,
  contributionNumber,
  leaderboardWindow,
  memberRef,
  optional,
  wholeNumber,
} from "./options.ts";
import { defineCommand } from "./types.ts";

const statuses = ["pending", "verified", "rejected", "expired", "withdrawn", "voided"] as const;

export const contribution = defineCommand({
  name: "contribution",
  description: "Show one contribution with its votes and history",
  audience: "member",
  usage: "/contribution <#id>",
  options: [
    {
      name: "contribution",
      description: "Contribution number, like #42",
      kind: "contribution",
      required: true,
    },
  ],
  input: z.object({ contribution: contributionNumber }),
  run: async (ctx, input) => {
    const result = await showContribution(ctx.deps, { actor: ctx.actor, number: input.contribution });
    return result.ok ? contributionDetailView(result.value) : refused(result);
  },
});

/** `/contributions [status] [@member] [page]`, in any order. */
function parseContributionsArgs(args: readonly string[]): Record<string, unknown> | null {
  const raw: Record<string, unknown> = {};
  for (const arg of args) {
    if ((statuses as readonly string[]).includes(arg.toLowerCase())) raw["status"] = arg.toLowerCase();
    else if (arg.startsWith("@")) raw["member"] = arg;
    else if (/^\d+$/.test(arg)) raw["page"] = arg;
    else return null;
  }
  return raw;
}

export const contributions = defineCommand({
  name: "contributions",
  description: "List contributions, newest first",
  audience: "member",
  usage: `/contributions [${statuses.join("|")}] [@member] [page]`,
  options: [
    { name: "status", description: "Only this status", kind: "choice", required: false, choices: statuses },
    { name: "member", description: "Only this member's", kind: "member", required: false },
    { name: "page", description: "Page number", kind: "integer", required: false },
  ],
  input: z.object({
    status: optional(z.enum(statuses)),
    member: optional(memberRef),
    page: optional(wholeNumber("USAGE", 1, 100_000)),
  }),
  parseText: parseContributionsArgs,
  run: async (ctx, input) => {
    const result = await listContributions(ctx.deps, {
      actor: ctx.actor,
      page: input.page ?? 1,
      ...(input.status === undefined
        ? {}
        : { status: input.status.toUpperCase() as Uppercase<(typeof statuses)[number]> }),
      ...(input.member === undefined ? {} : { member: input.member as MemberRef }),
    });
    return result.ok ? contributionPageView(result.value) : refused(result);
  },
});

/** Whom a board shows, as typed: `everyone` (since `all` already names the all-time window) is both. */
const BOARD_MEMBER_WORDS: Readonly<Record<string, BoardMembers>> = {
  people: "people",
  agents: "agents",
  everyone: "all",
};
const isBoardMembers = (word: string): boolean => word in BOARD_MEMBER_WORDS;
const boardMembersWord = z
  .string()
  .refine(isBoardMembers)
  .transform((word) => BOARD_MEMBER_WORDS[word] ?? "people");

/** `/leaderboard [window] [category] [active] [people|agents|everyone]`, in any order. */
function parseLeaderboardArgs(args: readonly string[]): Record<string, unknown> | null {
  const raw: Record<string, unknown> = {};
  for (const arg of args) {
    if (arg.toLowerCase() === "active") raw["active"] = true;
    else if (raw["members"] === undefined && isBoardMembers(arg.toLowerCase())) raw["members"] = arg;
    else if (raw["window"] === undefined && parseWindow(arg).ok) raw["window"] = arg;
    else if (raw["category"] === undefined && !arg.includes(":") && !arg.includes(".."))
      raw["category"] = arg;
    else raw["window"] = arg;
  }
  return raw;
}

export const leaderboard = defineCommand({
  name: "leaderboard",
  description: "Show who contributes most",
  audience: "member",
  usage:
    "/leaderboard [all|week|month|7d|30d|season:NAME|YYYY-MM-DD..YYYY-MM-DD] [category] [active] [people|agents|everyone]",
  options: [
    { name: "window", description: "Which time window", kind: "window", required: false },
    { name: "category", description: "Only this category", kind: "category", required: false },
    { name: "active", description: "Rank by the active (decayed) score", kind: "flag", required: false },
    {
      name: "members",
      description: "People (the default), agents, or everyone",
      kind: "choice",
      required: false,
      choices: ["people", "agents", "everyone"],
    },
  ],
  input: z.object({
    window: leaderboardWindow,
    category: optional(z.string()),
    active: optional(z.boolean()),
    members: optional(
      z
        .string()
        .transform((v) => v.toLowerCase())
        .pipe(boardMembersWord),
    ),
  }),
  parseText: parseLeaderboardArgs,
  run: async (ctx, input) => {
    const result = await showLeaderboard(ctx.deps, {
      actor: ctx.actor,
      window: input.window,
      score: input.active === true ? "active" : "total",
      members: input.members ?? "people",
      ...(input.category === undefined ? {} : { categorySlug: input.category.toLowerCase() }),
    });
    return result.ok ? leaderboardView(result.value) : refused(result);
  },
});

export const profile = defineCommand({
  name: "profile",
  description: "Show a profile, or hide yourself from / show yourself on public boards",
  audience: "member",
  usage: "/profile [@member] | /profile hide | /profile show",
  options: [
    {
      name: "member",
      description: "Whose profile (yours if left out)",
      kind: "member",
      required: false,
    },
    {
      name: "visibility",
      description: "Hide yourself from public boards, or show yourself again",
      kind: "choice",
      required: false,
      choices: ["hide", "show"],
    },
  ],
  input: z
    .object({ member: optional(memberRef), visibility: optional(z.enum(["hide", "show"])) })
    .refine((input) => input.member === undefined || input.visibility === undefined, { message: "USAGE" }),
  parseText: (args) => {
    const [first, ...rest] = args;
    if (first === undefined) return {};
    if (rest.length > 0) return null;
    const visibility = first.toLowerCase();
    return visibility === "hide" || visibility === "show" ? { visibility } : { member: first };
  },
  run: async (ctx, input) => {
    if (input.visibility !== undefined) {
      await setProfileVisibility(ctx.deps, ctx.actor, input.visibility === "hide");
      return successView(
        input.visibility === "hide"
          ? "You are hidden from public boards; your points still count."
          : "You are shown on public boards again.",
      );
    }
    const result = await showProfile(ctx.deps, {
      actor: ctx.actor,
      ...(input.member === undefined ? {} : { member: input.member as MemberRef }),
    });
    if (!result.ok) return refused(result);
    const view = profileView(result.value);
    // The console shows text only; a picture there would be a file written on every /profile.
    return ctx.chat.platform === "CONSOLE"
      ? view
      : { ...view, attachment: await profileCardAttachment(result.value) };
  },
});

export const reviewQueueCommand = defineCommand({
  name: "review",
  sub: "queue",
  description: "What waits for moderators: pending, expired, appeals, questions",
  audience: "moderator",
  usage: "/review queue",
  options: [],
  input: z.object({}),
  run: async (ctx) => {
    const result = await reviewQueue(ctx.deps, ctx.actor);
    return result.ok ? reviewQueueView(result.value) : refused(result);
  },
});

/** `/export [window] [budget] [cap] [record] [json]`: the first number is the budget, the second the cap. */
function parseExportArgs(args: readonly string[]): Record<string, unknown> | null {
  const raw: Record<string, unknown> = {};
  for (const arg of args) {
    const lower = arg.toLowerCase();
    if (lower === "record") raw["record"] = true;
    else if (lower === "json" || lower === "csv") raw["format"] = lower;
    else if (/^\d+(\.\d{1,2})?$/.test(arg)) {
      if (raw["cap"] !== undefined) return null;
      raw[raw["budget"] === undefined ? "budget" : "cap"] = arg;
    } else if (raw["window"] === undefined) raw["window"] = arg;
    else return null;
  }
  return raw;
}

export const exportCommand = defineCommand({
  name: "export",
  description:
    "Attribution per member for a window, optionally with a payout split, optionally recorded as paid",
  audience: "moderator",
  usage: "/export [window] [budget] [cap] [record] [json|csv]",
  options: [
    { name: "window", description: "Which time window (default: all time)", kind: "window", required: false },
    { name: "budget", description: "Amount to split by points", kind: "points", required: false },
    { name: "cap", description: "Most any one member receives", kind: "points", required: false },
    { name: "record", description: "Record this payout as paid", kind: "flag", required: false },
    {
      name: "format",
      description: "csv (default) or json",
      kind: "choice",
      required: false,
      choices: ["csv", "json"],
    },
  ],
  input: z.object({
    window: leaderboardWindow,
    budget: optional(amount),
    cap: optional(amount),
    record: optional(z.boolean()),
    format: optional(z.enum(["csv", "json"])),
  }),
  parseText: parseExportArgs,
  run: async (ctx, input) => {
    if (
      ctx.jobs !== undefined &&
      ctx.actor.isModerator &&
      (await exportRowCount(ctx.deps, ctx.actor.communityId)) > INLINE_EXPORT_MEMBERS
    ) {
      const job = await ctx.jobs.requestExport({
        communityId: ctx.actor.communityId,
        memberId: ctx.actor.memberId,
        window: windowText(input.window),
        format: input.format ?? "csv",
        record: input.record === true,
        ...(input.budget === undefined ? {} : { budget: input.budget }),
        ...(input.cap === undefined ? {} : { cap: input.cap }),
      });
      if (!job.ok) return refused(job);
      return privateView(
        [`This export is large, so it is being built in the background (job ${job.value.id ?? "?"}).`],
        { title: "Export", fields: [{ name: "Delivery", value: "The file will be sent to you privately." }] },
      );
    }
    const result = await buildExport(ctx.deps, {
      actor: ctx.actor,
      window: input.window,
      format: input.format ?? "csv",
      record: input.record === true,
      ...(input.budget === undefined ? {} : { budget: input.budget }),
      ...(input.cap === undefined ? {} : { cap: input.cap }),
    });
    if (!result.ok) return refused(result);
    const { totals, overlaps, runId } = result.value;
    const lines = [
      `${totals.members} member(s), ${formatPoints(totals.net)} net points in ${result.value.window.label}.`,
      ...(totals.budget === null
        ? []
        : [`Payout: ${formatPoints(totals.paid ?? 0)} of ${formatPoints(totals.budget)}.`]),
      ...overlaps.map(
        (o) =>
          `Overlaps recorded run #${o.runId} (${o.from.toISOString().slice(0, 10)} to ${o.to.toISOString().slice(0, 10)}).`,
      ),
      ...(runId === null ? [] : [`Recorded as paid run #${runId}.`]),
    ];
    return privateView(lines, {
      title: "Export",
      attachment: {
        filename: result.value.filename,
        contentType: input.format === "json" ? "application/json" : "text/csv",
        content: result.value.content,
      },
    });
  },
});

export const ledgerVerify = defineCommand({
  name: "ledger",
  sub: "verify",
  description: "Check the ledger's hash chain and that balances match it",
  audience: "moderator",
  usage: "/ledger verify",
  options: [],
  input: z.object({}),
  run: async (ctx) => {
    if (ctx.jobs !== undefined) {
      const head = await readHead(ctx.deps.db, ctx.actor.communityId);
      if (verifiesInBackground(head.seq)) {
        const job = await ctx.jobs.requestLedgerVerify({
          communityId: ctx.actor.communityId,
          memberId: ctx.actor.memberId,
        });
        return job.state === "running"
          ? ledgerVerifyRunningView(job.percent)
          : ledgerVerifyStartedView(head.seq);
      }
    }
    return ledgerVerificationView(await verifyCommunityLedger(ctx.deps, ctx.actor.communityId));
  },
});
