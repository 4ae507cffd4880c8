// A small local Discord for tests: REST on node:http and the gateway on `ws`,
// enough for an unmodified discord.js Client and the bot's own REST client.
// Every REST call is recorded; payloads sent to the bot are typed with
// discord-api-types so a missing field fails the compile, not the client.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  ChannelType,
  GatewayDispatchEvents,
  GatewayOpcodes,
  GuildDefaultMessageNotifications,
  GuildExplicitContentFilter,
  GuildMFALevel,
  GuildNSFWLevel,
  GuildPremiumTier,
  GuildSystemChannelFlags,
  GuildVerificationLevel,
  Locale,
  MessageType,
  PermissionFlagsBits,
  type APIChannel,
  type MessageFlags,
  type ApplicationFlags,
  type RoleFlags,
  type APIGuildMember,
  type APIInteraction,
  type APIMessage,
  type APIRole,
  type APIUser,
  type GatewayGuildCreateDispatchData,
  type GatewayReadyDispatchData,
} from "discord-api-types/v10";
import { WebSocketServer, type WebSocket } from "ws";

export interface RestCall {
  readonly method: string;
  /** Path after /api/v10, decoded (`@original`, not `%40original`). */
  readonly path: string;
  readonly body: unknown;
  readonly files: ReadonlyArray<{ readonly name: string; readonly content: string }>;
  readonly authorization: string | undefined;
}

/** A message as the fake stores it: posted to a channel, or an interaction's reply/follow-up. */
export interface StoredMessage {
  readonly id: string;
  readonly channelId: string;
  /** Set for interaction replies and follow-ups. */
  readonly interactionId: string | null;
  ephemeral: boolean;
  body: MessageBody;
  deleted: boolean;
}

export interface MessageBody {
  readonly content?: string;
  readonly embeds?: ReadonlyArray<{
    readonly title?: string;
    readonly description?: string;
    readonly fields?: ReadonlyArray<{ readonly name: string; readonly value: string }>;
    readonly image?: { readonly url: string };
  }>;
  readonly components?: ReadonlyArray<{
    readonly type: number;
    readonly components: ReadonlyArray<{
      readonly type: number;
      readonly custom_id?: string;
      readonly label?: string;
      readonly options?: ReadonlyArray<{ readonly label: string; readonly value: string }>;
    }>;
  }>;
  readonly allowed_mentions?: { readonly parse?: readonly string[] };
  readonly flags?: number;
  readonly nonce?: string | number;
  readonly enforce_nonce?: boolean;
}

export interface ScriptedFailure {
  readonly method: string;
  readonly path: RegExp;
  readonly status: number;
  readonly body: object;
}

export const BOT_ID = "900000000000000001";
export const APP_ID = BOT_ID;
export const GUILD_ID = "910000000000000001";
export const GENERAL_CHANNEL = "920000000000000001";
export const CARDS_CHANNEL = "920000000000000002";
export const MOD_ROLE = "930000000000000001";

let snowflake = 950_000_000_000_000_000n;
export function nextId(): string {
  snowflake += 1n;
  return snowflake.toString();
}

export function userFixture(id: string, username: string): APIUser {
  return { id, username, global_name: username, discriminator: "0", avatar: null };
}

const BOT_USER: APIUser = { ...userFixture(BOT_ID, "cairn"), bot: true };

function everyoneRole(guildId: string): APIRole {
  const everyday =
    PermissionFlagsBits.ViewChannel |
    PermissionFlagsBits.SendMessages |
    PermissionFlagsBits.EmbedLinks |
    PermissionFlagsBits.AttachFiles |
    PermissionFlagsBits.ReadMessageHistory |
    PermissionFlagsBits.UseApplicationCommands;
  return role(guildId, "@everyone", everyday.toString());
}

function role(id: string, name: string, permissions: string): APIRole {
  return {
    id,
    name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position: 0,
    permissions,
    managed: false,
    mentionable: false,
    flags: 0 as RoleFlags,
  };
}

