// The export scenario: a moderator asks for the export of a community too large
// to answer inline, so `cairn worker` builds it as a job; the worker is killed
// (SIGKILL) while the job runs, a new one takes the job over, and the moderator
// must get exactly one file whose rows are the ledger's, recomputed here.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Job } from "bullmq";
import { INLINE_EXPORT_MEMBERS } from "../../src/app/exports.ts";
import { appendLedgerEntries } from "../../src/app/ledger.ts";
import { openQueueBackend } from "../../src/jobs/backend.ts";
import { closeQueues, openQueues, type Queues } from "../../src/jobs/queues.ts";
import { freePort } from "../../test/support/ports.ts";
import { CairnProcess, until } from "./processes.ts";
import { finish, inWorld, type Row, type Scenario } from "./scenario.ts";
import { Workload } from "./workload.ts";
import { commandUpdate, postUpdate, type Community, type FaultWorld } from "./world.ts";

/** Members with a balance: the quick run just over the inline limit, the full one twenty times it. */
const membersFor = (quick: boolean): number =>
  quick ? INLINE_EXPORT_MEMBERS + 500 : 20 * INLINE_EXPORT_MEMBERS;

/** A different number of points (hundredths) for each seeded member, some negative. */
const seedPoints = (i: number): number => ((i * 37) % 1000) - 150;

/** `memberCount` members of the community, each with one adjustment on its ledger. */
async function seedMembers(world: FaultWorld, community: Community, memberCount: number): Promise<void> {
  // One statement whatever the count: a createMany this large would be split into chunks sent at once.
  const members = await world.deps.db.$queryRaw<Array<{ id: number }>>`
    INSERT INTO member ("communityId", "displayName")
    SELECT ${community.communityId}::int, 'member ' || i FROM generate_series(1, ${memberCount}::int) AS i
    ORDER BY i RETURNING id`;
  members.sort((a, b) => a.id - b.id);
  await world.deps.db.$transaction(
    (tx) =>
      appendLedgerEntries(
        tx,
        community.communityId,
        members.map((m, i) => ({
          kind: "ADJUSTMENT" as const,
          memberId: m.id,
          points: seedPoints(i) === 0 ? 1 : seedPoints(i),
          contributionId: null,
          actorId: null,
          reason: "faults seed",
        })),
        new Date(Date.now() - 60_000),
      ),
    { timeout: 120_000 },
  );
}

/** The export job while it runs with a progress strictly between 0 and 100. */
async function runningExport(queues: Queues): Promise<Job | null> {
  const active = await queues.exports.getJobs(["active"]);
  const job = active.find((j) => j.name === "export");
  if (job === undefined) return null;
  const progress = typeof job.progress === "number" ? job.progress : 0;
  return progress > 0 && progress < 100 ? job : null;
}

interface FileCheck {
  lost: number;
  doubled: number;
  readonly notes: string[];
}

/**
 * The delivered CSV against the ledger: every member with ledger entries has
 * exactly one row whose net is the sum of their entries, and the totals agree.
 */
async function checkFile(world: FaultWorld, communityId: number, csv: string): Promise<FileCheck> {
  const check: FileCheck = { lost: 0, doubled: 0, notes: [] };
  const sums = await world.deps.db.ledgerEntry.groupBy({
    by: ["memberId"],
    where: { communityId },
    _sum: { points: true },
  });
  const expected = new Map(sums.map((s) => [s.memberId, s._sum.points ?? 0]));
  const [header = "", ...lines] = csv.split("\r\n").filter((line) => line !== "");
  const columns = header.split(",");
  const idAt = columns.indexOf("member_id");
  const netAt = columns.indexOf("net");
  const seen = new Map<number, number>();
  let fileNet = 0;
  let wrongNet = 0;
  for (const line of lines) {
    const cells = line.split(",");
    const memberId = Number(cells[idAt]);
    const net = Math.round(Number(cells[netAt]) * 100);
    seen.set(memberId, (seen.get(memberId) ?? 0) + 1);
    fileNet += net;
    if (expected.get(memberId) !== net) wrongNet += 1;
  }
  const missing = [...expected.keys()].filter((id) => !seen.has(id)).length;
  const repeated = [...seen.values()].reduce((n, count) => n + Math.max(0, count - 1), 0);
  const ledgerNet = [...expected.values()].reduce((a, b) => a + b, 0);
  check.lost += missing + wrongNet;
  check.doubled += repeated;
  if (missing > 0) check.notes.push(`lost ${missing}: members missing from the file`);
  if (repeated > 0) check.notes.push(`doubled ${repeated}: members twice in the file`);
  if (wrongNet > 0) check.notes.push(`lost ${wrongNet}: rows whose net is not the ledger's`);
  if (fileNet !== ledgerNet) {
    check.lost += 1;
    check.notes.push(`file net ${fileNet} ≠ ledger ${ledgerNet}`);
  }
  check.notes.push(`${lines.length} rows = ${expected.size} members of the ledger`);
  return check;
}

