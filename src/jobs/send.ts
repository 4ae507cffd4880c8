import { setTimeout as sleep } from "node:timers/promises";
import {
  PlatformError,
  paceKey,
  targetKey,
  type ChatTarget,
  type MessageRef,
  type PostOptions,
} from "../ports/chatPlatform.ts";
import { bucketsFor, globalPaceKey } from "../ports/pacing.ts";
import type { View } from "../views/view.ts";
import type { JobContext } from "./definition.ts";

/** The platform's buckets are empty: try this delivery again after `waitMs`. */
export class PacingWait extends Error {
  constructor(
    readonly waitMs: number,
    /** "global" when the whole platform must wait (a global 429), so the queue itself is paused. */
    readonly scope: "chat" | "global" = "chat",
  ) {
    super(`paced for ${waitMs} ms (${scope})`);
    this.name = "PacingWait";
  }
}

/** Waits this short are slept in place; longer ones move the job to later. */
const SLEEP_AT_MOST_MS = 250;

/**
 * Takes a token from the platform's global bucket and the target chat's bucket,
 * shared by every worker process; sleeps through short waits.
 */
export async function pace(ctx: JobContext, target: ChatTarget): Promise<void> {
  const platform = ctx.platforms.get(target.platform);
  if (platform === undefined) return;
  for (;;) {
    const wait = await ctx.coordination.take(bucketsFor(target, platform.limits));
    if (wait === 0) return;
    if (wait > SLEEP_AT_MOST_MS) throw new PacingWait(wait);
    await sleep(wait);
  }
}

/**
 * A 429 empties the bucket it names for exactly retry_after, so every worker
 * holds back from that chat (or the whole platform), not only this job.
 */
export async function honourRateLimit(
  ctx: JobContext,
  target: ChatTarget,
  error: PlatformError,
): Promise<number | null> {
  if (error.failure.kind !== "rate_limited") return null;
  const limits = ctx.platforms.get(target.platform)?.limits;
  const key =
    error.failure.scope === "global"
      ? globalPaceKey(target)
      : limits === undefined
        ? targetKey(target)
        : paceKey(target, limits);
  await ctx.coordination.block(key, error.failure.retryAfterMs);
  return error.failure.retryAfterMs;
}

function platformOf(ctx: JobContext, target: ChatTarget) {
  const platform = ctx.platforms.get(target.platform);
  if (platform === undefined)
    throw new PlatformError(
      target.platform,
      { kind: "permanent", reason: "not_configured" },
      `${target.platform.toLowerCase()}: no token for it in this worker's configuration`,
    );
  return platform;
}

/** Runs one paced platform call; a 429 becomes a PacingWait of exactly its retry_after. */
async function paced<T>(ctx: JobContext, target: ChatTarget, call: () => Promise<T>): Promise<T> {
  await pace(ctx, target);
  try {
    return await call();
  } catch (error) {
    if (error instanceof PlatformError && error.failure.kind === "rate_limited") {
      const waitMs = (await honourRateLimit(ctx, target, error)) ?? error.failure.retryAfterMs;
      throw new PacingWait(waitMs, error.failure.scope);
    }
    throw error;
  }
}

/** Posts a view, paced. */
export async function postPaced(
  ctx: JobContext,
  target: ChatTarget,
  view: View,
  options: PostOptions = {},
): Promise<MessageRef> {
  const platform = platformOf(ctx, target);
  return paced(ctx, target, () => platform.post(target, view, options));
}

/** Edits a message in place, paced. */
export async function editPaced(
  ctx: JobContext,
  target: ChatTarget,
  ref: MessageRef,
  view: View,
): Promise<void> {
  const platform = platformOf(ctx, target);
  await paced(ctx, target, () => platform.edit(target, ref, view));
}
