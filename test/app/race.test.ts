import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { verifyChain } from "../../src/core/ledger.ts";
import { openConnections, type Connections } from "../../src/db/client.ts";
import { logContribution } from "../../src/app/contributions.ts";
import type { Decision } from "../../src/app/decisions.ts";
import type { Actor, Deps } from "../../src/app/deps.ts";
import { moderatorDecide } from "../../src/app/moderation.ts";
import { castVote, closeContributionIfDue } from "../../src/app/votes.ts";
import { createTestDatabase } from "../support/db.ts";
import {
  FakeClock,
  balanceOf,
  newCommunity,
  pointsByMember,
  readLedger,
  valueOf,
  type TestCommunity,
} from "../support/communities.ts";

// Each test drives many transactions against the real database; under a loaded
// machine that takes longer than vitest's 5 s default.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

let database: Awaited<ReturnType<typeof createTestDatabase>>;
/** Bot processes' connections (Prisma and the store), with small pools, sharing one database. */
const clients: Connections[] = [];
/** The worker running the vote-deadline job, and the process serving the moderator, each with its own pools. */
let workerDb: Connections;
let moderatorDb: Connections;

beforeAll(async () => {
  database = await createTestDatabase();
  for (let i = 0; i < 4; i += 1) clients.push(openConnections(database.url, { poolSize: 5 }));
  workerDb = openConnections(database.url, { poolSize: 2 });
  moderatorDb = openConnections(database.url, { poolSize: 2 });
});

afterAll(async () => {
  // Every pool of every "process" hangs up before the database is dropped (no 57P01 at teardown).
  await Promise.all([...clients, workerDb, moderatorDb].map((client) => client.close()));
  await database.drop();
});

/** Deps of one "process" on its own connections. */
function on(connections: Connections, clock: Deps["clock"]): Deps {
  return { db: connections.db, store: connections.store, clock };
}

function client(index: number): Connections {
  const db = clients[index % clients.length];
  if (db === undefined) throw new Error("no client");
  return db;
}

/** Members seen for the first time, concurrently, as a busy chat would. */
async function members(community: TestCommunity, prefix: string, count: number): Promise<Actor[]> {
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  const actors: Actor[] = [];
  for (let i = 0; i < names.length; i += 20)
    actors.push(...(await Promise.all(names.slice(i, i + 20).map((n) => community.member(n)))));
  return actors;
}

const VOTERS = 200;

interface Scenario {
  /** How many votes settle before the deadline job and the moderator's override are let loose. */
  readonly startOthersAfter: number;
  readonly approvalRate: number;
  readonly override: "VERIFIED" | "REJECTED";
  /** Everything in one process (`cairn start`): the deadline job and the moderator share the voters' busy pools. */
  readonly oneProcess?: boolean;
}

interface RaceOutcome {
  readonly contributionId: number;
  readonly decisions: Decision[];
  readonly voteResults: Array<{ ok: boolean; code?: string }>;
}

