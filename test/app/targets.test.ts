// Where a community's messages go: every active space for the public ones, the
// configured moderator chat only for the moderators' log and digest.
import { describe, expect, it } from "vitest";
import { ensureCommunityForChat } from "../../src/app/actors.ts";
import { audienceTargets } from "../../src/app/targets.ts";
import { FakeClock } from "../support/communities.ts";
import { useTestDatabase } from "../support/db.ts";

const database = useTestDatabase();

describe("audienceTargets", () => {
  let chats = 0;
  async function communityOnDiscordAndTelegram() {
    chats += 1;
    const deps = { db: database.db, store: database.store, clock: new FakeClock() };
    const discord = await ensureCommunityForChat(deps, {
      platform: "DISCORD",
      chatId: `91${chats}`,
      title: "Server",
    });
    await database.db.space.create({
      data: {
        communityId: discord.communityId,
        platform: "TELEGRAM",
        platformChatId: `-10${chats}`,
        title: "Group",
      },
    });
    return { deps, communityId: discord.communityId };
  }

  it("sends public messages to every active space, and keeps the moderator log out of them when no moderator chat is set", async () => {
    const { deps, communityId } = await communityOnDiscordAndTelegram();
    const verification = await audienceTargets(deps, communityId, { kind: "verification" });
    expect(verification.map((t) => t.platform)).toEqual(["DISCORD", "TELEGRAM"]);
    expect(await audienceTargets(deps, communityId, { kind: "modlog" })).toEqual([]);
  });

  it("sends the moderator log to the configured moderator chat", async () => {
    const { deps, communityId } = await communityOnDiscordAndTelegram();
    await database.db.community.update({
      where: { id: communityId },
      data: { config: { timezone: "UTC", modLogChat: "920000000000000009" } },
    });
    const modlog = await audienceTargets(deps, communityId, { kind: "modlog" });
    expect(modlog).toHaveLength(2);
    expect(modlog.every((t) => t.kind === "chat" && t.channelRef === "920000000000000009")).toBe(true);
  });
});
