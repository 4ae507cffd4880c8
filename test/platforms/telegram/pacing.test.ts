// Answers to commands are paced by the same buckets as the delivery jobs'
// posts: a burst of commands in one group never makes the bot write to that
// group faster than its per-chat limit, and a flood beyond what can wait is
// dropped with a warning rather than sent over the limit.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Pace, PlatformLimits } from "../../../src/ports/chatPlatform.ts";
import { bucketsFor } from "../../../src/ports/pacing.ts";
import { replyTarget } from "../../../src/platforms/telegram/pacedReplies.ts";
import { TelegramWorld } from "./harness.ts";

const GROUP_PACE: Pace = { capacity: 3, perSecond: 2 };
const LIMITS: PlatformLimits = {
  global: { capacity: 100, perSecond: 100 },
  perChat: GROUP_PACE,
  perChatScope: "chat",
};

/** A command typed in the group by a person who never started the bot: the answer is a note in the group. */
function commandInGroup(world: TelegramWorld, name: string, text: string): object {
  const user = world.user(TelegramWorld.person(name));
  world.emulator.state.notStarted.add(user.id);
  return world.textUpdate(user, text);
}

/** When the bot wrote to the group, oldest first. */
function groupWrites(world: TelegramWorld, since: number): number[] {
  return world.emulator
    .callsOf("sendMessage")
    .filter((c) => Number(c.body["chat_id"]) === world.group.id && c.at >= since)
    .map((c) => c.at)
    .sort((a, b) => a - b);
}

/**
 * The k-th write cannot reach Telegram before k + 1 tokens were taken, and a
 * bucket full at `since` holds `capacity` of them, then one every 1/perSecond
 * seconds: so no write arrives earlier than that (late is allowed, for HTTP).
 */
function expectWithinPace(times: readonly number[], since: number, pace: Pace): void {
  times.forEach((at, k) => {
    const earliest = since + (Math.max(0, k + 1 - pace.capacity) / pace.perSecond) * 1000;
    expect(at).toBeGreaterThanOrEqual(earliest - 5);
  });
}

describe("a burst of commands in one group", () => {
  const world = new TelegramWorld({ emulator: 9481, http: 9482 }, { replyPacing: { limits: LIMITS } });
  beforeAll(() => world.start(), 60_000);
  afterAll(() => world.stop(), 60_000);

  it("answers every command, never faster than the group's limit", async () => {
    const since = Date.now();
    const statuses = await Promise.all(
      Array.from({ length: 8 }, (_, i) => world.postUpdate(commandInGroup(world, `Burst${i}`, "/help"))),
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    const writes = groupWrites(world, since);
    expect(writes).toHaveLength(8);
    expectWithinPace(writes, since, GROUP_PACE);
    expect(world.errors).toEqual([]);
  }, 30_000);

  it("waits behind what the delivery jobs took from the group's bucket", async () => {
    const coordination = world.runtime.backend.coordination;
    const buckets = bucketsFor(replyTarget(String(world.group.id)), LIMITS);
    // The jobs' posts take from these very buckets (jobs/send.ts); empty the group's.
    while ((await coordination.take(buckets)) === 0);
    const since = Date.now();
    expect(await world.postUpdate(commandInGroup(world, "Late", "/help"))).toBe(200);
    const [write] = groupWrites(world, since);
    expect(write).toBeDefined();
    expect((write ?? 0) - since).toBeGreaterThanOrEqual(300);
  }, 30_000);
});

describe("a flood of commands in one group", () => {
  const world = new TelegramWorld(
    { emulator: 9483, http: 9484 },
    { replyPacing: { limits: LIMITS, waitAtMostMs: 600 } },
  );
  beforeAll(() => world.start(), 60_000);
  afterAll(() => world.stop(), 60_000);

  it("drops the answers that would wait too long, with a warning, and stays within the limit", async () => {
    const since = Date.now();
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => world.postUpdate(commandInGroup(world, `Flood${i}`, "/help"))),
    );
    const writes = groupWrites(world, since);
    expectWithinPace(writes, since, GROUP_PACE);
    expect(writes.length).toBeGreaterThanOrEqual(GROUP_PACE.capacity);
    const dropped = world.logLines.filter((line) => line.includes("an answer was dropped"));
    expect(dropped.length).toBeGreaterThan(0);
    expect(dropped).toHaveLength(12 - writes.length);
    expect(world.errors).toEqual([]);
  }, 30_000);
});
