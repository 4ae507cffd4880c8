// The process's caches: lru-cache instances, each bounded in entries (max)
// and in age (ttl), made once by the composition root (serve, the console)
// and handed down in the deps. Nothing here is module-level: two servers in
// one process, or two tests, each have their own.
import { LRUCache } from "lru-cache";
import type { CommunityConfig } from "./core/config.ts";
import type { ActiveHint, Caches, ChatRole, Memo } from "./ports/caches.ts";

export interface CacheLimits {
  /** Entries kept per cache before the least recently used go. */
  readonly max?: number;
  /** How long a stored config's reading is kept (default an hour; it never goes stale, the bound is memory). */
  readonly configTtlMs?: number;
  /** How long an active-board hint is kept (default an hour; a wrong one costs one more statement). */
  readonly activeHintTtlMs?: number;
  /** How long a getChatMember answer is reused (default a minute: a demoted administrator loses the right within it). */
  readonly chatRoleTtlMs?: number;
  /** The clock the ages are read on (the console's, which `/wait` moves); default performance.now. */
  readonly now?: () => number;
}

const MAX_ENTRIES = 10_000;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

export function createCaches(limits: CacheLimits = {}): Caches {
  const max = limits.max ?? MAX_ENTRIES;
  return {
    configs: bounded<string, CommunityConfig>(max, limits.configTtlMs ?? HOUR_MS, limits.now),
    activeHints: bounded<number, ActiveHint>(max, limits.activeHintTtlMs ?? HOUR_MS, limits.now),
    chatRoles: bounded<string, ChatRole>(max, limits.chatRoleTtlMs ?? MINUTE_MS, limits.now),
  };
}

/** An lru-cache of at most `max` entries, each kept `ttl` ms; with a ttl of 0 or less it keeps nothing. */
function bounded<K extends NonNullable<unknown>, V extends NonNullable<unknown>>(
  max: number,
  ttl: number,
  now: (() => number) | undefined,
): Memo<K, V> {
  if (ttl <= 0) return keepsNothing<K, V>();
  return new LRUCache<K, V>({
    max,
    ttl,
    // Read the clock on every look-up: a moved clock counts at once.
    ttlResolution: 0,
    ...(now === undefined ? {} : { perf: { now } }),
  });
}

function keepsNothing<K, V>(): Memo<K, V> {
  return { get: () => undefined, set: () => {}, delete: () => false };
}
