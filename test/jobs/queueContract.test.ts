// One contract for BullMQ as Cairn uses it, run on both backends: what the
// deadlines, deliveries and schedules rely on must hold on Redis and on PostgreSQL.
import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { QueueBackend } from "../../src/jobs/backend.ts";
import { useTestDatabase } from "../support/db.ts";
import { BACKENDS, testBackend, waitFor } from "./support.ts";

const database = useTestDatabase();

describe.each(BACKENDS)("BullMQ on %s", (kind) => {
  let backend: QueueBackend;
  let settings: Awaited<ReturnType<typeof testBackend>>["settings"];
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ backend, settings, cleanup } = await testBackend(kind, database.url));
  });
  afterAll(async () => {
    await backend.close();
    await cleanup();
  });

  it("fires a delayed job once, after its delay, and ignores a second add with the same job id", async () => {
    const queue = backend.queue("contract-delay");
    const fired: number[] = [];
    const start = Date.now();
    const worker = backend.worker("contract-delay", async () => void fired.push(Date.now() - start), {
      concurrency: 4,
    });
    await queue.add("deadline", {}, { jobId: "deadline-1", delay: 500 });
    await queue.add("deadline", {}, { jobId: "deadline-1", delay: 500 });
    await waitFor(
      async () => fired.length,
      (n) => n >= 1,
    );
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(fired).toHaveLength(1);
    expect(fired[0]).toBeGreaterThanOrEqual(480);
    await worker.close();
    await queue.close();
  });

  it("retries a failing job with exponential backoff", async () => {
    const queue = backend.queue("contract-retry");
    const attempts: number[] = [];
    const worker = backend.worker(
      "contract-retry",
      async () => {
        attempts.push(Date.now());
        if (attempts.length < 3) throw new Error("transient");
      },
      { concurrency: 1 },
    );
    await queue.add("flaky", {}, { attempts: 3, backoff: { type: "exponential", delay: 200 } });
    await waitFor(
      async () => attempts.length,
      (n) => n >= 3,
    );
    const [a = 0, b = 0, c = 0] = attempts;
    expect(b - a).toBeGreaterThanOrEqual(190);
    expect(c - b).toBeGreaterThanOrEqual(390);
    await worker.close();
    await queue.close();
  });

  it("plans a cron scheduler in its time zone and fires it", async () => {
    const queue = backend.queue("contract-cron");
    await queue.upsertJobScheduler(
      "digest-tokyo",
      { pattern: "0 9 * * *", tz: "Asia/Tokyo" },
      { name: "digest", data: {} },
    );
    const scheduler = await queue.getJobScheduler("digest-tokyo");
    const next = new Date(scheduler?.next ?? 0);
    // 09:00 in Tokyo is 00:00 UTC.
    expect(next.getUTCHours()).toBe(0);
    expect(next.getUTCMinutes()).toBe(0);
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(86_400_000);
    const fired: number[] = [];
    const worker = backend.worker("contract-cron", async () => void fired.push(Date.now()), {
      concurrency: 1,
    });
    await queue.upsertJobScheduler(
      "every-second",
      { pattern: "* * * * * *", tz: "America/New_York" },
      { name: "tick", data: {} },
    );
    await waitFor(
      async () => fired.length,
      (n) => n >= 2,
      5000,
    );
    await queue.removeJobScheduler("every-second");
    expect((await queue.getJobSchedulers()).map((s) => s.key)).toEqual(["digest-tokyo"]);
    await worker.close();
    await queue.close();
  });

  it("runs a job again on another worker after the worker running it is killed with SIGKILL", async () => {
    const queue = backend.queue("contract-stall");
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(import.meta.dirname, "fixtures", "hangingWorker.ts")],
      {
        env: { ...process.env, QUEUE_SETTINGS: JSON.stringify(settings), QUEUE_NAME: "contract-stall" },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    const started = new Promise<void>((resolve) =>
      child.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("started") && resolve()),
    );
    await queue.add("work", { n: 1 }, { jobId: "stall-1" });
    await started;
    child.kill("SIGKILL");
    const ran: string[] = [];
    const worker = backend.worker("contract-stall", async (job) => void ran.push(job.id ?? ""), {
      concurrency: 1,
      lockDuration: 1000,
      stalledInterval: 500,
    });
    await waitFor(
      async () => ran.length,
      (n) => n >= 1,
      15_000,
    );
    expect(ran).toEqual(["stall-1"]);
    await worker.close();
    await queue.close();
  });

  it("shares token buckets and leases between processes through the backend", async () => {
    const c = backend.coordination;
    const bucket = { key: `test-${kind}`, capacity: 2, perSecond: 1 };
    expect(await c.take([bucket])).toBe(0);
    expect(await c.take([bucket])).toBe(0);
    const wait = await c.take([bucket]);
    expect(wait).toBeGreaterThan(800);
    expect(wait).toBeLessThanOrEqual(1000);
    await c.block("blocked", 700);
    const blocked = await c.take([{ key: "blocked", capacity: 5, perSecond: 5 }]);
    expect(blocked).toBeGreaterThan(600);
    expect(blocked).toBeLessThanOrEqual(700);
    expect(await c.lease("card:1", "a", 1000)).toBe(true);
    expect(await c.lease("card:1", "b", 1000)).toBe(false);
    await c.release("card:1", "b");
    expect(await c.lease("card:1", "b", 1000)).toBe(false);
    await c.release("card:1", "a");
    expect(await c.lease("card:1", "b", 1000)).toBe(true);
  });
});
