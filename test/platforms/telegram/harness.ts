// The Telegram adapter under test: the real telegraf bot (webhook mode, on
// Cairn's own HTTP server) against telegram-test-api, with Cairn's real job
// workers delivering vote cards, tally edits and announcements through
// telegramOutgoing. People write to the emulator; the test reads what the bot
// sent back the way those people would see it.
import { randomUUID } from "node:crypto";
import { databaseConversations } from "../../../src/app/conversations.ts";
import { catalog } from "../../../src/commands/catalog.ts";
import type { Deps } from "../../../src/app/deps.ts";
import { createCaches } from "../../../src/caches.ts";
import type { Caches } from "../../../src/ports/caches.ts";
import type { Log } from "../../../src/logger.ts";
import { startWorkers, type JobRuntime } from "../../../src/jobs/runtime.ts";
import { startHttpServer, type HttpServer } from "../../../src/http/server.ts";
import type { BotServices, PlatformBot } from "../../../src/platforms/bot.ts";
import type { ChatPlatform, PlatformLimits } from "../../../src/ports/chatPlatform.ts";
import { botJobs } from "../../../src/jobs/botJobs.ts";
import { loadConfig } from "../../../src/config.ts";
import { telegramOptions } from "../../../src/platforms/registry.ts";
import {
  createTelegramBot,
  telegramOutgoing,
  type TelegramBotOptions,
} from "../../../src/platforms/telegram/index.ts";
import { htmlToText } from "../../../src/platforms/telegram/html.ts";
import { TELEGRAM_LIMITS } from "../../../src/platforms/telegram/outgoing.ts";
import type { ReplyPacing } from "../../../src/platforms/telegram/pacedReplies.ts";
import { createTestDatabase, type TestDatabase } from "../../support/db.ts";
import { cleanupNamespace, queueSettings } from "../../jobs/support.ts";
import type { Card, Person, PlatformHarness, Reply } from "../harness.ts";
import { TelegramEmulator, type SentMessage } from "./emulator.ts";

export const BOT_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_test";
export const BOT_USERNAME = "TestNameBot"; // what the emulator's getMe answers
export const WEBHOOK_PATH = "/telegram/webhook";
const HARNESS_SECRET = "harness_webhook-secret";

export interface HarnessPorts {
  readonly emulator: number;
  readonly http: number;
}

/** A person on Telegram. */
export interface TelegramUser {
  readonly id: number;
  readonly is_bot: false;
  readonly first_name: string;
  readonly username: string;
}

export interface GroupInfo {
  readonly id: number;
  readonly title: string;
}

/** What a person sees after they did something: the texts, and whether only they saw them. */
export interface Seen {
  readonly messages: readonly SentMessage[];
  readonly reply: Reply;
}

/** Where the world's answers say the web pages are (`/web`). */
export const PUBLIC_URL = "https://cairn.example";

export class TelegramWorld implements PlatformHarness {
  readonly emulator: TelegramEmulator;
  database!: TestDatabase;
  runtime!: JobRuntime;
  http!: HttpServer;
  bot!: PlatformBot;
  /** Errors the bot and jobs logged; tests expect none unless they provoke one. */
  readonly errors: Array<{ fields: object; message: string }> = [];
  /** Everything logged at any level, as JSON lines (to check that no token ever reaches a log). */
  readonly logLines: string[] = [];
  readonly group: GroupInfo;
  private settings!: ReturnType<typeof queueSettings>;
  private readonly users = new Map<string, TelegramUser>();
  private nextUserId = 5001;
  private nextUpdateId = 7_000_000;

  constructor(
    private readonly ports: HarnessPorts,
    private readonly options: {
      readonly secret?: string;
      readonly groupId?: number;
      readonly dialogueTimeoutMs?: number;
      /** How long the world's chat-role cache keeps a getChatMember answer (0: not at all). */
      readonly membershipCacheMs?: number;
      /** The clock the caches read ages on (ms), so a test can let the cache's time pass without waiting. */
      readonly cacheClock?: () => number;
      /** How the bot's answers are paced; default the jobs' test pace below. */
      readonly replyPacing?: Omit<ReplyPacing, "buckets">;
    } = {},
  ) {
    this.emulator = new TelegramEmulator(ports.emulator);
    this.group = { id: options.groupId ?? -1001234567890, title: "Cairn Testers" };
    // The world's process caches, as serve makes them; the membership answers kept as long as the test asks.
    this.caches = createCaches({
      chatRoleTtlMs: options.membershipCacheMs ?? 60_000,
      ...(options.cacheClock === undefined ? {} : { now: options.cacheClock }),
    });
  }

