// The whole story of an agent's work: a moderator makes the agent's token in
// the Telegram group's private chat, the agent logs what it shipped over the
// HTTP API, people verify it by pressing Approve on its card in the real
// telegraf bot (telegram-test-api), and the agent reads the decision and the
// ledger through MCP and checks the chain itself.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiPlugin } from "../../src/http/api/plugin.ts";
import { startHttpServer, type HttpServer } from "../../src/http/server.ts";
import { mcpPlugin } from "../../src/mcp/http.ts";
import { TelegramWorld } from "../platforms/telegram/harness.ts";
import { verifyLedgerLines } from "../http/api/ledgerLines.ts";
import { callTool, mcpOverHttp } from "./support.ts";

const world = new TelegramWorld({ emulator: 9631, http: 9632 }, { membershipCacheMs: 0 });
const person = TelegramWorld.person;
let server: HttpServer;

beforeAll(async () => {
  await world.start();
  server = await startHttpServer({
    port: 0,
    host: "127.0.0.1",
    db: world.database.db,
    plugins: [
      apiPlugin({ deps: world.deps, log: world.log }),
      mcpPlugin({ deps: world.deps, log: world.log }),
    ],
  });
}, 60_000);
afterAll(async () => {
  await server?.close();
  await world.stop();
}, 60_000);

describe("an agent's contribution, verified by people in chat", () => {
  it("is logged over the API, approved on its Telegram card, and read and checked through MCP", async () => {
    const olga = person("Olga", true);
    const bob = person("Bob");
    const carol = person("Carol");
    for (const someone of [olga, bob, carol]) await world.say(someone, "/help");
    await world.command(olga, "/config set quorum 2");
    const made = await world.say(olga, "/token create shipper contribute read agent", "private");
    expect(made.reply.private).toBe(true);
    const token = /cairn_[0-9a-f]{12}_[A-Za-z0-9_-]{32}/.exec(made.reply.text)?.[0] ?? "";

    const digest = `sha256:${randomUUID().replaceAll("-", "").repeat(2)}`;
    const logged = await fetch(`${server.url}/api/v1/contributions`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        "idempotency-key": randomUUID(),
      },
      body: JSON.stringify({
        category: "data",
        title: "Dataset v3 shipped",
        links: ["https://example.org/datasets/v3"],
        digests: [digest],
      }),
    });
    expect(logged.status).toBe(201);
    const { number } = (await logged.json()) as { number: number };

    const card = await world.card(number);
    expect(card.text).toContain("by shipper [agent]");
    expect(card.text).toContain(digest);
    // Its owner may not verify it; two other people do, on the card.
    expect((await world.press(olga, number, "approve")).text).toMatch(/An agent and its owner count as one/);
    await world.press(bob, number, "approve");
    await world.press(carol, number, "approve");
    const decided = await world.card(number);
    expect(decided.buttons).toEqual([]);
    expect(decided.text).toMatch(/verified/i);

    const agent = await mcpOverHttp(server.url, token);
    const shown = await callTool(agent, "show_contribution", { number });
    expect(shown.structured).toMatchObject({
      status: "VERIFIED",
      decidedBy: "VOTES",
      submitterKind: "AGENT",
      digests: [digest],
      agentVotes: 0,
    });
    const votes = shown.structured?.["votes"] as { voter: string; choice: string }[];
    expect(votes.map((v) => [v.voter, v.choice]).sort()).toEqual([
      ["Bob", "APPROVE"],
      ["Carol", "APPROVE"],
    ]);

    const ledger = await callTool(agent, "ledger_entries", { from: 1 });
    const lines = ledger.text.trim().split("\n");
    const entries = lines.map(
      (line) => JSON.parse(line) as { kind: string; memberId: number; points: number },
    );
    const me = await callTool(agent, "my_profile");
    const award = entries.find((e) => e.memberId === me.structured?.["memberId"]);
    expect(award).toMatchObject({ kind: expect.stringMatching(/AWARD/) });
    expect(award?.points).toBeGreaterThan(0);
    expect(await verifyLedgerLines(lines)).toMatchObject({ ok: true, count: lines.length });
    expect((await callTool(agent, "verify_ledger")).structured).toMatchObject({
      intact: true,
      entries: lines.length,
    });
    await agent.close();
    expect(world.errors).toEqual([]);
  }, 120_000);
});
