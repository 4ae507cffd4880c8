const DAY_MS = 86_400_000;
/** Beyond 2^512 the accumulator would lose precision long before overflowing; re-base first. */
const MAX_EXPONENT = 512;

const halfLives = (from: Date, to: Date, halfLifeDays: number): number =>
  (to.getTime() - from.getTime()) / (halfLifeDays * DAY_MS);

/**
 * What points logged at `at` add to a member's active accumulator: 2^((at − epoch)/H).
 * Later points weigh more, so older ones decay relative to them without ever
 * rewriting stored totals.
 */
export function activeWeight(at: Date, epoch: Date, halfLifeDays: number): number {
  return 2 ** halfLives(epoch, at, halfLifeDays);
}

/** The active (decayed) score at `now`, in whole hundredths: acc × 2^(−(now − epoch)/H). */
export function activeScore(acc: number, now: Date, epoch: Date, halfLifeDays: number): number {
  const score = Math.round(acc * 2 ** -halfLives(epoch, now, halfLifeDays));
  return score === 0 ? 0 : score;
}

/** Whether the epoch is so far behind `now` that accumulators should be re-based. */
export function needsRebase(now: Date, epoch: Date, halfLifeDays: number): boolean {
  return halfLives(epoch, now, halfLifeDays) > MAX_EXPONENT;
}

/** The factor every accumulator is multiplied by when the epoch moves from `oldEpoch` to `newEpoch`. */
export function rebaseFactor(oldEpoch: Date, newEpoch: Date, halfLifeDays: number): number {
  return 2 ** -halfLives(oldEpoch, newEpoch, halfLifeDays);
}
