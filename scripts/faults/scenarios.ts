// The fault scenarios, each on a world of its own (see world.ts): real
// `cairn bot` / `cairn worker` / `cairn start` processes, a known workload,
// one fault, then the checks of check.ts.
import { readFile } from "node:fs/promises";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { GUILD_ID } from "../../test/platforms/discord/fakeDiscord.ts";
import { modalSubmit, slashCommand } from "../../test/platforms/discord/fixtures.ts";
import { freePort } from "../../test/support/ports.ts";
import { exportKilled } from "./exportKill.ts";
import { finish, inWorld, type Scenario, type Size } from "./scenario.ts";
import { CairnProcess, sleep, until } from "./processes.ts";
import { Workload, type Choice, type Plan } from "./workload.ts";
import { FaultWorld, commandUpdate, postUpdate, type Community } from "./world.ts";

/** Three of four voters decide by vote at quorum 3; every third contribution is rejected. */
const byVotes =
  (voters: number) =>
  (c: number, k: number, v: number): Choice | null =>
    v < Math.min(voters, 4) ? ((c + k) % 3 === 2 ? "reject" : "approve") : null;

/** Two approvals and a rejection: quorum 3 reached without either side deciding, so the deadline decides (verified). */
const forTheDeadline = (_c: number, _k: number, v: number): Choice | null =>
  v < 2 ? "approve" : v === 2 ? "reject" : null;

function plan(size: Size, overrides: Partial<Plan> = {}): Plan {
  return {
    contributionsEach: size.contributionsEach,
    vote: byVotes(size.voters),
    spreadMs: size.spreadMs,
    ...overrides,
  };
}

type Process = Awaited<ReturnType<FaultWorld["spawn"]>>;

/** Kills `cairn worker` with SIGKILL while `busy` holds, `times` times, starting a new one each time. */
async function killWorkersWhile(
  world: FaultWorld,
  first: Process,
  times: number,
  busy: () => Promise<boolean>,
): Promise<{ kills: number; worker: Process }> {
  let worker = first;
  let kills = 0;
  for (let i = 0; i < times; i += 1) {
    const inFlight = await until("work in flight", busy, Boolean, 30_000, 20).catch(() => false);
    if (inFlight === false) break;
    await sleep(50 + Math.floor(Math.random() * 250));
    await worker.killHard();
    kills += 1;
    worker = await world.spawn("worker");
  }
  return { kills, worker };
}

const undelivered = (world: FaultWorld, communities: readonly Community[]) => async () =>
  (await world.deps.db.outboxMessage.count({
    where: { communityId: { in: communities.map((c) => c.communityId) }, deliveredAt: null },
  })) > 0;

/** Moves every pending contribution's deadline to `at` (the next worker's start-up reconcile schedules it). */
async function closeAt(world: FaultWorld, communities: readonly Community[], at: Date): Promise<number> {
  const moved = await world.deps.db.contribution.updateMany({
    where: { communityId: { in: communities.map((c) => c.communityId) }, status: "PENDING" },
    data: { closesAt: at },
  });
  return moved.count;
}

const workerKilledMidDeliveries: Scenario = {
  name: "worker SIGKILLed mid-deliveries",
  quick: true,
  run: (size) =>
    inWorld({}, async (world) => {
      const communities = await world.communities(size.communities, size.voters, { quorum: 3 });
      const { worker } = await world.spawnBotAndWorker();
      const workload = new Workload(world, communities);
      const running = workload.run(plan(size));
      const { kills } = await killWorkersWhile(
        world,
        worker,
        size.quick ? 2 : 5,
        undelivered(world, communities),
      );
      await running;
      return finish(workerKilledMidDeliveries.name, world, workload, Date.now(), [`${kills} kills`]);
    }),
};

const workerKilledMidSweep: Scenario = {
  name: "worker SIGKILLed mid-deadline sweep",
  quick: true,
  run: (size) =>
    inWorld({}, async (world) => {
      const communities = await world.communities(size.communities, size.voters, { quorum: 3 });
      let { worker } = await world.spawnBotAndWorker();
      const workload = new Workload(world, communities);
      await workload.run(plan(size, { vote: forTheDeadline }));
      await until("cards delivered", async () => !(await undelivered(world, communities)()), Boolean, 60_000);
      await worker.killHard();
      await closeAt(world, communities, new Date(Date.now() - 1000));
      const pending = async () =>
        (await world.deps.db.contribution.count({
          where: { communityId: { in: communities.map((c) => c.communityId) }, status: "PENDING" },
        })) > 0;
      let kills = 0;
      for (let i = 0; i < (size.quick ? 2 : 4) && (await pending()); i += 1) {
        worker = new CairnProcess("worker", world.environment(await freePort()));
        world.processes.push(worker);
        // Killed as its start-up reconcile schedules the due deadlines and the sweep decides them.
        await worker.waitForLine(/is running|reconcil/i, 60_000).catch(() => "");
        await sleep(Math.floor(Math.random() * 300));
        await worker.killHard();
        kills += 1;
      }
      const faultEnded = Date.now();
      await world.spawn("worker");
      return finish(workerKilledMidSweep.name, world, workload, faultEnded, [`${kills} kills`]);
    }),
};

