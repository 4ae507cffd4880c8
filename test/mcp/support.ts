// The MCP SDK's own client against a real Cairn: `cairn mcp` spawned over
// stdio with a token in CAIRN_TOKEN, or POST /mcp on a started HTTP server.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { PROBLEM_META_KEY } from "../../src/mcp/server.ts";

export interface ToolAnswer {
  readonly isError: boolean;
  readonly text: string;
  readonly structured: Record<string, unknown> | undefined;
  /** On a refusal: the problem detail the HTTP API answers (code, status, detail). */
  readonly problem: Record<string, unknown> | undefined;
}

const newClient = (): Client => new Client({ name: "cairn-test", version: "1.0.0" });

/** `cairn mcp` as a child process of this test, acting as `token`, on the database at `databaseUrl`. */
export async function mcpOverStdio(
  databaseUrl: string,
  token: string,
): Promise<{ client: Client; stderr: () => string }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ["--import", "tsx", "src/cli.ts", "mcp"],
    env: { ...stringEnv(), DATABASE_URL: databaseUrl, CAIRN_TOKEN: token, LOG_LEVEL: "warn" },
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const client = newClient();
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

/** A client of `url`/mcp sending `Authorization: Bearer <token>` on every request. */
export async function mcpOverHttp(url: string, token: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  const client = newClient();
  await client.connect(transport);
  return client;
}

export async function callTool(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const first = result.content[0];
  const problem = result._meta?.[PROBLEM_META_KEY];
  return {
    isError: result.isError === true,
    text: first?.type === "text" ? first.text : "",
    structured: result.structuredContent,
    problem:
      typeof problem === "object" && problem !== null ? (problem as Record<string, unknown>) : undefined,
  } satisfies ToolAnswer;
}

function stringEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
