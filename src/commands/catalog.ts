import { z } from "zod";
import { listCategories } from "../app/community.ts";
import { formatPoints } from "../core/points.ts";
import { privateView } from "../views/view.ts";
import * as browse from "./browse.ts";
import * as contributor from "./contributor.ts";
import { commandName } from "./dispatch.ts";
import * as moderator from "./moderator.ts";
import * as tokens from "./tokens.ts";
import { web } from "./web.ts";
import { defineCommand, type AnyCommandSpec } from "./types.ts";

const memberCommands: readonly AnyCommandSpec[] = [
  contributor.contribute,
  contributor.vote,
  contributor.answer,
  contributor.withdraw,
  contributor.edit,
  contributor.appeal,
  browse.contribution,
  browse.contributions,
  browse.leaderboard,
  browse.profile,
  contributor.link,
  contributor.forgetMe,
  web,
];

const moderatorCommands: readonly AnyCommandSpec[] = [
  browse.reviewQueueCommand,
  moderator.reviewApprove,
  moderator.reviewReject,
  moderator.reviewVoid,
  moderator.reviewExtend,
  moderator.reviewReopen,
  moderator.memberBan,
  moderator.memberUnban,
  moderator.memberAdjust,
  moderator.memberForget,
  moderator.configShow,
  moderator.configSet,
  moderator.categoryAdd,
  moderator.categoryEdit,
  moderator.categoryRemove,
  moderator.seasonAdd,
  moderator.seasonEnd,
  moderator.communityLink,
  moderator.communityJoin,
  moderator.communityChats,
  moderator.communityUnlink,
  browse.exportCommand,
  browse.ledgerVerify,
  tokens.tokenCreate,
  tokens.tokenList,
  tokens.tokenRevoke,
];

const help = defineCommand({
  name: "help",
  description: "What Cairn does and the commands you can use",
  audience: "anyone",
  usage: "/help",
  options: [],
  input: z.object({}),
  run: async (ctx) => {
    const categories = await listCategories(ctx.deps, ctx.actor.communityId);
    const visible = catalog.filter((c) => c.audience !== "moderator" || ctx.actor.isModerator);
    return privateView(
      [
        "Cairn keeps this community's contribution ledger: log what you did, peers verify it by vote, verified work earns points.",
        ...visible.map((c) => `${c.usage} — ${c.description}`),
        `Categories: ${categories.map((c) => `${c.slug} (${formatPoints(c.weight)} pts)`).join(", ")}`,
      ],
      { title: "Cairn commands" },
    );
  },
});

/** Every command of every platform. Discord, Telegram and the console derive their commands from this list. */
export const catalog: readonly AnyCommandSpec[] = [help, ...memberCommands, ...moderatorCommands];

/** Command names are unique per (name, subcommand); a test checks it. */
export function catalogNames(): string[] {
  return catalog.map(commandName);
}
