// The Telegram bot `cairn start` / `cairn bot` runs: telegraf takes updates by
// long polling, or Cairn's HTTP server takes them on the webhook route; either
// way each update is claimed in the database by its update_id (scoped by the
// bot's id), then routed by telegraf's Composer (routes.ts) to its handler,
// once, also across a restart.
import { COMMAND_RATE } from "../../core/rateLimit.ts";
import { Telegraf, type Telegram } from "telegraf";
import type { BotCommand, BotCommandScope } from "telegraf/types";
import { PlatformError } from "../../ports/chatPlatform.ts";
import type { BotServices, PlatformBot } from "../bot.ts";
import type { AnyCommandSpec } from "../../commands/types.ts";
import type { TelegramAdapter } from "./adapter.ts";
import { commandMenus, commandNameMap, type BotCommandEntry } from "./commandNames.ts";
import { DialogueTimers } from "./dialogueState.ts";
import { armWaitingDialogues } from "./dialogue.ts";
import { loggableError, toPlatformError } from "./errors.ts";
import { membershipCheck } from "./membership.ts";
import { SeenPeople } from "./mentions.ts";
import { expiringMap } from "../memory.ts";
import { telegramClient, telegramPlatform, type TelegramConnection } from "./outgoing.ts";
import { PacedTelegram, ReplyDropped, type ReplyPacing } from "./pacedReplies.ts";
import { recordSenderUsername } from "./updates.ts";
import { CairnContext, telegramRoutes } from "./routes.ts";
import { webhookPath, webhookRoute } from "./webhook.ts";
import { logWith } from "../../logger.ts";
import { claimDelivery } from "../../app/deliveries.ts";

export interface TelegramBotOptions extends TelegramConnection {
  /** Webhook mode: Telegram posts updates to `url` (served by Cairn's HTTP server); polling without it. */
  readonly webhook?: { readonly url: string; readonly secret: string };
  /** How long a guided /contribute waits for an answer (default 10 minutes). */
  readonly dialogueTimeoutMs?: number;
  /** How long stop() waits for updates being handled (default 10 s). */
  readonly stopGraceMs?: number;
  /** The limits answers are paced by (default Telegram's, as for the delivery jobs) and how long one may wait. */
  readonly replyPacing?: Omit<ReplyPacing, "buckets">;
}

/** The updates the bot handles; Telegram sends no others. */
const ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"] as const;
const STOP_GRACE_MS = 10_000;
const HOUR_MS = 3_600_000;

export function createTelegramBot(services: BotServices, options: TelegramBotOptions): PlatformBot {
  const bot = new Telegraf<CairnContext>(options.token, {
    contextType: CairnContext,
    telegram: { webhookReply: false, ...(options.apiRoot === undefined ? {} : { apiRoot: options.apiRoot }) },
  });
  const telegram = bot.telegram;
  // Answers to commands take from the delivery jobs' buckets.
  const replies = new PacedTelegram(options, { ...options.replyPacing, buckets: services.pacing });
  const safe = (error: unknown) => loggableError(error, options.token);
  let username = "";
  let botId = 0;
  const adapter: TelegramAdapter = {
    services,
    telegram: replies,
    botUsername: () => username,
    names: commandNameMap(services.catalog),
    membership: membershipCheck(telegram, {
      ...(services.deps.caches === undefined ? {} : { roles: services.deps.caches.chatRoles }),
      onError: (error) => services.log.warn({ err: safe(error) }, "telegram getChatMember failed"),
    }),
    homes: expiringMap(30 * 24 * HOUR_MS),
    dialogueTimers: new DialogueTimers(options.dialogueTimeoutMs),
    knownGroups: new Set(),
    seen: new SeenPeople(),
    commandWindows: expiringMap(COMMAND_RATE.windowMs, 10_000, () => services.deps.clock.now().getTime()),
  };
  const inFlight = new Set<Promise<void>>();
  let accepting = false;
  let polling: Promise<void> | null = null;

  /** Routes an update the first time its id is seen; a replay gets no effect and no answer. */
  const once = async (ctx: CairnContext, route: () => Promise<void>): Promise<void> => {
    const update = ctx.update;
    if (!(await claimDelivery(services.deps, "telegram", `${botId}:${update.update_id}`))) return;
    // Every line logged while handling the update names it.
    const log = logWith(services.log, { updateId: update.update_id });
    ctx.adapter = { ...adapter, services: { ...services, log } };
    try {
      await route();
    } finally {
      // After the update, so an account it created gets its username too.
      await recordSenderUsername(ctx.adapter, update);
    }
  };
  /** Failures are logged, never thrown at Telegram. */
  const take = async (ctx: CairnContext, route: () => Promise<void>): Promise<void> => {
    const updateId = ctx.update.update_id;
    const work = once(ctx, route).catch((error: unknown) => {
      if (error instanceof ReplyDropped) services.log.warn({ chatId: error.chatId, updateId }, error.message);
      else services.log.error({ err: safe(error), updateId }, "telegram update failed");
    });
    inFlight.add(work);
    try {
      await work;
    } finally {
      inFlight.delete(work);
    }
  };
  bot.catch((error) => services.log.error({ err: safe(error) }, "telegram update failed"));
  bot.use((ctx, next) => take(ctx, next));
  bot.use(telegramRoutes(adapter.names));

  const webhook = options.webhook;
  return {
    // The jobs pace their own posts: their client is not the answers' one.
    outgoing: telegramPlatform(telegramClient(options)),
    ...(webhook === undefined ? {} : { httpRoute: webhookRouteOf(bot, webhook, () => accepting) }),
    async start() {
      const me = await apiCall("getMe", options.token, () => telegram.getMe());
      username = me.username;
      botId = me.id;
      bot.botInfo = me;
      await deployTelegramCommands(telegram, services.catalog).catch((error: unknown) =>
        services.log.warn({ err: safe(error) }, "could not register the Telegram command menus"),
      );
      await armWaitingDialogues(adapter);
      accepting = true;
      if (webhook !== undefined) {
        await apiCall("setWebhook", options.token, () =>
          telegram.setWebhook(webhook.url, {
            allowed_updates: [...ALLOWED_UPDATES],
            secret_token: webhook.secret,
          }),
        );
        services.log.info({ bot: username, mode: "webhook" }, "telegram bot started");
        return;
      }
      polling = bot
        .launch({ allowedUpdates: [...ALLOWED_UPDATES] })
        .catch((error: unknown) => services.log.error({ err: safe(error) }, "telegram polling stopped"));
      services.log.info({ bot: username, mode: "polling" }, "telegram bot started");
    },
    /** Takes no more updates (the webhook answers 503, so Telegram keeps them), then waits for those being handled, within the grace time. */
    async stop() {
      accepting = false;
      adapter.dialogueTimers.disarmAll();
      const deadline = Date.now() + (options.stopGraceMs ?? STOP_GRACE_MS);
      if (polling !== null) {
        stopPolling(bot);
        await within(polling, deadline - Date.now());
        polling = null;
      }
      await within(Promise.all(inFlight), deadline - Date.now());
    },
  };
}

