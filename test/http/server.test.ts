// The operations endpoints against real PostgreSQL and Redis: liveness,
// readiness that names what is down (and nothing secret), and the metrics a
// running worker produces.
import { once } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import { describe, expect, it } from "vitest";
import { logContribution } from "../../src/app/contributions.ts";
import { openDb } from "../../src/db/client.ts";
import { openQueueBackend } from "../../src/jobs/backend.ts";
import { startWorkers } from "../../src/jobs/runtime.ts";
import { startHttpServer, type HttpServer } from "../../src/http/server.ts";
import { newCommunity, valueOf } from "../support/communities.ts";
import { createTestDatabase, useTestDatabase } from "../support/db.ts";
import {
  FakePlatform,
  cleanupNamespace,
  queueSettings,
  realClockDeps,
  testBackend,
} from "../jobs/support.ts";

const database = useTestDatabase();

async function get(
  server: HttpServer,
  path: string,
  method = "GET",
): Promise<{ status: number; body: string; type: string }> {
  const response = await fetch(`${server.url}${path}`, { method });
  return {
    status: response.status,
    body: await response.text(),
    type: response.headers.get("content-type") ?? "",
  };
}

/** The value of one sample line of a metrics text, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split("\n")) {
    const match = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const have = (match[2] ?? "").split(",");
    if (wanted.every((pair) => have.includes(pair))) return Number(match[3]);
  }
  return undefined;
}

describe("http server", () => {
  it("answers /healthz with 200 while the process lives, 404 elsewhere and 405 to a POST", async () => {
    const server = await startHttpServer({ port: 0, host: "127.0.0.1", db: database.db });
    try {
      expect(await get(server, "/healthz")).toMatchObject({
        status: 200,
        body: '{"status":"ok"}\n',
        type: "application/json",
      });
      expect((await get(server, "/nowhere")).status).toBe(404);
      expect((await get(server, "/healthz", "POST")).status).toBe(405);
    } finally {
      await server.close();
    }
  });

  it("is ready when the database answers and the Redis backend pings", async () => {
    const { backend, cleanup } = await testBackend("redis", database.url);
    const server = await startHttpServer({ port: 0, host: "127.0.0.1", db: database.db, backend });
    try {
      expect(await get(server, "/readyz")).toMatchObject({ status: 200, body: '{"status":"ok"}\n' });
    } finally {
      await server.close();
      await backend.close();
      await cleanup();
    }
  });

  it("answers 503 naming the database, and nothing secret, when its database was dropped", async () => {
    const gone = await createTestDatabase();
    const name = new URL(gone.url).pathname.slice(1);
    await gone.drop();
    const db = openDb(gone.url);
    const server = await startHttpServer({ port: 0, host: "127.0.0.1", db, ping: async () => {} });
    try {
      const answer = await get(server, "/readyz");
      expect(answer.status).toBe(503);
      expect(JSON.parse(answer.body)).toEqual({
        status: "unavailable",
        reason: "database did not answer SELECT 1",
      });
      expect(answer.body.split("\n").filter(Boolean)).toHaveLength(1);
      expect(answer.body).not.toContain(name);
      expect((await get(server, "/healthz")).status).toBe(200);
    } finally {
      await server.close();
      await db.$disconnect();
    }
  });

  it("answers 503 when the queue backend's ping fails, without the error's text", async () => {
    const throwing = await startHttpServer({
      port: 0,
      host: "127.0.0.1",
      db: database.db,
      ping: () => Promise.reject(new Error("connect ECONNREFUSED redis://:hunter2@10.0.0.9:6379")),
    });
    // A PostgreSQL backend whose database is dropped under it: a real ping that fails.
    const doomed = await createTestDatabase();
    const backend = await openQueueBackend({ redisUrl: undefined, databaseUrl: doomed.url });
    await doomed.drop();
    const dropped = await startHttpServer({ port: 0, host: "127.0.0.1", db: database.db, backend });
    // One that never answers (Redis gone, commands queued for ever): the check times out.
    const silent = await startHttpServer({
      port: 0,
      host: "127.0.0.1",
      db: database.db,
      ping: () => new Promise(() => {}),
      readyTimeoutMs: 300,
    });
    try {
      for (const server of [throwing, dropped, silent]) {
        const answer = await get(server, "/readyz");
        expect(answer.status).toBe(503);
        expect(JSON.parse(answer.body)).toEqual({
          status: "unavailable",
          reason: "queue backend did not answer its ping",
        });
        expect(answer.body).not.toContain("hunter2");
      }
    } finally {
      await Promise.all([throwing.close(), dropped.close(), silent.close()]);
      await backend.close().catch(() => {});
    }
  });

  it("reports jobs by queue and state, job durations, delivery failures, outbox lag and command latency after a job ran", async () => {
    const settings = queueSettings("redis", database.url);
    const platform = new FakePlatform();
    const runtime = await startWorkers({
      ...settings,
      deps: realClockDeps(database),
      platforms: [platform],
      settings: { cardEditDelayMs: 0 },
      dispatcherPollMs: 50,
    });
    const server = await startHttpServer({
      port: 0,
      host: "127.0.0.1",
      db: database.db,
      backend: runtime.backend,
      runtime,
    });
    // A second server in the same process has a registry of its own: no clash, no jobs of the first.
    const other = await startHttpServer({ port: 0, host: "127.0.0.1", db: database.db });
    try {
      const community = await newCommunity(database, {
        config: { quorum: 20, maxSubmissionsPerDay: 100 },
      });
      const alice = await community.member("alice");
      const deps = realClockDeps(database);
      valueOf(
        await logContribution(deps, alice, {
          categorySlug: "docs",
          title: "Guide",
          links: ["https://example.org/guide"],
        }),
      );
      await runtime.settle();
      platform.failNext({ kind: "permanent", reason: "chat_gone" });
      valueOf(
        await logContribution(deps, alice, {
          categorySlug: "docs",
          title: "Second guide",
          links: ["https://example.org/guide2"],
        }),
      );
      await runtime.settle();
      server.metrics.observeCommand("/log", "CONSOLE", 0.02);

      const metrics = await get(server, "/metrics");
      expect(metrics.status).toBe(200);
      expect(metrics.type).toContain("text/plain");
      const text = metrics.body;
      for (const family of [
        "cairn_jobs",
        "cairn_job_duration_seconds",
        "cairn_delivery_failures_total",
        "cairn_outbox_lag_seconds",
        "cairn_command_duration_seconds",
      ]) {
        expect(text).toContain(`# TYPE ${family} `);
      }
      expect(sample(text, "cairn_jobs", { queue: "delivery", state: "completed" })).toBeGreaterThanOrEqual(2);
      expect(sample(text, "cairn_jobs", { queue: "deadlines", state: "delayed" })).toBeGreaterThanOrEqual(2);
      expect(sample(text, "cairn_jobs", { queue: "exports", state: "active" })).toBe(0);
      expect(
        sample(text, "cairn_job_duration_seconds_count", {
          queue: "delivery",
          name: "deliver",
          outcome: "completed",
        }),
      ).toBeGreaterThanOrEqual(2);
      expect(
        sample(text, "cairn_delivery_failures_total", { platform: "CONSOLE", reason: "chat_gone" }),
      ).toBe(1);
      expect(text).toMatch(/^cairn_outbox_lag_seconds 0$/m);
      expect(
        sample(text, "cairn_command_duration_seconds_bucket", {
          le: "0.025",
          command: "/log",
          platform: "CONSOLE",
        }),
      ).toBe(1);
      expect(
        sample(text, "cairn_command_duration_seconds_count", { command: "/log", platform: "CONSOLE" }),
      ).toBe(1);

      // Each server has its own metrics: a command measured on one is not counted by another in the process.
      const quiet = (await get(other, "/metrics")).body;
      expect(
        sample(quiet, "cairn_command_duration_seconds_count", { command: "/log", platform: "CONSOLE" }),
      ).toBeUndefined();
      expect(
        sample(quiet, "cairn_job_duration_seconds_count", {
          queue: "delivery",
          name: "deliver",
          outcome: "completed",
        }),
      ).toBeUndefined();
      expect(quiet).not.toMatch(/^cairn_jobs\{/m);
    } finally {
      await other.close();
      await server.close();
      await runtime.close();
      await cleanupNamespace(settings);
    }
  });

  it("reports the age of the oldest undelivered outbox row", async () => {
    const community = await newCommunity(database);
    await database.db.outboxMessage.create({
      data: {
        communityId: community.communityId,
        kind: "TALLY",
        payload: { kind: "TALLY", contributionId: 1 },
        createdAt: new Date(Date.now() - 90_000),
      },
    });
    const server = await startHttpServer({ port: 0, host: "127.0.0.1", db: database.db });
    try {
      const lag = Number(/^cairn_outbox_lag_seconds (\S+)$/m.exec((await get(server, "/metrics")).body)?.[1]);
      expect(lag).toBeGreaterThanOrEqual(90);
      expect(lag).toBeLessThan(120);
    } finally {
      await server.close();
      await database.db.outboxMessage.deleteMany({ where: { communityId: community.communityId } });
    }
  });
});

describe("raw routes", () => {
  it("hand the request body unread to a plain Node handler, with or without a content type, and answer 405 to a GET", async () => {
    const echo = (request: IncomingMessage, response: ServerResponse): void => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        response.writeHead(200, { "content-type": "text/plain" });
        response.end(`${request.headers["content-type"] ?? "none"}|${Buffer.concat(chunks).toString()}`);
      });
    };
    const server = await startHttpServer({
      port: 0,
      host: "127.0.0.1",
      db: database.db,
      routes: [
        { path: "/hook", handle: echo },
        { path: "/broken", handle: () => Promise.reject(new Error("handler blew up")) },
      ],
    });
    try {
      const json = await fetch(`${server.url}/hook`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"update_id": 1}',
      });
      expect(await json.text()).toBe('application/json|{"update_id": 1}');
      const bare = await fetch(`${server.url}/hook`, { method: "POST", body: new Uint8Array([104, 105]) });
      expect(await bare.text()).toBe("none|hi");
      const text = await fetch(`${server.url}/hook`, { method: "POST", body: "not json {" });
      expect(await text.text()).toBe("text/plain;charset=UTF-8|not json {");
      const read = await fetch(`${server.url}/hook`);
      expect(read.status).toBe(405);
      expect(read.headers.get("allow")).toBe("POST");
      const broken = await fetch(`${server.url}/broken`, { method: "POST", body: "{}" });
      expect(broken.status).toBe(500);
      expect(await broken.text()).not.toContain("blew up");
      expect((await get(server, "/healthz")).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe("http server access", () => {
  /** This machine's first non-loopback IPv4 address: a client from it is not on loopback. */
  function outsideAddress(): string | undefined {
    return Object.values(networkInterfaces())
      .flat()
      .find((i) => i !== undefined && i.family === "IPv4" && !i.internal)?.address;
  }

  async function fetchFrom(
    host: string,
    port: string,
    path: string,
    headers: Record<string, string> = {},
  ): Promise<number> {
    return (await fetch(`http://${host}:${port}${path}`, { headers })).status;
  }

  it("a client off loopback cannot read /metrics or /readyz without a token, but reaches /healthz and the webhook", async () => {
    const outside = outsideAddress();
    if (outside === undefined) throw new Error("this test needs a non-loopback IPv4 address");
    const server = await startHttpServer({
      port: 0,
      db: database.db,
      routes: [{ path: "/hook", handle: (_request, response) => void response.writeHead(204).end() }],
    });
    const port = new URL(server.url).port;
    try {
      expect(await fetchFrom(outside, port, "/metrics")).toBe(403);
      expect(await fetchFrom(outside, port, "/readyz")).toBe(403);
      expect(await fetchFrom(outside, port, "/healthz")).toBe(200);
      expect((await fetch(`http://${outside}:${port}/hook`, { method: "POST" })).status).toBe(204);
      expect(await fetchFrom("127.0.0.1", port, "/metrics")).toBe(200);
      expect(await fetchFrom("127.0.0.1", port, "/readyz")).toBe(200);
    } finally {
      await server.close();
    }
  });

  it("with METRICS_TOKEN, /metrics and /readyz need the bearer token even from loopback", async () => {
    const outside = outsideAddress();
    if (outside === undefined) throw new Error("this test needs a non-loopback IPv4 address");
    const token = "metrics-token-0123456789";
    const server = await startHttpServer({ port: 0, db: database.db, metricsToken: token });
    const port = new URL(server.url).port;
    try {
      expect(await fetchFrom("127.0.0.1", port, "/metrics")).toBe(403);
      expect(await fetchFrom(outside, port, "/metrics", { authorization: "Bearer wrong-token" })).toBe(403);
      expect(await fetchFrom(outside, port, "/readyz", { authorization: `Bearer ${token}x` })).toBe(403);
      expect(await fetchFrom(outside, port, "/metrics", { authorization: `Bearer ${token}` })).toBe(200);
      expect(await fetchFrom(outside, port, "/readyz", { authorization: `Bearer ${token}` })).toBe(200);
      expect(await fetchFrom(outside, port, "/healthz")).toBe(200);
    } finally {
      await server.close();
    }
  });

  it("a client that never finishes its headers is cut off, and connections past the cap are closed", async () => {
    const server = await startHttpServer({
      port: 0,
      host: "127.0.0.1",
      db: database.db,
      headersTimeoutMs: 1000,
      maxConnections: 1,
    });
    const port = Number(new URL(server.url).port);
    try {
      const started = Date.now();
      const slow = connect(port, "127.0.0.1");
      const slowClosed = once(slow, "close");
      await once(slow, "connect");
      slow.write("GET /healthz HTTP/1.1\r\nHost: x\r\n");
      let answer = "";
      slow.on("data", (chunk: Buffer) => (answer += chunk.toString()));
      const extra = connect(port, "127.0.0.1");
      await once(extra, "close");
      expect(slow.destroyed).toBe(false);
      await slowClosed;
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect((await get(server, "/healthz")).status).toBe(200);
    } finally {
      await server.close();
    }
  }, 20_000);
});
