// Write-path throughput: castVote and logContribution from N concurrent callers,
// each caller a distinct member, through the real use cases and Prisma.
import os from "node:os";
import pg from "pg";
import { createCaches } from "../src/caches.ts";
import { openConnections } from "../src/db/client.ts";
import { NUMBER_SEQUENCE } from "../src/db/paths/contributions.ts";
import { ensureCommunityForChat, resolveActor } from "../src/app/actors.ts";
import { logContribution } from "../src/app/contributions.ts";
import { systemClock, type Actor, type Deps } from "../src/app/deps.ts";
import { castVote } from "../src/app/votes.ts";
import { log, quantile, round } from "./support.ts";

export interface ThroughputResult {
  readonly callers: number;
  readonly seconds: number;
  readonly transactions: number;
  readonly tps: number;
  readonly refusals: number;
  readonly errors: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /** CPU time of this Node process per transaction (user + system): the client-side cost. */
  readonly nodeCpuMsPerTx: number;
  /** 1-minute load average when the phase started (other work on the machine skews every figure). */
  readonly loadAverage: number;
  readonly firstProblem: string | null;
}

export interface WriteBenchSetup {
  readonly communityId: number;
  /** Members that vote, one per caller; phases take disjoint slices. */
  readonly voters: Actor[];
  /** Members that log contributions, one per caller; phases take disjoint slices. */
  readonly submitters: Actor[];
  /** Numbers of the pending contributions the voters vote on. */
  readonly pendingNumbers: number[];
}

const WRITES = { platform: "CONSOLE" as const, chatId: "bench-writes", title: "Bench writes" };
/** A community where every vote decides (quorum 1): the deciding path, ledger append included. */
export const DECISIONS = {
  platform: "CONSOLE" as const,
  chatId: "bench-decisions",
  title: "Bench decisions",
};

/** The `index`th of several deciding communities (each its own ledger chain). */
export function decisionsChat(index: number): typeof DECISIONS {
  return { ...DECISIONS, chatId: `${DECISIONS.chatId}-${index}`, title: `${DECISIONS.title} ${index}` };
}

/**
 * A community whose votes never decide (quorum 1000, 30-day window) and whose
 * members may log 1000 contributions a day, with `pending` contributions already
 * open for voting (bulk-inserted: they are the vote path's input, not what it measures).
 */
export async function setUpWriteBench(
  url: string,
  voterCount: number,
  submitterCount: number,
  pending: number,
  chat: { platform: "CONSOLE"; chatId: string; title: string } = WRITES,
): Promise<WriteBenchSetup> {
  const deciding = chat.chatId.startsWith(DECISIONS.chatId);
  const connections = openConnections(url, { poolSize: 4 });
  const { db, store } = connections;
  try {
    // The process caches, as serve.ts makes them.
    const deps: Deps = { db, store, clock: systemClock, caches: createCaches() };
    const { communityId } = await ensureCommunityForChat(deps, chat, { name: chat.title });
    const community = await db.community.findUniqueOrThrow({ where: { id: communityId } });
    const stored = typeof community.config === "object" && community.config !== null ? community.config : {};
    await db.community.update({
      where: { id: communityId },
      data: {
        config: { ...stored, quorum: deciding ? 1 : 1000, voteWindowHours: 720, maxSubmissionsPerDay: 1000 },
      },
    });
    const actorFor = async (name: string): Promise<Actor> => {
      const actor = await resolveActor(deps, chat, { platform: "CONSOLE", userId: name, displayName: name });
      if (!actor.ok) throw new Error(`resolveActor refused: ${actor.error.code}`);
      return actor.value;
    };
    const owner = await actorFor("bench-owner");
    const earlyVoters: Actor[] = [];
    for (let i = 0; i < EARLY_VOTES; i += 1) earlyVoters.push(await actorFor(`bench-early-voter-${i}`));
    const voters: Actor[] = [];
    for (let i = 0; i < voterCount; i += 1) voters.push(await actorFor(`bench-voter-${i}`));
    const submitters: Actor[] = [];
    for (let i = 0; i < submitterCount; i += 1) submitters.push(await actorFor(`bench-submitter-${i}`));
    const pendingNumbers = await insertPendingContributions(
      url,
      communityId,
      owner.memberId,
      pending,
      deciding ? [] : earlyVoters.map((v) => v.memberId),
    );
    return { communityId, voters, submitters, pendingNumbers };
  } finally {
    await connections.close();
  }
}

/** Contributions (with the submitter's 100 % credit and first status) the way logContribution leaves them. */
/**
 * Votes each pending contribution already has when the measured voters arrive,
 * as in a live community: the vote path then runs on a vote table of realistic
 * size (an empty one gets plans made for no rows, and measured a third slower).
 */
const EARLY_VOTES = 4;

