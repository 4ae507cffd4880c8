// `npm run bench [-- --quick] [-- --reads]`: Cairn's performance figures on this machine.
// `npm run bench jobs`: only the job system's figures (bench/jobs.ts).
// `npm run bench pictures`: leaderboard picture drawing time and memory (bench/pictures.ts).
//
// Against the PostgreSQL at 127.0.0.1:5432 (BENCH_DATABASE_URL overrides) it
// recreates `cairn_bench` (migrated with src/db/migrate.ts) and `cairn_pgbench`,
// then measures the write paths against pgbench, seeds a large community, and
// times leaderboards and ledger verification. Prints a table; writes bench/results.json.
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
import { openDb } from "../src/db/client.ts";
import { initPgbench, PGBENCH_DATABASE, runPgbench } from "./pgbench.ts";
import { showLeaderboard } from "../src/app/leaderboard.ts";
import { BOARDS, benchLeaderboard, benchVerify, type LatencyResult, type VerifyResult } from "./reads.ts";
import { seedLargeCommunity, type SeededCommunity } from "./seed.ts";
import { databaseUrl, freshMigratedDatabase, log, quietServer, round, serverUrl } from "./support.ts";
import { migrate } from "../src/db/migrate.ts";
import { DECISIONS, benchLogs, benchVotes, setUpWriteBench, type ThroughputResult } from "./throughput.ts";
import { runJobsBench } from "./jobs.ts";
import { runPicturesBench } from "./pictures.ts";

const BENCH_DATABASE = "cairn_bench";
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
}

