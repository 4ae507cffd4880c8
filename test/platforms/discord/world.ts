// One test world: a test database, the real job workers, the fake Discord and
// the Discord bot (an unmodified discord.js Client) connected to it.
import { randomUUID } from "node:crypto";
import type { APIInteraction, APIMessage } from "discord-api-types/v10";
import { systemClock, type Deps } from "../../../src/app/deps.ts";
import { databaseConversations } from "../../../src/app/conversations.ts";
import { catalog } from "../../../src/commands/catalog.ts";
import type { Log } from "../../../src/logger.ts";
import { startWorkers, type JobRuntime } from "../../../src/jobs/runtime.ts";
import type { PlatformBot } from "../../../src/platforms/bot.ts";
import type { ChatPlatform, PlatformLimits } from "../../../src/ports/chatPlatform.ts";
import { botJobs } from "../../../src/jobs/botJobs.ts";
import { createDiscordBot, DISCORD_LIMITS, discordOutgoing } from "../../../src/platforms/discord/index.ts";
import { createTestDatabase, type TestDatabase } from "../../support/db.ts";
import { cleanupNamespace, REDIS_URL } from "../../jobs/support.ts";
import {
  APP_ID,
  FakeDiscord,
  GUILD_ID,
  type MessageBody,
  type RestCall,
  type StoredMessage,
} from "./fakeDiscord.ts";

export const TOKEN = "fake-discord-token-not-a-secret.abc";

/** What an interaction got back: a message (direct or after a deferral), a modal, or choices. */
export interface Answer {
  readonly callback: RestCall;
  readonly type: number;
  readonly message: MessageBody | null;
  readonly ephemeral: boolean;
  /** The modal's data (type 9) or autocomplete choices (type 8). */
  readonly data: unknown;
}

/**
 * Discord's real pace (5 messages per 5 s in a channel, cards and their edits
 * sharing it) would make a file whose stories each post a card of their own
 * take a minute; such worlds keep the pacing machinery and shorten the wait, as
 * the Telegram harness does. test/platforms/limits.test.ts checks the real figures.
 */
export const TEST_LIMITS: PlatformLimits = { ...DISCORD_LIMITS, perChat: { capacity: 50, perSecond: 50 } };

/** Where the world's answers say the web pages are (`/web`). */
export const PUBLIC_URL = "https://cairn.example";

export class DiscordWorld {
  /** `limits`: how deliveries are paced, when not Discord's own (DISCORD_LIMITS). */
  constructor(private readonly options: { readonly limits?: PlatformLimits } = {}) {}

  readonly fake = new FakeDiscord();
  database!: TestDatabase;
  runtime!: JobRuntime;
  bot!: PlatformBot;
  deps!: Deps;
  private namespace = `cairn-test-discord-${randomUUID().slice(0, 8)}`;
  /** What the bot logged, one object per line with its message. */
  readonly logged: Array<Record<string, unknown>> = [];
  /** What the bot logged as errors (also in `logged`). */
  readonly errors: Array<Record<string, unknown>> = [];
  private readonly log: Log = {
    info: (fields, message) => void this.logged.push({ ...fields, message }),
    warn: (fields, message) => void this.logged.push({ ...fields, message }),
    error: (fields, message) => {
      this.logged.push({ ...fields, message });
      this.errors.push({ ...fields, message });
    },
  };

  async start(options: { ackBudgetMs?: number } = {}): Promise<void> {
    this.database = await createTestDatabase();
    await this.fake.start();
    this.deps = {
      db: this.database.db,
      store: this.database.store,
      clock: systemClock,
      publicUrl: PUBLIC_URL,
    };
    const discord = discordOutgoing({ token: TOKEN, api: this.fake.api });
    const outgoing = this.options.limits === undefined ? discord : pacedBy(discord, this.options.limits);
    this.runtime = await startWorkers({
      databaseUrl: this.database.url,
      redisUrl: REDIS_URL,
      namespace: this.namespace,
      deps: this.deps,
      platforms: [outgoing],
      settings: { cardEditDelayMs: 0, backoffMs: 100 },
      dispatcherPollMs: 50,
    });
    this.ackBudgetMs = options.ackBudgetMs ?? 2_000;
    this.bot = this.newBot();
    await this.bot.start();
    await this.until(async () => (await this.space()) !== null, "the server's community");
  }

  private ackBudgetMs = 2_000;

  /** A bot process on this world's database and queues. */
  private newBot(): PlatformBot {
    return createDiscordBot(
      {
        deps: this.deps,
        catalog,
        log: this.log,
        jobs: botJobs(this.runtime.queues, this.deps),
        pacing: this.runtime.backend.coordination,
        conversations: databaseConversations(this.deps),
      },
      { token: TOKEN, applicationId: APP_ID, api: this.fake.api, ackBudgetMs: this.ackBudgetMs },
    );
  }

