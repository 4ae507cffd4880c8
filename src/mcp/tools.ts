// The MCP tools, each one an /api/v1 route under another name: its input
// schema is the route's own zod schemas (params, query and body side by side),
// its output schema the route's success schema, and a call goes through the
// same callRouteAs as the HTTP API, so a tool refuses what the route refuses.
import { z } from "zod";
import {
  castVoteRoute,
  createContribution,
  getContribution,
  listContributionsRoute,
} from "../http/api/contributions.ts";
import { leaderboardRoute, memberProfileRoute, ownProfileRoute } from "../http/api/community.ts";
import { ledgerLinesRoute, ledgerVerifyRoute } from "../http/api/ledger.ts";
import type { RouteInput } from "../http/api/call.ts";
import type { AnyApiRoute } from "../http/api/route.ts";

export interface McpTool {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly route: AnyApiRoute;
  /** Query fields the tool sets itself (left out of its input schema). */
  readonly fixedQuery?: Readonly<Record<string, unknown>>;
  readonly readOnly: boolean;
}

export const mcpTools: readonly McpTool[] = [
  {
    name: "log_contribution",
    title: "Log a contribution",
    description:
      "Log a piece of work as the token's member for people to verify by vote (scope contribute). The answer has its number.",
    route: createContribution,
    readOnly: false,
  },
  {
    name: "list_pending",
    title: "What waits for verification",
    description: "Pending contributions, newest first, a page at a time (scope read).",
    route: listContributionsRoute,
    fixedQuery: { status: "PENDING" },
    readOnly: true,
  },
  {
    name: "cast_vote",
    title: "Cast a vote",
    description:
      "Approve (with an impact 1-5) or reject a pending contribution as the token's member (scope vote). An agent's vote never counts towards quorum.",
    route: castVoteRoute,
    readOnly: false,
  },
  {
    name: "show_contribution",
    title: "Show a contribution",
    description: "One contribution: status, decision, credits, votes, questions and history (scope read).",
    route: getContribution,
    readOnly: true,
  },
  {
    name: "leaderboard",
    title: "Leaderboard",
    description: "A leaderboard for a window, category and score, as the chat's /leaderboard (scope read).",
    route: leaderboardRoute,
    readOnly: true,
  },
  {
    name: "profile",
    title: "A member's profile",
    description:
      "A member's points, rank, counts and recent work; hidden members are not found (scope read).",
    route: memberProfileRoute,
    readOnly: true,
  },
  {
    name: "my_profile",
    title: "Own profile",
    description: "The profile of the member the token acts as (scope read).",
    route: ownProfileRoute,
    readOnly: true,
  },
  {
    name: "ledger_entries",
    title: "Ledger entries",
    description:
      "The hash-chained ledger as JSON lines from a sequence number on, as `cairn ledger verify` reads them (scope read).",
    route: ledgerLinesRoute,
    readOnly: true,
  },
  {
    name: "verify_ledger",
    title: "Verify the ledger",
    description: "Check the stored hash chain, the head and every balance (scope read).",
    route: ledgerVerifyRoute,
    readOnly: true,
  },
];

export const toolByName = (name: string): McpTool | undefined => mcpTools.find((tool) => tool.name === name);

function objectShape(schema: z.ZodType | undefined): Record<string, z.ZodType> {
  return schema instanceof z.ZodObject ? (schema.shape as Record<string, z.ZodType>) : {};
}

/**
 * The tool's input as one zod object: the route's schema itself when it has
 * one part, else the fields of its parts side by side (no route has a field in
 * two parts), less the fields the tool fixes.
 */
export function toolInputSchema(tool: McpTool): z.ZodType {
  const { params, query, body } = tool.route;
  const parts = [params, query, body].filter((part): part is z.ZodType => part !== undefined);
  const fixed = Object.keys(tool.fixedQuery ?? {});
  if (parts.length === 1 && fixed.length === 0 && parts[0] !== undefined) return parts[0];
  const shape = Object.assign({}, ...parts.map(objectShape)) as Record<string, z.ZodType>;
  for (const key of fixed) delete shape[key];
  return z.object(shape);
}

/** The tool's arguments as the route's parts: each part's schema reads its own fields and drops the rest. */
export function routeInputOf(tool: McpTool, args: Record<string, unknown>): RouteInput {
  return { params: args, query: { ...args, ...tool.fixedQuery }, body: args };
}

type Json = Record<string, unknown>;

/**
 * A zod object as the JSON Schema an MCP tool lists: zod's own output with the
 * root's named definition (from `.meta({ id })`) put back at the root, since
 * MCP wants `type: "object"` there.
 */
export function toolJsonSchema(schema: z.ZodType, io: "input" | "output"): Json {
  const generated = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as Json;
  const { $schema: _dialect, $ref, $defs, ...rest } = generated;
  const definitions = { ...(($defs ?? {}) as Record<string, Json>) };
  const rootName = typeof $ref === "string" ? $ref.replace("#/$defs/", "") : undefined;
  const root = rootName === undefined ? rest : { ...definitions[rootName], ...rest };
  if (rootName !== undefined && !JSON.stringify(root).includes(`"#/$defs/${rootName}"`))
    delete definitions[rootName];
  return Object.keys(definitions).length === 0 ? root : { ...root, $defs: definitions };
}

/** The route's JSON success schema, when its success is JSON. */
export function toolOutputSchema(tool: McpTool): z.ZodType | undefined {
  const success = Object.entries(tool.route.responses).find(([status]) => Number(status) < 300);
  return success?.[1].schema;
}
