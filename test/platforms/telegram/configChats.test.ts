// Security item 2 on Telegram: a chat setting typed in a group must name a
// topic of that group, or a group that is a live Telegram space of the same
// community; another group, a gone one or a Discord channel is refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCommunityConfig } from "../../../src/core/config.ts";
import { refusalText } from "../../../src/views/refusals.ts";
import { TelegramWorld } from "./harness.ts";
import { joinTimeSettings } from "../joinSettings.ts";

const world = new TelegramWorld({ emulator: 9493, http: 9494 });
const mod = TelegramWorld.person("Mod", true);
const FOREIGN = `✗ ${refusalText({ code: "FOREIGN_CHAT" })}`;
const SISTER_GROUP = "-1009000000001";

// Each test starts from the settings the community had when the bot joined it.
const settings = joinTimeSettings(
  () => world.database.db,
  () => ownCommunity(),
);

beforeAll(async () => {
  await world.start();
  await settings.remember();
}, 60_000);
afterAll(() => world.stop(), 60_000);

async function ownSpace() {
  return world.database.db.space.findUniqueOrThrow({
    where: { platform_platformChatId: { platform: "TELEGRAM", platformChatId: String(world.group.id) } },
  });
}

async function ownCommunity() {
  const { communityId } = await ownSpace();
  return world.database.db.community.findUniqueOrThrow({ where: { id: communityId } });
}

async function config() {
  return readCommunityConfig((await ownCommunity()).config);
}

const set = async (key: string, value: string) =>
  (await world.command(mod, `/config set ${key} ${value}`)).text;

describe("Telegram /config set: chat settings", () => {
  it("accepts a topic of the group and the group's own chat id", async () => {
    expect(await set("verificationChat", "7")).toContain("verificationChat is now 7");
    expect(await set("modLogChat", String(world.group.id))).toContain(`modLogChat is now ${world.group.id}`);
    expect((await config()).verificationChat).toBe("7");
  });

  it("refuses a group that is not the community's, a Discord channel and a gone sister group; nothing is saved", async () => {
    // The mod log goes to the group itself: the refused set below must leave it there.
    expect(await set("modLogChat", String(world.group.id))).toContain(`modLogChat is now ${world.group.id}`);
    expect(await set("leaderboardChat", "-1009999999999")).toBe(FOREIGN);
    expect(await set("leaderboardChat", "920000000000000077")).toBe(FOREIGN);
    const { communityId } = await ownSpace();
    const sister = await world.database.db.space.create({
      data: {
        communityId,
        platform: "TELEGRAM",
        platformChatId: SISTER_GROUP,
        title: "Sister",
        active: true,
      },
    });
    expect(await set("leaderboardChat", SISTER_GROUP)).toContain(`leaderboardChat is now ${SISTER_GROUP}`);
    await world.database.db.space.update({ where: { id: sister.id }, data: { active: false } });
    expect(await set("modLogChat", SISTER_GROUP)).toBe(FOREIGN);
    expect((await config()).modLogChat).toBe(String(world.group.id));
  });
});
