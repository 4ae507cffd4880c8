// Fuzzing the real telegraf bot through its webhook with updates of every shape
// people and other bots send: commands with random arguments, edited messages,
// captions, forwarded messages, channel posts, callback data of other bots and
// stale vote buttons. No update may make the bot log an error or answer with
// anything but views and one-line refusals, and no text it sends can ping. An
// update the bot ignores gets no answer, and neither it nor a refusal changes
// the database (compared before and after, once the jobs it owed are done),
// but for the bookkeeping of a first sighting.
import { setTimeout as sleep } from "node:timers/promises";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalog } from "../../../src/commands/catalog.ts";
import { htmlToText } from "../../../src/platforms/telegram/html.ts";
import type { ApiCall } from "./emulator.ts";
import { anyText, awkwardCharacter, fuzzRuns, fuzzTimeout, MAX_REFUSAL_LENGTH } from "../../support/fuzz.ts";
import {
  changedTables,
  rowCount,
  sightAccount,
  useSnapshots,
  type AccountSighting,
  type DatabaseSnapshot,
} from "../../support/snapshot.ts";
import { BOT_USERNAME, TelegramWorld } from "./harness.ts";

// A guided /contribute left open times out after a day, not ten minutes: a long run's
// timeout would write (and answer) in the middle of whichever input runs then.
const world = new TelegramWorld(
  { emulator: 9501, http: 9502 },
  { membershipCacheMs: 60_000, dialogueTimeoutMs: 24 * 3_600_000 },
);
beforeAll(() => world.start(), 120_000);
afterAll(() => world.stop(), 60_000);
const snapshots = useSnapshots({
  get url() {
    return world.database.url;
  },
});

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

type FuzzedUpdate = typeof update extends fc.Arbitrary<infer T> ? T : never;

/** The kinds of update the bot takes no notice of (bot.ts asks Telegram only for messages, presses and its membership). */
const IGNORED_KINDS = ["edited_message", "channel_post", "edited_channel_post", "inline_query"] as const;

function isIgnored(shape: FuzzedUpdate): boolean {
  return IGNORED_KINDS.some((kind) => kind in shape);
}

/** Who sent an update (a person's account id), where (the chat id), and the text they typed. */
interface Parties {
  readonly person: string | null;
  readonly chat: string | null;
  readonly text: string;
}

function partiesOf(shape: FuzzedUpdate): Parties {
  if ("message" in shape) {
    const message = shape.message;
    const from = "from" in message ? message.from : undefined;
    const person = from === undefined || from.is_bot ? null : String(from.id);
    return { person, chat: String(message.chat["id"]), text: "text" in message ? message.text : "" };
  }
  if ("callback_query" in shape) {
    const query = shape.callback_query;
    const chat = "message" in query ? String(query.message.chat["id"]) : null;
    return { person: String(query.from.id), chat, text: "" };
  }
  return { person: null, chat: null, text: "" };
}

/** What one call to the Bot API said to people: a view, a refusal, or nothing in words. */
function saidBy(call: ApiCall): "view" | "refusal" | null {
  if (call.method === "answerCallbackQuery") {
    const text = String(call.body["text"] ?? "");
    // A press is refused with an alert (updates.ts answerPressWith), also by the texts that are no view.
    if (call.body["show_alert"] === true || text.startsWith("✗ ")) return "refusal";
    return text === "" ? null : "view";
  }
  // Pictures and files (boards, exports) are views; their captions come as form data the emulator does not record.
  if (call.method === "sendPhoto" || call.method === "sendDocument") return "view";
  if (!/^(send|edit)/.test(call.method)) return null;
  const html = call.body["text"] ?? call.body["caption"];
  // editMessageReplyMarkup (a dialogue's buttons taken off) says nothing.
  if (html === undefined) return null;
  return htmlToText(String(html)).startsWith("✗ ") ? "refusal" : "view";
}

/** What the bot answered an update with: nothing, refusals only, or a view somewhere. */
function answerTo(calls: readonly ApiCall[]): "none" | "refusal" | "view" {
  const said = calls.map(saidBy).filter((s) => s !== null);
  if (said.length === 0) return "none";
  return said.every((s) => s === "refusal") ? "refusal" : "view";
}