  /** A fresh bot instance on the same database, as after a restart of the process. */
  async restartBot(): Promise<void> {
    await this.bot.stop();
    this.bot = this.newBot();
    await this.bot.start();
  }

  async stop(): Promise<void> {
    await this.bot?.stop();
    await this.runtime?.close();
    await cleanupNamespace({ redisUrl: REDIS_URL, databaseUrl: "", namespace: this.namespace });
    await this.fake.stop();
    await this.database?.drop();
  }

  space() {
    return this.database.db.space.findUnique({
      where: { platform_platformChatId: { platform: "DISCORD", platformChatId: GUILD_ID } },
    });
  }

  /** Sends an interaction and returns what the person sees: the reply after any deferral, or the modal. */
  async send(interaction: APIInteraction): Promise<Answer> {
    const callback = await this.fake.interact(interaction);
    const body = callback.body as { type: number; data?: MessageBody & Record<string, unknown> };
    if (body.type === 5) {
      const original = await this.until(async () => {
        const reply = this.fake.repliesTo(interaction.id).find((m) => (m.body.embeds ?? []).length > 0);
        return reply ?? null;
      }, "the deferred answer");
      return this.answer(callback, body.type, original);
    }
    if (body.type === 4) {
      const original = this.fake.repliesTo(interaction.id)[0];
      return this.answer(callback, body.type, original ?? null);
    }
    return { callback, type: body.type, message: null, ephemeral: false, data: body.data };
  }

  private answer(callback: RestCall, type: number, message: StoredMessage | null): Answer {
    return {
      callback,
      type,
      message: message?.body ?? null,
      ephemeral: message?.ephemeral ?? false,
      data: null,
    };
  }

  /** Waits for the background jobs (cards, edits, announcements) to be delivered. */
  async settle(): Promise<void> {
    await this.runtime.settle(20_000);
  }

  /** The vote card of contribution `number` as it stands in its channel, as Discord returns it. */
  async card(number: number): Promise<APIMessage> {
    await this.settle();
    const row = await this.database.db.contribution.findFirstOrThrow({ where: { number } });
    const ref = Object.values(row.cardRefs as Record<string, string>)[0];
    if (ref === undefined) throw new Error(`no card for #${number}`);
    const [, messageId = ""] = ref.split("/");
    const stored = this.fake.messages.get(messageId);
    if (stored === undefined) throw new Error(`the fake has no message ${messageId}`);
    return this.fake.apiMessage(stored);
  }

  async until<T>(read: () => Promise<T | null | false>, what: string, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (value !== null && value !== false) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

/** `platform` with its deliveries paced by `limits`: the same pacing machinery, other figures. */
function pacedBy(platform: ChatPlatform, limits: PlatformLimits): ChatPlatform {
  const chatOwner = platform.chatOwner?.bind(platform);
  return {
    platform: platform.platform,
    limits,
    ...(platform.uploadLimitBytes === undefined ? {} : { uploadLimitBytes: platform.uploadLimitBytes }),
    post: (target, view, options) => platform.post(target, view, options),
    edit: (target, ref, view) => platform.edit(target, ref, view),
    delete: (target, ref) => platform.delete(target, ref),
    ...(chatOwner === undefined ? {} : { chatOwner }),
  };
}

/** The plain text of a message's embeds, as the person reads it (markdown escapes removed). */
export function textOf(message: MessageBody | null): string {
  if (message === null) return "";
  const parts: string[] = [];
  for (const embed of message.embeds ?? []) {
    if (embed.title !== undefined) parts.push(embed.title);
    if (embed.description !== undefined) parts.push(embed.description);
    for (const field of embed.fields ?? []) parts.push(`${field.name}: ${field.value}`);
  }
  if (message.content !== undefined && message.content !== "") parts.unshift(message.content);
  return parts
    .join("\n")
    .replace(/\\([^A-Za-z0-9\s])/g, "$1")
    .replace(/\u200b/g, "");
}

/** Labels of a message's buttons and select options. */
export function controlsOf(message: MessageBody | null): string[] {
  return (message?.components ?? []).flatMap((row) =>
    row.components.flatMap((c) =>
      c.label !== undefined ? [c.label] : (c.options ?? []).map((o) => o.label),
    ),
  );
}

export function customIdOf(message: Pick<APIMessage, "components">, label: string): string {
  for (const row of message.components ?? []) {
    if (!("components" in row)) continue;
    for (const component of row.components) {
      if ("label" in component && component.label === label && "custom_id" in component)
        return component.custom_id;
      if (label === "impact" && "options" in component && "custom_id" in component)
        return component.custom_id;
    }
  }
  throw new Error(`no control "${label}" on the message`);
}
