// telegram-test-api with the Bot API methods Cairn uses that it lacks
// (getChatMember, get/setMyCommands, sendDocument, sendPhoto), a long-poll getUpdates, a
// webhook that sends the secret-token header as Telegram does, a record of
// every call the bot makes, and switches for the failures a test scripts (a
// person who has not started the bot, a 429, a slow answer).
//
// The package keeps its routes in one module-level array that every new
// TelegramServer mounts, so ours are added once per process and find the
// state of the server they were mounted on through a WeakMap.
import { setTimeout as sleep } from "node:timers/promises";
import type { IncomingMessage } from "node:http";
import { routes } from "telegram-test-api/lib/routes/index.js";
import { TelegramServer } from "telegram-test-api/lib/telegramServer.js";

/** What a test reads back of a message the bot sent (as the emulator stores it). */
export interface SentMessage {
  readonly messageId: number;
  readonly chatId: string;
  readonly text: string;
  readonly replyTo: number | null;
  readonly threadId: number | null;
  readonly buttons: ReadonlyArray<{ text: string; data: string }>;
  readonly forceReply: boolean;
}

/** A picture the bot sent (sendPhoto), with the bytes it uploaded. */
export interface SentPhoto {
  readonly chatId: string;
  readonly filename: string;
  readonly bytes: Uint8Array;
  readonly caption: string | null;
}

/** A file the bot sent (sendDocument), with the bytes it uploaded. */
export interface SentDocument {
  readonly messageId: number;
  readonly chatId: string;
  readonly filename: string;
  readonly bytes: Uint8Array;
  readonly caption: string | null;
}

/** A failure the next call of `method` answers with, as Telegram words it. */
export interface ScriptedFailure {
  readonly method: string;
  readonly code: number;
  readonly description: string;
  readonly retryAfter?: number;
}

export interface ApiCall {
  readonly method: string;
  readonly body: Record<string, unknown>;
  /** When the emulator received it (ms since the epoch). */
  readonly at: number;
}

/** Per-server state the added routes read and write. */
export class EmulatorState {
  readonly calls: ApiCall[] = [];
  readonly administrators = new Set<number>();
  /** People who are not in the group (a forged deep link). */
  readonly outsiders = new Set<number>();
  /** People removed (banned) from the group. */
  readonly kicked = new Set<number>();
  /** People who never pressed Start in a private chat with the bot. */
  readonly notStarted = new Set<number>();
  readonly menus = new Map<string, unknown>();
  readonly documents: SentDocument[] = [];
  readonly photos: SentPhoto[] = [];
  /** The next sendMessage calls answer 429 with this retry_after (seconds). */
  rateLimitNext: number[] = [];
  /** The next call of each failure's method answers with it (any method, unlike rateLimitNext). */
  failNext: ScriptedFailure[] = [];
  /** The next sendMessage calls are answered this many milliseconds late (a slow Telegram). */
  delayNext: number[] = [];
  private nextDocumentId = 900_000;

  documentId(): number {
    return this.nextDocumentId++;
  }
}

interface Request extends IncomingMessage {
  readonly params: Record<string, string>;
  readonly body: Record<string, unknown> | undefined;
}
interface Response {
  status(code: number): Response;
  json(body: unknown): void;
}
type Next = () => void;
interface App {
  all(path: string, handler: (req: Request, res: Response, next: Next) => void): void;
}

const states = new WeakMap<object, EmulatorState>();
const INSTALLED = Symbol.for("cairn.telegram-emulator-routes");

function stateOf(server: object): EmulatorState {
  const state = states.get(server);
  if (state === undefined) throw new Error("no emulator state for this server");
  return state;
}

const failure = (res: Response, code: number, description: string, parameters?: object) =>
  res.status(code).json({ ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) });

