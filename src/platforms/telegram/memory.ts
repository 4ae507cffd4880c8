// The updates a Telegram bot saw recently, bounded so a flood cannot grow it
// without end. (What a conversation remembers for minutes is an ExpiringMap,
// src/platforms/memory.ts.)

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
