// How updates reach the bot (webhook with its secret, or long polling) and how
// deliveries treat Telegram's limits and topics.
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveActor } from "../../../src/app/actors.ts";
import { logContribution } from "../../../src/app/contributions.ts";
import type { Actor } from "../../../src/app/deps.ts";
import { startHttpServer } from "../../../src/http/server.ts";
import { PlatformError } from "../../../src/ports/chatPlatform.ts";
import { TIMED_OUT_TEXT } from "../../../src/platforms/telegram/dialogue.ts";
import { htmlToText } from "../../../src/platforms/telegram/html.ts";
import { createTelegramBot } from "../../../src/platforms/telegram/index.ts";
import { waitFor } from "../../jobs/support.ts";
import { TelegramEmulator } from "./emulator.ts";
import { BOT_TOKEN, TelegramWorld } from "./harness.ts";

const SECRET = "s3cret_Token-1";
// Long enough for the database round trips of each answer on a busy machine; short enough to wait out.
const DIALOGUE_TIMEOUT_MS = 1_500;
const world = new TelegramWorld(
  { emulator: 9471, http: 9472 },
  { secret: SECRET, groupId: -1009998887776, dialogueTimeoutMs: DIALOGUE_TIMEOUT_MS },
);
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
      entities: [{ type: "bot_command", offset: 0, length: 6 }],
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
    const inTopic = await world.cardMessage(await log("https://example.org/topic"));
    expect(inTopic.threadId).toBe(42);
    // The card's reference is kept under the group and its topic; the tally edit finds it there.
    const vote = await world.pressOn(person("Quin"), inTopic, "Approve");
    expect(vote.text).toMatch(/Vote recorded/);
    const edited = await world.cardMessage(Number(/#(\d+)/.exec(htmlToText(inTopic.text))?.[1]));
    expect(edited.messageId).toBe(inTopic.messageId);
    expect(htmlToText(edited.text)).toMatch(/Tally: 1 approve/);
    await setTopic("123456789012345678");
    expect((await world.cardMessage(await log("https://example.org/snowflake"))).threadId).toBeNull();
  });
});

