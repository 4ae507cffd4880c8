// `/web` and `/web login` through the real telegraf bot against
// telegram-test-api: the address in the group, and a moderator's sign-in
// link sent to their private chat, never to the group.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { previewSignIn } from "../../../src/app/webSessions.ts";
import { PUBLIC_URL, TelegramWorld } from "./harness.ts";

const world = new TelegramWorld({ emulator: 9731, http: 9732 }, { membershipCacheMs: 0 });
const person = TelegramWorld.person;

beforeAll(() => world.start(), 60_000);
afterAll(() => world.stop(), 60_000);

describe("/web on Telegram", () => {
  it("answers the address in the group once publicPages is on", async () => {
    const mod = person("Olga", true);
    const bob = person("Bob");
    expect((await world.say(bob, "/web")).reply.text).toContain("/config set publicPages on");
    await world.say(mod, "/config set publicPages on");
    const space = await world.database.db.space.findUniqueOrThrow({
      where: { platform_platformChatId: { platform: "TELEGRAM", platformChatId: String(world.group.id) } },
    });
    const on = await world.say(bob, "/web");
    expect(on.reply.text).toContain(`${PUBLIC_URL}/c/${space.communityId}`);
  });

  it("sends /web login typed in the group to the moderator's private chat", async () => {
    const mod = person("Mira", true);
    const seen = await world.say(mod, "/web login");
    expect(seen.reply.private).toBe(true);
    const inGroup = seen.messages.filter((m) => m.chatId === String(world.group.id));
    expect(inGroup.every((m) => !m.text.includes("/login/"))).toBe(true);
    const code = new RegExp(`${PUBLIC_URL}/login/([A-Za-z0-9_-]{43})`).exec(seen.reply.text)?.[1] ?? "";
    const preview = await previewSignIn(world.deps, code);
    expect(preview.ok && preview.value.memberName).toBe("Mira");
    const refused = await world.say(person("Bea"), "/web login");
    expect(refused.reply.text).toContain("Only moderators can do that.");
  });
});
