// A chat's space through the bot's life in it: created on joining, kept
// inactive on leaving, moved when the platform gives the chat a new id.
import { describe, expect, it } from "vitest";
import { deactivateSpace, ensureCommunityForChat, moveSpace, resolveActor } from "../../src/app/actors.ts";
import { logContribution } from "../../src/app/contributions.ts";
import { castVote } from "../../src/app/votes.ts";
import { FakeClock, valueOf } from "../support/communities.ts";
import { useTestDatabase } from "../support/db.ts";

const database = useTestDatabase();

describe("spaces", () => {
  it("creates a community once per chat, keeps it when the bot leaves, and reactivates it on return", async () => {
    const deps = { db: database.db, store: database.store, clock: new FakeClock() };
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
    const deps = { db: database.db, store: database.store, clock: new FakeClock() };
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

describe("membership age", () => {
  it("counts from when the platform says the person joined the chat, not from the bot's first sight", async () => {
    const clock = new FakeClock("2026-11-28T12:00:00.000Z");
    const deps = { db: database.db, store: database.store, clock };
    const chat = { platform: "DISCORD" as const, chatId: "930", title: "Server" };
    const { communityId } = await ensureCommunityForChat(deps, chat);
    await database.db.community.update({
      where: { id: communityId },
      data: { config: { timezone: "UTC", minVoterAgeDays: 7 } },
    });
    const alice = valueOf(
      await resolveActor(deps, chat, { platform: "DISCORD", userId: "1", displayName: "Alice" }),
    );
    const { number } = valueOf(
      await logContribution(deps, alice, {
        categorySlug: "docs",
        title: "Guide",
        links: ["https://a.example/g"],
      }),
    );
    const veteran = {
      platform: "DISCORD" as const,
      userId: "2",
      displayName: "Vera",
      joinedChatAt: new Date("2025-01-01T00:00:00Z"),
    };
    const newcomer = { platform: "DISCORD" as const, userId: "3", displayName: "Nick" };

    const vera = valueOf(await resolveActor(deps, chat, veteran));
    expect(await castVote(deps, vera, { number, choice: "APPROVE" })).toMatchObject({ ok: true });
    const nick = valueOf(await resolveActor(deps, chat, newcomer));
    expect(await castVote(deps, nick, { number, choice: "APPROVE" })).toMatchObject({
      ok: false,
      error: { code: "TOO_NEW" },
    });
    // Seen again with the platform's join date: the earlier date wins; a later one changes nothing.
    valueOf(await resolveActor(deps, chat, { ...newcomer, joinedChatAt: new Date("2026-11-01T00:00:00Z") }));
    valueOf(await resolveActor(deps, chat, { ...newcomer, joinedChatAt: new Date("2026-11-27T00:00:00Z") }));
    expect(await castVote(deps, nick, { number, choice: "APPROVE" })).toMatchObject({ ok: true });
  });
});
