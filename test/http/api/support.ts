// A real Cairn HTTP server with the API on the test database, tokens made the
// way a moderator makes them, and requests whose answers are checked against
// the route's own schemas.
import { createToken } from "../../../src/app/tokens.ts";
import { apiPlugin, type ApiOptions } from "../../../src/http/api/plugin.ts";
import { apiRoutes } from "../../../src/http/api/routes.ts";
import { afterAll, beforeAll } from "vitest";
import { startHttpServer, type HttpPlugin, type HttpServer } from "../../../src/http/server.ts";
import type { TokenRateLimitSettings } from "../../../src/http/tokenRateLimit.ts";
import type { CommunityConfig } from "../../../src/core/config.ts";
import {
  FakeClock,
  newCommunity,
  valueOf,
  type DatabaseDeps,
  type TestCommunity,
} from "../../support/communities.ts";

export interface ApiAnswer {
  readonly status: number;
  readonly type: string;
  readonly headers: Headers;
  readonly text: string;
  // The parsed JSON body (problem or resource); tests read the fields they check.
  readonly json: Record<string, unknown>;
}

export async function startApi(
  database: DatabaseDeps,
  clock: FakeClock,
  options: Partial<Omit<ApiOptions, "deps" | "log">> & {
    /** The server's per-token limit; default 300 a minute, in memory. */
    readonly rateLimit?: TokenRateLimitSettings;
    /** More plugins after the API's (the MCP server). */
    readonly plugins?: readonly HttpPlugin[];
  } = {},
): Promise<HttpServer> {
  const { rateLimit, plugins, ...api } = options;
  return startHttpServer({
    port: 0,
    host: "127.0.0.1",
    db: database.db,
    ...(rateLimit === undefined ? {} : { tokenRateLimit: rateLimit }),
    plugins: [apiPlugin({ deps: { ...database, clock }, log: silent, ...api }), ...(plugins ?? [])],
  });
}

/**
 * A server started before the file's tests (rate limit raised out of their way)
 * and closed after them; `server` is there once they run.
 */
export function useApiServer(database: DatabaseDeps, clock: FakeClock): { readonly server: HttpServer } {
  let started: HttpServer | null = null;
  beforeAll(async () => {
    started = await startApi(database, clock, { rateLimit: { max: 1000, windowMs: 60_000 } });
  });
  afterAll(() => started?.close());
  return {
    get server(): HttpServer {
      if (started === null) throw new Error("the API server starts before the tests");
      return started;
    },
  };
}

const silent = { info() {}, warn() {}, error() {}, debug() {} } as unknown as ApiOptions["log"];

/** A community on the server's clock, with a moderator "mod" and a way to make tokens for any member. */
export async function apiCommunity(
  database: DatabaseDeps,
  clock: FakeClock,
  config: Partial<CommunityConfig> = {},
): Promise<
  TestCommunity & {
    token(member: string, scopes: readonly string[], name?: string): Promise<string>;
    /** A token of a new agent member `name`, owned by the moderator `owner`. */
    agentToken(owner: string, name: string, scopes: readonly string[]): Promise<string>;
  }
> {
  const community = await newCommunity(database, { clock, config: { maxSubmissionsPerDay: 100, ...config } });
  let made = 0;
  return {
    ...community,
    async token(member, scopes, name) {
      const actor = await community.member(member, { moderator: true });
      made += 1;
      const created = await createToken(community.deps, actor, {
        name: name ?? `t${made}-${member}`,
        scopes,
      });
      return valueOf(created).token;
    },
    async agentToken(owner, name, scopes) {
      const actor = await community.member(owner, { moderator: true });
      return valueOf(await createToken(community.deps, actor, { name, scopes, agent: true })).token;
    },
  };
}

/**
 * Calls the API and checks the answer: a success against the route's response
 * schema (found by method and path), a refusal as problem+json.
 */
export async function call(
  server: HttpServer,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<ApiAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers["authorization"] = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] = "application/json";
  } else if (body !== undefined) headers["content-type"] ??= "application/json";
  const response = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  const type = response.headers.get("content-type") ?? "";
  const json =
    type.includes("json") && !type.includes("ndjson") ? (JSON.parse(text) as Record<string, unknown>) : {};
  const answer = { status: response.status, type, headers: response.headers, text, json };
  checkAgainstSchema(method, path, answer);
  return answer;
}

function routeOf(method: string, path: string): (typeof apiRoutes)[number] | undefined {
  const bare = path.split("?")[0] ?? path;
  return apiRoutes.find((route) => {
    if (route.method !== method) return false;
    const pattern = new RegExp(`^${route.path.replace(/\{\w+\}/g, "[^/]+")}$`);
    return (
      pattern.test(bare) &&
      !(route.path.includes("{") && apiRoutes.some((r) => r.method === method && r.path === bare))
    );
  });
}

function checkAgainstSchema(method: string, path: string, answer: ApiAnswer): void {
  if (answer.status >= 400) {
    if (!answer.type.startsWith("application/problem+json"))
      throw new Error(`${method} ${path}: refusal is ${answer.type}`);
    const { type, title, status, detail } = answer.json;
    if (
      typeof type !== "string" ||
      !type.endsWith(`/${String(title)}`) ||
      status !== answer.status ||
      typeof detail !== "string"
    )
      throw new Error(`${method} ${path}: not a problem detail: ${answer.text}`);
    return;
  }
  const route = routeOf(method, path);
  const spec = route?.responses[answer.status];
  if (spec === undefined) throw new Error(`${method} ${path}: status ${answer.status} is not documented`);
  if (spec.schema !== undefined) {
    const parsed = spec.schema.safeParse(answer.json);
    if (!parsed.success)
      throw new Error(`${method} ${path}: body does not match its schema: ${parsed.error.message}`);
  }
}

export { FakeClock };
