import type { IncomingMessage, ServerResponse } from "node:http";
import { ensureCommunityForChat, type PlatformChat } from "../app/actors.ts";
import type { Deps } from "../app/deps.ts";
import type { AnyCommandSpec } from "../commands/types.ts";
import type { Log } from "../logger.ts";
import type { BotJobs } from "../ports/botJobs.ts";
import type { ChatPlatform } from "../ports/chatPlatform.ts";
import type { PaceBuckets } from "../ports/pacing.ts";

/** What a platform bot is given by `cairn start` / `cairn bot`. */
export interface BotServices {
  readonly deps: Deps;
  readonly catalog: readonly AnyCommandSpec[];
  readonly log: Log;
  /** Background work commands and chat events start (exports, schedules); the workers may run in another process. */
  readonly jobs: BotJobs;
  /** The pacing buckets the delivery jobs use, so answers to commands share the platform's limits with them. */
  readonly pacing: PaceBuckets;
  /** Told how long each command took to answer, for /metrics. */
  readonly observeCommand?: (command: string, platform: string, seconds: number) => void;
}

/**
 * A platform's bot: takes commands, button presses and chat membership events
 * from the platform while running. Its `outgoing` side is what the delivery
 * jobs post through; it needs only the token, so a `cairn worker` builds one
 * without connecting to take commands.
 */
export interface PlatformBot {
  readonly outgoing: ChatPlatform;
  /** Connects and starts taking commands; resolves once ready. */
  start(): Promise<void>;
  /** Stops taking commands, finishes what is being answered (bounded) and disconnects. */
  stop(): Promise<void>;
  /** A route the process's HTTP server mounts (Telegram's webhook); POST requests to `path` go to `handle`. */
  readonly httpRoute?: {
    readonly path: string;
    handle(request: IncomingMessage, response: ServerResponse): void | Promise<void>;
  };
}

/**
 * The bot is in a chat: its community and space exist (created on first
 * sight), and a new community's leaderboard and digest schedules are set at
 * once rather than at the reconciler's next run.
 */
export async function joinChat(
  services: Pick<BotServices, "deps" | "jobs" | "log">,
  chat: PlatformChat,
): Promise<{ communityId: number; created: boolean }> {
  const { communityId, created } = await ensureCommunityForChat(services.deps, chat);
  if (created) {
    try {
      await services.jobs.scheduleCommunity(communityId);
    } catch (error) {
      // The reconciler schedules it later; the community works meanwhile.
      services.log.warn({ err: error, communityId }, "could not schedule posts yet");
    }
  }
  return { communityId, created };
}

/** The platforms configured by tokens: their bots (which take commands) and their sending sides (for workers). */
export interface PlatformSet {
  readonly names: readonly string[];
  bots(services: BotServices): PlatformBot[];
  outgoing(): ChatPlatform[];
}
