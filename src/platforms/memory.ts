// What a bot remembers for a while: a Telegram dialogue or pending question, a
// Discord form, a looked-up channel, a command window. lru-cache keeps it
// bounded, so a flood cannot grow it without end; lost on restart, which costs a
// person at most a restarted dialogue or a form typed again.
import { LRUCache } from "lru-cache";

/** Anything but null and undefined, which lru-cache cannot hold. */
type Held = NonNullable<unknown>;

export type ExpiringMap<K extends Held, V extends Held> = LRUCache<K, V>;

/**
 * A memory whose entries expire `ttlMs` after they were set (never, with
 * Infinity); beyond `capacity` the least recently used go first. `now` is the
 * clock it reads (the console's, which `/wait` moves).
 */
export function expiringMap<K extends Held, V extends Held>(
  ttlMs: number,
  capacity = 10_000,
  now: () => number = Date.now,
): ExpiringMap<K, V> {
  return new LRUCache<K, V>({
    max: capacity,
    ...(Number.isFinite(ttlMs) ? { ttl: ttlMs } : {}),
    // Read the clock on every look-up: a moved clock counts at once.
    ttlResolution: 0,
    perf: { now },
  });
}

/** Rewrites every live value in place (a group that moved to a new chat id), keeping when each was set. */
export function rewriteValues<K extends Held, V extends Held>(
  map: ExpiringMap<K, V>,
  rewrite: (value: V) => V,
): void {
  for (const [key, value] of [...map.entries()]) map.set(key, rewrite(value), { noUpdateTTL: true });
}
