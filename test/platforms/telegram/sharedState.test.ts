// Several `cairn bot` processes behind one Telegram webhook, and restarts:
// each is an unmodified telegraf bot with its own HTTP server on the same
// database and emulator. Updates are posted straight to the webhook of the
// process a load balancer would pick; what the person sees is read back from
// the emulator.
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpServer, type HttpServer } from "../../../src/http/server.ts";
import type { PlatformBot } from "../../../src/platforms/bot.ts";
import { CROSSED_ANSWER_TEXT, TIMED_OUT_TEXT } from "../../../src/platforms/telegram/dialogue.ts";
import { htmlToText } from "../../../src/platforms/telegram/html.ts";
import { createTelegramBot } from "../../../src/platforms/telegram/index.ts";
import { waitFor } from "../../jobs/support.ts";
import type { SentMessage } from "./emulator.ts";
import { BOT_TOKEN, TelegramWorld, WEBHOOK_PATH, type GroupInfo, type TelegramUser } from "./harness.ts";

const world = new TelegramWorld({ emulator: 9601, http: 9602 }, { groupId: -1004445556667 });
const person = TelegramWorld.person;

beforeAll(() => world.start(), 60_000);
afterAll(() => world.stop(), 60_000);

/** One bot process: its telegraf bot and the HTTP server its webhook is on. */
interface BotProcess {
  readonly url: string;
  stop(): Promise<void>;
}

const running = new Set<BotProcess>();
afterAll(async () => {
  for (const process of running) await process.stop();
});

async function botProcess(port: number, dialogueTimeoutMs?: number): Promise<BotProcess> {
  const url = `http://127.0.0.1:${port}${WEBHOOK_PATH}`;
  const bot: PlatformBot = createTelegramBot(world.services(), {
    token: BOT_TOKEN,
    apiRoot: world.emulator.apiRoot,
    webhook: { url, secret: world.secret },
    // The world's own bot's pacing (shortened waits: the pacing has its own tests).
    replyPacing: world.replyPacing,
    ...(dialogueTimeoutMs === undefined ? {} : { dialogueTimeoutMs }),
  });
  if (bot.httpRoute === undefined) throw new Error("webhook mode has no route");
  const http: HttpServer = await startHttpServer({
    port,
    host: "127.0.0.1",
    db: world.database.db,
    routes: [bot.httpRoute],
  });
  await bot.start();
  const process: BotProcess = {
    url,
    async stop() {
      running.delete(process);
      await bot.stop();
      await http.close();
    },
  };
  running.add(process);
  return process;
}

async function post(to: BotProcess, update: object): Promise<void> {
  const response = await fetch(to.url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": world.secret },
    body: JSON.stringify(update),
  });
  await response.text();
  if (response.status !== 200) throw new Error(`webhook answered ${response.status}`);
}

function sentTo(user: TelegramUser): SentMessage[] {
  return world.emulator.sent().filter((m) => m.chatId === String(user.id));
}

/** What the person was sent in their private chat while `work` ran. */
async function seenDuring(user: TelegramUser, work: () => Promise<void>): Promise<string[]> {
  const before = new Set(sentTo(user).map((m) => m.messageId));
  await work();
  return sentTo(user)
    .filter((m) => !before.has(m.messageId))
    .map((m) => htmlToText(m.text));
}

/** The person writes `text` in their private chat (or the group), and the update reaches `to`. */
function says(
  to: BotProcess,
  user: TelegramUser,
  text: string,
  where: "private" | "group" | GroupInfo = "private",
) {
  const chat =
    where === "private"
      ? { id: user.id, type: "private", first_name: user.first_name }
      : where === "group"
        ? { id: world.group.id, type: "supergroup", title: world.group.title }
        : { id: where.id, type: "group", title: where.title };
  return seenDuring(user, () => post(to, world.textUpdate(user, text, chat)));
}

/** The person presses `label` on the last message of their private chat; the callback reaches `to`. */
function presses(to: BotProcess, user: TelegramUser, label: string) {
  const message = sentTo(user).at(-1);
  const data = message?.buttons.find((b) => b.text === label)?.data;
  if (message === undefined || data === undefined) throw new Error(`no ${label} button`);
  return seenDuring(user, () =>
    post(to, {
      update_id: world.updateId(),
      callback_query: {
        id: world.emulator.nextCallbackId() + String(world.updateId()),
        from: user,
        chat_instance: "shared-state",
        data,
        message: {
          message_id: message.messageId,
          date: Math.floor(Date.now() / 1000),
          chat: { id: user.id, type: "private", first_name: user.first_name },
        },
      },
    }),
  );
}

