// Fuzzing the real telegraf bot through its webhook with updates of every shape
// people and other bots send: commands with random arguments, edited messages,
// captions, forwarded messages, channel posts, callback data of other bots and
// stale vote buttons. No update may make the bot log an error or answer with
// anything but views and one-line refusals, and no text it sends can ping.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalog } from "../../../src/commands/catalog.ts";
import { htmlToText } from "../../../src/platforms/telegram/html.ts";
import { anyText, awkwardCharacter, fuzzRuns, fuzzTimeout, MAX_REFUSAL_LENGTH } from "../../support/fuzz.ts";
import { BOT_USERNAME, TelegramWorld } from "./harness.ts";

const world = new TelegramWorld({ emulator: 9501, http: 9502 }, { membershipCacheMs: 60_000 });
beforeAll(() => world.start(), 120_000);
afterAll(() => world.stop(), 60_000);

/** Member accounts 6001–6019, moderators (group administrators) 6020–6029: enough that the command rate rarely silences them. */
const account = fc.integer({ min: 6001, max: 6029 }).map((id) => ({
  id,
  is_bot: false,
  first_name: `Fuzz ${id}`,
  username: `fuzz_${id}`,
}));
const otherBot = { id: 777, is_bot: true, first_name: "Other", username: "OtherBot" };

const commandText = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(...catalog),
      fc.constantFrom("", `@${BOT_USERNAME}`, "@OtherBot"),
      fc.array(fc.oneof(anyText(16), fc.constantFrom("#1", "#2", "@fuzz_6001", "docs", "approve", "7d")), {
        maxLength: 6,
      }),
    )
    .map(([spec, at, args]) => [`/${spec.name}${at}`, spec.sub ?? "", ...args].join(" ")),
  anyText(120),
  fc.array(awkwardCharacter, { maxLength: 20 }).map((parts) => `/${parts.join("")}`),
);

const callbackData = fc.oneof(
  fc.constantFrom(
    "v:1:a",
    "v:1:a:5",
    "v:2:r",
    "v:999999:i",
    "v:0:a",
    "v:1:r:3",
    "d:docs",
    "d:yes",
    "d:cancel",
    "d:",
  ),
  fc.integer().map((n) => `v:${n}:a`),
  anyText(64),
  fc.string({ minLength: 65, maxLength: 300 }),
);

const chatOf = (
  kind: "group" | "private" | "channel" | "strange",
  userId: number,
): Record<string, unknown> =>
  kind === "group"
    ? { id: world.group.id, type: "supergroup", title: world.group.title }
    : kind === "private"
      ? { id: userId, type: "private", first_name: `Fuzz ${userId}` }
      : kind === "channel"
        ? { id: -1009999999999, type: "channel", title: "Some channel" }
        : { id: -4242, type: "group", title: "A group without Cairn" };

const place = fc.constantFrom("group", "private", "channel", "strange") as fc.Arbitrary<
  "group" | "private" | "channel" | "strange"
>;

/** A message as Telegram sends it, with whichever of the fields the fuzzer picked. */
const message = fc
  .record({
    from: fc.option(fc.oneof(account, fc.constant(otherBot)), { nil: undefined }),
    where: place,
    text: fc.option(commandText, { nil: undefined }),
    caption: fc.option(commandText, { nil: undefined }),
    entity: fc.boolean(),
    forwarded: fc.boolean(),
    replyToStale: fc.boolean(),
    sticker: fc.boolean(),
    messageId: fc.integer({ min: 1, max: 1_000_000 }),
  })
  .map((m) => {
    const userId = m.from?.id ?? 6001;
    const command = m.text === undefined ? undefined : /^\/\S*/.exec(m.text)?.[0];
    return {
      message_id: m.messageId,
      date: Math.floor(Date.now() / 1000),
      chat: chatOf(m.where, userId),
      ...(m.from === undefined
        ? { sender_chat: { id: -1009999999999, type: "channel", title: "x" } }
        : { from: m.from }),
      ...(m.text === undefined ? {} : { text: m.text }),
      ...(m.entity && command !== undefined
        ? { entities: [{ type: "bot_command", offset: 0, length: command.length }] }
        : {}),
      ...(m.caption === undefined
        ? {}
        : { caption: m.caption, photo: [{ file_id: "AgAD", file_unique_id: "u1", width: 90, height: 90 }] }),
      ...(m.forwarded
        ? {
            forward_origin: { type: "user", sender_user: otherBot, date: 1_700_000_000 },
            forward_date: 1_700_000_000,
          }
        : {}),
      ...(m.replyToStale
        ? {
            reply_to_message: {
              message_id: 1,
              date: 1_700_000_000,
              chat: chatOf(m.where, userId),
              text: "old",
            },
          }
        : {}),
      ...(m.sticker
        ? {
            sticker: {
              file_id: "CAAD",
              file_unique_id: "s1",
              width: 1,
              height: 1,
              is_animated: false,
              is_video: false,
              type: "regular",
            },
          }
        : {}),
    };
  });

