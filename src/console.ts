// `cairn console`'s composition root: the console platform wired to the job
// workers, which platforms never import themselves.
import { showDemoPages } from "./app/publicPages.ts";
import { startHttpServer, type HttpServer } from "./http/server.ts";
import { webPlugin } from "./http/web/plugin.ts";
import { createCaches } from "./caches.ts";
import { commandJobs } from "./jobs/exports.ts";
import { startWorkers, type QueueSettings } from "./jobs/runtime.ts";
import { silentLog, type Log } from "./logger.ts";
import { runConsole, type ConsoleOptions } from "./platforms/console/console.ts";
import { consolePlatform } from "./platforms/console/platform.ts";
import { ConsoleClock, ensureDemoCommunity } from "./platforms/console/session.ts";

/** The demo community's web pages, served on this machine only. */
export interface ConsoleWeb {
  readonly port: number;
  /** The address links are printed with; default http://127.0.0.1:<port>. */
  readonly publicUrl?: string;
  /** Told the board's address once it is served, or why it is not. */
  readonly announce: (line: string) => void;
}

/**
 * The console with Cairn's real background jobs in the same process: deliveries
 * print through the console platform one at a time, in order, and `/wait` moves
 * the clock the deadline jobs read.
 */
export async function runConsoleWithJobs(
  options: Omit<ConsoleOptions, "clock" | "background"> & {
    readonly queue: QueueSettings;
    readonly log?: Log;
    readonly web?: ConsoleWeb;
  },
): Promise<void> {
  const clock = new ConsoleClock();
  // The session's caches age on its clock, which `/wait` moves.
  const caches = options.deps.caches ?? createCaches({ now: () => clock.now().getTime() });
  const deps = { ...options.deps, caches };
  const web =
    options.web === undefined ? null : await serveDemoPages({ ...deps, clock }, options, options.web);
  const runtime = await startWorkers({
    ...options.queue,
    deps: { ...deps, clock },
    platforms: [consolePlatform(options.output)],
    settings: { cardEditDelayMs: 0, exportDir: options.exportDir },
    concurrency: { delivery: 1, deadlines: 1 },
    dispatcherPollMs: 50,
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  try {
    await runConsole({ ...options, deps, clock, background: runtime, jobs: commandJobs(runtime.queues) });
  } finally {
    await runtime.close();
    await web?.close();
  }
}

/**
 * Turns the demo community's pages on and serves them on 127.0.0.1, so a
 * newcomer sees the board in a browser while chatting; a busy port is said in
 * one line and the console runs on without pages.
 */
async function serveDemoPages(
  deps: Parameters<typeof ensureDemoCommunity>[0],
  options: { readonly communityName: string; readonly log?: Log },
  web: ConsoleWeb,
): Promise<HttpServer | null> {
  const communityId = await ensureDemoCommunity(deps, options.communityName);
  await showDemoPages(deps, communityId);
  try {
    const server = await startHttpServer({
      port: web.port,
      host: "127.0.0.1",
      db: deps.db,
      ...(options.log === undefined ? {} : { log: options.log }),
      plugins: [
        webPlugin({
          deps,
          log: options.log ?? silentLog,
          ...(web.publicUrl === undefined ? {} : { publicUrl: web.publicUrl }),
        }),
      ],
    });
    web.announce(`Web pages: ${web.publicUrl ?? server.url}/c/${communityId}`);
    return server;
  } catch (error) {
    const busy = (error as { code?: string }).code === "EADDRINUSE";
    web.announce(
      busy
        ? `Web pages are off: port ${web.port} is in use (set HTTP_PORT to another port).`
        : `Web pages are off: ${(error as Error).message}`,
    );
    return null;
  }
}