function installRoutes(): void {
  const list = routes as unknown as Array<(app: App, server: object) => void> & { [INSTALLED]?: true };
  if (list[INSTALLED] === true) return;
  list[INSTALLED] = true;
  list.unshift(
    (app, server) =>
      app.all("/bot:token/:method", (req, res, next) => {
        const state = stateOf(server);
        const method = req.params["method"] ?? "";
        state.calls.push({ method, body: req.body ?? {}, at: Date.now() });
        const scripted = state.failNext.findIndex((f) => f.method === method);
        if (scripted < 0) return next();
        const [f] = state.failNext.splice(scripted, 1);
        if (f === undefined) return next();
        failure(
          res,
          f.code,
          f.description,
          f.retryAfter === undefined ? undefined : { retry_after: f.retryAfter },
        );
      }),
    (app, server) =>
      app.all("/bot:token/getChatMember", (req, res) => {
        const state = stateOf(server);
        const userId = Number(req.body?.["user_id"]);
        const status = state.outsiders.has(userId)
          ? "left"
          : state.kicked.has(userId)
            ? "kicked"
            : state.administrators.has(userId)
              ? "administrator"
              : "member";
        const user = { id: userId, is_bot: false, first_name: `user${userId}` };
        const member =
          status === "administrator"
            ? { status, user, can_be_edited: false, is_anonymous: false, can_manage_chat: true }
            : { status, user };
        res.json({ ok: true, result: member });
      }),
    (app, server) =>
      app.all("/bot:token/setMyCommands", (req, res) => {
        const scope = (req.body?.["scope"] as { type?: string } | undefined)?.type ?? "default";
        stateOf(server).menus.set(scope, req.body?.["commands"]);
        res.json({ ok: true, result: true });
      }),
    (app, server) =>
      app.all("/bot:token/getMyCommands", (req, res) => {
        const scope = (req.body?.["scope"] as { type?: string } | undefined)?.type ?? "default";
        res.json({ ok: true, result: stateOf(server).menus.get(scope) ?? [] });
      }),
    (app, server) =>
      app.all("/bot:token/sendMessage", (req, res, next) => {
        const state = stateOf(server);
        const retryAfter = state.rateLimitNext.shift();
        if (retryAfter !== undefined)
          return failure(res, 429, `Too Many Requests: retry after ${retryAfter}`, {
            retry_after: retryAfter,
          });
        if (state.notStarted.has(Number(req.body?.["chat_id"])))
          return failure(res, 403, "Forbidden: bot can't initiate conversation with a user");
        const delay = state.delayNext.shift();
        if (delay === undefined) return next();
        void sleep(delay).then(next);
      }),
    (app, server) =>
      app.all("/bot:token/sendDocument", (req, res) => {
        void readForm(req).then(async (form) => {
          const state = stateOf(server);
          const document = form.get("document");
          const caption = form.get("caption");
          const sent: SentDocument = {
            messageId: state.documentId(),
            chatId: String(form.get("chat_id") ?? ""),
            filename: document instanceof File ? document.name : "",
            bytes:
              document instanceof File ? new Uint8Array(await document.arrayBuffer()) : new Uint8Array(0),
            caption: typeof caption === "string" ? caption : null,
          };
          state.documents.push(sent);
          res.json({
            ok: true,
            result: {
              message_id: sent.messageId,
              date: 0,
              chat: { id: Number(sent.chatId), type: "private" },
            },
          });
        });
      }),
    (app, server) =>
      app.all("/bot:token/sendPhoto", (req, res) => {
        void readForm(req).then(async (form) => {
          const photo = await sentPhoto(form);
          stateOf(server).photos.push(photo);
          // Stored as a message whose text is the caption, so a board reads the same as text or as a picture.
          const thread = form.get("message_thread_id");
          const message = (server as TelegramServer).addBotMessage(
            {
              chat_id: photo.chatId,
              text: photo.caption ?? "",
              ...(typeof thread === "string" ? { message_thread_id: Number(thread) } : {}),
            },
            req.params["token"] ?? "",
          );
          res.json({
            ok: true,
            result: { ...message, photo: [{ file_id: photo.filename, width: 1, height: 1 }] },
          });
        });
      }),
    (app, server) =>
      app.all("/bot:token/getUpdates", (req, _res, next) => {
        // Telegram holds a poll open until an update arrives; the emulator answers at once.
        const token = req.params["token"];
        const waiting = () =>
          (server as TelegramServer).storage.userMessages.some((u) => u.botToken === token && !u.isRead);
        void (async () => {
          const until = Date.now() + 1500;
          while (!waiting() && Date.now() < until) await sleep(20);
          next();
        })();
      }),
  );
}

