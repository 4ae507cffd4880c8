// The read routes, ledger, exports, rate limits and the OpenAPI document over
// real HTTP against a real api.server on the real PostgreSQL (and Redis).
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { setProfileVisibility } from "../../../src/app/profile.ts";
import { addSeason } from "../../../src/app/community.ts";
import { apiRoutes } from "../../../src/http/api/routes.ts";
import { verifyLedgerLines } from "./ledgerLines.ts";
import { useTestDatabase } from "../../support/db.ts";
import { valueOf } from "../../support/communities.ts";
import { FakeClock, apiCommunity, call, startApi, useApiServer } from "./support.ts";

const database = useTestDatabase();
const clock = new FakeClock();
const api = useApiServer(database, clock);

/** A community with one contribution verified by two votes over the API. */
async function verifiedCommunity() {
  const community = await apiCommunity(database, clock, { quorum: 2 });
  const alice = await community.token("alice", ["contribute", "read", "export"]);
  const bob = await community.token("bob", ["vote", "read"]);
  const carol = await community.token("carol", ["vote", "read"]);
  await call(api.server, "POST", "/contributions", {
    token: alice,
    body: { category: "code", title: "Parser", links: [`https://example.org/${randomUUID()}`] },
  });
  await call(api.server, "PUT", "/contributions/1/vote", { token: bob, body: { choice: "approve" } });
  await call(api.server, "PUT", "/contributions/1/vote", { token: carol, body: { choice: "approve" } });
  return { community, alice, bob, carol };
}

describe("leaderboard, profiles, categories and seasons", () => {
  it("show the chat's board and profiles; a hidden member stays hidden to others", async () => {
    const { community, alice, bob } = await verifiedCommunity();
    const board = await call(api.server, "GET", "/leaderboard?window=all", { token: bob });
    expect(board.json).toMatchObject({ score: "total", category: null });
    const rows = board.json["rows"] as Array<{ name: string; points: number; rank: number }>;
    expect(rows[0]).toMatchObject({ name: "alice", points: 1000, rank: 1 });
    const active = await call(api.server, "GET", "/leaderboard?score=active&category=code&limit=5", {
      token: bob,
    });
    expect(active.json).toMatchObject({ score: "active", category: "code" });
    expect(
      (await call(api.server, "GET", "/leaderboard?window=yesterday", { token: bob })).json,
    ).toMatchObject({
      status: 400,
      code: "BAD_WINDOW",
    });
    expect(
      (await call(api.server, "GET", "/leaderboard?window=season:none", { token: bob })).json,
    ).toMatchObject({ status: 404, code: "UNKNOWN_SEASON" });

    const aliceId =
      rows[0] === undefined ? 0 : ((board.json["rows"] as Array<{ memberId: number }>)[0]?.memberId ?? 0);
    const profile = await call(api.server, "GET", `/members/${aliceId}`, { token: bob });
    expect(profile.json).toMatchObject({ name: "alice", points: { total: 1000 }, counts: { VERIFIED: 1 } });
    valueOf(await setProfileVisibility(community.deps, await community.member("alice"), true));
    expect((await call(api.server, "GET", `/members/${aliceId}`, { token: bob })).json).toMatchObject({
      status: 404,
      code: "UNKNOWN_MEMBER",
    });
    expect((await call(api.server, "GET", "/members/me", { token: alice })).json).toMatchObject({
      name: "alice",
      hidden: true,
    });
    const hiddenBoard = await call(api.server, "GET", "/leaderboard", { token: bob });
    expect((hiddenBoard.json["rows"] as Array<{ name: string }>).map((r) => r.name)).not.toContain("alice");
    const other = await apiCommunity(database, clock);
    const stranger = await other.token("eve", ["read"]);
    expect((await call(api.server, "GET", `/members/${aliceId}`, { token: stranger })).status).toBe(404);
    // Beyond the id column (found by the API fuzz: it answered 500).
    expect((await call(api.server, "GET", "/members/2147483648", { token: bob })).json).toMatchObject({
      status: 404,
      code: "UNKNOWN_MEMBER",
    });

    const categories = await call(api.server, "GET", "/categories", { token: bob });
    expect((categories.json["items"] as Array<{ slug: string }>).map((c) => c.slug)).toEqual([
      "code",
      "community",
      "data",
      "docs",
    ]);
    valueOf(
      await addSeason(community.deps, await community.member("mod", { moderator: true }), {
        name: "Autumn",
        startsAt: new Date("2026-10-01T00:00:00Z"),
        endsAt: null,
      }),
    );
    const seasons = await call(api.server, "GET", "/seasons", { token: bob });
    expect(seasons.json).toEqual({
      items: [{ name: "Autumn", startsAt: "2026-10-01T00:00:00.000Z", endsAt: null }],
    });
  });
});

