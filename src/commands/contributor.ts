import { formatTime } from "../views/contribution.ts";
import { z } from "zod";
import {
  logContribution,
  editContribution,
  withdrawContribution,
  type CoAuthorClaim,
} from "../app/contributions.ts";
import { castVote, askForInfo, answerInfoRequest } from "../app/votes.ts";
import { appealContribution, requestErasure } from "../app/moderation.ts";
import { createIdentityLinkCode, redeemIdentityLinkCode } from "../app/link.ts";
import { parseCredits } from "../core/credits.ts";
import type { Refusal } from "../core/result.ts";
import { formatPoints } from "../core/points.ts";
import { parseLinks } from "../core/urls.ts";
import { looksLikeDigest, parseEvidence } from "../core/digests.ts";
import { refusalText } from "../views/refusals.ts";
import { refusalView, successView, type View } from "../views/view.ts";
import { contributionNumber, optional, text } from "./options.ts";
import { defineCommand } from "./types.ts";

const isLink = (token: string): boolean =>
  /^[a-z][a-z0-9+.-]*:\/\//i.test(token) || /^(javascript|data|mailto):/i.test(token);

/** Evidence words: links, and `sha256:<hex>` content digests of the artefacts. */
const isEvidence = (token: string): boolean => isLink(token) || looksLikeDigest(token);

/**
 * `/contribute <category> <title…> [links…] [sha256:<hex>…] [with @a:60 @b:40] [| description]`:
 * links are recognised by their scheme and digests by `sha256:` wherever they
 * stand, the title is the remaining words.
 */
export function parseContributeArgs(args: readonly string[]): Record<string, unknown> | null {
  const [category, ...rest] = args;
  if (category === undefined) return null;
  const bar = rest.indexOf("|");
  const head = bar === -1 ? rest : rest.slice(0, bar);
  const description = bar === -1 ? undefined : rest.slice(bar + 1).join(" ");
  // `with` starts the co-authors only when everything after it names someone, so a
  // title may say "with" ("Fix crash with parser").
  const withAt = head.findIndex(
    (t, i) =>
      t.toLowerCase() === "with" && i < head.length - 1 && head.slice(i + 1).every((c) => c.startsWith("@")),
  );
  const main = withAt === -1 ? head : head.slice(0, withAt);
  const credits = withAt === -1 ? [] : head.slice(withAt + 1);
  return {
    category,
    title: main.filter((t) => !isEvidence(t)).join(" "),
    links: main.filter(isEvidence),
    credits,
    description,
  };
}

const creditsSchema = z.array(z.string()).transform((tokens, ctx) => {
  const parsed = parseCredits(tokens);
  if (!parsed.ok) {
    ctx.addIssue({ code: "custom", message: parsed.error.code });
    return z.NEVER;
  }
  return parsed.value.map((c): CoAuthorClaim => ({
    member: { kind: "name", name: c.handle },
    shareBp: c.shareBp,
  }));
});

/** Links and digests given in one list (a text line, Discord's form field). */
const evidenceSchema = z.array(z.string()).transform((tokens, ctx) => {
  const parsed = parseEvidence(tokens);
  if (!parsed.ok) {
    ctx.addIssue({ code: "custom", message: parsed.error.code });
    return z.NEVER;
  }
  return parsed.value;
});

function refused(result: { readonly ok: false; readonly error: Refusal }): View {
  return refusalView(refusalText(result.error));
}

