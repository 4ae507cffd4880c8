// One scenario's world: a database (a fresh one on the shared PostgreSQL
// server, or a PostgreSQL of the scenario's own that it may restart), a Redis
// of its own, the Telegram emulator and the Discord fake the platform tests
// use, communities on Telegram groups with members holding API tokens, and
// the Cairn processes under test.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ensureCommunityForChat, resolveActor, type PlatformChat } from "../../src/app/actors.ts";
import type { Actor, Deps } from "../../src/app/deps.ts";
import { createToken } from "../../src/app/tokens.ts";
import { openConnections, type Connections } from "../../src/db/client.ts";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../src/db/embedded.ts";
import { migrate } from "../../src/db/migrate.ts";
import type { CommunityConfig } from "../../src/core/config.ts";
import { randomUUID } from "node:crypto";
import { freePort } from "../../test/support/ports.ts";
import { MIGRATIONS_DIR, databaseUrl, ensureTemplate, withServer } from "../../test/support/template.ts";
import { FakeDiscord, APP_ID } from "../../test/platforms/discord/fakeDiscord.ts";
import { TelegramEmulator } from "../../test/platforms/telegram/emulator.ts";
import { CairnProcess, RedisServer, type Role } from "./processes.ts";

export const BOT_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_faults";
export const WEBHOOK_SECRET = "faults_webhook-secret";
export const DISCORD_TOKEN = "fake-discord-token-faults.abc";
const WEBHOOK_PATH = "/telegram/webhook";

export interface Member {
  readonly actor: Actor;
  readonly telegramId: number;
  readonly token: string;
}

export interface Community {
  readonly communityId: number;
  readonly groupId: number;
  readonly submitter: Member;
  readonly voters: readonly Member[];
  readonly moderator: Member;
}

export interface WorldOptions {
  /** A PostgreSQL of the scenario's own (restartable) instead of a database on the shared server. */
  readonly ownPostgres?: boolean;
  /** A Discord fake too, with its default server. */
  readonly discord?: boolean;
}

let nextTelegramUser = 70_000;

export class FaultWorld {
  readonly redis: RedisServer;
  emulator!: TelegramEmulator;
  discord: FakeDiscord | null = null;
  deps!: Deps;
  databaseUrl = "";
  botHttpPort = 0;
  readonly processes: CairnProcess[] = [];
  private shared: { name: string; connections: Connections } | null = null;
  private own: { server: EmbeddedPostgres; dir: string; port: number; connections: Connections } | null =
    null;

  private constructor(
    redisPort: number,
    private readonly options: WorldOptions,
  ) {
    this.redis = new RedisServer(redisPort);
  }

  static async open(options: WorldOptions = {}): Promise<FaultWorld> {
    const world = new FaultWorld(await freePort(), options);
    await world.start();
    return world;
  }

  private async start(): Promise<void> {
    await this.redis.start();
    this.emulator = new TelegramEmulator(await freePort());
    await this.emulator.start();
    if (this.options.discord === true) {
      this.discord = new FakeDiscord();
      await this.discord.start();
    }
    this.botHttpPort = await freePort();
    if (this.options.ownPostgres === true) await this.startOwnPostgres();
    else {
      const name = await sharedDatabase();
      this.databaseUrl = databaseUrl(name);
      const connections = openConnections(this.databaseUrl);
      this.shared = { name, connections };
      this.deps = { db: connections.db, store: connections.store, clock: { now: () => new Date() } };
    }
  }

  private async startOwnPostgres(): Promise<void> {
    const dir = await mkdtemp(path.join(tmpdir(), "cairn-faults-pg-"));
    const port = await freePort();
    const server = await startEmbeddedPostgres({ dataDir: path.join(dir, "pgdata"), port });
    await migrate(server.databaseUrl, { migrationsDir: MIGRATIONS_DIR });
    const connections = openConnections(server.databaseUrl);
    this.own = { server, dir, port, connections };
    this.databaseUrl = server.databaseUrl;
    this.deps = { db: connections.db, store: connections.store, clock: { now: () => new Date() } };
  }

  /** Stops the scenario's own PostgreSQL (every connection to it drops). */
  async stopPostgres(): Promise<void> {
    if (this.own === null) throw new Error("this world has no PostgreSQL of its own");
    await this.own.server.stop();
  }

  /** Starts the scenario's own PostgreSQL again on the same folder and port. */
  async startPostgres(): Promise<void> {
    if (this.own === null) throw new Error("this world has no PostgreSQL of its own");
    this.own.server = await startEmbeddedPostgres({
      dataDir: path.join(this.own.dir, "pgdata"),
      port: this.own.port,
    });
  }

