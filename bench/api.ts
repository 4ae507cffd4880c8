// `npm run bench api [-- --quick]`: contributions logged per second over HTTP
// (POST /api/v1/contributions with a bearer token, through fastify, the token
// check, the route's zod schema, logContribution and the audit entry) at 8 and
// 32 concurrent clients, beside pgbench and the in-process logContribution
// figure of the same run. Target: the API at least 0.8 × in-process.
//
// The server runs in this process with its own pool and caches, as `cairn
// start` runs it; the clients are keep-alive HTTP connections from a child
// process (bench/apiClients.ts), so their CPU is not counted against the API,
// as a client on another machine's would not be. The in-process figure's
// callers share its process, as the use case's callers in a server do.
import { spawn } from "node:child_process";
import os from "node:os";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { systemClock } from "../src/app/deps.ts";
import { createCaches } from "../src/caches.ts";
import { createToken } from "../src/app/tokens.ts";
import { openConnections } from "../src/db/client.ts";
import { apiPlugin } from "../src/http/api/plugin.ts";
import { startHttpServer } from "../src/http/server.ts";
import { silentLog } from "../src/logger.ts";
import { initPgbench, PGBENCH_DATABASE, runPgbench } from "./pgbench.ts";
import { databaseUrl, freshMigratedDatabase, log, quietServer, round } from "./support.ts";
import type { ClientPlan } from "./apiClients.ts";
import { benchLogs, setUpWriteBench, submittersNeeded, type ThroughputResult } from "./throughput.ts";

const CONCURRENCY = [8, 32] as const;
const TARGET_RATIO = 0.8;

interface Row {
  readonly figure: string;
  readonly value: string;
  readonly target: string;
  readonly pass: boolean | null;
}

export async function runApiBench(argv: readonly string[]): Promise<void> {
  const quick = argv.includes("--quick");
  const seconds = quick ? 3 : 10;
  const warmup = quick ? 1 : 2;
  // A database of its own, so a full bench run at the same time does not drop it mid-phase.
  const url = await freshMigratedDatabase(process.env["BENCH_DATABASE"] ?? "cairn_bench_api", log);
  // Disjoint submitters, enough to meet no daily limit: in-process at 8 and 32, then HTTP at 8 and 32
  // (one token each: fewer than a community's most tokens), and the warm-up's.
  const perPhase = Math.max(...CONCURRENCY.map(submittersNeeded));
  const setup = await setUpWriteBench(url, 0, 5 * perPhase, 0);
  await initPgbench(10);
  // Untimed: the first phase would otherwise meet empty tables, cold plans and a cold process
  // alone (it measured 945–1,369 tx/s at 8 callers where the main bench's logs phase makes ~2,000).
  const warmers = setup.submitters.slice(4 * perPhase, 4 * perPhase + submittersNeeded(CONCURRENCY[0]));
  await benchLogs(url, warmers, CONCURRENCY[0], seconds, 0, "warm-up");
  const rows: Row[] = [];
  const results: Record<string, unknown>[] = [];
  for (const [i, callers] of CONCURRENCY.entries()) {
    await quietServer(databaseUrl(PGBENCH_DATABASE));
    const loadAverage = round(os.loadavg()[0] ?? 0, 2);
    const tps = round(await runPgbench(callers, seconds));
    rows.push({
      figure: `pgbench tpcb @${callers}`,
      value: `${tps} tx/s (load ${loadAverage})`,
      target: "",
      pass: null,
    });

    const phaseSubmitters = (phase: number) =>
      setup.submitters.slice(phase * perPhase, phase * perPhase + submittersNeeded(callers));
    await quietServer(url);
    const inProcess = await benchLogs(url, phaseSubmitters(i), callers, seconds, warmup, `p${callers}`);
    rows.push({
      figure: `logContribution in process @${callers}`,
      value: value(inProcess),
      target: "",
      pass: null,
    });

    await quietServer(url);
    const overHttp = await benchApiLogs(url, phaseSubmitters(2 + i), callers, seconds, warmup, `h${callers}`);
    rows.push({
      figure: `POST /api/v1/contributions @${callers}`,
      value: value(overHttp),
      target: "",
      pass: null,
    });
    const ratio = round(overHttp.tps / inProcess.tps, 3);
    rows.push({
      figure: `  API / in process @${callers}`,
      value: String(ratio),
      target: `>= ${TARGET_RATIO}`,
      pass: ratio >= TARGET_RATIO,
    });
    results.push({ callers, pgbenchTps: tps, inProcess, overHttp, ratio });
  }
  const table = formatRows(rows);
  const benchDir = path.dirname(fileURLToPath(import.meta.url));
  await writeFile(
    path.join(benchDir, "results-api.json"),
    `${JSON.stringify({ at: new Date().toISOString(), quick, seconds, cpus: os.cpus().length, results }, null, 2)}\n`,
  );
  process.stdout.write(
    `\nCairn bench api (${quick ? "quick" : "full"}), ${os.cpus().length} CPUs\n\n${table}\n\n`,
  );
  process.stdout.write(
    `load average ${round(os.loadavg()[0] ?? 0, 2)} at end; written to bench/results-api.json\n`,
  );
}