const redisFlushed: Scenario = {
  name: "Redis flushed (FLUSHALL) under load",
  quick: true,
  ci: true,
  run: (size) =>
    inWorld({}, async (world) => {
      const communities = await world.communities(size.communities, size.voters, { quorum: 3 });
      await world.spawnBotAndWorker();
      const workload = new Workload(world, communities);
      const running = workload.run(plan(size));
      await sleep(size.spreadMs / 2);
      await world.redis.flushAll();
      const faultEnded = Date.now();
      await running;
      return finish(redisFlushed.name, world, workload, faultEnded);
    }),
};

const redisStopped: Scenario = {
  name: "Redis stopped under load, then started",
  quick: true,
  run: (size) =>
    inWorld({}, async (world) => {
      const communities = await world.communities(size.communities, size.voters, { quorum: 3 });
      await world.spawnBotAndWorker();
      const workload = new Workload(world, communities);
      const running = workload.run(plan(size, { spreadMs: size.redisOutageMs + size.spreadMs }));
      await sleep(size.spreadMs / 3);
      await world.redis.stop();
      await sleep(size.redisOutageMs);
      await world.redis.start();
      const faultEnded = Date.now();
      await running;
      return finish(redisStopped.name, world, workload, faultEnded, [
        `down ${(size.redisOutageMs / 1000).toFixed(0)} s`,
      ]);
    }),
};

const postgresRestarted: Scenario = {
  name: "PostgreSQL restarted under load",
  quick: true,
  run: (size) =>
    inWorld({ ownPostgres: true }, async (world) => {
      const communities = await world.communities(size.communities, size.voters, { quorum: 3 });
      const { bot, worker } = await world.spawnBotAndWorker();
      const workload = new Workload(world, communities);
      const running = workload.run(plan(size, { spreadMs: size.spreadMs + 3_000 }));
      await sleep(size.spreadMs / 3);
      await world.stopPostgres();
      await sleep(3_000);
      await world.startPostgres();
      const faultEnded = Date.now();
      await running;
      const stack = [...bot.lines, ...worker.lines].filter((line) => /\n\s+at | {4}at /.test(line)).length;
      const alive = bot.running && worker.running ? [] : ["a process exited"];
      const row = await finish(postgresRestarted.name, world, workload, faultEnded, [
        ...alive,
        ...(stack > 0 ? [`${stack} stack-trace lines`] : []),
        `${workload.serverErrors.get(503) ?? 0}×503 "try again"`,
      ]);
      return alive.length === 0 ? row : { ...row, lost: row.lost + 1 };
    }),
};

const telegramTwice: Scenario = {
  name: "same Telegram update delivered twice",
  quick: true,
  ci: true,
  run: (size) =>
    inWorld({}, async (world) => {
      const communities = await world.communities(size.communities, 0, {});
      await world.spawnBotAndWorker();
      const workload = new Workload(world, communities);
      let answersDoubled = 0;
      for (const [i, community] of communities.entries()) {
        const messageId = 500 + i;
        const update = commandUpdate(
          community,
          "submitter",
          `/contribute docs Work ${community.communityId}-0 https://example.org/tg/${i}`,
          { updateId: 9_000 + i, messageId },
        );
        workload.attempted += 2;
        const statuses = await Promise.all([postUpdate(world, update), postUpdate(world, update)]);
        workload.acknowledged += statuses.filter((s) => s === 200).length;
        await sleep(300);
        const answers = world.emulator
          .callsOf("sendMessage")
          .filter(
            (c) =>
              String(c.body["chat_id"]) === String(community.groupId) &&
              JSON.stringify(c.body["reply_parameters"] ?? {}).includes(String(messageId)),
          ).length;
        answersDoubled += Math.max(0, answers - 1);
        const row = await world.deps.db.contribution.findFirst({
          where: { communityId: community.communityId },
        });
        if (row !== null)
          workload.contributions.push({
            communityId: community.communityId,
            number: row.number,
            title: row.title,
          });
      }
      const result = await finish(telegramTwice.name, world, workload, Date.now(), [
        `${workload.contributions.length} of ${communities.length} logged`,
      ]);
      const lost = result.lost + (communities.length - workload.contributions.length);
      return { ...result, lost, doubled: result.doubled + answersDoubled };
    }),
};