/**
 * What an update's sender is to the database (its identities, everyone else's
 * rows), whether its chat is a space, whether the sender has a guided dialogue
 * open or a Needs-info question waiting in the chat, and a digest of the
 * conversations but for that dialogue's clock (when it was last answered, hence
 * when it expires, and its version) and that question.
 */
interface Sighting extends AccountSighting {
  readonly hasSpace: boolean;
  readonly inDialogue: boolean;
  readonly hasQuestion: boolean;
  readonly conversations: string;
}

async function sightingOf({ person, chat }: Parties): Promise<Sighting> {
  const db = world.database.db;
  const account = await sightAccount(db, "TELEGRAM", person ?? "");
  const space = await db.space.findUnique({
    where: { platform_platformChatId: { platform: "TELEGRAM", platformChatId: chat ?? "" } },
  });
  const questionKey = `${chat ?? ""}:${person ?? ""}`;
  const [talk] = await db.$queryRaw<
    Array<{ inDialogue: boolean; hasQuestion: boolean; conversations: string }>
  >`
    WITH c AS (
      SELECT platform, kind, key, state, version, "expiresAt",
             (platform = 'TELEGRAM' AND kind = 'dialogue' AND key = ${person ?? ""}) AS mine,
             (platform = 'TELEGRAM' AND kind = 'question' AND key = ${questionKey}) AS question
        FROM conversation)
    SELECT coalesce(bool_or(mine), false) AS "inDialogue",
           coalesce(bool_or(question), false) AS "hasQuestion",
           coalesce(md5(string_agg(
             concat_ws('|', platform, kind, key,
                       CASE WHEN mine THEN (state #- '{dialogue,lastAnswerAt}')::text ELSE state::text END,
                       CASE WHEN mine THEN '' ELSE version::text END,
                       CASE WHEN mine THEN '' ELSE "expiresAt"::text END),
             ',' ORDER BY platform, kind, key) FILTER (WHERE NOT question)), '') AS conversations
      FROM c`;
  if (talk === undefined) throw new Error("no conversation row");
  return { ...account, hasSpace: space !== null, ...talk };
}

/** Tables a new community is made of (actors.ts ensureCommunityForChat). */
const COMMUNITY_TABLES = new Set(["community", "space", "category", "ledger_head"]);

/**
 * The tables an update that was refused or ignored changed, but for the
 * bookkeeping any update may do, each allowed only where its reason holds:
 * - processed_delivery: exactly one row more, the update's id claimed (bot.ts
 *   once), so a replay has no second effect;
 * - community, space, category, ledger_head: the first update from a group that
 *   was no space yet makes it one (updates.ts ensureSpace), its chat a space
 *   now and not before;
 * - member, identity: the sender's first update in a community makes their
 *   member and identity (actors.ts resolveActor) and stores their username on
 *   it (updates.ts recordSenderUsername): the account has more identities than
 *   before and everyone else's rows are as they were;
 * - link_attempt: a wrong /link CODE is counted (app/link.ts), so codes cannot be guessed;
 * - conversation: a wrong answer to the sender's open guided /contribute is
 *   refused and asked again, and keeps the dialogue open from then
 *   (contributeDialogue.ts): its last answer's time moves, nothing else; and the
 *   text that answers the sender's waiting Needs-info question takes it, even
 *   when the question is refused (updates.ts askQuestion): the wait is over.
 */
function unexplainedChanges(
  snapshots: { readonly before: DatabaseSnapshot; readonly after: DatabaseSnapshot },
  sightings: { readonly before: Sighting; readonly after: Sighting },
  text: string,
): string[] {
  const { before, after } = snapshots;
  const claimed = rowCount(after, "processed_delivery") === rowCount(before, "processed_delivery") + 1;
  const newSpace = !sightings.before.hasSpace && sightings.after.hasSpace;
  const newMember =
    sightings.after.identities > sightings.before.identities &&
    sightings.after.others === sightings.before.others;
  const linkAttempt = /^\/link(@\S*)?(\s|$)/i.test(text);
  const dialogueKeptOpen = sightings.before.inDialogue && sightings.after.inDialogue;
  const questionTaken = sightings.before.hasQuestion && !sightings.after.hasQuestion;
  const ownConversation =
    (dialogueKeptOpen || questionTaken) && sightings.before.conversations === sightings.after.conversations;
  return changedTables(before, after).filter(
    (table) =>
      !(table === "processed_delivery" && claimed) &&
      !(COMMUNITY_TABLES.has(table) && newSpace) &&
      !((table === "member" || table === "identity") && newMember) &&
      !(table === "link_attempt" && linkAttempt) &&
      !(table === "conversation" && ownConversation),
  );
}