/** An HTTP phase's figures, with the clients' own CPU per request (their process shares the machine's cores). */
type HttpResult = ThroughputResult & { readonly clientCpuMsPerRequest: number };

const value = (r: ThroughputResult | HttpResult): string =>
  `${r.tps} tx/s, p99 ${r.latencyP99Ms} ms, p50 ${r.latencyP50Ms} ms, CPU ${r.nodeCpuMsPerTx} ms/tx` +
  ("clientCpuMsPerRequest" in r ? ` (+ clients ${r.clientCpuMsPerRequest})` : "") +
  ` (load ${r.loadAverage})${r.errors + r.refusals > 0 ? `, ${r.refusals} refused, ${r.errors} errors` : ""}`;

/** The same contributions as benchLogs logs, each one a POST from a keep-alive client with its submitter's token. */
async function benchApiLogs(
  url: string,
  submitters: readonly { communityId: number; memberId: number; spaceId: number | null }[],
  callers: number,
  seconds: number,
  warmupSeconds: number,
  runTag: string,
): Promise<HttpResult> {
  const connections = openConnections(url, { poolSize: callers });
  // The server's deps as `cairn start` makes them (src/serve.ts), caches included.
  const deps = { db: connections.db, store: connections.store, clock: systemClock, caches: createCaches() };
  const tokens: string[] = [];
  for (const [i, submitter] of submitters.entries()) {
    const made = await createToken(
      deps,
      { ...submitter, isModerator: true },
      { name: `bench-${runTag}-${i}`, scopes: ["contribute"] },
    );
    if (!made.ok) throw new Error(`createToken refused: ${made.error.code}`);
    tokens.push(made.value.token);
  }
  const server = await startHttpServer({
    port: 0,
    host: "127.0.0.1",
    db: deps.db,
    maxConnections: callers + 16,
    tokenRateLimit: { max: 1_000_000, windowMs: 60_000 },
    plugins: [apiPlugin({ deps, log: silentLog })],
  });
  log(`POST /api/v1/contributions: ${callers} clients, ${seconds} s (+${warmupSeconds} s warm-up)`);
  try {
    const cpuAtStart = process.cpuUsage();
    const plan: ClientPlan = { url: server.url, callers, tokens, seconds, warmupSeconds, runTag };
    const result = await runClients(plan);
    const cpu = process.cpuUsage(cpuAtStart);
    // The server's own CPU per contribution, over the warm-up too (requests then were answered as well).
    const answered = result.transactions * ((seconds + warmupSeconds) / seconds);
    return {
      callers,
      ...result,
      nodeCpuMsPerTx: round((cpu.user + cpu.system) / 1000 / Math.max(1, answered), 2),
    };
  } finally {
    await server.close();
    await connections.close();
  }
}

/** The clients in a child process (bench/apiClients.ts), so their CPU is not counted against the server. */
async function runClients(plan: ClientPlan): Promise<Omit<HttpResult, "callers">> {
  const benchDir = path.dirname(fileURLToPath(import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", path.join(benchDir, "apiClients.ts")], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stdin.end(JSON.stringify(plan));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", resolve);
  });
  if (code !== 0) throw new Error(`the API bench's clients exited with ${String(code)}`);
  return JSON.parse(output.trim().split("\n").at(-1) ?? "{}") as Omit<HttpResult, "callers">;
}

function formatRows(rows: readonly Row[]): string {
  const cells = rows.map((r) => [
    r.figure,
    r.value,
    r.target,
    r.pass === null ? "-" : r.pass ? "PASS" : "FAIL",
  ]);
  const header = ["figure", "value", "target", "result"];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? "").length)));
  const line = (c: readonly string[]): string => c.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}
