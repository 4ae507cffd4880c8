// How updates reach the bot (webhook with its secret, or long polling) and how
// deliveries treat Telegram's limits and topics.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveActor } from "../../../src/app/actors.ts";
import { logContribution } from "../../../src/app/contributions.ts";
import type { Actor } from "../../../src/app/deps.ts";
import { catalog } from "../../../src/commands/catalog.ts";
import { createTelegramBot } from "../../../src/platforms/telegram/index.ts";
import { waitFor } from "../../jobs/support.ts";
import { TelegramEmulator } from "./emulator.ts";
import { BOT_TOKEN, TelegramWorld } from "./harness.ts";

const SECRET = "s3cret_Token-1";
const world = new TelegramWorld({ emulator: 9471, http: 9472 }, { secret: SECRET, groupId: -1009998887776 });
const person = TelegramWorld.person;

beforeAll(() => world.start(), 60_000);
afterAll(() => world.stop(), 60_000);

function helpUpdate(userId: number) {
  return {
    update_id: world.updateId(),
    message: {
      message_id: 1,
      date: Math.floor(Date.now() / 1000),
      chat: { id: userId, type: "private", first_name: "Pat" },
      from: { id: userId, is_bot: false, first_name: "Pat" },
      text: "/start",
    },
  };
}

describe("webhook mode", () => {
  it("registers the webhook with its secret and refuses requests without the right secret header", async () => {
    const set = world.emulator.callsOf("setWebhook")[0]?.body;
    expect(set).toMatchObject({ url: world.webhookUrl, secret_token: SECRET });
    const userId = world.user(person("Pat")).id;
    const sentTo = () => world.emulator.sent().filter((m) => m.chatId === String(userId)).length;
    expect(await world.postUpdate(helpUpdate(userId), null)).toBe(403);
    expect(await world.postUpdate(helpUpdate(userId), "wrong")).toBe(403);
    expect(sentTo()).toBe(0);
    expect(await world.postUpdate(helpUpdate(userId), SECRET)).toBe(200);
    expect(sentTo()).toBe(1);
  });

  it("answers 400 to a body that is not an update", async () => {
    const response = await fetch(world.webhookUrl, {
      method: "POST",
      headers: { "x-telegram-bot-api-secret-token": SECRET },
      body: "not json",
    });
    expect(response.status).toBe(400);
  });
});

describe("deliveries", () => {
  let actor: Actor;
  beforeAll(async () => {
    const resolved = await resolveActor(
      world.deps,
      { platform: "TELEGRAM", chatId: String(world.group.id) },
      { platform: "TELEGRAM", userId: "31337", displayName: "Zed" },
    );
    if (!resolved.ok) throw new Error("no actor");
    actor = resolved.value;
  });

  const log = async (link: string) => {
    const result = await logContribution(world.deps, actor, {
      categorySlug: "docs",
      title: "Card",
      links: [link],
    });
    if (!result.ok) throw new Error(result.error.code);
    return result.value.number;
  };

  it("waits out a 429's retry_after before posting the card again", async () => {
    world.emulator.state.rateLimitNext.push(1);
    const started = Date.now();
    const number = await log("https://example.org/limited");
    const card = await world.cardMessage(number);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(card.buttons.length).toBeGreaterThan(0);
    expect(world.emulator.state.rateLimitNext).toEqual([]);
    expect(
      world.emulator.callsOf("sendMessage").filter((c) => String(c.body["text"]).includes("<b>#")).length,
    ).toBe(2);
  });

  it("posts into the configured forum topic, but not into a Discord channel id", async () => {
    const setTopic = async (ref: string) => {
      const row = await world.database.db.community.findUniqueOrThrow({ where: { id: actor.communityId } });
      await world.database.db.community.update({
        where: { id: actor.communityId },
        data: { config: { ...(row.config as object), verificationChat: ref } },
      });
    };
    await setTopic("42");
    expect((await world.cardMessage(await log("https://example.org/topic"))).threadId).toBe(42);
    await setTopic("123456789012345678");
    expect((await world.cardMessage(await log("https://example.org/snowflake"))).threadId).toBeNull();
  });
});

describe("long polling", () => {
  it("takes updates by getUpdates and stops promptly", async () => {
    const emulator = new TelegramEmulator(9473);
    await emulator.start();
    const bot = createTelegramBot(
      { deps: world.deps, catalog, log: world.log, queues: world.runtime.queues },
      { token: BOT_TOKEN, apiRoot: emulator.apiRoot },
    );
    try {
      await bot.start();
      expect(bot.httpRoute).toBeUndefined();
      await emulator.server.addUserMessage({
        botToken: BOT_TOKEN,
        from: { id: 777, is_bot: false, first_name: "Poll" },
        chat: { id: 777, type: "private", first_name: "Poll" },
        date: Math.floor(Date.now() / 1000),
        text: "/start",
      } as never);
      const sent = await waitFor(
        async () => emulator.sent(),
        (list) => list.some((m) => m.chatId === "777"),
        10_000,
      );
      expect(sent.find((m) => m.chatId === "777")?.text).toMatch(/contribution ledger/);
    } finally {
      const stopping = Date.now();
      await bot.stop();
      expect(Date.now() - stopping).toBeLessThan(5000);
      await emulator.stop();
    }
  });
});
