import type { CommandJobs } from "../commands/types.ts";

/**
 * The background work a platform bot starts, handed in by the composition root
 * (the queues and their workers may be in another process), so platforms never
 * import the jobs folder.
 */
export interface BotJobs {
  /** What commands may start in the background (exports). */
  readonly commands: CommandJobs;
  /** Sets a community's leaderboard and digest schedules now rather than at the reconciler's next run. */
  scheduleCommunity(communityId: number): Promise<void>;
}
