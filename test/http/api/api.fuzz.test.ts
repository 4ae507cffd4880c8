// Fuzzing every /api/v1 route over real HTTP on a real database: random
// methods and paths (the routes' own with random parameters, and made-up
// ones), random tokens (none, malformed, revoked, each scope), wrong content
// types, malformed and oversized bodies, unknown fields. No answer is a 5xx,
// every refusal is problem+json, and a refusal leaves every table as it was
// (the token's last use, recorded to the minute on any authenticated request,
// excepted: the snapshot is taken after a first request with each token).
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { revokeToken } from "../../../src/app/tokens.ts";
import { apiRoutes } from "../../../src/http/api/routes.ts";
import type { HttpServer } from "../../../src/http/server.ts";
import { useTestDatabase } from "../../support/db.ts";
import { anyText, FUZZ_RUNS, fuzzTimeout } from "../../support/fuzz.ts";
import { changedTables, useSnapshots } from "../../support/snapshot.ts";
import { FakeClock, apiCommunity, startApi } from "./support.ts";

const database = useTestDatabase();
const snapshots = useSnapshots(database);
const clock = new FakeClock();
let server: HttpServer;
const tokens: string[] = [];

beforeAll(async () => {
  server = await startApi(database, clock, { rateLimit: { max: 1_000_000, windowMs: 60_000 } });
  const community = await apiCommunity(database, clock);
  for (const scopes of [
    ["read"],
    ["contribute"],
    ["vote"],
    ["moderate"],
    ["export"],
    ["read", "contribute", "vote"],
  ])
    tokens.push(await community.token(`m-${scopes.join("-")}`, scopes));
  const revoked = await community.token("gone", ["read", "contribute", "vote"], "gone");
  const mod = await community.member("gone", { moderator: true });
  await revokeToken(community.deps, mod, "gone");
  tokens.push(revoked);
  // A few contributions and votes for the routes to find.
  const author = await community.token("author", ["contribute"]);
  for (let n = 1; n <= 3; n += 1)
    await request("POST", "/contributions", author, "application/json", draft(n));
  await request(
    "PUT",
    "/contributions/1/vote",
    tokens[2],
    "application/json",
    JSON.stringify({ choice: "approve" }),
  );
  // Every token used once, so its last use (kept to the minute, the clock stands still) is already recorded.
  for (const token of tokens) await request("GET", "/categories", token, undefined, undefined);
}, 60_000);
afterAll(async () => {
  await server.close();
});

function draft(n: number): string {
  return JSON.stringify({ category: "docs", title: `Guide ${n}`, links: [`https://example.org/g/${n}`] });
}

interface Answer {
  readonly status: number;
  readonly type: string;
  readonly text: string;
}

async function request(
  method: string,
  path: string,
  token: string | undefined,
  contentType: string | undefined,
  body: string | undefined,
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers["authorization"] = token.startsWith("Basic") ? token : `Bearer ${token}`;
  if (contentType !== undefined) headers["content-type"] = contentType;
  const response = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers,
    ...(body === undefined || method === "GET" || method === "HEAD" ? {} : { body }),
  });
  const text = await response.text();
  return { status: response.status, type: response.headers.get("content-type") ?? "", text };
}

/** Percent-encoded; lone surrogates (which no URL can carry) become U+FFFD first. */
const encoded = (text: string): string =>
  encodeURIComponent(
    text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd"),
  );

const segment = fc.oneof(
  fc.constantFrom("1", "2", "3", "0", "-1", "999999", "2147483648", "1e3", "%00", "..", "%2e%2e", "me", "x"),
  anyText(12).map(encoded),
);

/** A route's own path with random parameters and a random query, or a path made up from segments. */
const path = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(...apiRoutes.map((r) => r.path)),
      segment,
      fc.option(anyText(20), { nil: undefined }),
    )
    .map(
      ([template, value, query]) =>
        `${template.replace(/\{\w+\}/g, value)}${query === undefined ? "" : `?${encoded(query)}=${encoded(query)}&from=${value}`}`,
    ),
  fc.array(segment, { maxLength: 4 }).map((parts) => `/${parts.join("/")}`),
  fc.constantFrom("/openapi.json", "/docs", "", "/contributions?status=PENDING&page=-1", "/ledger?from=abc"),
);

const token = fc.oneof(
  fc.constantFrom(...Array.from({ length: 7 }, (_, i) => i)).map((i) => tokens[i]),
  fc.constantFrom(
    undefined,
    "",
    "cairn_",
    "cairn_0123456789ab_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "Basic YTpi",
  ),
  // Header values can carry only visible Latin-1: what fetch would refuse to send, no client sends.
  anyText(60).map((text) => text.replace(/[^\x20-\x7e\xa0-\xff]/g, "")),
);

const json = fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value));
const body = fc.oneof(
  json,
  anyText(200),
  fc.constantFrom("{", '{"title":', "[]", "null", '"x"', "{}", '{"__proto__":{"x":1}}', "\ufeff{}"),
  // Valid drafts and votes with unknown fields and wrong types.
  fc
    .record({ extra: fc.jsonValue({ maxDepth: 1 }), title: fc.oneof(fc.string(), fc.integer()) })
    .map((extra) => JSON.stringify({ ...JSON.parse(draft(9)), ...extra })),
  fc
    .record({
      choice: fc.oneof(fc.constantFrom("approve", "reject", "APPROVE", ""), fc.integer()),
      impact: fc.jsonValue(),
    })
    .map((vote) => JSON.stringify(vote)),
  // Over the 64 KiB limit.
  fc.integer({ min: 65_537, max: 200_000 }).map((n) => JSON.stringify({ title: "x".repeat(n) })),
);

const contentType = fc.constantFrom(
  undefined,
  "application/json",
  "application/json; charset=utf-8",
  "application/json; charset=utf-16",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/problem+json",
  "application/octet-stream",
  "*/*",
);

const method = fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD");

function expectProblem(answer: Answer, context: string): void {
  expect(answer.type, context).toMatch(/^application\/problem\+json/);
  const problem = JSON.parse(answer.text) as Record<string, unknown>;
  expect(problem["status"], context).toBe(answer.status);
  expect(typeof problem["title"], context).toBe("string");
  expect(typeof problem["detail"], context).toBe("string");
  expect(String(problem["detail"]), context).not.toMatch(/\n|\bat .+:\d+:\d+/);
}

describe("/api/v1 under random requests", () => {
  it(
    `never answers 5xx, refuses with problem+json, and changes nothing when it refuses (${FUZZ_RUNS} requests)`,
    { timeout: fuzzTimeout(FUZZ_RUNS, 60) },
    async () => {
      await fc.assert(
        fc.asyncProperty(method, path, token, contentType, body, async (m, p, t, c, b) => {
          const before = await snapshots.take();
          const answer = await request(m, p, t, c, b);
          const context = `${m} ${p} token=${String(t).slice(0, 30)} type=${String(c)} body=${b.slice(0, 120)} -> ${answer.status} ${answer.text.slice(0, 200)}`;
          expect(answer.status, context).toBeLessThan(500);
          if (answer.status < 400) return;
          // fetch resolves "..": a path that leaves /api/v1 is another server's business.
          const underApi = new URL(`${server.url}/api/v1${p}`).pathname.startsWith("/api/v1");
          if (m !== "HEAD" && underApi) expectProblem(answer, context);
          expect(changedTables(before, await snapshots.take()), context).toEqual([]);
        }),
        { numRuns: FUZZ_RUNS },
      );
    },
  );
});
