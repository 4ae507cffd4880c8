// `npm run bench [-- --quick] [-- --reads] [-- --phase votes,logs,decide,verify] [-- --entries N]`: Cairn's performance figures on this machine.
// `npm run bench jobs`: only the job system's figures (bench/jobs.ts).
// `npm run bench pictures`: leaderboard picture drawing time and memory (bench/pictures.ts).
// `npm run bench api [-- --quick]`: contributions logged over HTTP against in process and pgbench (bench/api.ts).
// `npm run bench web`: a public board page of the 100k-member community (bench/web.ts).
//
// Against the PostgreSQL at 127.0.0.1:5432 (BENCH_DATABASE_URL overrides) it
// recreates `cairn_bench` (migrated with src/db/migrate.ts) and `cairn_pgbench`,
// then measures the write paths against pgbench, seeds a large community, and
// times leaderboards and ledger verification. Prints a table; writes bench/results.json.
//
// `--phase` runs only the named write phases (votes, logs, decide) with their pgbench
// baselines, and no seeding or reads: minutes less when only a write path is worked on.
// Phase `verify` seeds a community with `--entries N` ledger entries (default 100,000
// quick, 1,000,000 full; a tenth as many members) and times only `/ledger verify` on it;
// with `--reads` it reuses the community a previous `--phase verify` run seeded.
//
// `--reads` reuses the community a previous run seeded in `cairn_bench` (of the
// same size; pending migrations are applied) and times only the reads: minutes
// less than a full run, and a table without the write figures.
import { writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { systemClock } from "../src/app/deps.ts";
import { openConnections } from "../src/db/client.ts";
import { initPgbench, PGBENCH_DATABASE, runPgbench } from "./pgbench.ts";
import { showLeaderboard } from "../src/app/leaderboard.ts";
import { BOARDS, benchLeaderboard, benchVerify, type LatencyResult, type VerifyResult } from "./reads.ts";
import { seedLargeCommunity, type SeededCommunity } from "./seed.ts";
import { databaseUrl, freshMigratedDatabase, log, quietServer, round, serverUrl } from "./support.ts";
import { migrate } from "../src/db/migrate.ts";
import {
  DECISIONS,
  benchLogs,
  benchVotes,
  decisionsChat,
  lanesOf,
  setUpWriteBench,
  submittersNeeded,
  type ThroughputResult,
  type VoteLane,
} from "./throughput.ts";
import { runJobsBench } from "./jobs.ts";
import { runPicturesBench } from "./pictures.ts";
import { runApiBench } from "./api.ts";
import { runWebBench } from "./web.ts";

// BENCH_DATABASE / BENCH_PGBENCH_DATABASE rename the two databases, so benches run side by side on one server.
const BENCH_DATABASE = process.env["BENCH_DATABASE"] ?? "cairn_bench";
const CONCURRENCY = [8, 32] as const;

interface Plan {
  readonly quick: boolean;
  /** Reuse the seeded community of a previous run; reads only. */
  readonly readsOnly: boolean;
  readonly phaseSeconds: number;
  readonly warmupSeconds: number;
  readonly members: number;
  readonly entries: number;
  readonly days: number;
  readonly leaderboardCalls: number;
  readonly leaderboardLimit: number;
  readonly pendingContributions: number;
  readonly pgbenchScale: number;
  /** Write phases to run; all of them unless `--phase` names some. */
  readonly phases: ReadonlySet<Phase>;
  /** Only the named write phases: no seeding, no reads. */
  readonly writesOnly: boolean;
}

const PHASES = ["votes", "logs", "decide", "verify"] as const;
const WRITE_PHASES: readonly Phase[] = ["votes", "logs", "decide"];
type Phase = (typeof PHASES)[number];

function isPhase(name: string): name is Phase {
  return (PHASES as readonly string[]).includes(name);
}

/** The phases `--phase a,b` (or `--phase=a,b`, repeatable) names; null when the flag is absent. */
function readPhases(argv: readonly string[]): { phases: Phase[] | null; rest: string[] } {
  const rest: string[] = [];
  let phases: Phase[] | null = null;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? "";
    const value = arg === "--phase" ? argv[++i] : arg.startsWith("--phase=") ? arg.slice(8) : undefined;
    if (value === undefined) {
      rest.push(arg);
      continue;
    }
    for (const name of value.split(",")) {
      if (!isPhase(name)) {
        process.stderr.write(`unknown phase: ${name} (phases: ${PHASES.join(", ")})\n`);
        process.exit(2);
      }
      (phases ??= []).push(name);
    }
  }
  return { phases, rest };
}