  private readonly caches: Caches;

  get deps(): Deps {
    return {
      db: this.database.db,
      store: this.database.store,
      clock: { now: () => new Date() },
      publicUrl: PUBLIC_URL,
      caches: this.caches,
    };
  }

  get webhookUrl(): string {
    return `http://127.0.0.1:${this.ports.http}${WEBHOOK_PATH}`;
  }

  readonly log: Log = {
    info: (fields, message) => this.record(fields, message),
    warn: (fields, message) => this.record(fields, message),
    error: (fields, message) => {
      this.record(fields, message);
      this.errors.push({ fields, message });
    },
  };

  private record(fields: object, message: string): void {
    this.logLines.push(JSON.stringify({ ...fields, message }));
  }

  async start(): Promise<void> {
    await this.emulator.start();
    this.database = await createTestDatabase();
    this.settings = queueSettings("redis", this.database.url);
    this.runtime = await startWorkers({
      ...this.settings,
      deps: this.deps,
      platforms: [withTestPace(telegramOutgoing(this.configured()))],
      settings: { cardEditDelayMs: 0, backoffMs: 100 },
      dispatcherPollMs: 50,
      log: this.log,
    });
    await this.startBot();
    await this.addBotToGroup();
  }

  /** A fresh bot instance on the same database, as after a restart of the process. */
  async restartBot(): Promise<void> {
    await this.bot.stop();
    await this.http.close();
    await this.startBot();
  }

  /** What a bot process is given: this world's database, queues, pacing buckets and conversation store. */
  services(): BotServices {
    return {
      deps: this.deps,
      catalog,
      log: this.log,
      jobs: botJobs(this.runtime.queues, this.deps),
      pacing: this.runtime.backend.coordination,
      conversations: databaseConversations(this.deps),
    };
  }

  /**
   * The bot's connection as `cairn start` reads it from the environment: the
   * emulator is reached through TELEGRAM_API_ROOT, the webhook through its URL
   * and secret.
   */
  configured(): TelegramBotOptions {
    const options = telegramOptions(
      loadConfig({
        TELEGRAM_BOT_TOKEN: BOT_TOKEN,
        TELEGRAM_API_ROOT: `${this.emulator.apiRoot}/`,
        TELEGRAM_WEBHOOK_URL: this.webhookUrl,
        TELEGRAM_WEBHOOK_SECRET: this.secret,
      }),
    );
    if (options === null) throw new Error("no Telegram bot configured");
    return options;
  }

  /** How this world's bots pace their answers: the shortened test limits, unless its options name others. */
  get replyPacing(): Omit<ReplyPacing, "buckets"> {
    return this.options.replyPacing ?? { limits: TEST_LIMITS };
  }

  private async startBot(): Promise<void> {
    this.bot = createTelegramBot(this.services(), {
      ...this.configured(),
      replyPacing: this.replyPacing,
      ...(this.options.dialogueTimeoutMs === undefined
        ? {}
        : { dialogueTimeoutMs: this.options.dialogueTimeoutMs }),
    });
    const route = this.bot.httpRoute;
    if (route === undefined) throw new Error("webhook mode has no route");
    this.http = await startHttpServer({
      port: this.ports.http,
      host: "127.0.0.1",
      db: this.database.db,
      routes: [route],
    });
    await this.bot.start();
  }

  async stop(): Promise<void> {
    await this.bot?.stop();
    await this.http?.close();
    await this.runtime?.close();
    if (this.settings !== undefined) await cleanupNamespace(this.settings);
    await this.emulator.stop();
    await this.database?.drop();
  }

  /** The Telegram account of a person, made up on first sight. */
  user(person: Pick<Person, "id" | "name">): TelegramUser {
    const known = this.users.get(person.id);
    if (known !== undefined) return known;
    const user: TelegramUser = {
      id: this.nextUserId++,
      is_bot: false,
      first_name: person.name,
      username: person.id.replace(/[^A-Za-z0-9_]/g, "_"),
    };
    this.users.set(person.id, user);
    return user;
  }

  private groupChat() {
    return { id: this.group.id, type: "supergroup", title: this.group.title };
  }

  /** The webhook secret: the one given, else a fixed test secret (the webhook never runs without one). */
  get secret(): string {
    return this.options.secret ?? HARNESS_SECRET;
  }