describe("the guided /contribute's timeout", () => {
  const privateTexts = (userId: number) =>
    world.emulator
      .sent()
      .filter((m) => m.chatId === String(userId))
      .map((m) => htmlToText(m.text));

  it("tells the person when their dialogue expired unanswered, and forgets it", async () => {
    const rob = person("Rob");
    await world.say(rob, "/help");
    const opened = await world.say(rob, "/contribute", "private");
    expect(opened.reply.text).toMatch(/Which category/);
    const userId = world.user(rob).id;
    const texts = await waitFor(
      async () => privateTexts(userId),
      (list) => list.some((t) => t.includes(TIMED_OUT_TEXT)),
      5_000,
    );
    expect(texts.filter((t) => t.includes(TIMED_OUT_TEXT))).toHaveLength(1);
    const late = await world.say(rob, "docs", "private");
    expect(late.reply.text).toMatch(/Commands start with \//);
  });

  it("sends no timeout once the dialogue was cancelled, and restarts the clock with each answer", async () => {
    const sue = person("Sue");
    await world.say(sue, "/help");
    const userId = world.user(sue).id;
    await world.say(sue, "/contribute", "private");
    await sleep(DIALOGUE_TIMEOUT_MS * 0.6);
    const asked = await world.say(sue, "docs", "private");
    expect(asked.reply.text).toMatch(/What did you do/);
    await sleep(DIALOGUE_TIMEOUT_MS * 0.6);
    expect(privateTexts(userId).some((t) => t.includes(TIMED_OUT_TEXT))).toBe(false);
    expect((await world.say(sue, "cancel", "private")).reply.text).toMatch(/Cancelled/);
    await sleep(DIALOGUE_TIMEOUT_MS * 2);
    expect(privateTexts(userId).some((t) => t.includes(TIMED_OUT_TEXT))).toBe(false);
  });
});

describe("stopping", () => {
  const emulator = new TelegramEmulator(9474);
  const url = "http://127.0.0.1:9475/telegram/webhook";
  beforeAll(() => emulator.start());
  afterAll(() => emulator.stop());

  async function webhookBot(stopGraceMs: number) {
    const bot = createTelegramBot(world.services(), {
      token: BOT_TOKEN,
      apiRoot: emulator.apiRoot,
      webhook: { url, secret: SECRET },
      stopGraceMs,
    });
    const route = bot.httpRoute;
    if (route === undefined) throw new Error("no webhook route");
    const http = await startHttpServer({
      port: 9475,
      host: "127.0.0.1",
      db: world.database.db,
      routes: [route],
    });
    await bot.start();
    return { bot, http };
  }

  let nextUpdate = 9_100_000;
  const post = (chatId: number) =>
    fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
      body: JSON.stringify({
        update_id: nextUpdate++,
        message: {
          message_id: 1,
          date: Math.floor(Date.now() / 1000),
          chat: { id: chatId, type: "private", first_name: "Stop" },
          from: { id: chatId, is_bot: false, first_name: "Stop" },
          text: "/start",
          entities: [{ type: "bot_command", offset: 0, length: 6 }],
        },
      }),
    }).then((response) => response.status);
  const answeredTo = (chatId: number) => emulator.sent().filter((m) => m.chatId === String(chatId)).length;
  const reachedTelegram = (chatId: number) =>
    waitFor(
      async () => emulator.callsOf("sendMessage").filter((c) => Number(c.body["chat_id"]) === chatId),
      (calls) => calls.length > 0,
      5_000,
    );

  it("finishes the update being handled, then answers 503 so Telegram keeps the next", async () => {
    const { bot, http } = await webhookBot(5_000);
    try {
      emulator.state.delayNext.push(400);
      const handled = post(601);
      await reachedTelegram(601);
      await bot.stop();
      expect(answeredTo(601)).toBe(1); // stop() returned only once the answer was sent
      expect(await handled).toBe(200);
      expect(await post(602)).toBe(503);
      expect(answeredTo(602)).toBe(0);
    } finally {
      await http.close();
    }
  });

  it("waits no longer than its grace time for a slow update", async () => {
    const { bot, http } = await webhookBot(150);
    try {
      emulator.state.delayNext.push(1_200);
      const handled = post(603);
      await reachedTelegram(603);
      const stopping = Date.now();
      await bot.stop();
      expect(Date.now() - stopping).toBeLessThan(900);
      expect(answeredTo(603)).toBe(0);
      expect(await handled).toBe(200); // the slow update still completes
    } finally {
      await http.close();
    }
  });

  it("fails to start with an error that does not carry the token when Telegram is unreachable", async () => {
    const bot = createTelegramBot(world.services(), { token: BOT_TOKEN, apiRoot: "http://127.0.0.1:9479" });
    const failure = await bot.start().then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(PlatformError);
    expect(String((failure as Error).message)).toMatch(/telegram getMe/);
    expect(JSON.stringify(failure)).not.toContain(BOT_TOKEN.split(":")[1]);
    expect(String((failure as Error).message)).not.toContain(BOT_TOKEN.split(":")[1]);
    await bot.stop();
  });
});

describe("long polling", () => {
  it("takes updates by getUpdates and stops promptly", async () => {
    const emulator = new TelegramEmulator(9473);
    await emulator.start();
    const bot = createTelegramBot(world.services(), { token: BOT_TOKEN, apiRoot: emulator.apiRoot });
    try {
      await bot.start();
      expect(bot.httpRoute).toBeUndefined();
      await emulator.server.addUserMessage({
        botToken: BOT_TOKEN,
        from: { id: 777, is_bot: false, first_name: "Poll" },
        chat: { id: 777, type: "private", first_name: "Poll" },
        date: Math.floor(Date.now() / 1000),
        text: "/start",
        entities: [{ type: "bot_command", offset: 0, length: 6 }],
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
