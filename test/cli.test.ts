// `cairn` as a person runs it: the CLI entry in a child process.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "./support/ports.ts";

interface Run {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

/** Runs `cairn ARGS` with `stdin` piped in and the environment given (nothing inherited that names a database). */
function cairn(args: readonly string[], env: Record<string, string>, stdin = ""): Promise<Run> {
  const { DATABASE_URL: _database, REDIS_URL: _redis, ...inherited } = process.env;
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ["--import", "tsx", "src/cli.ts", ...args],
      { env: { ...inherited, LOG_LEVEL: "warn", ...env }, timeout: 120_000, maxBuffer: 10_000_000 },
      (error, stdout, stderr) =>
        resolve({ stdout, stderr, code: error === null ? 0 : Number(error.code ?? 1) }),
    );
    child.stdin?.end(stdin);
  });
}

describe("cairn's flags", () => {
  it("refuses an unknown flag with one line and exit code 2, touching no database", async () => {
    const run = await cairn(["console", "--bogus"], { CAIRN_DATA_DIR: "/nonexistent/cairn" });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe("cairn: unknown option --bogus for cairn console; see cairn --help\n");
    expect(run.stdout).toBe("");
  }, 60_000);

  it("prints the usage for --help and exits 0", async () => {
    const run = await cairn(["--help"], {});
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: cairn /);
    expect(run.stdout).toContain("--help, -h");
    expect(run.stderr).toBe("");
  }, 60_000);
});

describe("cairn console < examples/demo.txt on the embedded PostgreSQL", () => {
  let dataDir: string;
  const runs: Run[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "cairn-cli-"));
    const demo = await readFile("examples/demo.txt", "utf8");
    const env = { CAIRN_DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()) };
    // The same folder each time: the first run initialises the cluster, the others reuse it.
    for (let run = 0; run < 3; run++) runs.push(await cairn(["console"], env, demo));
  }, 300_000);

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("answers the whole script each time", () => {
    for (const run of runs) {
      expect(run.code).toBe(0);
      expect(run.stdout).toContain("mod> /ledger verify");
      expect(run.stdout).toMatch(/✓ Hash chain intact/);
    }
  });

  it("stops without a terminated session or a stack trace on stderr", () => {
    for (const run of runs) {
      expect(run.stderr).not.toMatch(/57P01|administrator command|^\s+at .+:\d+:\d+\)?$/m);
      expect(run.stderr).toBe("");
    }
  });
});
