import { formatTime, formatTimeIn } from "../views/contribution.ts";
import { z } from "zod";
import {
  adjustPoints,
  banMember,
  eraseMember,
  extendDeadline,
  moderatorDecide,
  reopenContribution,
  unbanMember,
  voidContribution,
} from "../app/moderation.ts";
import {
  addCategory,
  addSeason,
  createSpaceLinkCode,
  editCategory,
  endSeason,
  joinCommunity,
  listSpaces,
  removeCategory,
  setConfig,
  showConfig,
  unlinkSpace,
} from "../app/community.ts";
import { scheduleSetting, type CommunityConfig } from "../core/config.ts";
import { formatPoints } from "../core/points.ts";
import { nextRuns } from "../core/schedule.ts";
import { privateView, successView } from "../views/view.ts";
import { refused } from "./contributor.ts";
import {
  categoryWeight,
  contributionNumber,
  date,
  memberRef,
  optional,
  points,
  text,
  wholeNumber,
  word,
} from "./options.ts";
import { defineCommand, type OptionSpec } from "./types.ts";

const numberOption: OptionSpec = {
  name: "contribution",
  description: "Contribution number, like #42",
  kind: "contribution",
  required: true,
};
const reasonOption: OptionSpec = {
  name: "reason",
  description: "Why (goes to the audit log)",
  kind: "text",
  required: true,
};
const memberOption: OptionSpec = {
  name: "member",
  description: "The member",
  kind: "member",
  required: true,
};
const byReason = z.object({ contribution: contributionNumber, reason: text() });

const decide = (sub: "approve" | "reject") =>
  defineCommand({
    name: "review",
    sub,
    description:
      sub === "approve"
        ? "Verify a contribution whatever the votes say"
        : "Reject a contribution, or deny its appeal",
    audience: "moderator",
    usage: `/review ${sub} <#id> <reason>`,
    options: [numberOption, reasonOption],
    input: byReason,
    run: async (ctx, input) => {
      const result = await moderatorDecide(ctx.deps, ctx.actor, {
        number: input.contribution,
        outcome: sub === "approve" ? "VERIFIED" : "REJECTED",
        reason: input.reason,
      });
      if (!result.ok) return refused(result);
      if ("appealDenied" in result.value)
        return successView(`The appeal of #${input.contribution} is denied.`);
      return successView(
        `#${input.contribution} is ${result.value.outcome.toLowerCase()} (${formatPoints(result.value.award)} points awarded).`,
      );
    },
  });

export const reviewApprove = decide("approve");
export const reviewReject = decide("reject");

export const reviewVoid = defineCommand({
  name: "review",
  sub: "void",
  description: "Void a verified contribution and claw back its points",
  audience: "moderator",
  usage: "/review void <#id> <reason>",
  options: [numberOption, reasonOption],
  input: byReason,
  run: async (ctx, input) => {
    const result = await voidContribution(ctx.deps, ctx.actor, {
      number: input.contribution,
      reason: input.reason,
    });
    return result.ok
      ? successView(
          `#${input.contribution} is void; ${formatPoints(result.value.clawedBack)} points clawed back.`,
        )
      : refused(result);
  },
});

export const reviewExtend = defineCommand({
  name: "review",
  sub: "extend",
  description: "Give a pending contribution more voting time",
  audience: "moderator",
  usage: "/review extend <#id> <hours> <reason>",
  options: [
    numberOption,
    { name: "hours", description: "Hours to add (1-720)", kind: "integer", required: true },
    reasonOption,
  ],
  input: z.object({
    contribution: contributionNumber,
    hours: wholeNumber("BAD_HOURS", 1, 720),
    reason: text(),
  }),
  run: async (ctx, input) => {
    const result = await extendDeadline(ctx.deps, ctx.actor, {
      number: input.contribution,
      hours: input.hours,
      reason: input.reason,
    });
    return result.ok
      ? successView(`Voting on #${input.contribution} now closes ${formatTime(result.value.closesAt)}.`)
      : refused(result);
  },
});

export const reviewReopen = defineCommand({
  name: "review",
  sub: "reopen",
  description: "Reopen a rejected or expired contribution for a fresh vote (accepts its appeal)",
  audience: "moderator",
  usage: "/review reopen <#id> <reason>",
  options: [numberOption, reasonOption],
  input: byReason,
  run: async (ctx, input) => {
    const result = await reopenContribution(ctx.deps, ctx.actor, {
      number: input.contribution,
      reason: input.reason,
    });
    return result.ok ? successView(`#${input.contribution} is open for votes again.`) : refused(result);
  },
});

const byMember = z.object({ member: memberRef, reason: text() });

export const memberBan = defineCommand({
  name: "member",
  sub: "ban",
  description: "Stop a member from logging and voting",
  audience: "moderator",
  usage: "/member ban @member <reason>",
  options: [memberOption, reasonOption],
  input: byMember,
  run: async (ctx, input) => {
    const result = await banMember(ctx.deps, ctx.actor, input);
    return result.ok ? successView(`${result.value.name} is banned.`) : refused(result);
  },
});

