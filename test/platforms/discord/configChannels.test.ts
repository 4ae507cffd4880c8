// Security item 2, the /config set half: a chat setting set from Discord must
// name a channel of one of the community's own servers, not of any server the
// bot happens to be in.
import { GatewayDispatchEvents } from "discord-api-types/v10";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCommunityConfig } from "../../../src/core/config.ts";
import { refusalText } from "../../../src/views/refusals.ts";
import { CARDS_CHANNEL, guildFixture, textChannel } from "./fakeDiscord.ts";
import { slashCommand } from "./fixtures.ts";
import { DiscordWorld, textOf } from "./world.ts";
import { joinTimeSettings } from "../joinSettings.ts";

const world = new DiscordWorld();
const FOREIGN = refusalText({ code: "FOREIGN_CHAT" });
const mod = { id: "100000000000000001", name: "mod", moderator: true };
const OTHER_GUILD = "910000000000000077";
const OTHER_CHANNEL = "920000000000000077";
// Each test starts from the settings the community had when the bot joined it.
const settings = joinTimeSettings(
  () => world.database.db,
  () => ownCommunity(),
);

beforeAll(async () => {
  await world.start();
  // Another server the bot is in, with a community of its own.
  const other = guildFixture(OTHER_GUILD, "Another Server", [
    textChannel(OTHER_CHANNEL, OTHER_GUILD, "their-cards", 0),
  ]);
  world.fake.guilds.set(other.id, other);
  world.fake.dispatch(GatewayDispatchEvents.GuildCreate, other);
  await world.until(
    () =>
      world.database.db.space.findUnique({
        where: { platform_platformChatId: { platform: "DISCORD", platformChatId: OTHER_GUILD } },
      }),
    "the other server's space",
  );
  await settings.remember();
}, 60_000);
afterAll(async () => {
  await world.stop();
}, 30_000);

async function ownCommunity() {
  const space = await world.space();
  return world.database.db.community.findUniqueOrThrow({ where: { id: space?.communityId ?? -1 } });
}

async function ownConfig() {
  return readCommunityConfig((await ownCommunity()).config);
}

describe("Discord /config set: chat settings", () => {
  it("a moderator cannot aim the vote cards at another server's channel", async () => {
    for (const key of ["verificationChat", "leaderboardChat", "modLogChat"]) {
      const answer = await world.send(slashCommand(mod, "config", { key, value: OTHER_CHANNEL }, "set"));
      expect(answer.ephemeral).toBe(true);
      expect(textOf(answer.message)).toContain(FOREIGN);
    }
    const mention = await world.send(
      slashCommand(mod, "config", { key: "verificationChat", value: `<#${OTHER_CHANNEL}>` }, "set"),
    );
    expect(textOf(mention.message)).toContain(FOREIGN);
    const config = await ownConfig();
    expect([config.verificationChat, config.leaderboardChat, config.modLogChat]).toEqual([null, null, null]);
  });

  it("a channel Discord does not know is refused too, and nothing is saved", async () => {
    const answer = await world.send(
      slashCommand(mod, "config", { key: "modLogChat", value: "920000000000009999" }, "set"),
    );
    expect(textOf(answer.message)).toContain(FOREIGN);
    expect((await ownConfig()).modLogChat).toBeNull();
  });

  it("accepts a channel of the community's own server, and clearing a setting", async () => {
    const answer = await world.send(
      slashCommand(mod, "config", { key: "verificationChat", value: CARDS_CHANNEL }, "set"),
    );
    expect(textOf(answer.message)).toContain(`verificationChat is now ${CARDS_CHANNEL}`);
    expect((await ownConfig()).verificationChat).toBe(CARDS_CHANNEL);
    const cleared = await world.send(
      slashCommand(mod, "config", { key: "verificationChat", value: "none" }, "set"),
    );
    expect(textOf(cleared.message)).toContain("verificationChat is now none");
    expect((await ownConfig()).verificationChat).toBeNull();
  });

  it("asks through the delivery's own lookup: one GET /channels/:id per channel, remembered", async () => {
    const lookups = () => world.fake.callsTo("GET", new RegExp(`^/channels/${CARDS_CHANNEL}$`)).length;
    for (const key of ["verificationChat", "leaderboardChat"])
      await world.send(slashCommand(mod, "config", { key, value: CARDS_CHANNEL }, "set"));
    // Asked the first time a test of this file set it, remembered since (the reset settings are not the bot's memory).
    expect(lookups()).toBe(1);
    expect((await ownConfig()).leaderboardChat).toBe(CARDS_CHANNEL);
  });

  it("a Discord outage while asking saves nothing and says so", async () => {
    const channel = "920000000000008888";
    world.fake.failNext({ method: "GET", path: new RegExp(`^/channels/${channel}$`), status: 503, body: {} });
    const answer = await world.send(
      slashCommand(mod, "config", { key: "modLogChat", value: channel }, "set"),
    );
    expect(textOf(answer.message)).toContain("Something went wrong on our side; nothing was changed.");
    expect((await ownConfig()).modLogChat).toBeNull();
  });
});