/** A multipart request's fields, parsed as the fetch API parses form data. */
async function readForm(req: IncomingMessage): Promise<FormData> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  const type = req.headers["content-type"] ?? "";
  return new Response(Buffer.concat(chunks), { headers: { "content-type": type } }).formData();
}

async function sentPhoto(form: FormData): Promise<SentPhoto> {
  const photo = form.get("photo");
  const caption = form.get("caption");
  return {
    chatId: String(form.get("chat_id") ?? ""),
    filename: photo instanceof File ? photo.name : "",
    bytes: photo instanceof File ? new Uint8Array(await photo.arrayBuffer()) : new Uint8Array(0),
    caption: typeof caption === "string" ? caption : null,
  };
}

/** A running emulator on a fixed port with the routes above. */
export class TelegramEmulator {
  readonly server: TelegramServer;
  readonly state = new EmulatorState();

  constructor(readonly port: number) {
    installRoutes();
    this.server = new TelegramServer({ port, host: "127.0.0.1", storeTimeout: 3600 });
    states.set(this.server, this.state);
    sendWebhookSecret(this.server);
  }

  get apiRoot(): string {
    return this.server.config.apiURL;
  }

  start(): Promise<void> {
    return this.server.start();
  }

  async stop(): Promise<void> {
    await this.server.stop();
  }

  /** The id the emulator gives the next user message. */
  nextMessageId(): number {
    return (this.server as unknown as { messageId: number }).messageId;
  }

  nextCallbackId(): string {
    return String((this.server as unknown as { callbackId: number }).callbackId);
  }

  /** Every message the bot sent that the emulator still has, as edited since. */
  sent(): SentMessage[] {
    return this.server.storage.botMessages.map((stored) => toSent(stored.messageId, stored.message));
  }

  callsOf(method: string): ApiCall[] {
    return this.state.calls.filter((c) => c.method === method);
  }
}

interface WebhookServer {
  webhooks: Record<string, { url: string; secret_token?: string } | undefined>;
  updateId: number;
  addUserUpdate(update: { botToken: string }): Promise<void>;
}

/** The package's own update formatting (a private static, reached as the package's JavaScript allows). */
function formatUpdate(update: object): unknown {
  return (TelegramServer as unknown as { formatUpdate(update: object): unknown }).formatUpdate(update);
}

/** The package posts updates to a webhook without the secret given to setWebhook; Telegram sends it in a header. */
function sendWebhookSecret(server: TelegramServer): void {
  const patched = server as unknown as WebhookServer;
  const post = patched.addUserUpdate.bind(server);
  patched.addUserUpdate = async (update) => {
    const hook = patched.webhooks[update.botToken];
    if (hook?.secret_token === undefined) return post(update);
    const response = await fetch(hook.url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": hook.secret_token },
      body: JSON.stringify(formatUpdate(update)),
    });
    await response.text();
    if (response.status > 204) throw new Error(`webhook answered ${response.status}`);
    patched.updateId++;
  };
}

function toSent(messageId: number, raw: unknown): SentMessage {
  const message = raw as {
    chat_id?: unknown;
    text?: unknown;
    message_thread_id?: unknown;
    reply_parameters?: { message_id?: unknown };
    reply_markup?: {
      inline_keyboard?: Array<Array<{ text: string; callback_data?: string }>>;
      force_reply?: boolean;
    };
  };
  const keyboard = message.reply_markup?.inline_keyboard ?? [];
  return {
    messageId,
    chatId: String(message.chat_id),
    text: String(message.text ?? ""),
    replyTo:
      message.reply_parameters?.message_id === undefined ? null : Number(message.reply_parameters.message_id),
    threadId: message.message_thread_id === undefined ? null : Number(message.message_thread_id),
    buttons: keyboard.flat().map((b) => ({ text: b.text, data: b.callback_data ?? "" })),
    forceReply: message.reply_markup?.force_reply === true,
  };
}
