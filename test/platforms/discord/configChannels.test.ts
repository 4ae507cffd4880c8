// Security item 2, the /config set half: a chat setting set from Discord must
// name a channel of one of the community's own servers, not of any server the
// bot happens to be in.
import { GatewayDispatchEvents } from "discord-api-types/v10";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCommunityConfig } from "../../../src/core/config.ts";
import { CARDS_CHANNEL, guildFixture, textChannel } from "./fakeDiscord.ts";
import { slashCommand } from "./fixtures.ts";
import { DiscordWorld, textOf } from "./world.ts";

const world = new DiscordWorld();
const mod = { id: "100000000000000001", name: "mod", moderator: true };
const OTHER_GUILD = "910000000000000077";
const OTHER_CHANNEL = "920000000000000077";

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
}, 60_000);
afterAll(async () => {
  await world.stop();
}, 30_000);

async function ownConfig() {
  const space = await world.space();
  const community = await world.database.db.community.findUniqueOrThrow({
    where: { id: space?.communityId ?? -1 },
  });
  return readCommunityConfig(community.config);
}

describe("Discord /config set: chat settings", () => {
  it("a moderator cannot aim the vote cards at another server's channel", async () => {
    for (const key of ["verificationChat", "leaderboardChat", "modLogChat"]) {
      const answer = await world.send(slashCommand(mod, "config", { key, value: OTHER_CHANNEL }, "set"));
      expect(answer.ephemeral).toBe(true);
      expect(textOf(answer.message)).toContain("That channel is not in a server of this community");
    }
    const mention = await world.send(
      slashCommand(mod, "config", { key: "verificationChat", value: `<#${OTHER_CHANNEL}>` }, "set"),
    );
    expect(textOf(mention.message)).toContain("That channel is not in a server of this community");
    const config = await ownConfig();
    expect([config.verificationChat, config.leaderboardChat, config.modLogChat]).toEqual([null, null, null]);
  });

  it("a channel Discord does not know is refused too, and nothing is saved", async () => {
    const answer = await world.send(
      slashCommand(mod, "config", { key: "modLogChat", value: "920000000000009999" }, "set"),
    );
    expect(textOf(answer.message)).toContain("That channel is not in a server of this community");
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
});