/** The schedules queue's work so far: a scheduled post (digest, leaderboard) runs on the clock, for no input. */
async function scheduledWork(): Promise<string> {
  return JSON.stringify(await world.runtime.queues.schedules.getJobCounts("active", "completed", "failed"));
}

/**
 * Waits until the bot owes nothing: every outbox row delivered and due deadline
 * decided (runtime.settle), and no scheduled post running (settle leaves those
 * out), so a late write is not blamed on the next input.
 */
async function settled(): Promise<void> {
  for (;;) {
    await world.runtime.settle();
    const counts = await world.runtime.queues.schedules.getJobCounts("active", "waiting");
    if ((counts["active"] ?? 0) + (counts["waiting"] ?? 0) === 0) return;
    await sleep(15);
  }
}

describe("the Telegram bot under fuzzing", () => {
  const runs = fuzzRuns(0.1);
  it(
    `takes ${runs} random updates without an error, answering only with views and one-line refusals that cannot ping and change nothing`,
    async () => {
      for (let id = 6020; id <= 6029; id += 1) world.emulator.state.administrators.add(id);
      const first = world.emulator.state.calls.length;
      await settled();
      let previous = await snapshots.take();
      let previousWork = await scheduledWork();
      const compared = { refusal: 0, none: 0, ignored: 0 };
      await fc.assert(
        fc.asyncProperty(update, async (shape) => {
          const body = { update_id: world.updateId(), ...shape };
          const input = JSON.stringify(body).slice(0, 400);
          const parties = partiesOf(shape);
          const sightingBefore = await sightingOf(parties);
          const seen = world.emulator.state.calls.length;
          const status = await world.postUpdate(body);
          await settled();
          // Taken before anything is asserted, so a failure (and the shrinking after it)
          // compares each input with the state it really started from.
          const before = previous;
          const after = await snapshots.take();
          previous = after;
          const workBefore = previousWork;
          previousWork = await scheduledWork();
          const sightingAfter = await sightingOf(parties);
          expect(status, input).toBeLessThan(500);
          expect(world.errors, input).toEqual([]);
          const calls = world.emulator.state.calls.slice(seen);
          for (const call of calls.filter((c) => /^(send|edit)/.test(c.method)))
            expectSentTextIsSafe(call.body, body);
          const answers = calls.filter((c) => c.method === "answerCallbackQuery");
          if ("callback_query" in shape) {
            expect(answers.length, input).toBeLessThanOrEqual(1);
            for (const answer of answers) expect(String(answer.body["text"] ?? "")).not.toMatch(/[\n\r]/);
          }
          if (isIgnored(shape))
            expect(
              calls.map((c) => c.method),
              `calls for ${input}`,
            ).toEqual([]);
          const answer = answerTo(calls);
          // A scheduled post that ran meanwhile wrote for no input: this one's changes cannot be told apart.
          if (answer === "view" || workBefore !== previousWork) return;
          compared[isIgnored(shape) ? "ignored" : answer] += 1;
          expect(
            unexplainedChanges(
              { before, after },
              { before: sightingBefore, after: sightingAfter },
              parties.text,
            ),
            `tables changed by ${input}`,
          ).toEqual([]);
        }),
        { numRuns: runs },
      );
      // The fuzzer reached the bot: it answered commands and button presses along the way,
      // and refusals, silences and ignored updates were compared.
      const methods = world.emulator.state.calls.slice(first).map((c) => c.method);
      expect(methods).toContain("sendMessage");
      expect(methods).toContain("answerCallbackQuery");
      expect(compared.refusal).toBeGreaterThan(0);
      expect(compared.none).toBeGreaterThan(0);
      expect(compared.ignored).toBeGreaterThan(0);
    },
    fuzzTimeout(runs, 1_000),
  );
});
