// The real processes a fault scenario drives: `cairn bot`, `cairn worker` and
// `cairn start` as children (tsx src/cli.ts), and a redis-server of the
// scenario's own on a free port, so no other test on the machine is touched.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CLI = path.join(ROOT, "src", "cli.ts");

export type Role = "start" | "bot" | "worker";

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A running Cairn process: every line it wrote, when it is ready and when it exited. */
export class CairnProcess {
  readonly lines: string[] = [];
  readonly exited: Promise<Exit>;
  private readonly child: ChildProcess;
  private exit: Exit | null = null;

  constructor(
    readonly role: Role,
    env: Record<string, string>,
    readonly cwd: string = ROOT,
  ) {
    this.child = spawn(process.execPath, ["--import", "tsx", CLI, role], {
      cwd,
      env: {
        PATH: process.env["PATH"] ?? "",
        HOME: process.env["HOME"] ?? "/root",
        LOG_LEVEL: "info",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      let rest = "";
      stream?.on("data", (chunk: Buffer) => {
        const text = rest + chunk.toString();
        const parts = text.split("\n");
        rest = parts.pop() ?? "";
        this.lines.push(...parts.filter((line) => line.trim() !== ""));
      });
      stream?.on("end", () => {
        if (rest.trim() !== "") this.lines.push(rest);
      });
    }
    this.exited = new Promise((resolve) =>
      this.child.once("exit", (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      }),
    );
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.exit === null;
  }

  /** Resolves once the process logged that it runs; rejects when it exits first or takes too long. */
  async ready(timeoutMs = 60_000): Promise<void> {
    await this.waitForLine(/cairn (start|bot|worker) is running/, timeoutMs);
  }

  /** The first line matching `pattern`, waiting for it. */
  async waitForLine(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find((line) => pattern.test(line));
      if (found !== undefined) return found;
      if (!this.running)
        throw new Error(
          `${this.role} exited (${JSON.stringify(this.exit)}) before ${pattern}:\n${this.tail()}`,
        );
      if (Date.now() > until)
        throw new Error(`${this.role} did not log ${pattern} in ${timeoutMs} ms:\n${this.tail()}`);
      await sleep(50);
    }
  }

  tail(count = 15): string {
    return this.lines.slice(-count).join("\n");
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** SIGKILL and wait for the exit. */
  async killHard(): Promise<Exit> {
    this.kill("SIGKILL");
    return this.exited;
  }

  /** SIGTERM, and how long it took to exit (SIGKILL after `limitMs` more than that). */
  async terminate(limitMs = 20_000): Promise<{ exit: Exit; ms: number }> {
    const started = Date.now();
    this.kill("SIGTERM");
    const timer = setTimeout(() => this.kill("SIGKILL"), limitMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return { exit, ms: Date.now() - started };
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `read` until `done` holds, or throws after `timeoutMs` naming `what`. */
export async function until<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(value)})`);
    await sleep(everyMs);
  }
}

/** A redis-server of one scenario's own, on its own port, without persistence. */
export class RedisServer {
  private child: ChildProcess | null = null;
  private dir = "";

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.dir ||= await mkdtemp(path.join(tmpdir(), "cairn-faults-redis-"));
    this.child = spawn(
      "redis-server",
      [
        "--port",
        String(this.port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        this.dir,
      ],
      { stdio: "ignore" },
    );
    const probe = new Redis(this.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => 50,
    });
    probe.on("error", () => {
      // Refused until the server listens.
    });
    await until(
      "redis-server",
      () => probe.ping().catch(() => "down"),
      (answer) => answer === "PONG",
      10_000,
      50,
    );
    probe.disconnect();
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child === null || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }

  async flushAll(): Promise<void> {
    const client = new Redis(this.url, { maxRetriesPerRequest: 1 });
    await client.flushall();
    client.disconnect();
  }

  async dispose(): Promise<void> {
    await this.stop();
    if (this.dir !== "") await rm(this.dir, { recursive: true, force: true });
  }
}
