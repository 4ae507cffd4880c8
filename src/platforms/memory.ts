// A bounded in-memory map for what a bot process may forget: caches such as a
// person's home group or a looked-up channel, and rate-limit windows. Bounded
// so a flood cannot grow it without end; lost on restart. What a person's next
// message depends on (dialogues, questions, forms) is in the conversation store.

/**
 * A map whose entries expire `ttlMs` after they were set (never, with
 * Infinity); beyond `capacity` the oldest go first. Every entry lives as long,
 * so the expired ones are always the oldest: setting forgets them.
 */
export class ExpiringMap<K, V> {
  private readonly entries = new Map<K, { value: V; at: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly capacity = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Entries held, expired ones not yet forgotten included. */
  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (this.expired(entry.at)) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: K, value: V): void {
    this.forgetExpired();
    this.entries.delete(key);
    this.entries.set(key, { value, at: this.now() });
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  /** Rewrites every live value in place (a group that moved to a new chat id), keeping when each was set. */
  rewriteValues(rewrite: (value: V) => V): void {
    for (const entry of this.entries.values()) entry.value = rewrite(entry.value);
  }

  private expired(at: number): boolean {
    return this.now() - at >= this.ttlMs;
  }

  private forgetExpired(): void {
    for (const [key, entry] of this.entries) {
      if (!this.expired(entry.at)) return;
      this.entries.delete(key);
    }
  }
}
