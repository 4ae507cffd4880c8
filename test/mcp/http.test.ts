// POST /mcp on a started HTTP server, spoken to by the MCP SDK's streamable
// HTTP client with a bearer token: the same tokens, scopes, use cases and
// refusals as /api/v1 on the same server.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HttpServer } from "../../src/http/server.ts";
import { mcpPlugin } from "../../src/mcp/http.ts";
import { apiPlugin } from "../../src/http/api/plugin.ts";
import { startHttpServer } from "../../src/http/server.ts";
import { useTestDatabase } from "../support/db.ts";
import { FakeClock, apiCommunity, call, startApi } from "../http/api/support.ts";
import { callTool, mcpOverHttp } from "./support.ts";

const database = useTestDatabase();
const clock = new FakeClock();
let server: HttpServer;
const silent = { info() {}, warn() {}, error() {}, debug() {} } as unknown as Parameters<
  typeof mcpPlugin
>[0]["log"];

beforeAll(async () => {
  const deps = { ...database, clock };
  server = await startHttpServer({
    port: 0,
    host: "127.0.0.1",
    db: database.db,
    plugins: [apiPlugin({ deps, log: silent }), mcpPlugin({ deps, log: silent })],
  });
});
afterAll(async () => {
  await server.close();
});

const link = (): string => `https://example.org/${randomUUID()}`;

