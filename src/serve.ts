// The long-running processes: `cairn start` (bots, workers and HTTP in one),
// `cairn bot` (bots and HTTP; the workers run elsewhere) and `cairn worker`
// (workers and HTTP). Every part is started here, and stopped here in the
// reverse order on SIGTERM or SIGINT.
import path from "node:path";
import { databaseConversations } from "./app/conversations.ts";
import { createCaches } from "./caches.ts";
import { systemClock, type Deps } from "./app/deps.ts";
import type { AnyCommandSpec } from "./commands/types.ts";
import type { Config } from "./config.ts";
import { adminQueuesPlugin } from "./http/admin/queues.ts";
import { apiPlugin } from "./http/api/plugin.ts";
import { moderationPlugin } from "./http/web/moderation/plugin.ts";
import { mcpPlugin } from "./mcp/http.ts";
import { DEFAULT_TOKEN_RATE } from "./http/tokenRateLimit.ts";
import { webPlugin } from "./http/web/plugin.ts";
import { startHttpServer, type HttpServer } from "./http/server.ts";
import { botJobs } from "./jobs/botJobs.ts";
import { apiExportJobs } from "./jobs/exports.ts";
import { openJobQueues, startWorkers, type JobRuntime } from "./jobs/runtime.ts";
import type { Queues } from "./jobs/queues.ts";
import type { Logger } from "./logger.ts";
import type { PlatformBot, PlatformSet } from "./platforms/bot.ts";
import type { OpenDatabase } from "./runtime.ts";

export type ProcessRole = "start" | "bot" | "worker";

export interface ServeOptions {
  readonly role: ProcessRole;
  readonly config: Config;
  readonly database: OpenDatabase;
  readonly catalog: readonly AnyCommandSpec[];
  readonly platforms: PlatformSet;
  readonly log: Logger;
  /** Resolves when the process should stop; default the first SIGTERM or SIGINT. */
  readonly stopSignal?: Promise<string>;
  /** How long running jobs may take to finish at shutdown before they are left to another worker. */
  readonly shutdownTimeoutMs?: number;
  /** Told once everything is running (tests read the HTTP address). */
  readonly onReady?: (running: { http: HttpServer }) => void;
}

/** Runs the process until its stop signal, then shuts down in order; resolves with the exit code. */
export async function serve(options: ServeOptions): Promise<number> {
  const { role, config, log } = options;
  // This process's caches: made here, handed down, shared with no other server in the process.
  const publicUrl = config.publicUrl ?? `http://127.0.0.1:${config.httpPort}`;
  const deps: Deps = {
    db: options.database.db,
    store: options.database.store,
    clock: systemClock,
    caches: createCaches(),
    publicUrl,
  };
  const queue = { databaseUrl: options.database.databaseUrl, redisUrl: config.redisUrl };
  let databaseLost = false;
  const stopSignal = Promise.race([
    options.stopSignal ?? shutdownSignal(log),
    options.database.lost.then((line) => {
      databaseLost = true;
      log.error(`${line}; stopping (start again once it is fixed: nothing committed is lost)`);
      return "database lost";
    }),
  ]);
  const runsWorkers = role !== "bot";
  const runsBots = role !== "worker";
  if (runsBots && options.platforms.names.length === 0)
    log.warn(
      "no DISCORD_TOKEN or TELEGRAM_BOT_TOKEN is set, so nothing takes commands here; `cairn console` chats in the terminal",
    );

  const runtime: JobRuntime | null = runsWorkers
    ? await startWorkers({
        ...queue,
        deps,
        platforms: options.platforms.outgoing(),
        settings: { exportDir: path.resolve(config.dataDir, "exports") },
        log,
      })
    : null;
  const onlyQueues = runtime === null ? await openJobQueues(queue) : null;
  const queues: Queues = runtime?.queues ?? (onlyQueues as NonNullable<typeof onlyQueues>).queues;
  const backend = runtime?.backend ?? (onlyQueues as NonNullable<typeof onlyQueues>).backend;

  let http: HttpServer | null = null;
  const bots = runsBots
    ? options.platforms.bots({
        deps,
        catalog: options.catalog,
        log,
        jobs: botJobs(queues, deps),
        pacing: backend.coordination,
        conversations: databaseConversations(deps),
        // Commands' latencies go to this process's own server's metrics (none before it listens).
        observeCommand: (command, platform, seconds) =>
          http?.metrics.observeCommand(command, platform, seconds),
      })
    : [];
  const started: PlatformBot[] = [];
  try {
    // HTTP first: a Telegram webhook set by a bot's start must find its route.
    http = await startHttpServer({
      port: config.httpPort,
      ...(config.metricsToken === undefined ? {} : { metricsToken: config.metricsToken }),
      db: deps.db,
      backend,
      runtime: runtime ?? { queues },
      log,
      routes: bots.flatMap((bot) => (bot.httpRoute === undefined ? [] : [bot.httpRoute])),
      tokenRateLimit: {
        ...DEFAULT_TOKEN_RATE,
        ...(config.redisUrl === undefined ? {} : { redisUrl: config.redisUrl }),
      },
      plugins: [
        apiPlugin({ deps, log, exportJobs: apiExportJobs(queues) }),
        moderationPlugin({ deps, publicUrl }),
        adminQueuesPlugin({ adminToken: config.adminToken, queues, secure: publicUrl.startsWith("https:") }),
        mcpPlugin({ deps, log }),
        webPlugin({ deps, log, ...(config.publicUrl === undefined ? {} : { publicUrl: config.publicUrl }) }),
      ],
    });
    for (const bot of bots) {
      await bot.start();
      started.push(bot);
    }
    log.info(
      {
        role,
        platforms: runsBots ? options.platforms.names : [],
        workers: runsWorkers,
        queues: backend.description,
        database: options.database.description,
        http: http.url,
      },
      `cairn ${role} is running; queues: ${backend.description}`,
    );
    options.onReady?.({ http });
    const signal = await stopSignal;
    log.info({ signal }, "shutting down: no new commands, letting running jobs finish");
  } finally {
    // Stop taking commands first, then finish jobs, then close what they use.
    for (const bot of started.reverse()) await bot.stop().catch((error: unknown) => logStop(log, error));
    await runtime?.close(options.shutdownTimeoutMs ?? 10_000).catch((error: unknown) => logStop(log, error));
    await onlyQueues?.close().catch((error: unknown) => logStop(log, error));
    await http?.close();
  }
  log.info("stopped");
  return databaseLost ? 1 : 0;
}

function logStop(log: Logger, error: unknown): void {
  log.error({ err: error }, "shutdown step failed");
}

/** The first SIGTERM or SIGINT; a second one while shutting down exits at once. */
export function shutdownSignal(log: Logger): Promise<string> {
  return new Promise((resolve) => {
    const first = (signal: NodeJS.Signals): void => {
      process.off("SIGTERM", first);
      process.off("SIGINT", first);
      process.once("SIGTERM", again);
      process.once("SIGINT", again);
      resolve(signal);
    };
    const again = (): void => {
      log.warn("second signal: exiting without waiting");
      process.exit(1);
    };
    process.on("SIGTERM", first);
    process.on("SIGINT", first);
  });
}
