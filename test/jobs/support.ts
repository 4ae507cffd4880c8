// Backends, a fake platform and a job context for the job tests. Every test
// gets its own Redis prefix or PostgreSQL schema and removes it afterwards.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterEach, beforeEach } from "vitest";
import type { Platform } from "../../src/app/actors.ts";
import type { Deps } from "../../src/app/deps.ts";
import { openQueueBackend, type QueueBackend, type QueueBackendSettings } from "../../src/jobs/backend.ts";
import type { JobSettings } from "../../src/jobs/definition.ts";
import { startWorkers, type JobRuntime } from "../../src/jobs/runtime.ts";
import {
  PlatformError,
  targetKey,
  type ChatPlatform,
  type ChatTarget,
  type MessageRef,
  type PlatformFailure,
} from "../../src/ports/chatPlatform.ts";
import { renderPlainText } from "../../src/views/plainText.ts";
import type { View } from "../../src/views/view.ts";

export const REDIS_URL = process.env["TEST_REDIS_URL"] ?? "redis://127.0.0.1:6379";

export type BackendKind = "redis" | "postgres";
export const BACKENDS: readonly BackendKind[] = ["redis", "postgres"];

export function queueSettings(
  kind: BackendKind,
  databaseUrl: string,
  redisUrl = REDIS_URL,
): QueueBackendSettings {
  const id = randomUUID().replaceAll("-", "").slice(0, 12);
  return kind === "redis"
    ? { redisUrl, databaseUrl, namespace: `cairn-test-${id}` }
    : { redisUrl: undefined, databaseUrl };
}

/** Opens a backend and returns it with a cleanup that removes its namespace. */
export async function testBackend(
  kind: BackendKind,
  databaseUrl: string,
): Promise<{ backend: QueueBackend; settings: QueueBackendSettings; cleanup(): Promise<void> }> {
  const settings = queueSettings(kind, databaseUrl);
  const backend = await openQueueBackend(settings);
  return { backend, settings, cleanup: () => cleanupNamespace(settings) };
}

export async function cleanupNamespace(settings: QueueBackendSettings): Promise<void> {
  if (settings.redisUrl === undefined) return; // the test database, schema included, is dropped
  const redis = new Redis(settings.redisUrl);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${settings.namespace}:*`, "COUNT", 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

export interface PlatformCall {
  readonly op: "post" | "edit" | "delete";
  readonly at: number;
  readonly target: string;
  readonly text: string;
  readonly messageId: string;
  /** What was posted or edited (null for a delete), file included. */
  readonly view: View | null;
}

/** A platform that records every call and fails the ones a test scripts. */
export class FakePlatform implements ChatPlatform {
  readonly calls: PlatformCall[] = [];
  private readonly failures: PlatformFailure[] = [];
  private next = 1;
  constructor(
    readonly platform: Platform = "CONSOLE",
    readonly limits = {
      global: { capacity: 1000, perSecond: 1000 },
      perChat: { capacity: 1000, perSecond: 1000 },
    },
  ) {}

  /** The next calls fail with these, in order. */
  failNext(...failures: PlatformFailure[]): void {
    this.failures.push(...failures);
  }

  private call(op: PlatformCall["op"], target: ChatTarget, view: View | null, messageId: string): void {
    const failure = this.failures.shift();
    const entry = {
      op,
      at: Date.now(),
      target: targetKey(target),
      text: view === null ? "" : renderPlainText(view),
      messageId,
      view,
    };
    this.calls.push(entry);
    if (failure !== undefined) throw new PlatformError(this.platform, failure);
  }

  async post(target: ChatTarget, view: View): Promise<MessageRef> {
    const messageId = String(this.next++);
    this.call("post", target, view, messageId);
    return { messageId };
  }
  async edit(target: ChatTarget, ref: MessageRef, view: View): Promise<void> {
    this.call("edit", target, view, ref.messageId);
  }
  async delete(target: ChatTarget, ref: MessageRef): Promise<void> {
    this.call("delete", target, null, ref.messageId);
  }
  get succeeded(): PlatformCall[] {
    return this.calls;
  }
}

export async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 15_000,
  stepMs = 20,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > until)
      throw new Error(
        `timed out waiting; last value ${JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}`,
      );
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}

export function realClockDeps(database: Pick<Deps, "db" | "store">): Deps {
  return { db: database.db, store: database.store, clock: { now: () => new Date() } };
}

/** Each test's queues on one backend: a fresh namespace, and workers started on it by `start`. */
export interface TestJobRuntime {
  /** This test's queue settings (a namespace of its own). */
  readonly settings: QueueBackendSettings;
  /**
   * Starts Cairn's workers on this test's queues, sending to `platforms`, on the
   * real clock, with no card-edit delay and a 50 ms dispatcher poll.
   */
  start(platforms: readonly ChatPlatform[], settings?: Partial<JobSettings>): Promise<JobRuntime>;
}

/**
 * Registers, in the calling describe block, a namespace per test on `kind` and
 * the clean-up after it: the runtime started is closed, the namespace removed.
 */
export function useJobRuntime(
  kind: BackendKind,
  database: { readonly url: string; readonly db: Deps["db"]; readonly store: Deps["store"] },
): TestJobRuntime {
  let settings: QueueBackendSettings | null = null;
  const running: JobRuntime[] = [];
  const current = (): QueueBackendSettings => {
    if (settings === null) throw new Error("useJobRuntime: read inside a test");
    return settings;
  };
  beforeEach(() => {
    settings = queueSettings(kind, database.url);
  });
  afterEach(async () => {
    for (const runtime of running.splice(0)) await runtime.close();
    await cleanupNamespace(current());
    settings = null;
  });
  return {
    get settings() {
      return current();
    },
    async start(platforms, jobSettings = {}) {
      const runtime = await startWorkers({
        ...current(),
        deps: realClockDeps(database),
        platforms,
        settings: { cardEditDelayMs: 0, ...jobSettings },
        dispatcherPollMs: 50,
      });
      running.push(runtime);
      return runtime;
    },
  };
}

/**
 * A redis-server of a test file's own on `port` (no persistence, a temporary
 * folder), for tests that stop or flush Redis without touching anyone else's keys.
 */
export class OwnRedisServer {
  readonly url: string;
  private child: ChildProcess | null = null;
  private dir: string | null = null;

  constructor(private readonly port: number) {
    this.url = `redis://127.0.0.1:${port}`;
  }

  /** Starts the server (again, after stop) and waits until it answers PING. */
  async start(): Promise<void> {
    this.dir ??= await mkdtemp(path.join(tmpdir(), "cairn-redis-"));
    const args = ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
    this.child = spawn("redis-server", [...args, "--dir", this.dir], { stdio: "ignore" });
    const probe = new Redis(this.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => 50,
    });
    probe.on("error", () => {
      // Refused until the server listens.
    });
    await waitFor(
      () => probe.ping().catch(() => "down"),
      (answer) => answer === "PONG",
      10_000,
      50,
    );
    probe.disconnect();
  }

  /** Kills the server (SIGKILL: its keys are gone) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child === null || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }

  /** Stops the server and removes its folder. */
  async close(): Promise<void> {
    await this.stop();
    if (this.dir !== null) await rm(this.dir, { recursive: true, force: true });
    this.dir = null;
  }
}
