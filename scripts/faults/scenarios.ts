// The fault scenarios, each on a world of its own (see world.ts).
import { finish, type Row, type Scenario, type Size } from "./scenario.ts";
import { sleep, until } from "./processes.ts";
import { Workload, type Choice, type Plan } from "./workload.ts";
import { FaultWorld, type WorldOptions } from "./world.ts";

/** Three approvals of four voters decide by vote at quorum 3; every third contribution is rejected. */
const byVotes =
  (voters: number) =>
  (c: number, k: number, v: number): Choice | null =>
    v < Math.min(voters, 4) ? ((c + k) % 3 === 2 ? "reject" : "approve") : null;

function plan(size: Size, overrides: Partial<Plan> = {}): Plan {
  return {
    contributionsEach: size.contributionsEach,
    vote: byVotes(size.voters),
    spreadMs: size.spreadMs,
    ...overrides,
  };
}

async function inWorld(options: WorldOptions, work: (world: FaultWorld) => Promise<Row>): Promise<Row> {
  const world = await FaultWorld.open(options);
  try {
    return await work(world);
  } finally {
    await world.close();
  }
}

/** Kills `cairn worker` with SIGKILL while `busy` holds, `times` times, starting a new one each time. */
async function killWorkersWhile(
  world: FaultWorld,
  first: Awaited<ReturnType<FaultWorld["spawn"]>>,
  times: number,
  busy: () => Promise<boolean>,
): Promise<{ kills: number }> {
  let worker = first;
  let kills = 0;
  for (let i = 0; i < times; i += 1) {
    await until("work in flight", busy, Boolean, 30_000, 20).catch(() => false);
    await sleep(100 + Math.floor(Math.random() * 200));
    await worker.killHard();
    kills += 1;
    worker = await world.spawn("worker");
  }
  return { kills };
}

const workerKilledMidDeliveries: Scenario = {
  name: "worker SIGKILLed mid-deliveries",
  quick: true,
  run: (size) =>
    inWorld({}, async (world) => {
      const communities = await world.communities(size.communities, size.voters, { quorum: 3 });
      await world.spawn("bot");
      const worker = await world.spawn("worker");
      const workload = new Workload(world, communities);
      const ids = communities.map((c) => c.communityId);
      const running = workload.run(plan(size));
      const { kills } = await killWorkersWhile(world, worker, size.quick ? 2 : 4, async () =>
        (await world.deps.db.outboxMessage.count({ where: { communityId: { in: ids }, deliveredAt: null } })) > 0,
      );
      await running;
      return finish(this_name(workerKilledMidDeliveries), world, workload, Date.now(), [`${kills} kills`]);
    }),
};

function this_name(scenario: Scenario): string {
  return scenario.name;
}

export const scenarios: readonly Scenario[] = [workerKilledMidDeliveries];