  get webhookUrl(): string {
    return `http://127.0.0.1:${this.botHttpPort}${WEBHOOK_PATH}`;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.botHttpPort}/api/v1`;
  }

  /** What every process of the scenario is given (the bot's HTTP port unless `httpPort`). */
  environment(httpPort: number): Record<string, string> {
    return {
      DATABASE_URL: this.databaseUrl,
      REDIS_URL: this.redis.url,
      TELEGRAM_BOT_TOKEN: BOT_TOKEN,
      TELEGRAM_API_ROOT: `${this.emulator.apiRoot}/`,
      TELEGRAM_WEBHOOK_URL: this.webhookUrl,
      TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
      HTTP_PORT: String(httpPort),
      ...(this.discord === null
        ? {}
        : { DISCORD_TOKEN, DISCORD_APPLICATION_ID: APP_ID, DISCORD_API_URL: this.discord.api }),
    };
  }

  /** Starts `cairn <role>` and waits until it runs; bots take the webhook port, workers a port of their own. */
  async spawn(role: Role, extra: Record<string, string> = {}): Promise<CairnProcess> {
    const port = role === "worker" ? await freePort() : this.botHttpPort;
    const child = new CairnProcess(role, { ...this.environment(port), ...extra });
    this.processes.push(child);
    await child.ready();
    return child;
  }

  /** `cairn bot` and `cairn worker` started side by side (each starts on its own; neither waits for the other). */
  async spawnBotAndWorker(
    workerExtra: Record<string, string> = {},
  ): Promise<{ bot: CairnProcess; worker: CairnProcess }> {
    const [bot, worker] = await Promise.all([this.spawn("bot"), this.spawn("worker", workerExtra)]);
    return { bot, worker };
  }

  /** `communities` Telegram groups, each a community with a submitter, `voters` voters and a moderator. */
  async communities(count: number, voters: number, config: Partial<CommunityConfig>): Promise<Community[]> {
    const made: Community[] = [];
    for (let i = 0; i < count; i += 1) made.push(await this.community(i, voters, config));
    return made;
  }

  private async community(
    index: number,
    voters: number,
    config: Partial<CommunityConfig>,
  ): Promise<Community> {
    const groupId = -1_002_000_000_000 - nextTelegramUser - index;
    const chat: PlatformChat = { platform: "TELEGRAM", chatId: String(groupId), title: `Faults ${index}` };
    const { communityId } = await ensureCommunityForChat(this.deps, chat);
    await this.deps.db.community.update({
      where: { id: communityId },
      data: { config: { timezone: "UTC", maxSubmissionsPerDay: 1000, ...config } },
    });
    const member = async (name: string, moderator: boolean): Promise<Member> => {
      const telegramId = nextTelegramUser++;
      const resolved = await resolveActor(this.deps, chat, {
        platform: "TELEGRAM",
        userId: String(telegramId),
        displayName: name,
        isPlatformModerator: true,
      });
      if (!resolved.ok) throw new Error(`no member ${name}: ${resolved.error.code}`);
      const created = await createToken(this.deps, resolved.value, {
        name: `faults-${telegramId}`,
        scopes: ["contribute", "vote", "read"],
      });
      if (!created.ok) throw new Error(`no token for ${name}: ${created.error.code}`);
      if (moderator) this.emulator.state.administrators.add(telegramId);
      return { actor: { ...resolved.value, isModerator: moderator }, telegramId, token: created.value.token };
    };
    const submitter = await member(`author${index}`, false);
    const list: Member[] = [];
    for (let v = 0; v < voters; v += 1) list.push(await member(`voter${index}-${v}`, false));
    return { communityId, groupId, submitter, voters: list, moderator: await member(`mod${index}`, true) };
  }

  async close(): Promise<void> {
    for (const child of this.processes) await child.killHard();
    await this.emulator?.stop().catch(() => {});
    await this.discord?.stop().catch(() => {});
    await this.redis.dispose();
    if (this.shared !== null) {
      const { name, connections } = this.shared;
      await connections.close().catch(() => {});
      await withServer((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    }
    if (this.own !== null) {
      await this.own.connections.close().catch(() => {});
      await this.own.server.stop().catch(() => {});
      await rm(this.own.dir, { recursive: true, force: true });
      await rm(`${path.join(this.own.dir, "pgdata")}.password`, { force: true });
    }
  }
}

/**
 * A command message in a community's group, as Telegram sends it, from its
 * submitter or its moderator (message id `messageId`, the update's id by default).
 */
export function commandUpdate(
  community: Community,
  from: "submitter" | "moderator",
  text: string,
  ids: { readonly updateId: number; readonly messageId?: number },
): object {
  const person =
    from === "moderator"
      ? { id: community.moderator.telegramId, first_name: "Mod" }
      : { id: community.submitter.telegramId, first_name: "Author" };
  const command = text.split(" ")[0] ?? text;
  return {
    update_id: ids.updateId,
    message: {
      message_id: ids.messageId ?? ids.updateId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: community.groupId, type: "supergroup", title: "Faults" },
      from: { ...person, is_bot: false },
      text,
      entities: [{ type: "bot_command", offset: 0, length: command.length }],
    },
  };
}

/** Posts a Telegram update to the bot's webhook, as Telegram would; the HTTP status. */
export async function postUpdate(world: FaultWorld, update: object): Promise<number> {
  const response = await fetch(world.webhookUrl, {
    method: "POST",
    headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": WEBHOOK_SECRET },
    body: JSON.stringify(update),
  });
  await response.text();
  return response.status;
}

/**
 * A fresh migrated database on the shared server, cloned from the test template.
 * The template is looked up each time: a test run of other migrations on the
 * same server may drop it as stale meanwhile, and ensureTemplate rebuilds it.
 */
async function sharedDatabase(): Promise<string> {
  const name = `cairn_faults_${randomUUID().replaceAll("-", "")}`;
  for (let attempt = 0; ; attempt += 1) {
    const template = await ensureTemplate();
    try {
      await withServer((client) => client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
      return name;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}