export function textChannel(id: string, guildId: string, name: string, position: number): APIChannel {
  return {
    id,
    guild_id: guildId,
    name,
    type: ChannelType.GuildText,
    position,
    permission_overwrites: [],
    nsfw: false,
    parent_id: null,
    topic: null,
    last_message_id: null,
    rate_limit_per_user: 0,
  } as APIChannel;
}

export function guildFixture(
  id: string,
  name: string,
  channels: readonly APIChannel[],
): GatewayGuildCreateDispatchData {
  return {
    id,
    name,
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: "999999999999999999",
    region: "",
    afk_channel_id: null,
    afk_timeout: 60,
    verification_level: GuildVerificationLevel.None,
    default_message_notifications: GuildDefaultMessageNotifications.OnlyMentions,
    explicit_content_filter: GuildExplicitContentFilter.Disabled,
    roles: [everyoneRole(id), role(MOD_ROLE, "Mods", "0")],
    emojis: [],
    features: [],
    mfa_level: GuildMFALevel.None,
    application_id: null,
    system_channel_id: channels[0]?.id ?? null,
    system_channel_flags: GuildSystemChannelFlags.SuppressJoinNotifications,
    rules_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: GuildPremiumTier.None,
    preferred_locale: Locale.EnglishUS,
    public_updates_channel_id: null,
    nsfw_level: GuildNSFWLevel.Default,
    stickers: [],
    premium_progress_bar_enabled: false,
    hub_type: null,
    safety_alerts_channel_id: null,
    incidents_data: null,
    joined_at: new Date().toISOString(),
    large: false,
    unavailable: false,
    member_count: 1,
    voice_states: [],
    members: [],
    channels: [...channels],
    threads: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
    max_members: 1000,
    max_stage_video_channel_users: 0,
    max_video_channel_users: 25,
    owner: false,
    approximate_member_count: 1,
    approximate_presence_count: 1,
    widget_enabled: false,
    widget_channel_id: null,
    premium_subscription_count: 0,
  } as GatewayGuildCreateDispatchData;
}

/** The one server the fake starts with: #general (system channel) and #cards. */
export function defaultGuild(): GatewayGuildCreateDispatchData {
  return guildFixture(GUILD_ID, "Cairn Test Server", [
    textChannel(GENERAL_CHANNEL, GUILD_ID, "general", 0),
    textChannel(CARDS_CHANNEL, GUILD_ID, "cards", 1),
  ]);
}

export class FakeDiscord {
  readonly calls: RestCall[] = [];
  readonly messages = new Map<string, StoredMessage>();
  readonly guilds = new Map<string, GatewayGuildCreateDispatchData>();
  /** People the server knows, for GET /guilds/:id/members/:user. */
  readonly members = new Map<string, APIGuildMember>();
  private readonly failures: ScriptedFailure[] = [];
  private readonly delays: Array<{ readonly method: string; readonly path: RegExp; readonly ms: number }> =
    [];
  private readonly sockets = new Set<WebSocket>();
  private readonly callbackWaiters = new Map<string, Array<(call: RestCall) => void>>();
  /** The `shard` of every IDENTIFY received ([id, count]; [0, 1] when a client sent none). */
  readonly identified: Array<readonly [number, number]> = [];
  /** How many shards GET /gateway/bot recommends (what `shards: "auto"` follows). */
  recommendedShards = 1;
  private readonly server: Server;
  private readonly gateway: WebSocketServer;
  private sequence = 0;

