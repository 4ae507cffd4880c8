// The token buckets every sender of a platform's messages shares: the delivery
// jobs and a bot's command replies take from the same buckets, kept in the
// queue backend's store, so together they stay inside the platform's limits.
import { paceKey, type ChatTarget, type Pace, type PlatformLimits } from "./chatPlatform.ts";

export interface Bucket extends Pace {
  readonly key: string;
}

/** Buckets shared by every process (jobs/coordination.ts keeps them in Redis or PostgreSQL). */
export interface PaceBuckets {
  /** Takes one token from every bucket, or none: 0 when taken, else the milliseconds until all have one. */
  take(buckets: readonly Bucket[]): Promise<number>;
  /** Keeps a bucket empty for `ms` (a platform's 429 retry_after). */
  block(key: string, ms: number): Promise<void>;
}

/** The key of a platform's global bucket. */
export function globalPaceKey(target: ChatTarget): string {
  return `${target.platform}:global`;
}

/** The buckets one message to `target` takes a token from: the platform's and the chat's. */
export function bucketsFor(target: ChatTarget, limits: PlatformLimits): Bucket[] {
  return [
    { key: globalPaceKey(target), ...limits.global },
    { key: paceKey(target, limits), ...limits.perChat },
  ];
}