function contributionsTitled(title: string): Promise<number> {
  return world.database.db.contribution.count({ where: { title } });
}

function heldDialogues(): Promise<number> {
  return world.database.db.conversation.count({ where: { platform: "TELEGRAM", kind: "dialogue" } });
}

/** Runs a dialogue from the group's /contribute to its confirmation, each answer on the next process. */
async function upToConfirmation(processes: readonly BotProcess[], user: TelegramUser, title: string) {
  const on = (i: number): BotProcess => processes[i % processes.length] as BotProcess;
  expect((await says(on(0), user, "/contribute", "group")).join("\n")).toMatch(/Which category/);
  expect((await says(on(1), user, "docs")).join("\n")).toMatch(/What did you do/);
  expect((await says(on(2), user, title)).join("\n")).toMatch(/Evidence links/);
  const link = `https://example.org/${title.toLowerCase().replace(/\W+/g, "-")}`;
  expect((await says(on(3), user, link)).join("\n")).toMatch(/Co-authors/);
  expect((await says(on(4), user, "none")).join("\n")).toMatch(/Log it\?/);
}

describe("a guided /contribute across bot processes", () => {
  let a: BotProcess;
  let b: BotProcess;
  beforeAll(async () => {
    a = await botProcess(9603);
    b = await botProcess(9604);
  }, 30_000);

  it("finishes when its steps alternate between two processes, and logs exactly one contribution", async () => {
    const user = world.user(person("Alma"));
    await upToConfirmation([a, b], user, "Alternating setup guide");
    const done = await presses(b, user, "Yes");
    expect(done.join("\n")).toMatch(/Logged #\d+/);
    expect(await contributionsTitled("Alternating setup guide")).toBe(1);
    // The dialogue is over in both processes.
    expect((await says(a, user, "yes")).join("\n")).toMatch(/Commands start with \//);
    expect(await contributionsTitled("Alternating setup guide")).toBe(1);
  });

  it("logs once when the same confirmation reaches both processes at the same moment", async () => {
    const user = world.user(person("Bram"));
    await upToConfirmation([b, a], user, "Simultaneous answers");
    const answers = await seenDuring(user, async () => {
      await Promise.all([says(a, user, "yes"), presses(b, user, "Yes")]);
    });
    expect(await contributionsTitled("Simultaneous answers")).toBe(1);
    expect(answers.filter((t) => /Logged #\d+/.test(t))).toHaveLength(1);
    expect(
      answers.some((t) => t.includes(CROSSED_ANSWER_TEXT) || /No contribution is being logged/.test(t)),
    ).toBe(true);
  });

  it("takes a needs-info question's text in another process than the press, once", async () => {
    const asker = person("Cato");
    const submitter = world.user(person("Dina"));
    await upToConfirmation([a], submitter, "Question across processes");
    const logged = (await presses(a, submitter, "Yes")).join("\n");
    const number = Number(/#(\d+)/.exec(logged)?.[1]);
    const card = await world.cardMessage(number);
    const user = world.user(asker);
    const info = card.buttons.find((button) => /info/i.test(button.text));
    if (info === undefined) throw new Error("no Needs info button");
    await post(a, {
      update_id: world.updateId(),
      callback_query: {
        id: `q${world.updateId()}`,
        from: user,
        chat_instance: "shared-state",
        data: info.data,
        message: {
          message_id: card.messageId,
          date: Math.floor(Date.now() / 1000),
          chat: { id: world.group.id, type: "supergroup", title: world.group.title },
        },
      },
    });
    const prompt = world.emulator
      .sent()
      .filter((m) => m.chatId === String(world.group.id) && m.forceReply)
      .at(-1);
    if (prompt === undefined) throw new Error("no question prompt");
    const reply = (updateId: number) => ({
      update_id: updateId,
      message: {
        message_id: world.emulator.nextMessageId(),
        date: Math.floor(Date.now() / 1000),
        chat: { id: world.group.id, type: "supergroup", title: world.group.title },
        from: user,
        text: "Which version does it cover?",
        reply_to_message: {
          message_id: prompt.messageId,
          date: Math.floor(Date.now() / 1000),
          chat: { id: world.group.id, type: "supergroup", title: world.group.title },
        },
      },
    });
    const questions = () =>
      world.database.db.question.findMany({
        where: { contribution: { number, title: "Question across processes" } },
      });
    await post(b, reply(world.updateId()));
    expect((await questions()).map((q) => q.question)).toEqual(["Which version does it cover?"]);
    // The same reply again under another update id (a client resend), at the process of the press.
    await post(a, reply(world.updateId()));
    expect(await questions()).toHaveLength(1);
  });
});

describe("a guided /contribute in a group that becomes a supergroup", () => {
  it("follows the group to its new chat id and logs into the same community, from another process", async () => {
    const old: GroupInfo = { id: -4004001, title: "Upgrading group" };
    const upgraded = -1004004001;
    const a = await botProcess(9610);
    const b = await botProcess(9611);
    await post(a, world.membershipUpdate("left", "member", old));
    const user = world.user(person("Hugo"));
    expect((await says(a, user, "/contribute", old)).join("\n")).toMatch(/Which category/);
    expect((await says(b, user, "docs")).join("\n")).toMatch(/What did you do/);
    const communities = await world.database.db.community.count();
    await post(b, {
      update_id: world.updateId(),
      message: {
        message_id: 1,
        date: Math.floor(Date.now() / 1000),
        chat: { id: old.id, type: "group", title: old.title },
        from: world.user(person("Owner")),
        migrate_to_chat_id: upgraded,
      },
    });
    expect((await says(a, user, "Upgrade-proof guide")).join("\n")).toMatch(/Evidence links/);
    expect((await says(b, user, "https://example.org/upgrade-proof")).join("\n")).toMatch(/Co-authors/);
    expect((await says(a, user, "none")).join("\n")).toMatch(/Log it\?/);
    expect((await presses(b, user, "Yes")).join("\n")).toMatch(/Logged #\d+/);
    const space = await world.database.db.space.findUniqueOrThrow({
      where: { platform_platformChatId: { platform: "TELEGRAM", platformChatId: String(upgraded) } },
    });
    const logged = await world.database.db.contribution.findFirstOrThrow({
      where: { title: "Upgrade-proof guide" },
    });
    expect(logged.communityId).toBe(space.communityId);
    expect(await world.database.db.community.count()).toBe(communities);
    await a.stop();
    await b.stop();
  });
});

describe("a guided /contribute across a restart", () => {
  it("finishes in the process started after the one that asked the first questions stopped", async () => {
    const user = world.user(person("Edda"));
    const before = await botProcess(9605);
    expect((await says(before, user, "/contribute", "group")).join("\n")).toMatch(/Which category/);
    expect((await says(before, user, "docs")).join("\n")).toMatch(/What did you do/);
    await before.stop();
    const after = await botProcess(9605);
    expect((await says(after, user, "Restart-proof guide")).join("\n")).toMatch(/Evidence links/);
    expect((await says(after, user, "https://example.org/restart-proof")).join("\n")).toMatch(/Co-authors/);
    expect((await says(after, user, "none")).join("\n")).toMatch(/Log it\?/);
    expect((await presses(after, user, "Yes")).join("\n")).toMatch(/Logged #\d+/);
    expect(await contributionsTitled("Restart-proof guide")).toBe(1);
    await after.stop();
  });
});

describe("a guided /contribute left unanswered", () => {
  const TIMEOUT_MS = 1_000;
  const timedOut = (user: TelegramUser) =>
    sentTo(user).filter((m) => htmlToText(m.text).includes(TIMED_OUT_TEXT)).length;

  it("times out once with the polite answer, though every process holds a timer for it", async () => {
    const user = world.user(person("Fenn"));
    const c = await botProcess(9606, TIMEOUT_MS);
    const d = await botProcess(9607, TIMEOUT_MS);
    await says(c, user, "/contribute", "group");
    expect((await says(d, user, "docs")).join("\n")).toMatch(/What did you do/);
    // A third process started now arms a timer for it too.
    const e = await botProcess(9608, TIMEOUT_MS);
    await waitFor(
      async () => timedOut(user),
      (count) => count > 0,
      5_000,
    );
    await sleep(TIMEOUT_MS);
    expect(timedOut(user)).toBe(1);
    expect((await says(e, user, "A late title")).join("\n")).toMatch(/Commands start with \//);
    expect(await contributionsTitled("A late title")).toBe(0);
    for (const process of [c, d, e]) await process.stop();
  });

  it("is told by the next process to start when it expired while no process ran", async () => {
    const user = world.user(person("Gwen"));
    const first = await botProcess(9609, TIMEOUT_MS);
    await says(first, user, "/contribute", "group");
    await first.stop();
    await sleep(TIMEOUT_MS * 1.5);
    expect(timedOut(user)).toBe(0);
    const next = await botProcess(9609, TIMEOUT_MS);
    await waitFor(
      async () => timedOut(user),
      (count) => count > 0,
      5_000,
    );
    expect((await says(next, user, "docs")).join("\n")).toMatch(/Commands start with \//);
    expect(timedOut(user)).toBe(1);
    expect(await heldDialogues()).toBe(0);
    await next.stop();
  });
});
