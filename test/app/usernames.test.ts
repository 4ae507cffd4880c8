// Usernames stored on identities: an @name resolves only by them, never by a
// display name, and a username someone gave up no longer names them.
import { describe, expect, it } from "vitest";
import { ensureCommunityForChat, findMember, recordUsername, resolveActor } from "../../src/app/actors.ts";
import { FakeClock } from "../support/communities.ts";
import { useTestDatabase } from "../support/db.ts";

const database = useTestDatabase();

describe("usernames", () => {
  it("a username taken over by someone else names the new holder, never the old one or a look-alike name", async () => {
    const deps = { db: database.db, store: database.store, clock: new FakeClock() };
    const chat = { platform: "TELEGRAM" as const, chatId: "-700", title: "Names" };
    await ensureCommunityForChat(deps, chat);
    const person = (userId: string, displayName: string) =>
      resolveActor(deps, chat, { platform: "TELEGRAM", userId, displayName });
    const ann = await person("1", "Ann");
    const bob = await person("2", "Bob");
    const lookAlike = await person("3", "ann_x");
    if (!ann.ok || !bob.ok || !lookAlike.ok) throw new Error("no actors");
    const { communityId } = ann.value;
    const named = (username: string) =>
      database.db.$transaction((tx) =>
        findMember(tx, communityId, { kind: "username", platform: "TELEGRAM", username }, new Date()),
      );

    await recordUsername(deps, { platform: "TELEGRAM", userId: "1" }, "Ann_X");
    expect(await named("ANN_x")).toMatchObject({ ok: true, value: { id: ann.value.memberId } });

    await recordUsername(deps, { platform: "TELEGRAM", userId: "1" }, null);
    await recordUsername(deps, { platform: "TELEGRAM", userId: "2" }, "ann_x");
    expect(await named("ann_x")).toMatchObject({ ok: true, value: { id: bob.value.memberId } });

    await recordUsername(deps, { platform: "TELEGRAM", userId: "2" }, "bob_b");
    expect(await named("ann_x")).toMatchObject({ ok: false, error: { code: "UNKNOWN_MEMBER" } });
  });
});
