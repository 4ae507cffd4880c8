// `/web`: the community's pages in a browser; `/web login`: a moderator's
// one-time sign-in link to the review queue, answered privately (Discord
// ephemeral, Telegram private chat) like a new API token.
import { z } from "zod";
import { publicPagesOn, requestSignInLink } from "../app/webSessions.ts";
import { SIGN_IN_TTL_MS } from "../core/webSessions.ts";
import { privateView, publicView } from "../views/view.ts";
import { refused } from "./contributor.ts";
import { optional } from "./options.ts";
import { defineCommand, type CommandContext } from "./types.ts";

const NO_SERVER = "This Cairn process serves no web pages; `cairn start` serves them at PUBLIC_URL.";

/**
 * One command with an optional word rather than a `login` subcommand: Discord
 * cannot run a command that has subcommands without one, and `/web` alone must answer.
 */
export const web = defineCommand({
  name: "web",
  description: "The community's pages in a browser; moderators: login sends a sign-in link privately",
  audience: "member",
  usage: "/web [login]",
  options: [
    {
      name: "action",
      description: "login: a one-time sign-in link to the review queue (moderators)",
      kind: "choice",
      required: false,
      choices: ["login"],
    },
  ],
  input: z.object({ action: optional(z.enum(["login"])) }),
  run: async (ctx, input) => (input.action === "login" ? signInLink(ctx) : address(ctx)),
});

async function address(ctx: CommandContext) {
  const base = ctx.deps.publicUrl;
  if (base === undefined) return privateView([NO_SERVER]);
  if (!(await publicPagesOn(ctx.deps, ctx.actor.communityId)))
    return privateView([
      "This community's web pages are off; a moderator turns them on with /config set publicPages on.",
    ]);
  return publicView([`This community on the web: ${base}/c/${ctx.actor.communityId}`]);
}

async function signInLink(ctx: CommandContext) {
  const base = ctx.deps.publicUrl;
  if (base === undefined) return privateView([NO_SERVER]);
  const result = await requestSignInLink(ctx.deps, ctx.actor, {
    platformModerator: ctx.user.isPlatformModerator === true,
    roles: ctx.actor.roles ?? [],
  });
  if (!result.ok) return refused(result);
  return privateView(
    [
      `Your sign-in link to the review queue (works once, for ${SIGN_IN_TTL_MS / 60_000} minutes; do not share it):`,
      `${base}/login/${result.value.code}`,
    ],
    { title: "Moderator sign-in", tone: "success" },
  );
}