async function apiCall<T>(method: string, token: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw error instanceof PlatformError ? error : toPlatformError(error, method, token);
  }
}

/** Ends long polling; telegraf throws when polling already ended on its own (an error logged where launch failed). */
function stopPolling(bot: Telegraf<CairnContext>): void {
  try {
    bot.stop("cairn stop");
  } catch {
    // Not polling any more: nothing to stop.
  }
}

async function within(work: Promise<unknown>, ms: number): Promise<void> {
  if (ms <= 0) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  await Promise.race([work.then(() => undefined), timeout]);
  clearTimeout(timer);
}

const MENU_SCOPES: ReadonlyArray<{ scope: BotCommandScope; menu: keyof ReturnType<typeof commandMenus> }> = [
  { scope: { type: "all_private_chats" }, menu: "privateChats" },
  { scope: { type: "all_group_chats" }, menu: "groups" },
  { scope: { type: "all_chat_administrators" }, menu: "administrators" },
];

/**
 * Registers the command menus derived from the catalog, per scope, where they
 * differ from what Telegram has: members' commands in private chats and groups,
 * everything for group administrators.
 */
export async function deployTelegramCommands(
  telegram: Telegram,
  catalog: readonly AnyCommandSpec[],
): Promise<{ changed: number }> {
  const menus = commandMenus(catalog);
  let changed = 0;
  for (const { scope, menu } of MENU_SCOPES) {
    const wanted = menus[menu];
    const current = await telegram.getMyCommands({ scope });
    if (sameMenu(current, wanted)) continue;
    await telegram.setMyCommands(
      wanted.map((entry) => ({ command: entry.command, description: entry.description })),
      { scope },
    );
    changed += 1;
  }
  return { changed };
}

function sameMenu(current: readonly BotCommand[], wanted: readonly BotCommandEntry[]): boolean {
  return (
    current.length === wanted.length &&
    current.every((c, i) => c.command === wanted[i]?.command && c.description === wanted[i]?.description)
  );
}

/** The webhook route: Cairn's checks in front of telegraf's handler, which runs the update through the bot. */
function webhookRouteOf(
  bot: Telegraf<CairnContext>,
  webhook: { readonly url: string; readonly secret: string },
  accepting: () => boolean,
) {
  // telegraf matches the request's whole URL: the path with the webhook URL's query, if any.
  const { pathname, search } = new URL(webhook.url);
  return webhookRoute(
    webhookPath(webhook.url),
    webhook.secret,
    accepting,
    bot.webhookCallback(`${pathname}${search}`, { secretToken: webhook.secret }),
  );
}