  constructor(guilds: readonly GatewayGuildCreateDispatchData[] = [defaultGuild()]) {
    for (const guild of guilds) this.guilds.set(guild.id, guild);
    this.server = createServer((request, response) => void this.route(request, response));
    this.gateway = new WebSocketServer({ server: this.server });
    this.gateway.on("connection", (socket) => this.connect(socket));
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** What discord.js and the bot's REST client take as `api`. */
  get api(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    await new Promise<void>((resolve) => this.gateway.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The next matching REST call answers `status` with `body` instead. */
  failNext(failure: ScriptedFailure): void {
    this.failures.push(failure);
  }

  /** The next matching REST call is answered only after `ms` (a slow Discord). */
  delayNext(delay: { readonly method: string; readonly path: RegExp; readonly ms: number }): void {
    this.delays.push(delay);
  }

  /** Sends a gateway dispatch to every connected client. */
  dispatch(event: GatewayDispatchEvents, data: unknown): void {
    this.sequence += 1;
    const payload = JSON.stringify({ op: GatewayOpcodes.Dispatch, t: event, s: this.sequence, d: data });
    for (const socket of this.sockets) socket.send(payload);
  }

  /** Delivers an interaction and resolves with the bot's callback to it. */
  async interact(interaction: APIInteraction, timeoutMs = 10_000): Promise<RestCall> {
    const answered = new Promise<RestCall>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no callback to interaction ${interaction.id}`)),
        timeoutMs,
      );
      const waiters = this.callbackWaiters.get(interaction.id) ?? [];
      waiters.push((call) => {
        clearTimeout(timer);
        resolve(call);
      });
      this.callbackWaiters.set(interaction.id, waiters);
    });
    this.dispatch(GatewayDispatchEvents.InteractionCreate, interaction);
    return answered;
  }

  /** Calls made so far whose method and path match. */
  callsTo(method: string, path: RegExp): RestCall[] {
    return this.calls.filter((c) => c.method === method && path.test(c.path));
  }

  channelMessages(channelId: string): StoredMessage[] {
    return [...this.messages.values()].filter(
      (m) => m.channelId === channelId && m.interactionId === null && !m.deleted,
    );
  }

  /** The answer an interaction got: its original reply (after edits) and follow-ups. */
  repliesTo(interactionId: string): StoredMessage[] {
    return [...this.messages.values()].filter((m) => m.interactionId === interactionId);
  }

  private connect(socket: WebSocket): void {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    socket.send(JSON.stringify({ op: GatewayOpcodes.Hello, d: { heartbeat_interval: 45_000 } }));
    socket.on("message", (raw) => {
      const message = JSON.parse(String(raw)) as { op: number; d?: { shard?: [number, number] } };
      if (message.op === GatewayOpcodes.Heartbeat)
        socket.send(JSON.stringify({ op: GatewayOpcodes.HeartbeatAck }));
      if (message.op === GatewayOpcodes.Identify) this.identify(socket, message.d?.shard ?? [0, 1]);
    });
  }

  /** READY and GUILD_CREATE for the servers of one shard (Discord's rule: (server id >> 22) % count). */
  private identify(socket: WebSocket, shard: readonly [number, number]): void {
    this.identified.push(shard);
    const [shardId, count] = shard;
    const guilds = [...this.guilds.values()].filter(
      (g) => Number((BigInt(g.id) >> 22n) % BigInt(count)) === shardId,
    );
    const ready: GatewayReadyDispatchData = {
      v: 10,
      user: BOT_USER,
      guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
      session_id: `fake-session-${shardId}`,
      resume_gateway_url: `ws://127.0.0.1:${this.port}`,
      shard: [shardId, count],
      application: { id: APP_ID, flags: 0 as ApplicationFlags, flags_new: "0" },
    };
    const send = (t: string, d: unknown): void => {
      this.sequence += 1;
      socket.send(JSON.stringify({ op: GatewayOpcodes.Dispatch, t, s: this.sequence, d }));
    };
    send(GatewayDispatchEvents.Ready, ready);
    for (const guild of guilds) send(GatewayDispatchEvents.GuildCreate, guild);
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const path = decodeURIComponent(url.pathname.replace(/^\/api(\/v\d+)?/, ""));
    const method = request.method ?? "GET";
    const { body, files } = await readBody(request);
    const call: RestCall = { method, path, body, files, authorization: request.headers.authorization };
    this.calls.push(call);
    const delay = this.delays.findIndex((d) => d.method === method && d.path.test(path));
    if (delay >= 0) {
      const [held] = this.delays.splice(delay, 1);
      await new Promise((resolve) => setTimeout(resolve, held?.ms ?? 0));
    }
    const failure = this.failures.findIndex((f) => f.method === method && f.path.test(path));
    if (failure >= 0) {
      const [scripted] = this.failures.splice(failure, 1);
      return json(response, scripted?.status ?? 500, scripted?.body ?? {}, rateLimitHeaders(scripted));
    }
    const answer = this.answer(method, path, body as MessageBody | undefined, call);
    if (answer === undefined) return json(response, 404, { message: "404: Not Found", code: 0 });
    if (answer === null) {
      // Interaction callbacks and deletes answer 204 with no content type: an empty JSON body crashes @discordjs/rest.
      response.writeHead(204);
      response.end();
      return;
    }
    return json(response, 200, answer);
  }

  /** The answer to one REST call: a JSON value, null for 204, undefined for 404. */
  private answer(method: string, path: string, body: MessageBody | undefined, call: RestCall): unknown {
    const parts = path.split("/").filter((p) => p !== "");
    const at = (i: number): string => parts[i] ?? "";
    if (method === "GET" && path === "/gateway/bot")
      return {
        url: `ws://127.0.0.1:${this.port}`,
        shards: this.recommendedShards,
        // A high concurrency lets every shard identify at once (discord.js waits 5 s per bucket otherwise).
        session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 16 },
      };
    if (method === "GET" && path === "/users/@me") return BOT_USER;
    if (method === "POST" && at(0) === "interactions" && at(3) === "callback")
      return this.callback(at(1), body, call);
    if (at(0) === "webhooks" && parts.length >= 3) return this.webhook(method, parts, body);
    if (at(0) === "channels" && at(2) === "messages") return this.channelMessage(method, at(1), at(3), body);
    if (method === "GET" && at(0) === "channels" && parts.length === 2) {
      for (const guild of this.guilds.values()) {
        const channel = guild.channels.find((c) => c.id === at(1));
        if (channel !== undefined) return { ...channel, guild_id: guild.id };
      }
      return undefined;
    }
    if (method === "POST" && path === "/users/@me/channels") {
      const recipient = (body as { recipient_id?: string } | undefined)?.recipient_id ?? "";
      return {
        id: `8${recipient.slice(1)}`,
        type: ChannelType.DM,
        recipients: [userFixture(recipient, "someone")],
      };
    }
    if (method === "GET" && at(0) === "guilds") return this.guildRead(parts);
    if (method === "PUT" && at(0) === "applications" && parts.at(-1) === "commands")
      return (Array.isArray(body) ? body : []).map((c: object) => ({
        ...c,
        id: nextId(),
        application_id: APP_ID,
        version: "1",
      }));
    return undefined;
  }

  private callback(interactionId: string, body: unknown, call: RestCall): null {
    const callback = body as { type?: number; data?: MessageBody };
    // 4: a message; 5: deferred (a "thinking…" placeholder until the edit).
    if (callback.type === 4 || callback.type === 5) {
      this.store(
        nextId(),
        "interaction",
        interactionId,
        callback.data ?? {},
        ((callback.data?.flags ?? 0) & 64) !== 0,
        `original:${interactionId}`,
      );
    }
    for (const resolve of this.callbackWaiters.get(interactionId) ?? []) resolve(call);
    this.callbackWaiters.delete(interactionId);
    return null;
  }

  private webhook(method: string, parts: readonly string[], body: MessageBody | undefined): unknown {
    const interactionId = this.interactionOfToken(parts[2] ?? "");
    if (parts[3] === "messages" && parts[4] === "@original") {
      const original = this.messages.get(`original:${interactionId}`);
      if (original === undefined) return undefined;
      if (method === "PATCH" && body !== undefined) original.body = { ...original.body, ...body };
      if (method === "DELETE") {
        original.deleted = true;
        return null;
      }
      return this.apiMessage(original);
    }
    if (method === "POST" && parts.length === 3) {
      const id = nextId();
      return this.apiMessage(
        this.store(id, "interaction", interactionId, body ?? {}, ((body?.flags ?? 0) & 64) !== 0),
      );
    }
    return undefined;
  }

  /** Tokens the tests mint are `token-<interaction id>`. */
  private interactionOfToken(token: string): string {
    return token.replace(/^token-/, "");
  }

  private channelMessage(
    method: string,
    channelId: string,
    messageId: string,
    body: MessageBody | undefined,
  ): unknown {
    if (method === "POST" && messageId === "" && body?.enforce_nonce === true && body.nonce !== undefined) {
      // Like Discord: the same nonce from the same author within minutes returns the first message.
      const first = [...this.messages.values()].find(
        (m) => m.channelId === channelId && m.body.nonce === body.nonce && !m.deleted,
      );
      if (first !== undefined) return this.apiMessage(first);
    }
    if (method === "POST" && messageId === "")
      return this.apiMessage(this.store(nextId(), channelId, null, body ?? {}, false));
    const message = this.messages.get(messageId);
    if (message === undefined || message.deleted || message.channelId !== channelId) return undefined;
    if (method === "PATCH") {
      message.body = { ...message.body, ...body };
      return this.apiMessage(message);
    }
    if (method === "DELETE") {
      message.deleted = true;
      return null;
    }
    return this.apiMessage(message);
  }

  private guildRead(parts: readonly string[]): unknown {
    const guild = this.guilds.get(parts[1] ?? "");
    if (guild === undefined) return undefined;
    if (parts.length === 2) return guild;
    if (parts[2] === "channels") return guild.channels;
    if (parts[2] === "members" && parts[3] === BOT_ID)
      return { user: BOT_USER, roles: [], joined_at: guild.joined_at, deaf: false, mute: false, flags: 0 };
    if (parts[2] === "members") return this.members.get(parts[3] ?? "");
    return undefined;
  }

  private store(
    id: string,
    channelId: string,
    interactionId: string | null,
    body: MessageBody,
    ephemeral: boolean,
    key = id,
  ): StoredMessage {
    const message: StoredMessage = { id, channelId, interactionId, ephemeral, body, deleted: false };
    this.messages.set(key, message);
    return message;
  }

  /** A message as Discord returns it, complete enough for discord.js to build a Message. */
  apiMessage(message: Pick<StoredMessage, "id" | "channelId" | "body">): APIMessage {
    return {
      id: message.id,
      channel_id: /^\d+$/.test(message.channelId) ? message.channelId : GENERAL_CHANNEL,
      author: BOT_USER,
      content: message.body.content ?? "",
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: (message.body.embeds ?? []) as APIMessage["embeds"],
      pinned: false,
      type: MessageType.Default,
      components: (message.body.components ?? []) as NonNullable<APIMessage["components"]>,
      flags: (message.body.flags ?? 0) as MessageFlags,
    };
  }
}

function json(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { "Content-Type": "application/json", ...headers });
  response.end(JSON.stringify(body));
}

