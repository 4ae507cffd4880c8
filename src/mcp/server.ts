// Cairn as an MCP server (the SDK's protocol Server): tools/list from the tool
// table, tools/call through the API's callRouteAs as the token's holder. A
// refusal is a tool error whose text is the chat's one-line refusal and whose
// _meta carries the same problem (code, status) the HTTP API answers.
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import type { Deps } from "../app/deps.ts";
import { callRouteAs } from "../http/api/call.ts";
import { problemOf } from "../http/api/problem.ts";
import type { ApiAnswer } from "../http/api/route.ts";
import {
  mcpTools,
  routeInputOf,
  toolByName,
  toolInputSchema,
  toolJsonSchema,
  toolOutputSchema,
  type McpTool,
} from "./tools.ts";

export const MCP_SERVER_INFO = { name: "cairn", version: "0.1.0" } as const;

/** Where a refusal's problem detail is found in a tool error's _meta. */
export const PROBLEM_META_KEY = "cairn/problem";

/** A server whose every call acts as the holder of the token `bearer()` gives at that moment. */
export function createMcpServer(deps: Deps, bearer: () => string | null): Server {
  const server = new Server(MCP_SERVER_INFO, {
    capabilities: { tools: {} },
    instructions:
      "Cairn keeps a community's contribution ledger. Log work with log_contribution; people verify it by vote; read the decision with show_contribution and check the ledger with verify_ledger.",
  });
  const listed = mcpTools.map(toolListing);
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listed }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const tool = toolByName(request.params.name);
    if (tool === undefined)
      throw new McpError(ErrorCode.InvalidParams, `unknown tool ${request.params.name}`);
    const answer = await callRouteAs(
      deps,
      bearer(),
      tool.route,
      routeInputOf(tool, request.params.arguments ?? {}),
    );
    return toolResult(answer);
  });
  return server;
}

function toolListing(tool: McpTool): Tool {
  const output = toolOutputSchema(tool);
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: toolJsonSchema(toolInputSchema(tool), "input") as Tool["inputSchema"],
    ...(output === undefined
      ? {}
      : { outputSchema: toolJsonSchema(output, "output") as Tool["outputSchema"] }),
    annotations: { title: tool.title, readOnlyHint: tool.readOnly, openWorldHint: false },
  };
}

async function toolResult(answer: ApiAnswer): Promise<CallToolResult> {
  if (!answer.ok) {
    const problem = problemOf(answer.error);
    return {
      isError: true,
      content: [{ type: "text", text: problem.detail }],
      _meta: { [PROBLEM_META_KEY]: problem },
    };
  }
  const { body } = answer;
  if (typeof body === "object" && body !== null && Symbol.asyncIterator in body)
    return { content: [{ type: "text", text: await collect(body as AsyncIterable<string>) }] };
  if (typeof body === "string") return { content: [{ type: "text", text: body }] };
  return {
    content: [{ type: "text", text: JSON.stringify(body) }],
    structuredContent: body as Record<string, unknown>,
  };
}

async function collect(parts: AsyncIterable<string>): Promise<string> {
  let text = "";
  for await (const part of parts) text += part;
  return text;
}