const discordTwice: Scenario = {
  name: "same Discord interaction delivered twice",
  quick: true,
  ci: true,
  run: () =>
    inWorld({ discord: true }, async (world) => {
      const fake = world.discord;
      if (fake === null) throw new Error("no Discord fake");
      await world.spawnBotAndWorker();
      const space = await until(
        "the Discord server's community",
        () =>
          world.deps.db.space.findUnique({
            where: { platform_platformChatId: { platform: "DISCORD", platformChatId: GUILD_ID } },
          }),
        (s) => s !== null,
      );
      if (space === null) throw new Error("no community");
      const community: Community = {
        communityId: space.communityId,
        groupId: 0,
        submitter: undefined as never,
        voters: [],
        moderator: undefined as never,
      };
      const workload = new Workload(world, [community]);
      const person = { id: "100000000000000777", name: "carol" };
      const opened = await fake.interact(slashCommand(person, "contribute", { category: "docs" }));
      const customId = String((opened.body as { data?: { custom_id?: string } }).data?.custom_id ?? "");
      const submit = modalSubmit(person, customId, {
        title: `Work ${space.communityId}-0`,
        links: "https://example.org/discord/0",
        description: "",
      });
      workload.attempted += 2;
      fake.dispatch("INTERACTION_CREATE" as never, submit);
      fake.dispatch("INTERACTION_CREATE" as never, submit);
      await until(
        "an answer",
        async () => fake.callsTo("POST", new RegExp(`/interactions/${submit.id}/`)).length,
        (n) => n > 0,
        15_000,
      );
      await sleep(1_500);
      const callbacks = fake.callsTo("POST", new RegExp(`/interactions/${submit.id}/`)).length;
      workload.acknowledged += callbacks;
      const row = await world.deps.db.contribution.findFirst({ where: { communityId: space.communityId } });
      if (row !== null)
        workload.contributions.push({ communityId: space.communityId, number: row.number, title: row.title });
      const posts = fake.callsTo("POST", /\/channels\/\d+\/messages$/).length;
      const result = await finish(discordTwice.name, world, workload, Date.now(), [`${posts} card posts`], {
        cards: false,
      });
      return {
        ...result,
        lost: result.lost + (row === null ? 1 : 0),
        doubled: result.doubled + Math.max(0, callbacks - 1) + Math.max(0, posts - 1),
      };
    }),
};

/** `/review approve #N reason` from the community's moderator in its group. */
async function override(
  world: FaultWorld,
  community: Community,
  number: number,
  updateId: number,
): Promise<void> {
  const text = `/review approve #${number} checked by hand`;
  await postUpdate(world, commandUpdate(community, "moderator", text, { updateId }));
}

const concurrentVotes: Scenario = {
  name: "votes, deadlines and moderator overrides at once",
  quick: true,
  run: (size) =>
    inWorld({}, async (world) => {
      // Full: 100 contributions (25 groups of 4) with 10 voters each, 1,000 votes.
      const groups = size.quick ? 4 : 25;
      const each = size.quick ? 2 : 4;
      const voters = size.quick ? 5 : 10;
      const communities = await world.communities(groups, voters, { quorum: size.quick ? 4 : 6 });
      await world.spawn("bot");
      const firstSpawn = Date.now();
      await world.spawn("worker");
      const spawnMs = Date.now() - firstSpawn;
      const workload = new Workload(world, communities);
      let release = (): void => {};
      const votesAfter = new Promise<void>((resolve) => (release = resolve));
      // Half the contributions get six approvals (decided by vote at quorum 6), the rest fewer
      // (decided by the deadline, or expired), all while their deadline fires.
      const vote = (c: number, k: number, v: number): Choice =>
        (c + k) % 2 === 0 || v % 3 !== 0 ? "approve" : "reject";
      const jitter = { ms: 0 };
      const running = workload.run({
        contributionsEach: each,
        vote,
        spreadMs: 1_000,
        votesAfter,
        voteJitterMs: jitter,
      });
      await until(
        "all logged",
        async () => workload.contributions.length,
        (n) => n === groups * each,
        60_000,
      );
      // A second worker: its start-up reconcile schedules the moved deadlines, which fall
      // in the middle of the votes.
      // Far enough ahead for the second worker to start (as long as the first took, and half
      // again); the votes are then spread until a few seconds past it.
      const closesAt = Date.now() + Math.max(15_000, spawnMs * 1.5);
      await closeAt(world, communities, new Date(closesAt));
      await world.spawn("worker");
      jitter.ms = Math.max(2_000, closesAt - Date.now() + 3_000);
      release();
      let updateId = 40_000;
      const overrides = communities.map((community) => override(world, community, 1, updateId++));
      await Promise.all([running, ...overrides]);
      return finish(concurrentVotes.name, world, workload, Date.now(), [
        `${workload.votes.length} votes acknowledged`,
      ]);
    }),
};

