// `/token create|list|revoke`: moderators make API tokens for tools and
// agents. The secret is answered privately (Discord ephemeral, Telegram
// private chat) and shown only this once.
import { z } from "zod";
import { createToken, listTokens, revokeToken } from "../app/tokens.ts";
import { TOKEN_SCOPES } from "../core/tokens.ts";
import { formatTime } from "../views/contribution.ts";
import { privateView, successView } from "../views/view.ts";
import { refused } from "./contributor.ts";
import { word } from "./options.ts";
import { defineCommand, type OptionSpec } from "./types.ts";

const nameOption: OptionSpec = {
  name: "name",
  description: "The token's name, like ci-bot",
  kind: "word",
  required: true,
};

/** Scopes arrive as the rest of a text line or as Discord's one text option: split on spaces and commas. */
const scopeWords = z
  .union([z.string(), z.array(z.string())])
  .transform((value) => (typeof value === "string" ? [value] : value).flatMap((v) => v.split(/[\s,]+/)));

/** The word that makes the token an agent member, typed after the scopes. */
const AGENT_WORD = "agent";

/** The scopes typed, and whether `agent` was among them. */
function scopesAndAgent(words: readonly string[]): { scopes: string[]; agent: boolean } {
  const scopes = words.filter((w) => w.trim().toLowerCase() !== AGENT_WORD);
  return { scopes, agent: scopes.length !== words.length };
}

export const tokenCreate = defineCommand({
  name: "token",
  sub: "create",
  description: "Make an API token for a tool or agent (the secret is shown once, privately)",
  audience: "moderator",
  usage: `/token create <name> <scopes…> [agent] (scopes: ${TOKEN_SCOPES.join(" ")})`,
  options: [
    nameOption,
    {
      name: "scopes",
      description: `Any of: ${TOKEN_SCOPES.join(", ")}; add "agent" to make an agent member`,
      kind: "text",
      required: true,
    },
  ],
  input: z.object({ name: word, scopes: scopeWords }),
  run: async (ctx, input) => {
    const { scopes: typed, agent } = scopesAndAgent(input.scopes);
    const result = await createToken(ctx.deps, ctx.actor, { name: input.name, scopes: typed, agent });
    if (!result.ok) return refused(result);
    const { name, scopes, token } = result.value;
    const actsAs = agent
      ? `It acts as the agent member ${name}, with you as its owner; people verify its work.`
      : "It acts as you.";
    return privateView(
      [
        `Token ${name} made with scopes ${scopes.join(", ")}. ${actsAs} Copy it now; it is not shown again:`,
        token,
        `Use it as Authorization: Bearer <token> on /api/v1. Revoke it with /token revoke ${name}.`,
      ],
      { title: "New API token", tone: "success" },
    );
  },
});

export const tokenList = defineCommand({
  name: "token",
  sub: "list",
  description: "The community's API tokens, their scopes and last use",
  audience: "moderator",
  usage: "/token list",
  options: [],
  input: z.object({}),
  run: async (ctx) => {
    const result = await listTokens(ctx.deps, ctx.actor);
    if (!result.ok) return refused(result);
    if (result.value.length === 0) return privateView(["No API tokens yet; make one with /token create."]);
    return privateView(
      result.value.map(
        (t) =>
          `${t.name} (cairn_${t.prefix}_…) ${t.scopes.join(", ")}${t.agent ? " (agent)" : ""} — made ${formatTime(t.createdAt)}, ${t.lastUsedAt === null ? "never used" : `last used ${formatTime(t.lastUsedAt)}`}${t.revokedAt === null ? "" : `, revoked ${formatTime(t.revokedAt)}`}`,
      ),
      { title: "API tokens" },
    );
  },
});

export const tokenRevoke = defineCommand({
  name: "token",
  sub: "revoke",
  description: "Revoke an API token: its next request is refused",
  audience: "moderator",
  usage: "/token revoke <name>",
  options: [nameOption],
  input: z.object({ name: word }),
  run: async (ctx, input) => {
    const result = await revokeToken(ctx.deps, ctx.actor, input.name);
    return result.ok ? successView(`Token ${result.value.name} is revoked.`) : refused(result);
  },
});