export const memberUnban = defineCommand({
  name: "member",
  sub: "unban",
  description: "Lift a member's ban",
  audience: "moderator",
  usage: "/member unban @member <reason>",
  options: [memberOption, reasonOption],
  input: byMember,
  run: async (ctx, input) => {
    const result = await unbanMember(ctx.deps, ctx.actor, input);
    return result.ok ? successView(`${result.value.name} is no longer banned.`) : refused(result);
  },
});

export const memberAdjust = defineCommand({
  name: "member",
  sub: "adjust",
  description: "Add or remove points by hand (an ADJUSTMENT ledger entry)",
  audience: "moderator",
  usage: "/member adjust @member <points> <reason>",
  options: [
    memberOption,
    { name: "points", description: "Points to add, negative to remove", kind: "points", required: true },
    reasonOption,
  ],
  input: z.object({ member: memberRef, points, reason: text() }),
  run: async (ctx, input) => {
    const result = await adjustPoints(ctx.deps, ctx.actor, input);
    return result.ok
      ? successView(`Adjusted ${result.value.name} by ${formatPoints(result.value.points)} points.`)
      : refused(result);
  },
});

export const memberForget = defineCommand({
  name: "member",
  sub: "forget",
  description: "Confirm a member's /forget-me: erase their names, keep the ledger",
  audience: "moderator",
  usage: "/member forget @member",
  options: [memberOption],
  input: z.object({ member: memberRef }),
  run: async (ctx, input) => {
    const result = await eraseMember(ctx.deps, ctx.actor, input);
    if (!result.ok) return refused(result);
    await ctx.jobs?.expireExports(ctx.actor.communityId);
    return successView("Their names are erased; their ledger entries stay.");
  },
});

export const configShow = defineCommand({
  name: "config",
  sub: "show",
  description: "Show the community's settings",
  audience: "moderator",
  usage: "/config show",
  options: [],
  input: z.object({}),
  run: async (ctx) => {
    const result = await showConfig(ctx.deps, ctx.actor);
    if (!result.ok) return refused(result);
    return privateView([], {
      title: "Settings",
      fields: result.value.entries.map(([name, value]) => ({ name, value })),
    });
  },
});

export const configSet = defineCommand({
  name: "config",
  sub: "set",
  description: "Change one setting",
  audience: "moderator",
  usage: "/config set <key> <value>",
  options: [
    { name: "key", description: "Setting name (see /config show)", kind: "word", required: true },
    { name: "value", description: "New value", kind: "text", required: true },
  ],
  input: z.object({ key: word, value: text("USAGE") }),
  run: async (ctx, input) => {
    const result = await setConfig(ctx.deps, ctx.actor, input, ctx.chatOwner);
    if (!result.ok) return refused(result);
    const answer = successView(`${input.key} is now ${input.value}.`);
    const runs = nextScheduledRuns(result.value.config, input.key, ctx.deps.clock.now());
    return runs === null ? answer : { ...answer, lines: [...answer.lines, runs] };
  },
});

/** "Next runs: … (Europe/Berlin)" when `key` is a schedule, so a moderator sees what the pattern means. */
function nextScheduledRuns(config: CommunityConfig, key: string, now: Date): string | null {
  const schedule = scheduleSetting(config, key);
  if (schedule === null) return null;
  const runs = nextRuns(schedule, { timezone: config.timezone, from: now, count: 2 });
  return `Next runs: ${runs.map((run) => formatTimeIn(run, config.timezone)).join(", ")} (${config.timezone}).`;
}

const weight = categoryWeight;

/** A season as a window to type: quoted when its name has spaces, as the command line reads it. */
function seasonWindow(name: string): string {
  return /\s/.test(name) ? `season:"${name.replaceAll('"', '\\"')}"` : `season:${name}`;
}

export const categoryAdd = defineCommand({
  name: "category",
  sub: "add",
  description: "Add a category with its points per verified contribution",
  audience: "moderator",
  usage: "/category add <name> <points> [description]",
  options: [
    { name: "name", description: "Lowercase name, like docs", kind: "word", required: true },
    { name: "points", description: "Points for a verified contribution", kind: "points", required: true },
    { name: "description", description: "What belongs here", kind: "text", required: false },
  ],
  input: z.object({ name: word, points: weight, description: optional(z.string()) }),
  run: async (ctx, input) => {
    const result = await addCategory(ctx.deps, ctx.actor, {
      slug: input.name,
      weight: input.points,
      ...(input.description === undefined ? {} : { description: input.description }),
    });
    return result.ok
      ? successView(`Category ${result.value.slug} added (${formatPoints(input.points)} points).`)
      : refused(result);
  },
});

