// `cairn mcp` as a desktop agent client runs it: a child process spoken to over
// stdio by the MCP SDK's own client, acting as a real token on the test database.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken, revokeToken } from "../../src/app/tokens.ts";
import { createContribution } from "../../src/http/api/contributions.ts";
import { toolJsonSchema } from "../../src/mcp/tools.ts";
import { refusalText } from "../../src/views/refusals.ts";
import { FakeClock, newCommunity, valueOf, type TestCommunity } from "../support/communities.ts";
import { useTestDatabase } from "../support/db.ts";
import { callTool, mcpOverStdio } from "./support.ts";

const database = useTestDatabase();
let community: TestCommunity;
let client: Client;
let token: string;

/** Olga, a moderator, issues an agent token named `name` that may read and contribute. */
async function agentToken(name: string): Promise<string> {
  const olga = await community.member("olga", { moderator: true });
  return valueOf(
    await createToken(community.deps, olga, { name, scopes: ["read", "contribute"], agent: true }),
  ).token;
}

beforeAll(async () => {
  community = await newCommunity(database, { clock: new FakeClock(new Date()) });
  // "desk" stays live for every test: the revocation story revokes a token of its own.
  token = await agentToken("desk");
  ({ client } = await mcpOverStdio(database.url, token));
}, 60_000);
afterAll(async () => {
  await client.close();
});

function contributionCount(): Promise<number> {
  return database.db.contribution.count({ where: { communityId: community.communityId } });
}

describe("cairn mcp over stdio", () => {
  it("lists the tools, log_contribution taking the API's contribution draft as its input", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(
      expect.arrayContaining([
        "log_contribution",
        "list_pending",
        "cast_vote",
        "show_contribution",
        "leaderboard",
        "profile",
        "verify_ledger",
      ]),
    );
    const log = tools.find((tool) => tool.name === "log_contribution");
    expect(log?.inputSchema).toEqual(toolJsonSchema(createContribution.body!, "input"));
    expect(log?.inputSchema.required).toEqual(["category", "title"]);
  });

  it("logs a contribution as the token's agent member, which then waits for verification", async () => {
    const logged = await callTool(client, "log_contribution", {
      category: "code",
      title: "Labelled 1,000 rows",
      links: [`https://example.org/${randomUUID()}`],
    });
    expect(logged).toMatchObject({ isError: false, structured: { status: "PENDING" } });
    const number = logged.structured?.["number"] as number;

    const pending = await callTool(client, "list_pending");
    expect(pending.structured?.["items"]).toEqual(
      expect.arrayContaining([expect.objectContaining({ number, submitterKind: "AGENT" })]),
    );
    const shown = await callTool(client, "show_contribution", { number });
    expect(shown.structured).toMatchObject({ number, submitter: "desk", loggedThrough: "desk" });
    const row = await database.db.contribution.findFirstOrThrow({
      where: { communityId: community.communityId, number },
    });
    expect(row.tokenId).not.toBeNull();
  });

  it("refuses with the chat's one-line text and the API's code: a rule, a missing scope, bad input", async () => {
    const before = await contributionCount();
    const long = await callTool(client, "log_contribution", { category: "code", title: "x".repeat(500) });
    expect(long.isError).toBe(true);
    expect(long.problem).toMatchObject({ code: "TITLE_LENGTH", status: 422 });
    expect(long.text).toBe(long.problem?.["detail"]);

    const vote = await callTool(client, "cast_vote", { number: 1, choice: "approve", impact: 3 });
    expect(vote).toMatchObject({ isError: true, problem: { code: "MISSING_SCOPE", status: 403 } });
    expect(vote.text).toBe(refusalText({ code: "MISSING_SCOPE", detail: { scope: "vote" } }));

    const bad = await callTool(client, "show_contribution", { number: "seven" });
    expect(bad).toMatchObject({ isError: true, problem: { code: "BAD_REQUEST", status: 400 } });
    expect(await contributionCount()).toBe(before);
  });

  it("verifies the ledger and reads it as JSON lines", async () => {
    const check = await callTool(client, "verify_ledger");
    expect(check.structured).toMatchObject({ intact: true, headMatches: true, balancesAgree: true });
    const lines = await callTool(client, "ledger_entries", { from: 1 });
    expect(lines.isError).toBe(false);
  });

  it("refuses every call once the token is revoked", async () => {
    const { client: revoked } = await mcpOverStdio(database.url, await agentToken("laptop"));
    try {
      const olga = await community.member("olga", { moderator: true });
      valueOf(await revokeToken(community.deps, olga, "laptop"));
      const after = await callTool(revoked, "my_profile");
      expect(after).toMatchObject({ isError: true, problem: { code: "TOKEN_REVOKED", status: 401 } });
    } finally {
      await revoked.close();
    }
  }, 60_000);
});

describe("cairn mcp without a live token", () => {
  it("stops at once with one line naming the problem and never reads stdin", async () => {
    const run = (env: Record<string, string>) =>
      new Promise<{ code: number; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ["--import", "tsx", "src/cli.ts", "mcp"],
          {
            env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: "silent", ...env },
            timeout: 60_000,
          },
          (error, _stdout, stderr) => resolve({ code: error === null ? 0 : Number(error.code ?? 1), stderr }),
        );
      });
    const wrong = await run({ CAIRN_TOKEN: `cairn_${"0".repeat(12)}_${"a".repeat(32)}` });
    expect(wrong).toEqual({ code: 2, stderr: `cairn: ${refusalText({ code: "UNAUTHENTICATED" })}\n` });
    const none = await run({ CAIRN_TOKEN: "" });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^cairn: mcp needs CAIRN_TOKEN/);
  }, 90_000);
});