  /** Sends an update straight to the webhook as Telegram would (with the secret; null sends none). */
  async postUpdate(update: object, secret: string | null = this.secret): Promise<number> {
    const response = await fetch(this.webhookUrl, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(secret === null ? {} : { "x-telegram-bot-api-secret-token": secret }),
      },
      body: JSON.stringify(update),
    });
    await response.text();
    return response.status;
  }

  updateId(): number {
    return this.nextUpdateId++;
  }

  /**
   * A message update carrying `text` from `user` (marked as a command when it
   * starts with one), in the world's group unless `chat` is given.
   */
  textUpdate(user: TelegramUser, text: string, chat: object = this.groupChat()): object {
    const command = /^\/\S+/.exec(text)?.[0];
    return {
      update_id: this.updateId(),
      message: {
        message_id: this.emulator.nextMessageId(),
        date: Math.floor(Date.now() / 1000),
        chat,
        from: user,
        text,
        ...(command === undefined
          ? {}
          : { entities: [{ type: "bot_command", offset: 0, length: command.length }] }),
      },
    };
  }

  async addBotToGroup(): Promise<void> {
    await this.postUpdate(this.membershipUpdate("left", "administrator"));
  }

  membershipUpdate(from: string, to: string, chat: GroupInfo | null = null): object {
    const bot = { id: 666, is_bot: true, first_name: "Test First name", username: BOT_USERNAME };
    return {
      update_id: this.updateId(),
      my_chat_member: {
        chat: chat === null ? this.groupChat() : { id: chat.id, type: "group", title: chat.title },
        from: this.user({ id: "group-owner", name: "Owner" }),
        date: Math.floor(Date.now() / 1000),
        old_chat_member: { status: from, user: bot },
        new_chat_member: {
          status: to,
          user: bot,
          can_be_edited: false,
          is_anonymous: false,
          can_manage_chat: true,
        },
      },
    };
  }

  /**
   * A person writes `text` in the group (`where: "group"`), in their private
   * chat with the bot, or in another group.
   */
  async say(
    person: Person,
    text: string,
    where: "group" | "private" | GroupInfo = "group",
    extra: Record<string, unknown> = {},
  ): Promise<Seen> {
    const user = this.user(person);
    if (person.moderator === true) this.emulator.state.administrators.add(user.id);
    const before = new Set(this.emulator.sent().map((m) => m.messageId));
    const messageId = this.emulator.nextMessageId();
    const chat =
      where === "group"
        ? this.groupChat()
        : where === "private"
          ? { id: user.id, type: "private", first_name: user.first_name }
          : { id: where.id, type: "group", title: where.title };
    const command = /^\/\S+/.exec(text)?.[0];
    await this.emulator.server.addUserMessage({
      botToken: BOT_TOKEN,
      from: user,
      chat,
      date: Math.floor(Date.now() / 1000),
      text,
      ...(command === undefined
        ? {}
        : { entities: [{ type: "bot_command", offset: 0, length: command.length }] }),
      ...extra,
    } as never);
    const fresh = this.emulator.sent().filter((m) => !before.has(m.messageId));
    const groupId = typeof where === "object" ? where.id : this.group.id;
    const mine = fresh.filter(
      (m) => m.chatId === String(user.id) || (m.chatId === String(groupId) && m.replyTo === messageId),
    );
    return { messages: mine, reply: this.replyOf(mine, user) };
  }

  private replyOf(messages: readonly SentMessage[], user: TelegramUser): Reply {
    const text = messages.map((m) => htmlToText(m.text)).join("\n");
    const inGroup = messages.some((m) => m.chatId === String(this.group.id));
    const note = messages.some((m) => /open a chat with/.test(m.text));
    return {
      text,
      private:
        messages.length === 0 || !inGroup || note || messages.every((m) => m.chatId === String(user.id)),
    };
  }

  command(person: Person, text: string): Promise<Reply> {
    return this.say(person, text).then((seen) => seen.reply);
  }

  /** Presses a button (by label) on a message the bot sent; returns the callback's answer. */
  async pressOn(
    person: Person,
    message: SentMessage,
    label: string | RegExp,
  ): Promise<{ text: string; alert: boolean; messages: SentMessage[] }> {
    const button = message.buttons.find((b) =>
      typeof label === "string" ? b.text === label : label.test(b.text),
    );
    if (button === undefined) throw new Error(`no button ${String(label)} on message ${message.messageId}`);
    return this.pressData(person, message, button.data);
  }

  async pressData(
    person: Person,
    message: Pick<SentMessage, "messageId" | "chatId">,
    data: string,
  ): Promise<{ text: string; alert: boolean; messages: SentMessage[] }> {
    const user = this.user(person);
    if (person.moderator === true) this.emulator.state.administrators.add(user.id);
    const before = new Set(this.emulator.sent().map((m) => m.messageId));
    const callbackId = this.emulator.nextCallbackId();
    const chat =
      message.chatId === String(this.group.id)
        ? this.groupChat()
        : { id: Number(message.chatId), type: "private", first_name: user.first_name };
    await this.emulator.server.addUserCallback({
      botToken: BOT_TOKEN,
      from: user,
      message: { message_id: message.messageId, chat, date: Math.floor(Date.now() / 1000) },
      data,
    } as never);
    const answers = this.emulator
      .callsOf("answerCallbackQuery")
      .filter((c) => c.body["callback_query_id"] === callbackId);
    if (answers.length !== 1) throw new Error(`callback ${callbackId} answered ${answers.length} times`);
    const body = answers[0]?.body ?? {};
    return {
      text: String(body["text"] ?? ""),
      alert: body["show_alert"] === true,
      messages: this.emulator.sent().filter((m) => !before.has(m.messageId)),
    };
  }

  async press(person: Person, number: number, button: "approve" | "reject"): Promise<Reply> {
    const card = await this.cardMessage(number);
    const answer = await this.pressOn(person, card, button === "approve" ? "Approve" : "Reject");
    return { text: answer.text, private: true };
  }

  /** The message id of contribution `number`'s card in the group, from its stored card references. */
  async cardMessage(number: number): Promise<SentMessage> {
    await this.runtime.settle();
    const space = await this.database.db.space.findUniqueOrThrow({
      where: { platform_platformChatId: { platform: "TELEGRAM", platformChatId: String(this.group.id) } },
    });
    const row = await this.database.db.contribution.findUniqueOrThrow({
      where: { communityId_number: { communityId: space.communityId, number } },
    });
    // Keyed by targetKey: the group, and the topic inside it when one is configured.
    const refs = row.cardRefs as Record<string, string>;
    const groupKey = `TELEGRAM:${this.group.id}`;
    const ref = Object.entries(refs).find(([key]) => key === groupKey || key.startsWith(`${groupKey}:`))?.[1];
    const message = this.emulator.sent().find((m) => String(m.messageId) === ref);
    if (message === undefined) throw new Error(`no card for #${number}`);
    return message;
  }

  async card(number: number): Promise<Card> {
    const message = await this.cardMessage(number);
    return { text: htmlToText(message.text), buttons: message.buttons.map((b) => b.text) };
  }

  private async cardIds(): Promise<Set<string>> {
    const rows = await this.database.db.contribution.findMany({ select: { cardRefs: true } });
    return new Set(rows.flatMap((row) => Object.values(row.cardRefs as Record<string, string>)));
  }

  /** What the bot posted in the group on its own (not cards, not replies), oldest first. */
  async groupPosts(): Promise<SentMessage[]> {
    await this.runtime.settle();
    const cards = await this.cardIds();
    return this.emulator
      .sent()
      .filter(
        (m) => m.chatId === String(this.group.id) && m.replyTo === null && !cards.has(String(m.messageId)),
      );
  }

  async posts(): Promise<readonly string[]> {
    return (await this.groupPosts()).map((m) => htmlToText(m.text));
  }

  /** A unique person for one test. */
  static person(name: string, moderator = false): Person {
    return {
      id: `${name.toLowerCase()}-${randomUUID().slice(0, 6)}`,
      name,
      ...(moderator ? { moderator } : {}),
    };
  }
}

/**
 * Telegram's real pace (5 then one every 4 s per group) would make a story of
 * a dozen messages take a minute; the tests keep the pacing machinery and
 * shorten the wait. test/platforms/limits.test.ts checks the real figures.
 */
const TEST_LIMITS: PlatformLimits = { ...TELEGRAM_LIMITS, perChat: { capacity: 50, perSecond: 50 } };

function withTestPace(platform: ChatPlatform): ChatPlatform {
  return {
    platform: platform.platform,
    limits: TEST_LIMITS,
    post: (target, view) => platform.post(target, view),
    edit: (target, ref, view) => platform.edit(target, ref, view),
    delete: (target, ref) => platform.delete(target, ref),
  };
}