export const categoryEdit = defineCommand({
  name: "category",
  sub: "edit",
  description: "Change a category's points or description",
  audience: "moderator",
  usage: "/category edit <name> <points> [description]",
  options: [
    { name: "name", description: "Category name", kind: "category", required: true },
    { name: "points", description: "Points for a verified contribution", kind: "points", required: true },
    { name: "description", description: "What belongs here", kind: "text", required: false },
  ],
  input: z.object({ name: word, points: weight, description: optional(z.string()) }),
  run: async (ctx, input) => {
    const result = await editCategory(ctx.deps, ctx.actor, {
      slug: input.name,
      weight: input.points,
      ...(input.description === undefined ? {} : { description: input.description }),
    });
    return result.ok ? successView(`Category ${result.value.slug} updated.`) : refused(result);
  },
});

export const categoryRemove = defineCommand({
  name: "category",
  sub: "remove",
  description: "Stop offering a category (its history stays)",
  audience: "moderator",
  usage: "/category remove <name>",
  options: [{ name: "name", description: "Category name", kind: "category", required: true }],
  input: z.object({ name: word }),
  run: async (ctx, input) => {
    const result = await removeCategory(ctx.deps, ctx.actor, { slug: input.name });
    return result.ok ? successView(`Category ${result.value.slug} removed.`) : refused(result);
  },
});

export const seasonAdd = defineCommand({
  name: "season",
  sub: "add",
  description: "Define a season for leaderboards and exports",
  audience: "moderator",
  usage: "/season add <name> <start YYYY-MM-DD> [end YYYY-MM-DD]",
  options: [
    { name: "name", description: "Season name", kind: "word", required: true },
    { name: "start", description: "First day (YYYY-MM-DD, UTC)", kind: "date", required: true },
    {
      name: "end",
      description: "Day after the last (YYYY-MM-DD); open-ended if left out",
      kind: "date",
      required: false,
    },
  ],
  input: z.object({ name: word, start: date, end: optional(date) }),
  run: async (ctx, input) => {
    const result = await addSeason(ctx.deps, ctx.actor, {
      name: input.name,
      startsAt: input.start,
      endsAt: input.end ?? null,
    });
    return result.ok
      ? successView(
          `Season ${result.value.name} added; see it with /leaderboard ${seasonWindow(result.value.name)}.`,
        )
      : refused(result);
  },
});

export const seasonEnd = defineCommand({
  name: "season",
  sub: "end",
  description: "End a running season now",
  audience: "moderator",
  usage: "/season end <name>",
  options: [{ name: "name", description: "Season name", kind: "season", required: true }],
  input: z.object({ name: word }),
  run: async (ctx, input) => {
    const result = await endSeason(ctx.deps, ctx.actor, input);
    return result.ok ? successView(`Season ${result.value.name} has ended.`) : refused(result);
  },
});

export const communityLink = defineCommand({
  name: "community",
  sub: "link",
  description: "Get a code to attach another chat (Discord server or Telegram group) to this community",
  audience: "moderator",
  usage: "/community link",
  options: [],
  input: z.object({}),
  run: async (ctx) => {
    const result = await createSpaceLinkCode(ctx.deps, ctx.actor);
    if (!result.ok) return refused(result);
    return successView(`Type /community join ${result.value.code} in the other chat within 10 minutes.`);
  },
});

export const communityJoin = defineCommand({
  name: "community",
  sub: "join",
  description: "Attach this chat to the community that gave you the code",
  audience: "moderator",
  usage: "/community join <code>",
  options: [{ name: "code", description: "The code from /community link", kind: "word", required: true }],
  input: z.object({ code: word }),
  run: async (ctx, input) => {
    const result = await joinCommunity(ctx.deps, {
      chat: ctx.chat,
      isModerator: ctx.actor.isModerator,
      code: input.code,
    });
    return result.ok
      ? successView(`This chat is now part of ${result.value.name}.`, "public")
      : refused(result);
  },
});

export const communityChats = defineCommand({
  name: "community",
  sub: "chats",
  description: "List the chats linked to this community (platform, name, id)",
  audience: "moderator",
  usage: "/community chats",
  options: [],
  input: z.object({}),
  run: async (ctx) => {
    const result = await listSpaces(ctx.deps, ctx.actor);
    if (!result.ok) return refused(result);
    return privateView(
      result.value.spaces.map(
        (s) =>
          `${s.id}: ${s.platform.toLowerCase()} "${s.title}" (${s.chatId})${s.id === ctx.actor.spaceId ? " (this chat)" : ""}`,
      ),
      { title: "Linked chats" },
    );
  },
});

export const communityUnlink = defineCommand({
  name: "community",
  sub: "unlink",
  description: "Detach a linked chat from this community (not the chat you are in)",
  audience: "moderator",
  usage: "/community unlink <chat id> <reason>",
  options: [
    { name: "chat", description: "The chat's id from /community chats", kind: "integer", required: true },
    reasonOption,
  ],
  input: z.object({ chat: wholeNumber("USAGE", 1, 2_147_483_647), reason: text() }),
  run: async (ctx, input) => {
    const result = await unlinkSpace(ctx.deps, ctx.actor, { spaceId: input.chat, reason: input.reason });
    if (!result.ok) return refused(result);
    const { space } = result.value;
    return successView(`Unlinked ${space.platform.toLowerCase()} "${space.title}" from this community.`);
  },
});
