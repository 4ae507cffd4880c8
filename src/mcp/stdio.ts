// `cairn mcp`: the MCP server over this process' stdin and stdout, acting as
// the holder of one token (CAIRN_TOKEN). The token is checked once at start so
// a wrong one stops the process with one line; every call checks it again, so
// a token revoked meanwhile is refused on its next call.
import { once } from "node:events";
import type { Readable, Writable } from "node:stream";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { Deps } from "../app/deps.ts";
import { authenticateToken } from "../app/tokens.ts";
import type { Refusal } from "../core/result.ts";
import { createMcpServer } from "./server.ts";

export interface McpStdioOptions {
  readonly deps: Deps;
  readonly token: string;
  readonly input: Readable;
  readonly output: Writable;
  /** Resolves when the process is asked to stop (a signal); the end of input stops it too. */
  readonly stopped?: Promise<unknown>;
}

export type McpStdioEnd =
  { readonly ok: true; readonly tokenName: string } | { readonly ok: false; readonly error: Refusal };

/** Serves until the client closes stdin (or `stopped` resolves); refuses at once for a token that is not live. */
export async function runMcpStdio(options: McpStdioOptions): Promise<McpStdioEnd> {
  const caller = await authenticateToken(options.deps, options.token);
  if (!caller.ok) return caller;
  const server = createMcpServer(options.deps, () => options.token);
  const transport = new StdioServerTransport(options.input, options.output);
  const closed = new Promise<void>((resolve) => {
    transport.onclose = resolve;
  });
  await server.connect(transport);
  await Promise.race([once(options.input, "end"), closed, options.stopped ?? new Promise(() => {})]);
  await server.close();
  return { ok: true, tokenName: caller.value.tokenName };
}