async function insertPendingContributions(
  url: string,
  communityId: number,
  submitterId: number,
  count: number,
  earlyVoterIds: readonly number[],
): Promise<number[]> {
  if (count === 0) return [];
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("BEGIN");
    const numbered = await client.query<{ first: number }>(
      // The set-up runs alone, so the community's next `count` numbers are consecutive.
      `SELECT (setval(${NUMBER_SEQUENCE}, nextval(${NUMBER_SEQUENCE}) + $2::int - 1) - $2::int + 1)::int AS first`,
      [communityId, count],
    );
    const first = numbered.rows[0]?.first;
    if (first === undefined) throw new Error("bench community vanished");
    await client.query(
      `WITH made AS (
         INSERT INTO contribution ("communityId", number, "submitterId", "categoryId", title, links, "createdAt", "closesAt")
         SELECT $1, n, $2, (SELECT id FROM category WHERE "communityId" = $1 AND slug = 'code'),
                'Bench pending contribution ' || n, ARRAY['https://example.org/bench/pending/' || n],
                now() AT TIME ZONE 'UTC', (now() AT TIME ZONE 'UTC') + interval '720 hours'
         FROM generate_series($3::int, $3::int + $4::int - 1) AS n
         RETURNING id, number
       ), credits AS (
         INSERT INTO credit ("contributionId", "memberId", "shareBp") SELECT id, $2, 10000 FROM made
       ), links AS (
         INSERT INTO evidence_link ("communityId", "contributionId", "normalizedUrl")
         SELECT $1, id, 'https://example.org/bench/pending/' || number FROM made
       ), early AS (
         INSERT INTO vote ("contributionId", "voterId", choice, impact, "createdAt", "updatedAt")
         SELECT id, voter, 'APPROVE', 3, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
         FROM made, unnest($5::int[]) AS voter
       )
       INSERT INTO status_change ("contributionId", "toStatus", "actorId", at)
       SELECT id, 'PENDING', $2, now() AT TIME ZONE 'UTC' FROM made`,
      [communityId, submitterId, first, count, earlyVoterIds],
    );
    await client.query("COMMIT");
    await client.query("ANALYZE");
    return Array.from({ length: count }, (_, i) => first + i);
  } finally {
    await client.end();
  }
}

/** Runs `step` from `callers` concurrent loops for `seconds` after a warm-up, counting completions. */
export async function drive(
  callers: number,
  seconds: number,
  warmupSeconds: number,
  step: (caller: number, iteration: number) => Promise<"ok" | "refused">,
): Promise<Omit<ThroughputResult, "callers">> {
  const start = performance.now();
  const measureFrom = start + warmupSeconds * 1000;
  const stopAt = measureFrom + seconds * 1000;
  let transactions = 0;
  let refusals = 0;
  let errors = 0;
  let firstProblem: string | null = null;
  const latencies: number[] = [];
  const loadAverage = round(os.loadavg()[0] ?? 0, 2);
  let cpuAtStart: NodeJS.CpuUsage | null = null;
  const warmedUp = setTimeout(() => (cpuAtStart = process.cpuUsage()), warmupSeconds * 1000);
  const loop = async (caller: number): Promise<void> => {
    for (let iteration = 0; performance.now() < stopAt; iteration += 1) {
      const began = performance.now();
      let outcome: "ok" | "refused" | "error";
      try {
        outcome = await step(caller, iteration);
      } catch (error) {
        outcome = "error";
        firstProblem ??=
          error instanceof Error ? error.message.split("\n").slice(0, 3).join(" ") : String(error);
      }
      const ended = performance.now();
      if (began < measureFrom || ended > stopAt) continue;
      if (outcome === "ok") {
        transactions += 1;
        latencies.push(ended - began);
      } else if (outcome === "refused") refusals += 1;
      else errors += 1;
    }
  };
  await Promise.all(Array.from({ length: callers }, (_, caller) => loop(caller)));
  clearTimeout(warmedUp);
  const cpu = process.cpuUsage(cpuAtStart ?? undefined);
  return {
    seconds,
    transactions,
    tps: round(transactions / seconds),
    refusals,
    errors,
    latencyP50Ms: round(quantile(latencies, 0.5), 2),
    latencyP99Ms: round(quantile(latencies, 0.99), 2),
    nodeCpuMsPerTx: round((cpu.user + cpu.system) / 1000 / Math.max(1, transactions), 2),
    loadAverage,
    firstProblem,
  };
}

export async function withPool<T>(
  url: string,
  poolSize: number,
  work: (deps: Deps) => Promise<T>,
): Promise<T> {
  const connections = openConnections(url, { poolSize });
  const { db, store } = connections;
  try {
    await db.$queryRaw`SELECT 1`;
    return await work({ db, store, clock: systemClock, caches: createCaches() });
  } finally {
    await connections.close();
  }
}

