/** The middle impact rating; with an even count, the mean of the two middle ones. Null when nobody rated. */
export function medianRating(ratings: readonly number[]): number | null {
  if (ratings.length === 0) return null;
  const sorted = [...ratings].sort((a, b) => a - b);
  const upper = sorted[Math.floor(sorted.length / 2)] ?? 0;
  const lower = sorted[Math.ceil(sorted.length / 2) - 1] ?? upper;
  return (lower + upper) / 2;
}

/**
 * The impact multiplier in percent for a median rating on the community's 1..5
 * scale. No ratings means no change (100). A median between two ratings (like 3.5)
 * takes the rounded mean of their multipliers; medians outside 1..5 are clamped.
 */
export function impactMultiplierPct(median: number | null, scale: readonly number[]): number {
  if (median === null || scale.length === 0) return 100;
  const at = (rating: number): number => scale[Math.min(Math.max(rating, 1), scale.length) - 1] ?? 100;
  return Math.round((at(Math.floor(median)) + at(Math.ceil(median))) / 2);
}

/** Hundredths of a point a verified contribution earns: category weight × impact multiplier. */
export function awardPoints(
  categoryWeight: number,
  ratings: readonly number[],
  scale: readonly number[],
): number {
  return Math.round((categoryWeight * impactMultiplierPct(medianRating(ratings), scale)) / 100);
}