describe("the member list", () => {
  type Listed = { memberId: number; name: string; kind: string; ownerName: string | null; points: number };
  const itemsOf = (answer: { json: Record<string, unknown> }): Listed[] => answer.json["items"] as Listed[];

  /** Every page from the first, following nextCursor. */
  async function walk(token: string, query: string): Promise<{ items: Listed[]; pages: number }> {
    const items: Listed[] = [];
    let cursor: number | null = null;
    let pages = 0;
    do {
      const answer = await call(
        api.server,
        "GET",
        `/members?${query}${cursor === null ? "" : `&cursor=${cursor}`}`,
        { token },
      );
      expect(answer.status).toBe(200);
      items.push(...itemsOf(answer));
      cursor = answer.json["nextCursor"] as number | null;
      pages += 1;
    } while (cursor !== null && pages < 20);
    return { items, pages };
  }

  it("pages through every visible member exactly once; hidden and other communities' members are absent; people by default", async () => {
    const { community, bob } = await verifiedCommunity();
    for (const name of ["dave", "erin", "frank"]) await community.member(name);
    const hidden = await community.member("grace");
    valueOf(await setProfileVisibility(community.deps, hidden, true));
    await community.agentToken("mod", "labeller", ["contribute"]);
    await (await apiCommunity(database, clock)).member("stranger");

    const all = await walk(bob, "members=all&limit=2");
    const names = all.items.map((m) => m.name);
    expect([...names].sort()).toEqual(["alice", "bob", "carol", "dave", "erin", "frank", "labeller", "mod"]);
    expect(new Set(all.items.map((m) => m.memberId)).size).toBe(all.items.length);
    expect(all.items.map((m) => m.memberId)).toEqual(
      [...all.items.map((m) => m.memberId)].sort((a, b) => a - b),
    );
    expect(all.pages).toBe(4);
    expect(all.items.find((m) => m.name === "alice")).toMatchObject({
      kind: "PERSON",
      points: 1000,
      ownerName: null,
    });
    expect(all.items.find((m) => m.name === "labeller")).toMatchObject({ kind: "AGENT", ownerName: "mod" });

    const first = await call(api.server, "GET", "/members", { token: bob });
    expect(first.json).toMatchObject({ members: "people", total: 7, nextCursor: null });
    expect(itemsOf(first).map((m) => m.kind)).not.toContain("AGENT");
    const agents = await call(api.server, "GET", "/members?members=agents", { token: bob });
    expect(agents.json).toMatchObject({ members: "agents", total: 1 });
    expect(itemsOf(agents).map((m) => m.name)).toEqual(["labeller"]);

    // The hidden member does not list themself either; their own profile is /members/me.
    const own = await community.token("grace", ["read"]);
    expect((await walk(own, "members=all&limit=100")).items.map((m) => m.name)).not.toContain("grace");
  });

  it("refuses a bad cursor, limit or filter with a one-line problem, and a token without read", async () => {
    const community = await apiCommunity(database, clock);
    const reader = await community.token("alice", ["read"]);
    const writer = await community.token("bob", ["contribute"]);
    for (const query of ["cursor=abc", "cursor=0", "limit=0", "limit=101", "limit=2.5", "members=bots"]) {
      const refused = await call(api.server, "GET", `/members?${query}`, { token: reader });
      expect(refused.json, query).toMatchObject({ status: 400, code: "BAD_REQUEST" });
      expect(refused.json["detail"], query).not.toContain("\n");
    }
    // A cursor past the id column is past every member: an empty page, not a 500.
    const past = await call(api.server, "GET", "/members?cursor=2147483648", { token: reader });
    expect(past.status).toBe(200);
    expect(past.json).toMatchObject({ items: [], nextCursor: null });
    expect((await call(api.server, "GET", "/members", { token: writer })).json).toMatchObject({
      status: 403,
      code: "MISSING_SCOPE",
    });
    expect((await call(api.server, "GET", "/members")).json).toMatchObject({ status: 401 });
  });
});

