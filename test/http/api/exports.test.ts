// A large export over the API: queued on the worker's export queue (BullMQ on
// the real Redis), answered 202 with a status URL, built by a real worker, and
// downloaded from its file link by a token of the same community only.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildExport } from "../../../src/app/exports.ts";
import { appendLedgerEntries } from "../../../src/app/ledger.ts";
import { parseWindow } from "../../../src/core/periods.ts";
import type { HttpServer } from "../../../src/http/server.ts";
import { apiExportJobs } from "../../../src/jobs/exports.ts";
import { startWorkers, type JobRuntime } from "../../../src/jobs/runtime.ts";
import { valueOf } from "../../support/communities.ts";
import { useTestDatabase } from "../../support/db.ts";
import { cleanupNamespace, queueSettings, realClockDeps, waitFor } from "../../jobs/support.ts";
import { FakeClock, apiCommunity, call, startApi } from "./support.ts";

const database = useTestDatabase();
const clock = new FakeClock();
let settings: ReturnType<typeof queueSettings>;
let runtime: JobRuntime;
let server: HttpServer;
let exportDir: string;

beforeAll(async () => {
  settings = queueSettings("redis", database.url);
  exportDir = await mkdtemp(path.join(tmpdir(), "cairn-api-export-"));
  runtime = await startWorkers({
    ...settings,
    deps: realClockDeps(database),
    platforms: [],
    settings: { exportDir, cardEditDelayMs: 0 },
    dispatcherPollMs: 50,
  });
  // Two members with a balance are over this server's inline export, so every export here is a job.
  server = await startApi(database, clock, {
    rateLimit: { max: 1000, windowMs: 60_000 },
    exportJobs: apiExportJobs(runtime.queues),
    inlineExportMembers: 1,
  });
});
afterAll(async () => {
  await server.close();
  await runtime.close();
  await cleanupNamespace(settings);
  await rm(exportDir, { recursive: true, force: true });
});

async function communityWithBalances() {
  const community = await apiCommunity(database, clock);
  const names = ["alice", "bob", "carol"];
  const members = await Promise.all(names.map((name) => community.member(name)));
  await database.db.$transaction((tx) =>
    appendLedgerEntries(
      tx,
      community.communityId,
      members.map((m, i) => ({
        kind: "ADJUSTMENT" as const,
        memberId: m.memberId,
        points: 100 * (i + 1),
        contributionId: null,
        actorId: null,
        reason: "seed",
      })),
      new Date(),
    ),
  );
  return community;
}

async function untilSettled(location: string, token: string) {
  return waitFor(
    () => call(server, "GET", location.replace("/api/v1", ""), { token }),
    (answer) => answer.json["status"] === "done" || answer.json["status"] === "failed",
  );
}

describe("POST /exports of a large community", () => {
  it("answers 202 with a status URL; a worker builds the file /export makes, downloaded from the status's link", async () => {
    const community = await communityWithBalances();
    const token = await community.token("mod", ["export"]);
    const queued = await call(server, "POST", "/exports", { token, body: { format: "csv" } });
    expect(queued.status).toBe(202);
    const location = queued.headers.get("location") ?? "";
    expect(location).toMatch(/^\/api\/v1\/exports\/[\w-]+$/);
    expect(["queued", "running", "done"]).toContain(queued.json["status"]);

    const done = await untilSettled(location, token);
    expect(done.json).toMatchObject({ status: "done", progress: 100, format: "csv", refusal: null });
    expect(done.json["file"]).toBe(`${location}/file`);

    const file = await call(server, "GET", `${location.replace("/api/v1", "")}/file`, { token });
    expect(file.status).toBe(200);
    expect(file.type).toContain("text/csv");
    expect(file.headers.get("content-disposition")).toMatch(
      /^attachment; filename="export-\d+-[\w-]+\.csv"$/,
    );
    const mod = await community.member("mod", { moderator: true });
    const inline = valueOf(
      await buildExport(realClockDeps(database), {
        actor: mod,
        window: valueOf(parseWindow(undefined)),
        format: "csv",
      }),
    );
    expect(file.text).toBe(inline.content);
    expect(file.text.trim().split("\n")).toHaveLength(1 + 3);
  });

  it("a refusal met while building is the job's failed status with the chat's one-line text", async () => {
    const community = await communityWithBalances();
    const token = await community.token("mod", ["export"]);
    const queued = await call(server, "POST", "/exports", {
      token,
      body: { window: "month", budget: 1000, record: true },
    });
    expect(queued.status).toBe(202);
    const failed = await untilSettled(queued.headers.get("location") ?? "", token);
    expect(failed.json).toMatchObject({
      status: "failed",
      file: null,
      refusal: { code: "WINDOW_NOT_ENDED" },
    });
    const file = await call(server, "GET", `${String(queued.headers.get("location")).slice(7)}/file`, {
      token,
    });
    expect(file.status).toBe(409);
    expect(file.json["code"]).toBe("EXPORT_NOT_READY");
  });

  it("refuses before queueing what the chat refuses at once", async () => {
    const community = await communityWithBalances();
    const token = await community.token("mod", ["export"]);
    const bad = await call(server, "POST", "/exports", { token, body: { record: true } });
    expect(bad.status).toBe(422);
    expect(bad.json["code"]).toBe("BUDGET_REQUIRED");
    expect(await runtime.queues.exports.getJobCounts("waiting", "active")).toMatchObject({ waiting: 0 });
  });

  it("an export of another community, an unknown id, or a token without export scope is refused", async () => {
    const community = await communityWithBalances();
    const token = await community.token("mod", ["export"]);
    const queued = await call(server, "POST", "/exports", { token, body: {} });
    const statusPath = String(queued.headers.get("location")).replace("/api/v1", "");
    await untilSettled(`/api/v1${statusPath}`, token);

    const other = await communityWithBalances();
    const stranger = await other.token("mod", ["export", "read"]);
    for (const where of [statusPath, `${statusPath}/file`]) {
      const answer = await call(server, "GET", where, { token: stranger });
      expect(answer.status).toBe(404);
      expect(answer.json["code"]).toBe("UNKNOWN_EXPORT");
    }
    const unknown = await call(server, "GET", "/exports/999999999", { token });
    expect(unknown.status).toBe(404);
    expect(unknown.json["type"]).toMatch(/\/UNKNOWN_EXPORT$/);
    expect(unknown.json["detail"]).toBe(
      "There is no export 999999999 of this community (built exports are kept for a day).",
    );
    const reader = await community.token("alice", ["read"]);
    const noScope = await call(server, "GET", statusPath, { token: reader });
    expect(noScope.status).toBe(403);
  });
});
