// /ledger verify of a large community runs as a job: the moderator is answered
// at once, a second request is told how far the running one is, and the verdict
// reaches the moderator privately when it is reached.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { catalog } from "../../src/commands/catalog.ts";
import { runTextCommand } from "../../src/commands/dispatch.ts";
import { GENESIS_HASH, hashEntry, type HashedLedgerEntry } from "../../src/core/ledger.ts";
import { BACKGROUND_VERIFY_ENTRIES } from "../../src/core/ledgerVerify.ts";
import { commandJobs } from "../../src/jobs/exports.ts";
import { startWorkers, type JobRuntime } from "../../src/jobs/runtime.ts";
import { renderPlainText } from "../../src/views/plainText.ts";
import { newCommunity, type TestCommunity } from "../support/communities.ts";
import { useTestDatabase } from "../support/db.ts";
import { BACKENDS, FakePlatform, cleanupNamespace, queueSettings, realClockDeps } from "./support.ts";

const database = useTestDatabase();
const ENTRIES = BACKGROUND_VERIFY_ENTRIES + 1;

/**
 * One more zero-point entry than the command verifies while the moderator
 * waits, linked as the ledger links them, and the head; balances stay empty
 * (and agree). Inserted in a few statements: appending them one by one would
 * take minutes.
 */
async function seedLargeLedger(c: TestCommunity): Promise<void> {
  const member = await c.member("A");
  const entries: HashedLedgerEntry[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= ENTRIES; seq += 1) {
    const facts = {
      communityId: c.communityId,
      seq,
      kind: "ADJUSTMENT" as const,
      memberId: member.memberId,
      points: 0,
      contributionId: null,
      actorId: null,
      reason: `entry ${seq}`,
      createdAt: new Date(Date.UTC(2026, 10, 1) + seq * 1000),
    };
    const hash = hashEntry(prevHash, facts);
    entries.push({ ...facts, prevHash, hash });
    prevHash = hash;
  }
  for (let i = 0; i < entries.length; i += 20_000) {
    const batch = entries.slice(i, i + 20_000);
    await database.db.$executeRaw`
      INSERT INTO ledger_entry ("communityId", seq, kind, "memberId", points, reason, "createdAt", "prevHash", hash)
      SELECT ${c.communityId}, s, 'ADJUSTMENT', ${member.memberId}, 0, r, to_timestamp(t / 1000.0) AT TIME ZONE 'UTC', p, h
      FROM unnest(${batch.map((e) => e.seq)}::int[], ${batch.map((e) => e.reason)}::text[],
                  ${batch.map((e) => e.createdAt.getTime())}::float8[], ${batch.map((e) => e.prevHash)}::text[],
                  ${batch.map((e) => e.hash)}::text[]) AS x(s, r, t, p, h)`;
  }
  await database.db.ledgerHead.upsert({
    where: { communityId: c.communityId },
    create: { communityId: c.communityId, seq: ENTRIES, hash: prevHash },
    update: { seq: ENTRIES, hash: prevHash },
  });
}

let community: TestCommunity;

beforeAll(async () => {
  community = await newCommunity(database);
  await seedLargeLedger(community);
}, 120_000);

describe.each(BACKENDS)("/ledger verify of a large community on %s", (kind) => {
  let runtime: JobRuntime;
  let platform: FakePlatform;
  let settings: ReturnType<typeof queueSettings>;

  beforeEach(async () => {
    settings = queueSettings(kind, database.url);
    platform = new FakePlatform();
    runtime = await startWorkers({
      ...settings,
      deps: realClockDeps(database),
      platforms: [platform],
      settings: { cardEditDelayMs: 0 },
      dispatcherPollMs: 50,
    });
  });

  afterEach(async () => {
    await runtime.close();
    await cleanupNamespace(settings);
  });

  async function verifyAsModerator(): Promise<string> {
    const view = await runTextCommand(
      catalog,
      {
        deps: community.deps,
        chat: community.chat,
        user: { ...community.user("mod"), isPlatformModerator: true },
        jobs: commandJobs(runtime.queues),
      },
      "/ledger verify",
    );
    if (view === null) throw new Error("no answer");
    return renderPlainText(view);
  }

  const sentToModerator = (): string[] =>
    platform.calls.filter((c) => c.op === "post" && c.target.includes(":dm:")).map((c) => c.text);

  it("answers at once, then sends the verdict to the moderator privately", async () => {
    const answer = await verifyAsModerator();
    expect(answer).toContain(
      `Verification of ${ENTRIES} ledger entries started; I'll send you the verdict privately.`,
    );
    await runtime.settle(60_000);
    expect(sentToModerator()).toEqual([expect.stringContaining(`Hash chain intact: ${ENTRIES} entries`)]);
    expect(sentToModerator()[0]).toContain("Balances agree with the ledger.");
    const job = await runtime.queues.exports.getJob(`ledger-verify-${community.communityId}`);
    expect(job?.progress).toBe(100);
  }, 90_000);

  it("a second request while one is queued or running is told how far it is, and starts nothing", async () => {
    await runtime.queues.exports.pause();
    try {
      expect(await verifyAsModerator()).toMatch(/started/);
      const second = await verifyAsModerator();
      expect(second).toMatch(/^A verification of this ledger is already running \(0% done\)/);
      expect(second.split("\n")).toHaveLength(1);
    } finally {
      await runtime.queues.exports.resume();
    }
    await runtime.settle(60_000);
    expect(sentToModerator()).toEqual([expect.stringContaining("Hash chain intact")]);
    // Finished, so the next request starts a new verification.
    expect(await verifyAsModerator()).toMatch(/started/);
    await runtime.settle(60_000);
    expect(sentToModerator()).toHaveLength(2);
  }, 120_000);

  it("names the first altered entry in the verdict", async () => {
    await database.db.$executeRaw`UPDATE ledger_entry SET points = 1
      WHERE "communityId" = ${community.communityId} AND seq IN (70000, 90000)`;
    try {
      expect(await verifyAsModerator()).toMatch(/started/);
      await runtime.settle(60_000);
      expect(sentToModerator()).toEqual([
        expect.stringContaining("Hash chain BROKEN at entry 70000 (hash mismatch)."),
      ]);
    } finally {
      await database.db.$executeRaw`UPDATE ledger_entry SET points = 0
        WHERE "communityId" = ${community.communityId} AND seq IN (70000, 90000)`;
    }
  }, 90_000);
});
