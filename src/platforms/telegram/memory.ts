// Small bounded in-memory stores for what a Telegram conversation needs to
// remember for minutes (a dialogue, a pending question, a person's group) and
// the updates recently seen. Bounded so a flood cannot grow them without end;
// lost on restart, which costs a person at most a restarted dialogue.

/**
 * Update ids seen recently. Telegram re-sends an update when the webhook's
 * answer did not arrive in time; the last `capacity` ids are remembered, which
 * covers those retries (they come within minutes), not a replay days later.
 */
export class RecentUpdates {
  private readonly seen = new Set<number>();
  private readonly order: number[] = [];

  constructor(private readonly capacity = 10_000) {}

  /** True the first time an update id is offered, false for a duplicate. */
  firstTime(updateId: number): boolean {
    if (this.seen.has(updateId)) return false;
    this.seen.add(updateId);
    this.order.push(updateId);
    if (this.order.length > this.capacity) {
      const oldest = this.order.shift();
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    return true;
  }
}

/** A map whose entries expire `ttlMs` after they were set; the oldest go first when it is full. */
export class ExpiringMap<K, V> {
  private readonly entries = new Map<K, { value: V; at: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly capacity = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (this.now() - entry.at > this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: K, value: V): void {
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
}