/** One caller of the vote phases: who votes, and the pending contributions it walks. */
export interface VoteLane {
  readonly actor: Actor;
  readonly numbers: readonly number[];
  /** Where in `numbers` this caller starts. */
  readonly offset: number;
}

/**
 * The lanes of `voters` on one community's pending list: caller c starts at its
 * own offset and walks it, so callers rarely meet on one row.
 */
export function lanesOf(setup: WriteBenchSetup, voters: readonly Actor[]): VoteLane[] {
  const stride = Math.max(1, Math.floor(setup.pendingNumbers.length / Math.max(1, voters.length)));
  return voters.map((actor, caller) => ({ actor, numbers: setup.pendingNumbers, offset: caller * stride }));
}

/**
 * castVote from one concurrent caller per lane. With `deciding` false every vote
 * stays below quorum (the measured path is record-vote-and-tally); with it true
 * every vote decides (quorum 1), ledger append included.
 */
export async function benchVotes(
  url: string,
  lanes: readonly VoteLane[],
  seconds: number,
  warmupSeconds: number,
  deciding = false,
): Promise<ThroughputResult> {
  const callers = lanes.length;
  let refusalShown = false;
  log(
    `castVote${deciding ? " (deciding)" : ""}: ${callers} callers, ${seconds} s (+${warmupSeconds} s warm-up)`,
  );
  const result = await withPool(url, callers, (deps) =>
    drive(callers, seconds, warmupSeconds, async (caller, iteration) => {
      const lane = lanes[caller];
      const number = lane?.numbers[(lane.offset + iteration) % lane.numbers.length];
      if (lane === undefined || number === undefined)
        throw new Error("bench set-up is short of voters or contributions");
      const voted = await castVote(deps, lane.actor, {
        number,
        choice: iteration % 5 === 4 ? "REJECT" : "APPROVE",
        ...(iteration % 5 === 4 ? {} : { impact: 1 + (iteration % 5) }),
      });
      if (voted.ok && (voted.value.decision !== null) !== deciding)
        throw new Error(`vote on #${number} ${deciding ? "did not decide" : "decided"}: check the quorum`);
      if (!voted.ok && !refusalShown) {
        refusalShown = true;
        log(`  castVote refused: ${voted.error.code}`);
      }
      return voted.ok ? "ok" : "refused";
    }),
  );
  return { callers, ...result };
}

/** logContribution from `submitters.length` concurrent members, every contribution with a new link. */
/** A submitter's daily limit at its highest (the config's maximum, maxSubmissionsPerDay). */
export const SUBMISSIONS_PER_SUBMITTER = 1000;

/**
 * The most contributions a phase logs: 4,000 a second for 10 s and its warm-up. At
 * 2,000 a second (24,000) the phases of 2026-12-08 ran past it, and their last
 * contributions were refused SUBMISSION_LIMIT.
 */
const MOST_PER_PHASE = 48_000;

/** Submitters for `callers` callers to take turns with, so a phase meets no daily limit (a whole number per caller). */
export function submittersNeeded(callers: number): number {
  return callers * Math.ceil(MOST_PER_PHASE / (callers * SUBMISSIONS_PER_SUBMITTER));
}

/**
 * Who caller `caller` of `callers` logs its iteration-th contribution as: its
 * first submitter for the first thousand, then its next, so no one logs more in
 * a day than the limit lets them (a refused contribution would be counted, not timed).
 */
export function submitterFor<T>(pool: readonly T[], callers: number, caller: number, iteration: number): T {
  const turn = Math.floor(iteration / SUBMISSIONS_PER_SUBMITTER);
  const found = pool[(caller + callers * turn) % pool.length];
  if (found === undefined) throw new Error("bench set-up is short of submitters");
  return found;
}

/** `submitters` holds submittersNeeded(callers) submitters for the callers to take turns with. */
export async function benchLogs(
  url: string,
  submitters: readonly Actor[],
  callers: number,
  seconds: number,
  warmupSeconds: number,
  runTag: string,
): Promise<ThroughputResult> {
  let refusalShown = false;
  log(`logContribution: ${callers} callers, ${seconds} s (+${warmupSeconds} s warm-up)`);
  const result = await withPool(url, callers, (deps) =>
    drive(callers, seconds, warmupSeconds, async (caller, iteration) => {
      const actor = submitterFor(submitters, callers, caller, iteration);
      const logged = await logContribution(deps, actor, {
        categorySlug: iteration % 2 === 0 ? "code" : "docs",
        title: `Bench contribution ${runTag}/${caller}/${iteration}`,
        description: "Measured by npm run bench.",
        links: [`https://example.org/bench/${runTag}/${caller}/${iteration}`],
      });
      if (!logged.ok && !refusalShown) {
        refusalShown = true;
        log(`  logContribution refused: ${logged.error.code}`);
      }
      return logged.ok ? "ok" : "refused";
    }),
  );
  return { callers, ...result };
}