/**
 * The headers Discord sends with a 429 besides its body: Retry-After in whole
 * seconds (rounded up from the body's retry_after), X-RateLimit-Global for a
 * global limit, and the scope.
 */
function rateLimitHeaders(failure: ScriptedFailure | undefined): Record<string, string> {
  if (failure?.status !== 429) return {};
  const body = failure.body as { retry_after?: number; global?: boolean };
  return {
    "Retry-After": String(Math.ceil(body.retry_after ?? 1)),
    "X-RateLimit-Scope": body.global === true ? "global" : "user",
    ...(body.global === true ? { "X-RateLimit-Global": "true" } : {}),
  };
}

async function readBody(request: IncomingMessage): Promise<{ body: unknown; files: RestCall["files"] }> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  if (raw.length === 0) return { body: undefined, files: [] };
  const type = request.headers["content-type"] ?? "";
  if (!type.startsWith("multipart/form-data")) return { body: JSON.parse(raw.toString("utf8")), files: [] };
  const form = await new Request("http://fake/", {
    method: "POST",
    headers: { "content-type": type },
    body: raw,
  }).formData();
  const files: Array<{ name: string; content: string }> = [];
  let body: unknown;
  for (const [key, value] of form.entries()) {
    if (key === "payload_json" && typeof value === "string") body = JSON.parse(value);
    else if (typeof value !== "string") files.push({ name: value.name, content: await value.text() });
  }
  return { body, files };
}