/** 200 members vote on one contribution while the vote deadline fires and a moderator overrides. */
async function race(scenario: Scenario): Promise<RaceOutcome> {
  const { startOthersAfter, approvalRate, override: overrideOutcome } = scenario;
  const community = await newCommunity(database, { config: { quorum: 100 } });
  const submitter = await community.member("submitter");
  const mod = await community.member("mod", { moderator: true });
  const voters = await members(community, "voter", VOTERS);
  const logged = valueOf(
    await logContribution(community.deps, submitter, {
      categorySlug: "code",
      title: "Parser rewrite",
      links: ["https://example.org/pr/parser"],
      coAuthors: [{ member: { kind: "user", user: community.user("pair") }, shareBp: 3333 }],
    }),
  );
  const contribution = await database.db.contribution.findUniqueOrThrow({
    where: { communityId_number: { communityId: community.communityId, number: logged.number } },
  });
  // Voters vote a millisecond before the deadline; the deadline job and the moderator act at it.
  const voterDeps: Deps[] = clients.map((c) => on(c, new FakeClock(new Date(logged.closesAt.getTime() - 1))));
  const oneProcess = scenario.oneProcess === true;
  const deadlineDeps = on(oneProcess ? client(1) : workerDb, new FakeClock(logged.closesAt));
  const moderatorDeps = on(oneProcess ? client(2) : moderatorDb, new FakeClock(logged.closesAt));

  const decisions: Decision[] = [];
  const voteResults: RaceOutcome["voteResults"] = [];
  let settled = 0;
  let releaseOthers: () => void = () => {};
  const othersMayStart = new Promise<void>((resolve) => {
    releaseOthers = resolve;
  });
  if (startOthersAfter === 0) releaseOthers();

  const votes = voters.map(async (voter, i) => {
    const deps = voterDeps[i % voterDeps.length];
    if (deps === undefined) throw new Error("no deps");
    const approve = (i * 7919) % 100 < approvalRate * 100;
    const result = await castVote(deps, voter, {
      number: logged.number,
      choice: approve ? "APPROVE" : "REJECT",
      ...(approve ? { impact: 1 + (i % 5) } : {}),
    });
    if (result.ok && result.value.decision !== null) decisions.push(result.value.decision);
    voteResults.push(result.ok ? { ok: true } : { ok: false, code: result.error.code });
    settled += 1;
    if (settled >= startOthersAfter) releaseOthers();
  });
  void Promise.allSettled(votes).then(releaseOthers);
  const deadline = othersMayStart.then(async () => {
    const decision = await closeContributionIfDue(deadlineDeps, contribution.id);
    if (decision !== null) decisions.push(decision);
  });
  const override = othersMayStart.then(async () => {
    const result = await moderatorDecide(moderatorDeps, mod, {
      number: logged.number,
      outcome: overrideOutcome,
      reason: "override",
    });
    if (result.ok && "outcome" in result.value) decisions.push(result.value);
    if (!result.ok) expect(result.error.code).toBe("ALREADY_DECIDED");
  });
  await Promise.all([...votes, deadline, override]);
  return { contributionId: contribution.id, decisions, voteResults };
}

/**
 * One decision out of PENDING and one set of ledger entries. A moderator's
 * override that lands just after the deadline expired the contribution decides
 * it from the queue (EXPIRED is the moderator's to decide): that is the only
 * second transition allowed.
 */
async function expectExactlyOneDecision(outcome: RaceOutcome): Promise<void> {
  const db = database.db;
  const fromPending = outcome.decisions.filter(
    (d) => !(d.decidedBy === "MODERATOR" && outcome.decisions.length === 2),
  );
  expect(fromPending).toHaveLength(1);
  const first = fromPending[0];
  if (first === undefined) throw new Error("no decision");
  const final = outcome.decisions.length === 2 ? outcome.decisions.find((d) => d !== first) : first;
  if (final === undefined) throw new Error("no final decision");
  if (outcome.decisions.length === 2) {
    expect(first).toMatchObject({ outcome: "EXPIRED", decidedBy: "DEADLINE" });
    expect(final.decidedBy).toBe("MODERATOR");
  }
  const row = await db.contribution.findUniqueOrThrow({ where: { id: outcome.contributionId } });
  expect(row.status).toBe(final.outcome);
  expect(row.decidedBy).toBe(final.decidedBy);

  const history = await db.statusChange.findMany({
    where: { contributionId: row.id },
    orderBy: { id: "asc" },
  });
  expect(history.filter((h) => h.fromStatus === "PENDING")).toHaveLength(1);
  expect(history).toHaveLength(1 + outcome.decisions.length);

  // Every vote either counted (before the decision) or was refused as closed; none crashed.
  for (const result of outcome.voteResults) if (!result.ok) expect(result.code).toBe("VOTE_CLOSED");
  const counted = outcome.voteResults.filter((r) => r.ok).length;
  expect(await db.vote.count({ where: { contributionId: row.id } })).toBe(counted);

  const entries = await db.ledgerEntry.findMany({ where: { contributionId: row.id } });
  const awards = entries.filter((e) => e.kind === "AWARD");
  const rewards = entries.filter((e) => e.kind === "VERIFIER_REWARD");
  if (final.outcome === "VERIFIED") {
    expect(awards.map((e) => e.memberId).sort()).toEqual(
      (await db.credit.findMany({ where: { contributionId: row.id } })).map((c) => c.memberId).sort(),
    );
    expect(awards.reduce((sum, e) => sum + e.points, 0)).toBe(final.award);
  } else {
    expect(awards).toEqual([]);
  }
  const rewarded = first.decidedBy !== "MODERATOR" && first.outcome !== "EXPIRED";
  expect(rewards).toHaveLength(rewarded ? counted : 0);
  expect(new Set(rewards.map((e) => e.memberId)).size).toBe(rewards.length);

  const ledger = await readLedger(db, row.communityId);
  expect(verifyChain(ledger)).toMatchObject({ ok: true, count: ledger.length });
  for (const [memberId, points] of pointsByMember(ledger)) expect(await balanceOf(db, memberId)).toBe(points);
}