export const contribute = defineCommand({
  name: "contribute",
  description: "Log a contribution for peers to verify",
  audience: "member",
  usage: "/contribute <category> <title> [links…] [sha256:<hex>…] [with @alice:60 @bob:40] [| description]",
  options: [
    { name: "category", description: "What kind of work it is", kind: "category", required: true },
    { name: "title", description: "What you did, in one line", kind: "text", required: true },
    {
      name: "links",
      description: "Evidence links (up to 5) and sha256:<hex> digests of the artefacts",
      kind: "links",
      required: false,
    },
    {
      name: "credits",
      description: "Co-authors with shares, like @alice:60 @bob:40",
      kind: "credits",
      required: false,
    },
    {
      name: "description",
      description: "More detail (up to 2000 characters)",
      kind: "text",
      required: false,
    },
  ],
  input: z.object({
    category: z.string().min(1),
    title: z.string(),
    links: evidenceSchema.optional().transform((v) => v ?? { links: [], digests: [] }),
    credits: z
      .union([
        creditsSchema,
        z.array(
          z.custom<CoAuthorClaim>(
            (v) => typeof v === "object" && v !== null && "member" in v && "shareBp" in v,
          ),
        ),
      ])
      .optional()
      .transform((v) => v ?? []),
    description: optional(z.string()),
  }),
  parseText: parseContributeArgs,
  run: async (ctx, input) => {
    const result = await logContribution(ctx.deps, ctx.actor, {
      categorySlug: input.category,
      title: input.title,
      links: input.links.links,
      digests: input.links.digests,
      coAuthors: input.credits as CoAuthorClaim[],
      ...(input.description === undefined ? {} : { description: input.description }),
    });
    if (!result.ok) return refused(result);
    const shares =
      result.value.credits.length > 1 ? ` with ${result.value.credits.length} credited members` : "";
    return successView(
      `Logged #${result.value.number}${shares}; voting is open until ${formatTime(result.value.closesAt)}.`,
    );
  },
});

const voteChoice = z.enum(["approve", "reject", "info"]);

export const vote = defineCommand({
  name: "vote",
  description: "Approve or reject a contribution, or ask its submitter for more information",
  audience: "member",
  usage: "/vote <#id> approve [impact 1-5] | /vote <#id> reject | /vote <#id> info <question>",
  options: [
    {
      name: "contribution",
      description: "Contribution number, like #42",
      kind: "contribution",
      required: true,
    },
    {
      name: "choice",
      description: "approve, reject or info",
      kind: "choice",
      required: true,
      choices: ["approve", "reject", "info"],
    },
    {
      name: "detail",
      description: "Impact 1-5 for an approval, or your question",
      kind: "text",
      required: false,
    },
  ],
  input: z.object({
    contribution: contributionNumber,
    choice: z
      .string()
      .transform((v) => v.toLowerCase())
      .pipe(voteChoice),
    detail: optional(z.string()),
  }),
  run: async (ctx, input) => {
    if (input.choice === "info") {
      const asked = await askForInfo(ctx.deps, ctx.actor, input.contribution, input.detail ?? "");
      if (!asked.ok) return refused(asked);
      return successView(`Your question on #${input.contribution} was sent to its submitter.`);
    }
    if (input.detail !== undefined && !/^[1-5]$/.test(input.detail.trim())) {
      return refusalView(refusalText({ code: "BAD_IMPACT" }));
    }
    const impact = input.detail === undefined ? undefined : Number(input.detail.trim());
    const result = await castVote(ctx.deps, ctx.actor, {
      number: input.contribution,
      choice: input.choice === "approve" ? "APPROVE" : "REJECT",
      ...(impact === undefined ? {} : { impact }),
    });
    if (!result.ok) return refused(result);
    const { tally, previous, decision, blind } = result.value;
    const verb = previous === null ? "Vote recorded" : "Vote changed";
    if (decision !== null)
      return successView(`${verb}; #${input.contribution} is now ${decision.outcome.toLowerCase()}.`);
    const votes = tally.approvals + tally.rejections;
    const count = blind
      ? `${votes} vote(s) so far`
      : `${tally.approvals} approve, ${tally.rejections} reject`;
    return successView(`${verb} on #${input.contribution} (${count}).`);
  },
});

export const withdraw = defineCommand({
  name: "withdraw",
  description: "Withdraw your pending contribution",
  audience: "member",
  usage: "/withdraw <#id>",
  options: [
    { name: "contribution", description: "Contribution number", kind: "contribution", required: true },
  ],
  input: z.object({ contribution: contributionNumber }),
  run: async (ctx, input) => {
    const result = await withdrawContribution(ctx.deps, ctx.actor, input.contribution);
    return result.ok ? successView(`#${input.contribution} is withdrawn.`) : refused(result);
  },
});

const editableField = z.enum(["title", "description", "links", "category"]);

