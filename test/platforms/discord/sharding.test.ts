// Sharding goes through discord.js: the options the bot builds make an
// unmodified Client identify the right shards against the fake gateway.
import { Events, type Client } from "discord.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { discordClient, type DiscordOptions } from "../../../src/platforms/discord/bot.ts";
import { APP_ID, FakeDiscord, GUILD_ID } from "./fakeDiscord.ts";
import { TOKEN } from "./world.ts";

const fake = new FakeDiscord();
let client: Client | null = null;

beforeAll(() => fake.start());
afterEach(async () => {
  await client?.destroy();
  client = null;
  fake.identified.length = 0;
});
afterAll(() => fake.stop());

async function connect(shards: NonNullable<DiscordOptions["shards"]>): Promise<Client> {
  client = discordClient({ token: TOKEN, applicationId: APP_ID, api: fake.api, shards });
  const ready = new Promise((resolve) => client?.once(Events.ClientReady, resolve));
  await client.login(TOKEN);
  await ready;
  return client;
}

/** The shard Discord routes a server to. */
const shardOf = (guildId: string, count: number): number => Number((BigInt(guildId) >> 22n) % BigInt(count));

describe("sharding", () => {
  it('runs every shard Discord recommends with shards: "auto"', async () => {
    fake.recommendedShards = 2;
    const connected = await connect("auto");
    expect([...fake.identified].sort()).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect(connected.guilds.cache.has(GUILD_ID)).toBe(true);
  });

  it("runs only its own shards of the given total, and sees only their servers", async () => {
    const other = 1 - shardOf(GUILD_ID, 2);
    const connected = await connect({ ids: [other], count: 2 });
    expect(fake.identified).toEqual([[other, 2]]);
    expect(connected.guilds.cache.has(GUILD_ID)).toBe(false);
  });
});