/** `--entries N` (or `--entries=N`): the ledger size the seeded community gets; null when absent. */
function readEntries(argv: readonly string[]): { entries: number | null; rest: string[] } {
  const rest: string[] = [];
  let entries: number | null = null;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? "";
    const value = arg === "--entries" ? argv[++i] : arg.startsWith("--entries=") ? arg.slice(10) : undefined;
    if (value === undefined) {
      rest.push(arg);
      continue;
    }
    entries = Number(value.replaceAll("_", ""));
    if (!Number.isInteger(entries) || entries < 1 || entries > 20_000_000) {
      process.stderr.write(`--entries takes a whole number from 1 to 20000000, got ${value}\n`);
      process.exit(2);
    }
  }
  return { entries, rest };
}

function readPlan(args: readonly string[]): Plan {
  const { phases, rest: afterPhases } = readPhases(args);
  const { entries, rest: argv } = readEntries(afterPhases);
  const unknown = argv.filter((arg) => arg !== "--quick" && arg !== "--reads");
  if (unknown.length > 0) {
    process.stderr.write(
      `usage: npm run bench [-- --quick] [-- --reads] [-- --phase votes,logs,decide,verify] [-- --entries N] | npm run bench jobs | npm run bench pictures | npm run bench web | npm run bench api [-- --quick]\nunknown argument: ${unknown.join(" ")}\n`,
    );
    process.exit(2);
  }
  const quick = argv.includes("--quick");
  return {
    quick,
    readsOnly: argv.includes("--reads"),
    phaseSeconds: quick ? 3 : 10,
    warmupSeconds: quick ? 1 : 2,
    members: entries === null ? (quick ? 10_000 : 100_000) : Math.max(100, Math.round(entries / 10)),
    entries: entries ?? (quick ? 100_000 : 1_000_000),
    days: 90,
    leaderboardCalls: quick ? 100 : 300,
    leaderboardLimit: 10,
    pendingContributions: quick ? 2_000 : 8_000,
    pgbenchScale: 10,
    phases: new Set(phases ?? PHASES),
    writesOnly: phases !== null,
  };
}

interface Check {
  readonly name: string;
  readonly value: string;
  readonly target: string;
  readonly pass: boolean | null;
}

async function serverFacts(): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const facts: Record<string, string> = {};
    for (const setting of [
      "server_version",
      "max_connections",
      "shared_buffers",
      "synchronous_commit",
      "fsync",
    ]) {
      const row = await client.query<Record<string, string>>(`SHOW ${setting}`);
      facts[setting] = row.rows[0]?.[setting] ?? "?";
    }
    return facts;
  } finally {
    await client.end();
  }
}