describe("deciding one contribution under contention", () => {
  it.each<Scenario>([
    { startOthersAfter: 0, approvalRate: 0.8, override: "REJECTED" },
    { startOthersAfter: 40, approvalRate: 0.8, override: "VERIFIED" },
    { startOthersAfter: 120, approvalRate: 0.8, override: "REJECTED" },
    { startOthersAfter: 130, approvalRate: 0.2, override: "VERIFIED" },
    { startOthersAfter: VOTERS, approvalRate: 0.8, override: "REJECTED" },
    { startOthersAfter: 0, approvalRate: 0.8, override: "VERIFIED", oneProcess: true },
  ])(
    "makes exactly one decision with one set of entries when 200 votes race the deadline and an override released after $startOthersAfter votes (one process: $oneProcess)",
    async (scenario) => {
      await expectExactlyOneDecision(await race(scenario));
    },
    120_000,
  );
});

describe("numbering contributions under contention", () => {
  it("gives concurrent submissions distinct consecutive numbers, with refused ones taking none", async () => {
    const community = await newCommunity(database);
    const submitters = await members(community, "author", 40);
    const results = await Promise.all(
      submitters.map((actor, i) =>
        logContribution(on(client(i), community.clock), actor, {
          // Every fourth one names a category that does not exist and is refused.
          categorySlug: i % 4 === 3 ? "no-such-category" : "docs",
          title: `Guide ${i}`,
          links: [`https://example.org/guides/${i}`],
        }),
      ),
    );
    const numbers = results.flatMap((r) => (r.ok ? [r.value.number] : []));
    expect(results.filter((r) => !r.ok).map((r) => (r.ok ? "" : r.error.code))).toEqual(
      Array(10).fill("UNKNOWN_CATEGORY"),
    );
    expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const stored = await database.db.contribution.findMany({
      where: { communityId: community.communityId },
      select: { number: true },
    });
    expect(stored.map((c) => c.number).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    const [later] = submitters;
    if (later === undefined) throw new Error("no submitter");
    const next = await logContribution(on(client(0), community.clock), later, {
      categorySlug: "docs",
      title: "Guide after the rush",
      links: ["https://example.org/guides/after"],
    });
    expect(next.ok ? next.value.number : next.error.code).toBe(31);
  }, 60_000);

  it("lets one submitter's concurrent submissions through up to the daily limit and refuses the rest", async () => {
    const community = await newCommunity(database, { config: { maxSubmissionsPerDay: 4 } });
    const [author] = await members(community, "prolific", 1);
    if (author === undefined) throw new Error("no author");
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        logContribution(on(client(i), community.clock), author, {
          categorySlug: "docs",
          title: `Burst ${i}`,
          links: i % 2 === 0 ? [`https://example.org/burst/${i}`] : [],
        }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(4);
    expect(results.flatMap((r) => (r.ok ? [] : [r.error.code]))).toEqual(Array(8).fill("SUBMISSION_LIMIT"));
    expect(await database.db.contribution.count({ where: { submitterId: author.memberId } })).toBe(4);
  });

  it("lets only one of two concurrent submissions of the same evidence link through", async () => {
    const community = await newCommunity(database);
    const a = await community.member("a");
    const b = await community.member("b");
    const draft = { categorySlug: "docs", title: "Same page", links: ["https://example.org/same"] };
    const results = await Promise.all([
      logContribution(on(client(0), community.clock), a, draft),
      logContribution(on(client(1), community.clock), b, {
        ...draft,
        links: ["https://EXAMPLE.org/same/"],
      }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => (r.ok ? "" : r.error.code))).toEqual(["DUPLICATE_LINK"]);
  });
});