describe("/mcp over streamable HTTP", () => {
  it("answers a request without a live token with the API's 401 problem and a Bearer challenge", async () => {
    const initialize = {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "x", version: "1" } },
    };
    for (const authorization of [undefined, "Bearer cairn_000000000000_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"]) {
      const response = await fetch(`${server.url}/mcp`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          ...(authorization === undefined ? {} : { authorization }),
        },
        body: JSON.stringify(initialize),
      });
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(await response.json()).toMatchObject({ code: "UNAUTHENTICATED" });
    }
  });

  it("logs, shows and decides a contribution with the same use cases as the API", async () => {
    const community = await apiCommunity(database, clock, { quorum: 2 });
    const agent = await mcpOverHttp(
      server.url,
      await community.agentToken("olga", "shipper", ["contribute", "read"]),
    );
    const logged = await callTool(agent, "log_contribution", {
      category: "code",
      title: "Dataset v2",
      links: [link()],
    });
    expect(logged).toMatchObject({ isError: false, structured: { status: "PENDING" } });
    const number = logged.structured?.["number"] as number;

    const bob = await mcpOverHttp(server.url, await community.token("bob", ["vote", "read"]));
    const carol = await community.token("carol", ["vote"]);
    expect(await callTool(bob, "cast_vote", { number, choice: "approve", impact: 3 })).toMatchObject({
      isError: false,
      structured: { number, decision: null },
    });
    // The second vote through the API decides what the first, through MCP, began.
    const second = await call(server, "PUT", `/contributions/${number}/vote`, {
      token: carol,
      body: { choice: "approve", impact: 3 },
    });
    expect(second.json).toMatchObject({ decision: { outcome: "VERIFIED" } });

    const shown = await callTool(agent, "show_contribution", { number });
    expect(shown.structured).toMatchObject({
      status: "VERIFIED",
      decidedBy: "VOTES",
      submitterKind: "AGENT",
    });
    const board = await callTool(agent, "leaderboard", { members: "agents" });
    expect(board.structured?.["rows"]).toEqual([expect.objectContaining({ name: "shipper", kind: "AGENT" })]);
    const me = await callTool(agent, "my_profile");
    const profile = await callTool(agent, "profile", { memberId: me.structured?.["memberId"] });
    expect(profile.structured).toMatchObject({ name: "shipper", kind: "AGENT", ownerName: "olga" });
    expect((await callTool(agent, "verify_ledger")).structured).toMatchObject({ intact: true });
    await agent.close();
    await bob.close();
  });

  it("refuses as the API refuses: the same problem for the same input, scope and rule", async () => {
    const community = await apiCommunity(database, clock);
    const token = await community.token("dana", ["read", "contribute"]);
    const mcp = await mcpOverHttp(server.url, token);
    const cases: {
      tool: string;
      args: Record<string, unknown>;
      method: string;
      path: string;
      body?: unknown;
    }[] = [
      {
        tool: "log_contribution",
        args: { category: "code", title: "" },
        method: "POST",
        path: "/contributions",
        body: { category: "code", title: "" },
      },
      {
        tool: "log_contribution",
        args: { category: "nope", title: "A" },
        method: "POST",
        path: "/contributions",
        body: { category: "nope", title: "A" },
      },
      {
        tool: "log_contribution",
        args: { title: "A" },
        method: "POST",
        path: "/contributions",
        body: { title: "A" },
      },
      {
        tool: "cast_vote",
        args: { number: 1, choice: "approve" },
        method: "PUT",
        path: "/contributions/1/vote",
        body: { choice: "approve" },
      },
      { tool: "show_contribution", args: { number: 999 }, method: "GET", path: "/contributions/999" },
      {
        tool: "leaderboard",
        args: { window: "fortnight" },
        method: "GET",
        path: "/leaderboard?window=fortnight",
      },
    ];
    for (const each of cases) {
      const tool = await callTool(mcp, each.tool, each.args);
      const api = await call(server, each.method, each.path, {
        token,
        ...(each.body === undefined ? {} : { body: each.body }),
      });
      expect(api.status).toBeGreaterThanOrEqual(400);
      expect(tool).toMatchObject({ isError: true, text: api.json["detail"], problem: api.json });
    }
    expect(await database.db.contribution.count({ where: { communityId: community.communityId } })).toBe(0);
    await mcp.close();
  });

  it("audits a change made through MCP under the token's name", async () => {
    const community = await apiCommunity(database, clock);
    const mcp = await mcpOverHttp(server.url, await community.token("erin", ["contribute"], "erins-ci"));
    await callTool(mcp, "log_contribution", { category: "code", title: "Release 1.2", links: [link()] });
    const audit = await database.db.auditLog.findFirstOrThrow({
      where: { communityId: community.communityId, action: "api.createContribution" },
    });
    expect(audit.details).toEqual({ token: "erins-ci" });
    await mcp.close();
  });

  it.each([
    ["in this process", undefined],
    ["in Redis", "redis://127.0.0.1:6379"],
  ])(
    "counts a token's /mcp requests against the limit its /api/v1 requests count against (%s)",
    async (_where, redisUrl) => {
      const limited = await startApi(database, clock, {
        rateLimit: { max: 3, windowMs: 60_000, ...(redisUrl === undefined ? {} : { redisUrl }) },
        plugins: [mcpPlugin({ deps: { ...database, clock }, log: silent })],
      });
      try {
        const community = await apiCommunity(database, clock);
        const token = await community.token("alice", ["read"]);
        const other = await community.token("bob", ["read"]);
        expect((await call(limited, "GET", "/categories", { token })).status).toBe(200);
        expect((await initialize(limited.url, token)).status).toBe(200);
        expect((await call(limited, "GET", "/categories", { token })).status).toBe(200);
        const refused = await initialize(limited.url, token);
        expect(refused.status).toBe(429);
        expect(refused.headers.get("content-type")).toMatch(/^application\/problem\+json/);
        expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
        const problem = (await refused.json()) as Record<string, unknown>;
        const api = await call(limited, "GET", "/categories", { token });
        expect(api.json).toMatchObject({ status: 429, code: "RATE_LIMITED" });
        expect(problem).toEqual(api.json);
        expect((await initialize(limited.url, other)).status).toBe(200);
        expect((await call(limited, "GET", "/categories", { token: other })).status).toBe(200);
      } finally {
        await limited.close();
      }
    },
  );
});

/** An MCP initialize request over POST /mcp as the holder of `token`. */
async function initialize(url: string, token: string): Promise<Response> {
  return fetch(`${url}/mcp`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "x", version: "1" } },
    }),
  });
}
