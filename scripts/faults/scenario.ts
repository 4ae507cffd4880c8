// What every scenario shares: its table row, the sizes of the quick and the
// full run, and waiting until the system has caught up after a fault.
import type { Deps } from "../../src/app/deps.ts";
import { checkOutcome, type Findings } from "./check.ts";
import { sleep } from "./processes.ts";
import type { Workload } from "./workload.ts";
import { FaultWorld, type WorldOptions } from "./world.ts";

export interface Size {
  readonly quick: boolean;
  /** Communities (Telegram groups) of an ordinary scenario. */
  readonly communities: number;
  readonly contributionsEach: number;
  readonly voters: number;
  /** How long an ordinary workload is spread over. */
  readonly spreadMs: number;
  /** How long Redis stays down in the outage scenario. */
  readonly redisOutageMs: number;
}

export const QUICK: Size = {
  quick: true,
  communities: 4,
  contributionsEach: 1,
  voters: 4,
  spreadMs: 3_000,
  redisOutageMs: 5_000,
};
export const FULL: Size = {
  quick: false,
  communities: 12,
  contributionsEach: 1,
  voters: 5,
  spreadMs: 20_000,
  redisOutageMs: 60_000,
};

/** The CI run: the fewest operations that still decide by vote, Redis down 2 s. */
export const CI: Size = {
  quick: true,
  communities: 2,
  contributionsEach: 1,
  voters: 3,
  spreadMs: 1_500,
  redisOutageMs: 2_000,
};

export interface Row extends Findings {
  readonly scenario: string;
  readonly attempted: number;
  readonly acknowledged: number;
  /** From the end of the fault until every delivery was made and every due deadline decided. */
  readonly recoveryMs: number | null;
}

export interface Scenario {
  readonly name: string;
  /** Run in the quick (CI) version too. */
  readonly quick: boolean;
  /** Run by `--ci` too: fast (no lease or lock to wait out) and a fault no other CI scenario covers. */
  readonly ci?: true;
  run(size: Size): Promise<Row>;
}

/** Waits until every outbox row of the workload's communities is delivered and no due contribution is pending. */
export async function settle(deps: Deps, workload: Workload, timeoutMs = 120_000): Promise<boolean> {
  const ids = workload.communities.map((c) => c.communityId);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [undelivered, due] = await Promise.all([
      deps.db.outboxMessage.count({ where: { communityId: { in: ids }, deliveredAt: null } }),
      deps.db.contribution.count({
        where: { communityId: { in: ids }, status: "PENDING", closesAt: { lte: new Date() } },
      }),
    ]);
    if (undelivered === 0 && due === 0) return true;
    await sleep(200);
  }
  return false;
}

/** Settles, checks and makes the row; `faultEnded` is when the system was left to recover. */
export async function finish(
  scenario: string,
  world: FaultWorld,
  workload: Workload,
  faultEnded: number,
  extraNotes: readonly string[] = [],
  options: { readonly cards?: boolean } = {},
): Promise<Row> {
  const settled = await settle(world.deps, workload);
  const recoveryMs = settled ? Date.now() - faultEnded : null;
  // Late duplicates would arrive now: a killed worker's job retried, a card edit re-sent.
  await sleep(1_500);
  const findings = await checkOutcome(world.deps, workload, options.cards === false ? null : world.emulator);
  const errors = [...workload.serverErrors].filter(([status]) => status !== 503);
  if (errors.length > 0)
    findings.notes.push(`server errors ${errors.map(([status, n]) => `${n}×${status}`).join(", ")}`);
  if (workload.refusals.size > 0)
    findings.notes.push(`refused ${[...workload.refusals].map(([code, n]) => `${n}×${code}`).join(", ")}`);
  if (workload.unanswered > 0) findings.notes.push(`${workload.unanswered} operations never answered`);
  findings.notes.push(...extraNotes);
  return {
    scenario,
    attempted: workload.attempted,
    acknowledged: workload.acknowledged,
    recoveryMs,
    ...findings,
  };
}

/** Runs `work` in a world of its own, closed afterwards whatever happened. */
export async function inWorld(
  options: WorldOptions,
  work: (world: FaultWorld) => Promise<Row>,
): Promise<Row> {
  const world = await FaultWorld.open(options);
  try {
    return await work(world);
  } finally {
    await world.close();
  }
}