const sigtermMidLoad: Scenario = {
  name: "SIGTERM mid-load (bot and worker)",
  quick: true,
  ci: true,
  run: (size) =>
    inWorld({}, async (world) => {
      const communities = await world.communities(size.communities, size.voters, { quorum: 3 });
      const { bot, worker } = await world.spawnBotAndWorker();
      const workload = new Workload(world, communities);
      const running = workload.run(plan(size, { spreadMs: size.spreadMs + 4_000 }));
      await sleep(size.spreadMs / 3);
      const [botStop, workerStop] = await Promise.all([bot.terminate(), worker.terminate()]);
      const drained = botStop.exit.code === 0 && workerStop.exit.code === 0;
      await world.spawnBotAndWorker();
      const faultEnded = Date.now();
      await running;
      const row = await finish(sigtermMidLoad.name, world, workload, faultEnded, [
        `bot exit ${botStop.exit.code} in ${(botStop.ms / 1000).toFixed(1)} s`,
        `worker exit ${workerStop.exit.code} in ${(workerStop.ms / 1000).toFixed(1)} s`,
      ]);
      return drained && Math.max(botStop.ms, workerStop.ms) < 12_000 ? row : { ...row, lost: row.lost + 1 };
    }),
};

const embeddedServerGone: Scenario = {
  name: "embedded PostgreSQL's server gone",
  quick: true,
  run: (size) =>
    inWorld({}, async (world) => {
      const dataDir = await mkdtemp(path.join(tmpdir(), "cairn-faults-embedded-"));
      try {
        const env = {
          ...world.environment(world.botHttpPort),
          DATABASE_URL: "",
          CAIRN_DATA_DIR: dataDir,
          EMBEDDED_PG_PORT: String(await freePort()),
        };
        const first = new CairnProcess("start", env);
        world.processes.push(first);
        await first.ready(90_000);
        const pidFile = await readFile(path.join(dataDir, "pgdata", "postmaster.pid"), "utf8");
        const postgresPid = Number(pidFile.split("\n")[0]);
        process.kill(postgresPid, "SIGKILL");
        const started = Date.now();
        const exit = await Promise.race([first.exited, sleep(20_000).then(() => null)]);
        const exitedMs = Date.now() - started;
        const said =
          first.lines.find((line) => line.includes("stopped unexpectedly")) ?? first.lines.at(-1) ?? "";
        const lastLine = String(
          (JSON.parse(said.startsWith("{") ? said : "{}") as { msg?: unknown }).msg ?? said,
        );
        if (exit === null) await first.killHard();
        const second = new CairnProcess("start", env);
        world.processes.push(second);
        await second.ready(90_000);
        const restarted = await second.terminate();
        if (process.env["FAULTS_DEBUG"] !== undefined)
          console.error(first.lines.join("\n"), "\n----\n", second.lines.join("\n"));
        const notes = [
          exit === null
            ? "kept running without its database"
            : `exit ${exit.code} after ${(exitedMs / 1000).toFixed(1)} s`,
          `said: ${lastLine.slice(0, 160).replaceAll("|", "/")}`,
          `restart ${restarted.exit.code === 0 ? "clean" : `exit ${restarted.exit.code}`}`,
        ];
        const failed = exit === null || exit.code === 0 || restarted.exit.code !== 0;
        void size;
        return {
          scenario: embeddedServerGone.name,
          attempted: 1,
          acknowledged: exit === null ? 0 : 1,
          decided: 0,
          expectedEntries: 0,
          foundEntries: 0,
          lost: failed ? 1 : 0,
          doubled: 0,
          recoveryMs: restarted.exit.code === 0 ? exitedMs : null,
          notes,
        };
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    }),
};

export const scenarios: readonly Scenario[] = [
  workerKilledMidDeliveries,
  workerKilledMidSweep,
  redisFlushed,
  redisStopped,
  postgresRestarted,
  telegramTwice,
  discordTwice,
  concurrentVotes,
  sigtermMidLoad,
  embeddedServerGone,
  exportKilled,
];
