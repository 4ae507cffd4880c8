// `cairn console`'s composition root: the console platform wired to the job
// workers, which platforms never import themselves.
import { createCaches } from "./caches.ts";
import { commandJobs } from "./jobs/exports.ts";
import { startWorkers, type QueueSettings } from "./jobs/runtime.ts";
import type { Log } from "./logger.ts";
import { runConsole, type ConsoleOptions } from "./platforms/console/console.ts";
import { consolePlatform } from "./platforms/console/platform.ts";
import { ConsoleClock } from "./platforms/console/session.ts";

/**
 * The console with Cairn's real background jobs in the same process: deliveries
 * print through the console platform one at a time, in order, and `/wait` moves
 * the clock the deadline jobs read.
 */
export async function runConsoleWithJobs(
  options: Omit<ConsoleOptions, "clock" | "background"> & {
    readonly queue: QueueSettings;
    readonly log?: Log;
  },
): Promise<void> {
  const clock = new ConsoleClock();
  // The session's caches age on its clock, which `/wait` moves.
  const caches = options.deps.caches ?? createCaches({ now: () => clock.now().getTime() });
  const deps = { ...options.deps, caches };
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
  }
}