function formatTable(checks: readonly Check[]): string {
  const header = ["figure", "value", "target", "result"];
  const rows = checks.map((c) => [
    c.name,
    c.value,
    c.target,
    c.pass === null ? "-" : c.pass ? "PASS" : "FAIL",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === 1 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const benchDir = path.dirname(fileURLToPath(import.meta.url));
  process.chdir(path.dirname(benchDir)); // migrate() reads prisma/migrations from the working directory
  if (argv[0] === "jobs" && argv.length === 1) return runJobsBench();
  if (argv[0] === "pictures" && argv.length === 1) return runPicturesBench();
  if (argv[0] === "api") return runApiBench(argv.slice(1));
  if (argv[0] === "web" && argv.length === 1) return runWebBench();
  const plan = readPlan(argv);
  const started = performance.now();
  const facts = await serverFacts();
  const loadAtStart = round(os.loadavg()[0] ?? 0, 2);
  log(
    `PostgreSQL ${facts["server_version"]} at ${new URL(serverUrl).host}; ${os.cpus().length} CPUs; ${plan.quick ? "quick" : "full"} run`,
  );

  const url = plan.readsOnly ? databaseUrl(BENCH_DATABASE) : await freshBenchDatabase();
  const anyWrites = WRITE_PHASES.some((phase) => plan.phases.has(phase));
  const writes = plan.readsOnly || !anyWrites ? null : await runWrites(url, plan);
  const reads = plan.writesOnly ? null : await runReads(url, plan);
  const verified = plan.writesOnly && plan.phases.has("verify") ? await runVerify(url, plan) : null;
  const votes = writes?.votes ?? [];
  const logs = writes?.logs ?? [];
  const cpus = os.cpus().length;
  const loadAtEnd = round(os.loadavg()[0] ?? 0, 2);
  const checks: Check[] = [
    ...(writes === null ? [] : writeChecks(writes)),
    ...(reads === null ? [] : readChecks(reads)),
    ...(verified === null ? [] : verifyChecks(verified)),
    loadCheck("load average at start", loadAtStart, cpus),
    loadCheck("load average at end", loadAtEnd, cpus),
  ];
  const seeded = reads?.seeded ?? null;
  const verify = reads?.verify ?? verified;

  const errors = [...votes, ...logs, ...(writes?.decidingOne ?? []), writes?.decidingSpread ?? null].filter(
    (r): r is ThroughputResult => r !== null && (r.errors > 0 || r.refusals > 0),
  );
  const report = {
    at: new Date().toISOString(),
    quick: plan.quick,
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? "?",
      memoryGiB: round(os.totalmem() / 2 ** 30, 1),
      node: process.version,
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: loadAtEnd,
      postgres: facts,
    },
    plan,
    writes: {
      castVote: votes,
      castVoteDeciding: writes?.decidingOne ?? [],
      castVoteDecidingSpread: writes?.decidingSpread ?? null,
      logContribution: logs,
    },
    pgbench: (writes?.pgbench ?? []).map((p) => ({
      ...p,
      scale: plan.pgbenchScale,
      seconds: plan.phaseSeconds,
      mode: "prepared",
      threads: 2,
    })),
    seed:
      seeded === null
        ? null
        : {
            members: seeded.memberIds.length,
            contributions: seeded.contributions,
            entries: seeded.entries,
            balances: seeded.balances,
            periodBalances: seeded.periodBalances,
            seconds: round(seeded.seconds, 1),
          },
    leaderboard: reads?.boards ?? [],
    verify,
    checks,
    totalSeconds: round((performance.now() - started) / 1000, 1),
  };
  await writeFile(path.join(benchDir, "results.json"), `${JSON.stringify(report, null, 2)}\n`);

  process.stdout.write(
    `\nCairn bench (${plan.quick ? "quick" : "full"}${plan.readsOnly ? ", reads on the seeded community" : ""}${plan.writesOnly ? `, phases ${[...plan.phases].join(", ")}` : ""}), ${report.machine.cpus} CPUs, PostgreSQL ${facts["server_version"]}\n\n`,
  );
  process.stdout.write(`${formatTable(checks)}\n\n`);
  for (const r of errors) {
    process.stdout.write(
      `note: @${r.callers}: ${r.refusals} refusals, ${r.errors} errors${r.firstProblem === null ? "" : ` (${r.firstProblem})`}\n`,
    );
  }
  process.stdout.write(
    `load average ${report.machine.loadAverageAtStart} at start, ${report.machine.loadAverageAtEnd} at end (other work on this machine skews every figure)\n`,
  );
  process.stdout.write(`written to bench/results.json in ${report.totalSeconds} s\n`);
}

async function freshBenchDatabase(): Promise<string> {
  log(`recreating ${BENCH_DATABASE}`);
  return freshMigratedDatabase(BENCH_DATABASE, log);
}

interface WriteFigures {
  readonly votes: ThroughputResult[];
  readonly logs: ThroughputResult[];
  /** Deciding votes in one community (one hash chain), at 8 and at 32 callers. */
  readonly decidingOne: ThroughputResult[];
  /** Deciding votes, 8 callers each in a community of its own. */
  readonly decidingSpread: ThroughputResult | null;
  readonly pgbench: Array<{ clients: number; tps: number; loadAverage: number }>;
}

/** The write paths through the use cases, each phase next to pgbench's baseline at its concurrency. */
async function runWrites(url: string, plan: Plan): Promise<WriteFigures> {
  const maxCallers = Math.max(...CONCURRENCY);
  const submittersPerLevel = CONCURRENCY.map(submittersNeeded);
  const setup = await setUpWriteBench(
    url,
    2 * maxCallers,
    submittersPerLevel.reduce((a, b) => a + b, 0),
    plan.pendingContributions,
  );
  await initPgbench(plan.pgbenchScale);
  const figures: WriteFigures = { votes: [], logs: [], decidingOne: [], decidingSpread: null, pgbench: [] };
  const levels = plan.phases.has("votes") || plan.phases.has("logs") ? CONCURRENCY : ([8] as const);
  // pgbench right before the vote phase of the same concurrency, so both see the same machine load.
  for (const [i, callers] of levels.entries()) {
    await quietServer(databaseUrl(PGBENCH_DATABASE));
    const loadAverage = round(os.loadavg()[0] ?? 0, 2);
    figures.pgbench.push({
      clients: callers,
      tps: round(await runPgbench(callers, plan.phaseSeconds)),
      loadAverage,
    });
    log(`  ${figures.pgbench.at(-1)?.tps} tps`);
    if (!plan.phases.has("votes")) continue;
    const voters = setup.voters.slice(i * maxCallers, i * maxCallers + callers);
    await quietServer(url);
    figures.votes.push(await benchVotes(url, lanesOf(setup, voters), plan.phaseSeconds, plan.warmupSeconds));
    log(`  ${figures.votes.at(-1)?.tps} tps, ${figures.votes.at(-1)?.nodeCpuMsPerTx} ms Node CPU per vote`);
  }
  if (plan.phases.has("logs")) {
    for (const [i, callers] of CONCURRENCY.entries()) {
      const first = submittersPerLevel.slice(0, i).reduce((a, b) => a + b, 0);
      const submitters = setup.submitters.slice(first, first + submittersNeeded(callers));
      await quietServer(url);
      figures.logs.push(
        await benchLogs(url, submitters, callers, plan.phaseSeconds, plan.warmupSeconds, `c${callers}`),
      );
      log(
        `  ${figures.logs.at(-1)?.tps} tps, ${figures.logs.at(-1)?.nodeCpuMsPerTx} ms Node CPU per contribution`,
      );
    }
  }
  if (!plan.phases.has("decide")) return figures;
  // Votes that decide (quorum 1): the full path, with the award's ledger append.
  // Every caller walks a lane of its own; a lane long enough that it never reaches the next one's decided rows.
  const one = await setUpWriteBench(url, maxCallers, 0, plan.pendingContributions * 8, DECISIONS);
  const decidingOne: ThroughputResult[] = [];
  const half = Math.floor(one.pendingNumbers.length / CONCURRENCY.length);
  for (const [i, callers] of CONCURRENCY.entries()) {
    await quietServer(url);
    // Each run votes on pending contributions of its own, so none meets one the run before decided.
    const pendingNumbers = one.pendingNumbers.slice(i * half, (i + 1) * half);
    const lanes = lanesOf({ ...one, pendingNumbers }, one.voters.slice(0, callers));
    const result = await benchVotes(url, lanes, plan.phaseSeconds, plan.warmupSeconds, true);
    decidingOne.push(result);
    log(`  ${result.tps} tps, ${result.nodeCpuMsPerTx} ms Node CPU per deciding vote (one community)`);
  }
  const spread: VoteLane[] = [];
  // A lane per community, long enough for one caller at the machine's full speed (a quiet
  // machine decided 545 per lane in a quick run, past a quarter of pendingContributions).
  for (let i = 0; i < 8; i += 1) {
    const own = await setUpWriteBench(url, 1, 0, plan.pendingContributions, decisionsChat(i));
    spread.push(...lanesOf(own, own.voters));
  }
  await quietServer(url);
  const decidingSpread = await benchVotes(url, spread, plan.phaseSeconds, plan.warmupSeconds, true);
  log(
    `  ${decidingSpread.tps} tps, ${decidingSpread.nodeCpuMsPerTx} ms Node CPU per deciding vote (8 communities)`,
  );
  return { ...figures, decidingOne, decidingSpread };
}

interface ReadFigures {
  readonly seeded: SeededCommunity;
  readonly boards: LatencyResult[];
  readonly verify: VerifyResult;
}

/** Seeds the large community (or reuses it with --reads) and times boards and the ledger check on it. */
async function runReads(url: string, plan: Plan): Promise<ReadFigures> {
  let seeded: SeededCommunity;
  if (plan.readsOnly) {
    await migrate(url, { log: (line) => log(`  migrate: ${line}`) });
    seeded = await previouslySeeded(url, plan);
    log(
      `reusing the seeded community ${seeded.communityId} in ${BENCH_DATABASE}: ${seeded.memberIds.length} members, ${seeded.entries} entries`,
    );
  } else {
    log(`seeding ${plan.members} members and ${plan.entries} ledger entries over ${plan.days} days`);
    seeded = await seedLargeCommunity(url, {
      members: plan.members,
      entries: plan.entries,
      days: plan.days,
      now: new Date(),
    });
    log(`  seeded in ${round(seeded.seconds, 1)} s`);
  }
  const connections = openConnections(url, { poolSize: 8 });
  const { db, store } = connections;
  const deps = { db, store, clock: systemClock };
  const boards: LatencyResult[] = [];
  try {
    log(`leaderboards: ${plan.leaderboardCalls} calls each`);
    for (const spec of BOARDS) {
      boards.push(
        await benchLeaderboard(
          deps,
          showLeaderboard,
          spec,
          seeded.communityId,
          seeded.memberIds,
          plan.leaderboardCalls,
          plan.leaderboardLimit,
        ),
      );
    }
    return { seeded, boards, verify: await benchVerify(deps, seeded.communityId) };
  } finally {
    await connections.close();
  }
}

/** "1,234 tx/s, p99 5.1 ms, 0.4 ms CPU (load 1.2)": throughput with its tail latency and the load it ran under. */
function throughputValue(r: ThroughputResult): string {
  return `${r.tps} tx/s, p99 ${r.latencyP99Ms} ms, ${r.nodeCpuMsPerTx} ms CPU (load ${r.loadAverage})`;
}

function ratioCheck(name: string, tps: number, base: number, min: number): Check {
  const ratio = round(tps / base, 3);
  return { name, value: `${ratio}`, target: `>= ${min}`, pass: ratio >= min };
}

function cpuCheck(name: string, r: ThroughputResult, maxMs: number): Check {
  return { name, value: `${r.nodeCpuMsPerTx} ms`, target: `< ${maxMs} ms`, pass: r.nodeCpuMsPerTx < maxMs };
}

function writeChecks(w: WriteFigures): Check[] {
  const checks: Check[] = [];
  const baseAt = (callers: number): number => w.pgbench.find((p) => p.clients === callers)?.tps ?? Number.NaN;
  for (const p of w.pgbench)
    checks.push({
      name: `pgbench tpcb @${p.clients}`,
      value: `${p.tps} tx/s (load ${p.loadAverage})`,
      target: "",
      pass: null,
    });
  for (const vote of w.votes) {
    checks.push({ name: `castVote @${vote.callers}`, value: throughputValue(vote), target: "", pass: null });
    checks.push(ratioCheck(`  castVote / pgbench @${vote.callers}`, vote.tps, baseAt(vote.callers), 0.5));
  }
  for (const result of w.logs) {
    checks.push({
      name: `logContribution @${result.callers}`,
      value: throughputValue(result),
      target: "",
      pass: null,
    });
    checks.push(
      ratioCheck(`  logContribution / pgbench @${result.callers}`, result.tps, baseAt(result.callers), 0.3),
    );
    checks.push(cpuCheck(`  Node CPU per contribution @${result.callers}`, result, 1));
  }
  if (w.decidingSpread !== null) {
    const r = w.decidingSpread;
    checks.push({
      name: "deciding vote @8, 8 communities",
      value: throughputValue(r),
      target: "",
      pass: null,
    });
    checks.push(ratioCheck("  deciding / pgbench @8", r.tps, baseAt(8), 0.2));
    checks.push(cpuCheck("  Node CPU per deciding vote", r, 1.5));
  }
  for (const r of w.decidingOne) {
    checks.push({
      name: `deciding vote @${r.callers}, one community`,
      value: throughputValue(r),
      target: ">= 1000 tx/s",
      pass: r.tps >= 1000,
    });
  }
  return checks;
}

function readChecks(r: ReadFigures): Check[] {
  const checks: Check[] = [];
  for (const board of r.boards) {
    checks.push({
      name: `leaderboard ${board.board} p50`,
      value: `${board.p50Ms} ms`,
      target: "",
      pass: null,
    });
    checks.push({
      name: `leaderboard ${board.board} p99`,
      value: `${board.p99Ms} ms`,
      target: "< 20 ms",
      pass: board.p99Ms < 20,
    });
  }
  return [...checks, ...verifyChecks(r.verify)];
}

function verifyChecks(verify: VerifyResult): Check[] {
  const valid = verify.chainOk && verify.headMatches && verify.balanceMismatches === 0;
  return [
    {
      name: `ledger chain verify (${verify.entries} entries)`,
      value: `${verify.chainSeconds} s`,
      target: "< 10 s",
      pass: verify.chainSeconds < 10,
    },
    { name: "  balance recompute alone", value: `${verify.balancesSeconds} s`, target: "", pass: null },
    {
      name: "  /ledger verify (chain ranges and balances side by side)",
      value: `${verify.totalSeconds} s`,
      target: "< 5 s",
      pass: verify.totalSeconds < 5,
    },
    { name: "  ledger verify outcome", value: valid ? "valid" : "INVALID", target: "valid", pass: valid },
  ];
}

/** `--phase verify`: seeds a community with `--entries` ledger entries and times `/ledger verify` on it. */
async function runVerify(url: string, plan: Plan): Promise<VerifyResult> {
  const seeded = plan.readsOnly ? await previouslySeeded(url, plan) : await seedVerifyCommunity(url, plan);
  await quietServer(url);
  const connections = openConnections(url, { poolSize: 8 });
  try {
    return await benchVerify({ ...connections, clock: systemClock }, seeded.communityId);
  } finally {
    await connections.close();
  }
}

async function seedVerifyCommunity(url: string, plan: Plan): Promise<SeededCommunity> {
  log(`seeding ${plan.members} members and ${plan.entries} ledger entries over ${plan.days} days`);
  const seeded = await seedLargeCommunity(url, {
    members: plan.members,
    entries: plan.entries,
    days: plan.days,
    now: new Date(),
  });
  log(`  seeded in ${round(seeded.seconds, 1)} s`);
  return seeded;
}

/** A load above the core count means other work competed with the bench: the figures are flagged. */
function loadCheck(name: string, load: number, cpus: number): Check {
  return {
    name,
    value: `${load}${load > cpus ? " (above the core count: figures skewed)" : ""}`,
    target: `<= ${cpus}`,
    pass: load <= cpus,
  };
}

/** The community a previous full (or quick) run seeded in `url`, if it has the plan's size. */
async function previouslySeeded(url: string, plan: Plan): Promise<SeededCommunity> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const found = await client.query<{ communityId: number; seq: number; hash: string }>(
      `SELECT s."communityId", h.seq, h.hash FROM space s JOIN ledger_head h USING ("communityId")
       WHERE s.platform = 'CONSOLE' AND s."platformChatId" = 'bench-ledger'`,
    );
    const community = found.rows[0];
    if (community === undefined || community.seq !== plan.entries) {
      throw new Error(
        `no seeded community of ${plan.entries} entries in ${BENCH_DATABASE}: run \`npm run bench${plan.quick ? " -- --quick" : ""}\` first`,
      );
    }
    const members = await client.query<{ id: number }>(
      `SELECT id FROM member WHERE "communityId" = $1 ORDER BY id`,
      [community.communityId],
    );
    const counts = await client.query<{ contributions: number; balances: number; periods: number }>(
      `SELECT (SELECT count(*) FROM contribution WHERE "communityId" = $1)::int AS contributions,
              (SELECT count(*) FROM balance WHERE "communityId" = $1)::int AS balances,
              (SELECT count(*) FROM period_balance WHERE "communityId" = $1)::int AS periods`,
      [community.communityId],
    );
    const c = counts.rows[0];
    return {
      communityId: community.communityId,
      memberIds: Int32Array.from(members.rows.map((row) => row.id)),
      contributions: c?.contributions ?? 0,
      entries: community.seq,
      balances: c?.balances ?? 0,
      periodBalances: c?.periods ?? 0,
      headHash: community.hash,
      seconds: 0,
    };
  } finally {
    await client.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
