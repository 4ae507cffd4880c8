// The API while PostgreSQL cannot be reached (stopped, restarting): a 503
// "try again" problem with Retry-After, never a 500 (found by npm run faults,
// "PostgreSQL restarted under load").
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openConnections, type Connections } from "../../../src/db/client.ts";
import type { HttpServer } from "../../../src/http/server.ts";
import { freePort } from "../../support/ports.ts";
import { FakeClock, call, startApi } from "./support.ts";

let connections: Connections;
let server: HttpServer;

beforeAll(async () => {
  // Nothing listens on this port: every query is refused.
  connections = openConnections(`postgresql://postgres@127.0.0.1:${await freePort()}/nowhere`);
  server = await startApi(connections, new FakeClock());
});
afterAll(async () => {
  await server.close();
  await connections.close();
});

describe("the API without its database", () => {
  it("answers 503 DATABASE_UNAVAILABLE with Retry-After and the chat's try-again line", async () => {
    const answer = await call(server, "POST", "/contributions", {
      token: "cairn_0123456789ab_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      body: { category: "docs", title: "Guide", links: ["https://example.org/g"] },
    });
    expect(answer.status).toBe(503);
    expect(answer.json["code"]).toBe("DATABASE_UNAVAILABLE");
    expect(answer.headers.get("retry-after")).toBe("5");
    expect(String(answer.json["detail"])).toMatch(/try again/);
  });
});