function readPlan(argv: readonly string[]): Plan {
  const unknown = argv.filter((arg) => arg !== "--quick" && arg !== "--reads");
  if (unknown.length > 0) {
    process.stderr.write(
      `usage: npm run bench [-- --quick] [-- --reads] | npm run bench jobs | npm run bench pictures\nunknown argument: ${unknown.join(" ")}\n`,
    );
    process.exit(2);
  }
  const quick = argv.includes("--quick");
  return {
    quick,
    readsOnly: argv.includes("--reads"),
    phaseSeconds: quick ? 3 : 10,
    warmupSeconds: quick ? 1 : 2,
    members: quick ? 10_000 : 100_000,
    entries: quick ? 100_000 : 1_000_000,
    days: 90,
    leaderboardCalls: quick ? 100 : 300,
    leaderboardLimit: 10,
    pendingContributions: quick ? 2_000 : 8_000,
    pgbenchScale: 10,
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
  const plan = readPlan(argv);
  const started = performance.now();
  const facts = await serverFacts();
  const loadAtStart = round(os.loadavg()[0] ?? 0, 2);
  log(
    `PostgreSQL ${facts["server_version"]} at ${new URL(serverUrl).host}; ${os.cpus().length} CPUs; ${plan.quick ? "quick" : "full"} run`,
  );

  let url: string;
  const votes: ThroughputResult[] = [];
  const logs: ThroughputResult[] = [];
  let deciding: ThroughputResult | null = null;
  const pgbench: Array<{ clients: number; tps: number; loadAverage: number }> = [];
  let seeded: SeededCommunity;
  if (plan.readsOnly) {
    url = databaseUrl(BENCH_DATABASE);
    await migrate(url, { log: (line) => log(`  migrate: ${line}`) });
    seeded = await previouslySeeded(url, plan);
    log(
      `reusing the seeded community ${seeded.communityId} in ${BENCH_DATABASE}: ${seeded.memberIds.length} members, ${seeded.entries} entries`,
    );
  } else {
    log(`recreating ${BENCH_DATABASE}`);
    url = await freshMigratedDatabase(BENCH_DATABASE, log);

    // 1 and 2. Write paths through the use cases, against pgbench's baseline.
    const maxCallers = Math.max(...CONCURRENCY);
    const setup = await setUpWriteBench(url, 2 * maxCallers, 2 * maxCallers, plan.pendingContributions);
    await initPgbench(plan.pgbenchScale);
    // pgbench right before the vote phase of the same concurrency, so both see the same machine load.
    for (const [i, callers] of CONCURRENCY.entries()) {
      await quietServer(databaseUrl(PGBENCH_DATABASE));
      const loadAverage = round(os.loadavg()[0] ?? 0, 2);
      pgbench.push({
        clients: callers,
        tps: round(await runPgbench(callers, plan.phaseSeconds)),
        loadAverage,
      });
      log(`  ${pgbench.at(-1)?.tps} tps`);
      const voters = setup.voters.slice(i * maxCallers, i * maxCallers + callers);
      await quietServer(url);
      votes.push(await benchVotes(url, setup, voters, plan.phaseSeconds, plan.warmupSeconds));
      log(`  ${votes.at(-1)?.tps} tps, ${votes.at(-1)?.nodeCpuMsPerTx} ms Node CPU per vote`);
    }
    for (const [i, callers] of CONCURRENCY.entries()) {
      const submitters = setup.submitters.slice(i * maxCallers, i * maxCallers + callers);
      await quietServer(url);
      logs.push(await benchLogs(url, submitters, plan.phaseSeconds, plan.warmupSeconds, `c${callers}`));
      log(`  ${logs.at(-1)?.tps} tps, ${logs.at(-1)?.nodeCpuMsPerTx} ms Node CPU per contribution`);
    }
    // Votes that decide (quorum 1): the full path, with the award's ledger append. No target; shown
    // so the fast path's figure above is not mistaken for every vote's.
    const decidingSetup = await setUpWriteBench(url, 8, 0, plan.pendingContributions * 2, DECISIONS);
    await quietServer(url);
    deciding = await benchVotes(
      url,
      decidingSetup,
      decidingSetup.voters,
      plan.phaseSeconds,
      plan.warmupSeconds,
      true,
    );
    log(`  ${deciding.tps} tps, ${deciding.nodeCpuMsPerTx} ms Node CPU per deciding vote`);

    // 3. A large community.
    log(`seeding ${plan.members} members and ${plan.entries} ledger entries over ${plan.days} days`);
    seeded = await seedLargeCommunity(url, {
      members: plan.members,
      entries: plan.entries,
      days: plan.days,
      now: new Date(),
    });
    log(`  seeded in ${round(seeded.seconds, 1)} s`);
  }

  // 4 and 5. Reads on it.
  const db = openDb(url, { poolSize: 8 });
  const deps = { db, clock: systemClock };
  const boards: LatencyResult[] = [];
  let verify: VerifyResult;
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
    verify = await benchVerify(deps, seeded.communityId);
  } finally {
    await db.$disconnect();
  }

  // Report.
  const checks: Check[] = [];
  for (const [i, callers] of CONCURRENCY.entries()) {
    const vote = votes[i];
    const base = pgbench[i];
    if (vote === undefined || base === undefined) continue;
    checks.push({ name: `castVote tps @${callers}`, value: `${vote.tps}`, target: "", pass: null });
    checks.push({
      name: `  Node CPU per vote @${callers}`,
      value: `${vote.nodeCpuMsPerTx} ms`,
      target: "",
      pass: null,
    });
    checks.push({ name: `pgbench tpcb tps @${callers}`, value: `${base.tps}`, target: "", pass: null });
    const ratio = round(vote.tps / base.tps, 2);
    checks.push({
      name: `castVote / pgbench @${callers}`,
      value: `${ratio}`,
      target: ">= 0.5",
      pass: ratio >= 0.5,
    });
  }
  if (deciding !== null) {
    checks.push({ name: "castVote that decides tps @8", value: `${deciding.tps}`, target: "", pass: null });
  }
  for (const result of logs) {
    checks.push({
      name: `logContribution tps @${result.callers}`,
      value: `${result.tps}`,
      target: "",
      pass: null,
    });
  }
  for (const board of boards) {
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
  checks.push({
    name: `ledger chain verify (${verify.entries} entries)`,
    value: `${verify.chainSeconds} s`,
    target: "< 10 s",
    pass: verify.chainSeconds < 10,
  });
  checks.push({
    name: "  balance recompute alone",
    value: `${verify.balancesSeconds} s`,
    target: "",
    pass: null,
  });
  checks.push({
    name: "  /ledger verify (chain, then balances)",
    value: `${verify.totalSeconds} s`,
    target: "",
    pass: null,
  });
  checks.push({
    name: "  ledger verify outcome",
    value: verify.chainOk && verify.headMatches && verify.balanceMismatches === 0 ? "valid" : "INVALID",
    target: "valid",
    pass: verify.chainOk && verify.headMatches && verify.balanceMismatches === 0,
  });

  const errors = [...votes, ...logs].filter((r) => r.errors > 0 || r.refusals > 0);
  const report = {
    at: new Date().toISOString(),
    quick: plan.quick,
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? "?",
      memoryGiB: round(os.totalmem() / 2 ** 30, 1),
      node: process.version,
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: round(os.loadavg()[0] ?? 0, 2),
      postgres: facts,
    },
    plan,
    writes: { castVote: votes, castVoteDeciding: deciding, logContribution: logs },
    pgbench: pgbench.map((p) => ({
      ...p,
      scale: plan.pgbenchScale,
      seconds: plan.phaseSeconds,
      mode: "prepared",
      threads: 2,
    })),
    seed: {
      members: seeded.memberIds.length,
      contributions: seeded.contributions,
      entries: seeded.entries,
      balances: seeded.balances,
      periodBalances: seeded.periodBalances,
      seconds: round(seeded.seconds, 1),
    },
    leaderboard: boards,
    verify,
    checks,
    totalSeconds: round((performance.now() - started) / 1000, 1),
  };
  await writeFile(path.join(benchDir, "results.json"), `${JSON.stringify(report, null, 2)}\n`);

  process.stdout.write(
    `\nCairn bench (${plan.quick ? "quick" : "full"}${plan.readsOnly ? ", reads on the seeded community" : ""}), ${report.machine.cpus} CPUs, PostgreSQL ${facts["server_version"]}\n\n`,
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