describe("ledger and exports", () => {
  it("streams the ledger as JSON lines from a sequence number, with its head, and verifies it", async () => {
    const { bob, alice } = await verifiedCommunity();
    const all = await call(api.server, "GET", "/ledger", { token: bob });
    expect(all.type).toBe("application/x-ndjson");
    const lines = all.text.trim().split("\n");
    expect(lines.length).toBe(3);
    expect(await verifyLedgerLines(lines)).toMatchObject({ ok: true, count: 3 });
    const tail = await call(api.server, "GET", "/ledger?from=3", { token: bob });
    expect(tail.text.trim().split("\n")).toEqual([lines[2]]);
    const head = await call(api.server, "GET", "/ledger/head", { token: bob });
    expect(head.json).toEqual({ seq: 3, hash: JSON.parse(lines[2] ?? "{}").hash });
    const verified = await call(api.server, "POST", "/ledger/verify", { token: bob });
    expect(verified.json).toMatchObject({ intact: true, entries: 3, brokenAtSeq: null, balancesAgree: true });

    const csv = await call(api.server, "POST", "/exports", {
      token: alice,
      body: { window: "all", budget: 1000 },
    });
    expect(csv.status).toBe(200);
    expect(csv.type).toContain("text/csv");
    expect(csv.text).toMatch(/alice/);
    const json = await call(api.server, "POST", "/exports", { token: alice, body: { format: "json" } });
    expect(json.type).toContain("application/json");
    const noExport = await call(api.server, "POST", "/exports", { token: bob, body: {} });
    expect(noExport.json).toMatchObject({ status: 403, code: "MISSING_SCOPE" });
    const capOnly = await call(api.server, "POST", "/exports", { token: alice, body: { record: true } });
    expect(capOnly.json).toMatchObject({ status: 422, code: "BUDGET_REQUIRED" });
  });
});

describe("limits", () => {
  it("rate-limit each token with 429 and Retry-After, counted in Redis across servers when REDIS_URL is set", async () => {
    const limitedClock = new FakeClock();
    const redisUrl = "redis://127.0.0.1:6379";
    const a = await startApi(database, limitedClock, { rateLimit: { max: 3, windowMs: 60_000, redisUrl } });
    const b = await startApi(database, limitedClock, { rateLimit: { max: 3, windowMs: 60_000, redisUrl } });
    try {
      const community = await apiCommunity(database, limitedClock);
      const token = await community.token("alice", ["read"]);
      const other = await community.token("bob", ["read"]);
      expect((await call(a, "GET", "/categories", { token })).status).toBe(200);
      expect((await call(b, "GET", "/categories", { token })).status).toBe(200);
      expect((await call(a, "GET", "/categories", { token })).status).toBe(200);
      const limited = await call(b, "GET", "/categories", { token });
      expect(limited.json).toMatchObject({ status: 429, code: "RATE_LIMITED" });
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
      expect((await call(a, "GET", "/categories", { token: other })).status).toBe(200);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("answer an unknown API path with a problem and leave the operations endpoints alone", async () => {
    expect((await call(api.server, "GET", "/nowhere")).json).toMatchObject({
      status: 404,
      code: "NOT_FOUND",
    });
    expect((await fetch(`${api.server.url}/healthz`)).status).toBe(200);
  });
});

describe("the OpenAPI document", () => {
  it("is OpenAPI 3.1 with every route, each with its scope, schemas and problem responses, and every reference resolving", async () => {
    const response = await fetch(`${api.server.url}/api/v1/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown>; security: unknown }>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(document.openapi).toBe("3.1.0");
    const documented = Object.entries(document.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(apiRoutes.map((r) => `${r.method} ${r.path}`).sort());
    for (const route of apiRoutes) {
      const op = document.paths[route.path]?.[route.method.toLowerCase()];
      expect(op?.security).toEqual([{ bearer: [route.scope] }]);
      for (const status of Object.keys(route.responses)) expect(op?.responses).toHaveProperty(status);
      for (const status of ["401", "403", "429"]) expect(op?.responses).toHaveProperty(status);
    }
    const refs = [...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map(
      (m) => m[1] ?? "",
    );
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(document.components.schemas).toHaveProperty(ref);
    expect(JSON.stringify(document)).not.toContain("$defs");

    const page = await fetch(`${api.server.url}/api/v1/docs`);
    expect(page.headers.get("content-type")).toContain("text/html");
    const html = await page.text();
    for (const route of apiRoutes) expect(html).toContain(`${route.method} /api/v1${route.path}`);
  });
});