const callbackQuery = fc
  .record({
    from: account,
    where: place,
    data: fc.option(callbackData, { nil: undefined }),
    withMessage: fc.boolean(),
    queryId: fc.uuid(),
  })
  .map((c) => ({
    id: `fuzz-${c.queryId}`,
    from: c.from,
    chat_instance: "42",
    ...(c.data === undefined ? { game_short_name: "nope" } : { data: c.data }),
    ...(c.withMessage
      ? {
          message: { message_id: 1, date: 1_700_000_000, chat: chatOf(c.where, c.from.id), text: "old card" },
        }
      : { inline_message_id: "inline-1" }),
  }));

/** An update of any kind the bot may be sent, under a fresh update id. */
const update = fc.oneof(
  { weight: 5, arbitrary: message.map((m) => ({ message: m })) },
  { weight: 2, arbitrary: message.map((m) => ({ edited_message: m })) },
  { weight: 1, arbitrary: message.map((m) => ({ channel_post: m })) },
  { weight: 1, arbitrary: message.map((m) => ({ edited_channel_post: m })) },
  { weight: 3, arbitrary: callbackQuery.map((c) => ({ callback_query: c })) },
  {
    weight: 1,
    arbitrary: fc.record({
      inline_query: fc.record({
        id: fc.constant("iq"),
        from: account,
        query: anyText(40),
        offset: fc.constant(""),
      }),
    }),
  },
);

/** Whether a Telegram HTML text holds an @everyone or @here that is not broken by a word joiner. */
const canPing = (html: string): boolean => /@(everyone|here)\b/i.test(html);

function expectSentTextIsSafe(body: Record<string, unknown>, input: unknown): void {
  const html = String(body["text"] ?? body["caption"] ?? "");
  const context = `sent for ${JSON.stringify(input).slice(0, 400)}`;
  expect(canPing(html), context).toBe(false);
  if (!htmlToText(html).startsWith("✗ ")) return;
  const text = htmlToText(html);
  expect(text, context).not.toMatch(/[\n\r]/);
  expect(text.length, context).toBeLessThanOrEqual(MAX_REFUSAL_LENGTH + 2);
}

describe("the Telegram bot under fuzzing", () => {
  const runs = fuzzRuns(0.1);
  it(
    `takes ${runs} random updates without an error, answering only with views and one-line refusals that cannot ping`,
    async () => {
      for (let id = 6020; id <= 6029; id += 1) world.emulator.state.administrators.add(id);
      const first = world.emulator.state.calls.length;
      await fc.assert(
        fc.asyncProperty(update, async (shape) => {
          const body = { update_id: world.updateId(), ...shape };
          const seen = world.emulator.state.calls.length;
          const status = await world.postUpdate(body);
          expect(status, JSON.stringify(body).slice(0, 400)).toBeLessThan(500);
          expect(world.errors, JSON.stringify(body).slice(0, 400)).toEqual([]);
          const calls = world.emulator.state.calls.slice(seen);
          for (const call of calls.filter((c) => /^(send|edit)/.test(c.method)))
            expectSentTextIsSafe(call.body, body);
          const answers = calls.filter((c) => c.method === "answerCallbackQuery");
          if ("callback_query" in shape) {
            expect(answers.length, JSON.stringify(body).slice(0, 400)).toBeLessThanOrEqual(1);
            for (const answer of answers) expect(String(answer.body["text"] ?? "")).not.toMatch(/[\n\r]/);
          }
        }),
        { numRuns: runs },
      );
      // The fuzzer reached the bot: it answered commands and button presses along the way.
      const methods = world.emulator.state.calls.slice(first).map((c) => c.method);
      expect(methods).toContain("sendMessage");
      expect(methods).toContain("answerCallbackQuery");
    },
    fuzzTimeout(runs, 1_000),
  );
});