export const edit = defineCommand({
  name: "edit",
  description: "Change your contribution before anyone has voted",
  audience: "member",
  usage: "/edit <#id> title|description|links|category <new value>",
  options: [
    { name: "contribution", description: "Contribution number", kind: "contribution", required: true },
    {
      name: "field",
      description: "What to change",
      kind: "choice",
      required: true,
      choices: ["title", "description", "links", "category"],
    },
    { name: "value", description: "The new value", kind: "text", required: true },
  ],
  input: z.object({
    contribution: contributionNumber,
    field: z
      .string()
      .transform((v) => v.toLowerCase())
      .pipe(editableField),
    value: z.string(),
  }),
  run: async (ctx, input) => {
    let change: Parameters<typeof editContribution>[3];
    if (input.field === "links") {
      const links = parseLinks(input.value.split(/\s+/).filter((t) => t !== ""));
      if (!links.ok) return refused(links);
      change = { links: links.value };
    } else if (input.field === "category") change = { categorySlug: input.value };
    else change = { [input.field]: input.value };
    const result = await editContribution(ctx.deps, ctx.actor, input.contribution, change);
    return result.ok ? successView(`#${input.contribution} is updated.`) : refused(result);
  },
});

export const appeal = defineCommand({
  name: "appeal",
  description: "Appeal a rejected or expired contribution (once)",
  audience: "member",
  usage: "/appeal <#id> <reason>",
  options: [
    { name: "contribution", description: "Contribution number", kind: "contribution", required: true },
    { name: "reason", description: "Why it should be looked at again", kind: "text", required: true },
  ],
  input: z.object({ contribution: contributionNumber, reason: text() }),
  run: async (ctx, input) => {
    const result = await appealContribution(ctx.deps, ctx.actor, {
      number: input.contribution,
      reason: input.reason,
    });
    return result.ok
      ? successView(`Your appeal of #${input.contribution} is in the moderators' queue.`)
      : refused(result);
  },
});

export const answer = defineCommand({
  name: "answer",
  description: "Answer a verifier's question on your contribution",
  audience: "member",
  usage: "/answer <#id> <answer>",
  options: [
    { name: "contribution", description: "Contribution number", kind: "contribution", required: true },
    { name: "answer", description: "Your answer", kind: "text", required: true },
  ],
  input: z.object({ contribution: contributionNumber, answer: text() }),
  run: async (ctx, input) => {
    const result = await answerInfoRequest(ctx.deps, ctx.actor, input.contribution, input.answer);
    return result.ok ? successView(`Your answer is on the card of #${input.contribution}.`) : refused(result);
  },
});

export const link = defineCommand({
  name: "link",
  description: "Link your accounts on Discord and Telegram into one record",
  audience: "member",
  usage: "/link (get a code) | /link <code> (on your other platform)",
  options: [
    {
      name: "code",
      description: "The code /link gave you on the other platform",
      kind: "word",
      required: false,
    },
  ],
  input: z.object({ code: optional(z.string()) }),
  run: async (ctx, input) => {
    if (input.code === undefined) {
      const created = await createIdentityLinkCode(ctx.deps, ctx.actor);
      if (!created.ok) return refused(created);
      return successView(
        `Your link code is ${created.value.code}; type /link ${created.value.code} on your other platform within 10 minutes.`,
      );
    }
    const redeemed = await redeemIdentityLinkCode(ctx.deps, ctx.actor, input.code);
    if (!redeemed.ok) return refused(redeemed);
    return successView(
      `Linked: your accounts now share one record (${formatPoints(redeemed.value.movedPoints)} points moved).`,
    );
  },
});

export const forgetMe = defineCommand({
  name: "forget-me",
  description: "Ask the moderators to erase your names (your points stay in the ledger)",
  audience: "member",
  usage: "/forget-me",
  options: [],
  input: z.object({}),
  run: async (ctx) => {
    const result = await requestErasure(ctx.deps, ctx.actor);
    if (!result.ok) return refused(result);
    return successView(
      result.value.before
        ? "You asked already; your request is still with the moderators."
        : "Your request is with the moderators; once confirmed your names are erased.",
    );
  },
});

export { refused };
