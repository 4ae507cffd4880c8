// A chat's space through the bot's life in it: created on joining, kept
// inactive on leaving, moved when the platform gives the chat a new id.
import { describe, expect, it } from "vitest";
import { deactivateSpace, ensureCommunityForChat, moveSpace } from "../../src/app/actors.ts";
import { FakeClock } from "../support/communities.ts";
import { useTestDatabase } from "../support/db.ts";

const database = useTestDatabase();

describe("spaces", () => {
  it("creates a community once per chat, keeps it when the bot leaves, and reactivates it on return", async () => {
    const deps = { db: database.db, clock: new FakeClock() };
    const chat = { platform: "TELEGRAM" as const, chatId: "-100", title: "Builders" };
    const first = await ensureCommunityForChat(deps, chat);
    expect(first.created).toBe(true);
    await deactivateSpace(deps, chat);
    expect((await database.db.space.findUniqueOrThrow({ where: { id: first.spaceId } })).active).toBe(false);
    const again = await ensureCommunityForChat(deps, chat);
    expect(again).toEqual({ ...first, created: false });
    expect((await database.db.space.findUniqueOrThrow({ where: { id: first.spaceId } })).active).toBe(true);
  });

  it("moves a space to its chat's new id, and refuses a move onto a chat that has a space", async () => {
    const deps = { db: database.db, clock: new FakeClock() };
    const group = await ensureCommunityForChat(deps, {
      platform: "TELEGRAM",
      chatId: "-200",
      title: "Group",
    });
    const other = await ensureCommunityForChat(deps, {
      platform: "TELEGRAM",
      chatId: "-300",
      title: "Other",
    });

    expect(await moveSpace(deps, { platform: "TELEGRAM", fromChatId: "-200", toChatId: "-1000200" })).toBe(
      true,
    );
    const moved = await database.db.space.findUniqueOrThrow({ where: { id: group.spaceId } });
    expect(moved).toMatchObject({ platformChatId: "-1000200", communityId: group.communityId });

    expect(await moveSpace(deps, { platform: "TELEGRAM", fromChatId: "-1000200", toChatId: "-300" })).toBe(
      false,
    );
    expect((await database.db.space.findUniqueOrThrow({ where: { id: other.spaceId } })).platformChatId).toBe(
      "-300",
    );
    expect(await moveSpace(deps, { platform: "TELEGRAM", fromChatId: "-404", toChatId: "-405" })).toBe(false);
  });
});
