import type { Deps } from "../app/deps.ts";
import type { BotJobs } from "../ports/botJobs.ts";
import { commandJobs } from "./exports.ts";
import type { Queues } from "./queues.ts";
import { syncCommunitySchedules } from "./schedules.ts";

/** The background work platform bots start, on these queues. */
export function botJobs(queues: Queues, deps: Deps): BotJobs {
  return {
    commands: commandJobs(queues),
    scheduleCommunity: (communityId) => syncCommunitySchedules(queues, deps, communityId),
  };
}
