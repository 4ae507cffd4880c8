// The machine's baseline: pgbench's TPC-B-like transaction at the same concurrency.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { log, recreateDatabase, serverUrl } from "./support.ts";

const run = promisify(execFile);

export const PGBENCH_DATABASE = process.env["BENCH_PGBENCH_DATABASE"] ?? "cairn_pgbench";

/**
 * pgbench's connection flags for the bench server (host, port, user from the URL). A
 * `?host=/dir` in the URL (a Unix socket, as pg reads it) goes to pgbench too, so both
 * sides of every ratio connect the same way.
 */
function connectionArgs(): string[] {
  const url = new URL(serverUrl);
  const host = url.searchParams.get("host") ?? (url.hostname || "127.0.0.1");
  const args = ["-h", host, "-p", url.port || "5432"];
  if (url.username !== "") args.push("-U", decodeURIComponent(url.username));
  return args;
}

function pgbenchEnv(): NodeJS.ProcessEnv {
  const url = new URL(serverUrl);
  return url.password === "" ? process.env : { ...process.env, PGPASSWORD: decodeURIComponent(url.password) };
}

/** `pgbench -i -s <scale>` into a freshly created `cairn_pgbench`. */
export async function initPgbench(scale: number): Promise<void> {
  await recreateDatabase(PGBENCH_DATABASE);
  log(`pgbench -i -s ${scale} ${PGBENCH_DATABASE}`);
  await run("pgbench", [...connectionArgs(), "-i", "-s", String(scale), "-q", PGBENCH_DATABASE], {
    env: pgbenchEnv(),
    maxBuffer: 16 * 1024 * 1024,
  });
}

/** tps of `pgbench -c clients -j 2 -T seconds -M prepared` (excluding connection time). */
export async function runPgbench(clients: number, seconds: number): Promise<number> {
  log(`pgbench -c ${clients} -j 2 -T ${seconds} -M prepared`);
  const { stdout } = await run(
    "pgbench",
    [
      ...connectionArgs(),
      "-c",
      String(clients),
      "-j",
      "2",
      "-T",
      String(seconds),
      "-M",
      "prepared",
      PGBENCH_DATABASE,
    ],
    { env: pgbenchEnv(), maxBuffer: 16 * 1024 * 1024 },
  );
  return parsePgbenchTps(stdout);
}

/** Reads "tps = 1234.56 (without initial connection time)" from pgbench's report. */
export function parsePgbenchTps(report: string): number {
  const match =
    /tps = ([\d.]+) \(without initial connection time\)/.exec(report) ?? /tps = ([\d.]+)/.exec(report);
  if (match?.[1] === undefined) throw new Error(`cannot read tps from pgbench output:\n${report}`);
  return Number(match[1]);
}