export const exportKilled: Scenario = {
  name: "worker SIGKILLed mid-export",
  quick: true,
  run: (size) =>
    inWorld({}, async (world) => {
      const dataDir = await mkdtemp(path.join(tmpdir(), "cairn-faults-exports-"));
      const backend = await openQueueBackend({ databaseUrl: world.databaseUrl, redisUrl: world.redis.url });
      const queues = openQueues(backend);
      try {
        return await exportScenario(world, queues, dataDir, membersFor(size.quick));
      } finally {
        await closeQueues(queues);
        await backend.close();
        await rm(dataDir, { recursive: true, force: true });
      }
    }),
};

async function exportScenario(
  world: FaultWorld,
  queues: Queues,
  dataDir: string,
  memberCount: number,
): Promise<Row> {
  const [community] = await world.communities(1, 0, {});
  if (community === undefined) throw new Error("no community");
  await seedMembers(world, community, memberCount);
  const workerEnv = { CAIRN_DATA_DIR: dataDir };
  const { worker } = await world.spawnBotAndWorker(workerEnv);
  const workload = new Workload(world, [community]);
  workload.attempted += 1;
  const updateId = 61_000;
  const status = await postUpdate(world, commandUpdate(community, "moderator", "/export all", { updateId }));
  // The answer is private (to the moderator, or in the group when it cannot be sent privately).
  const answers = () =>
    world.emulator
      .callsOf("sendMessage")
      .filter((c) => /being built in the background/.test(String(c.body["text"] ?? "")));
  await until(
    "the bot's answer to /export",
    async () => answers().length,
    (n) => n > 0,
    30_000,
  ).catch(() => 0);
  const queued = answers().length > 0;
  if (status === 200 && queued) workload.acknowledged += 1;
  if (process.env["FAULTS_DEBUG"] !== undefined)
    console.error(
      "answers:",
      status,
      world.emulator.callsOf("sendMessage").map((c) => String(c.body["text"] ?? "").slice(0, 80)),
      await queues.exports.getJobCounts(),
    );
  const job = await until(
    "the export job running",
    () => runningExport(queues),
    (j) => j !== null,
    60_000,
    10,
  );
  const progressAtKill = typeof job?.progress === "number" ? job.progress : 0;
  await worker.killHard();
  const faultEnded = Date.now();
  const next = new CairnProcess("worker", { ...world.environment(await freePort()), ...workerEnv });
  world.processes.push(next);
  await next.ready();
  const toModerator = () =>
    world.emulator.state.documents.filter((d) => d.chatId === String(community.moderator.telegramId));
  const delivered = await until(
    "the export file",
    async () => toModerator().length,
    (n) => n > 0,
    150_000,
    100,
  )
    .then(() => Date.now() - faultEnded)
    .catch(() => null);
  const row = await finish(exportKilled.name, world, workload, faultEnded, [
    `${memberCount} members`,
    `killed at progress ${progressAtKill}`,
  ]);
  const files = toModerator();
  const [first] = files;
  const file =
    first === undefined
      ? { lost: 1, doubled: 0, notes: ["lost 1: no file reached the moderator"] }
      : await checkFile(world, community.communityId, new TextDecoder().decode(first.bytes));
  const extraFiles = Math.max(0, files.length - 1);
  const extraAnswers = Math.max(0, answers().length - 1);
  return {
    ...row,
    attempted: workload.attempted,
    acknowledged: workload.acknowledged,
    lost: row.lost + file.lost + (queued ? 0 : 1),
    doubled: row.doubled + file.doubled + extraFiles + extraAnswers,
    recoveryMs: delivered,
    notes: [
      ...row.notes,
      `${files.length} file(s) sent`,
      ...(extraAnswers > 0 ? [`doubled ${extraAnswers}: /export answered ${answers().length} times`] : []),
      ...file.notes,
    ],
  };
}
