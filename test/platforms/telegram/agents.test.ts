// Agent members and evidence digests through the real telegraf bot against
// telegram-test-api: a moderator makes an agent's token in chat, the agent's
// work is marked on its card and kept off the people's board, and a digest
// typed twice is refused like a duplicate link.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticateToken } from "../../../src/app/tokens.ts";
import { logContribution } from "../../../src/app/contributions.ts";
import { TelegramWorld } from "./harness.ts";

const world = new TelegramWorld({ emulator: 9611, http: 9612 }, { membershipCacheMs: 0 });
const person = TelegramWorld.person;

beforeAll(() => world.start(), 60_000);
afterAll(() => world.stop(), 60_000);

async function communityId(): Promise<number> {
  const space = await world.database.db.space.findUniqueOrThrow({
    where: { platform_platformChatId: { platform: "TELEGRAM", platformChatId: String(world.group.id) } },
  });
  return space.communityId;
}

const digest = (fill: string): string => `sha256:${fill.repeat(64)}`;

describe("agent members on Telegram", () => {
  it("are made with /token create … agent, marked on cards and shown on /leaderboard agents only", async () => {
    const mod = person("Olga", true);
    const bob = person("Bob");
    await world.say(mod, "/help");
    await world.database.db.community.update({
      where: { id: await communityId() },
      data: { config: { timezone: "UTC", quorum: 1 } },
    });
    const made = await world.say(mod, "/token create labeller contribute read agent", "private");
    expect(made.reply.private).toBe(true);
    expect(made.reply.text).toMatch(/acts as the agent member labeller, with you as its owner/);
    const token = /cairn_[0-9a-f]{12}_[A-Za-z0-9_-]{32}/.exec(made.reply.text)?.[0] ?? "";
    const caller = await authenticateToken(
      { db: world.database.db, store: world.database.store, clock: { now: () => new Date() } },
      token,
    );
    if (!caller.ok) throw new Error(caller.error.code);
    const logged = await logContribution(
      { db: world.database.db, store: world.database.store, clock: { now: () => new Date() } },
      caller.value.actor,
      {
        categorySlug: "data",
        title: "Labelled 1,000 rows",
        links: ["https://example.org/agents/rows"],
        digests: [digest("a")],
      },
    );
    if (!logged.ok) throw new Error(logged.error.code);
    const card = await world.card(logged.value.number);
    expect(card.text).toContain("by labeller [agent]");
    expect(card.text).toContain(digest("a"));

    // The owner may not vote on their agent's work; another person verifies it.
    expect((await world.command(mod, `/vote #${logged.value.number} approve`)).text).toMatch(
      /An agent and its owner count as one/,
    );
    expect((await world.command(bob, `/vote #${logged.value.number} approve`)).text).toMatch(/verified/i);

    const people = await world.command(bob, "/leaderboard");
    expect(people.text).not.toContain("labeller");
    const agents = await world.command(bob, "/leaderboard agents");
    expect(agents.text).toMatch(/agents/);
    expect(agents.text).toMatch(/1\. labeller \[agent\]/);
    const everyone = await world.command(bob, "/leaderboard everyone");
    expect(everyone.text).toContain("labeller [agent]");
    expect(everyone.text).toContain("Bob");
  });

  it("refuses a digest already used by another live contribution, in one line, and logs nothing", async () => {
    const alice = person("Alice");
    const carol = person("Carol");
    const first = await world.command(alice, `/contribute docs "Release notes" ${digest("b")}`);
    expect(first.text).toMatch(/Logged #(\d+)/);
    const before = await world.database.db.contribution.count({
      where: { communityId: await communityId() },
    });
    const number = /Logged #(\d+)/.exec(first.text)?.[1];
    const twice = await world.command(
      carol,
      `/contribute docs "Same file again" https://example.org/other ${digest("B")}`,
    );
    expect(twice.text).toBe(`✗ That evidence digest is already used by contribution #${number}.`);
    const bad = await world.command(carol, "/contribute docs Broken sha256:abc");
    expect(bad.text).toMatch(/^✗ (Digest 1|A digest) is not valid; write sha256:/);
    expect(await world.database.db.contribution.count({ where: { communityId: await communityId() } })).toBe(
      before,
    );
  });
});
