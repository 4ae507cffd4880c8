/** A row with its competition rank. */
export interface Ranked<T> {
  rank: number;
  row: T;
}

/**
 * Orders rows by points, highest first, and gives them competition ranks
 * (1, 2, 2, 4): equal points share a rank, and the next rank skips the tied places.
 * Rows with equal points keep their input order.
 */
export function rankCompetition<T>(rows: readonly T[], points: (row: T) => number): Array<Ranked<T>> {
  const sorted = rows.map((row) => ({ row, points: points(row) })).sort((a, b) => b.points - a.points);
  return sorted.map((entry, index) => {
    let first = index;
    while (first > 0 && sorted[first - 1]?.points === entry.points) first -= 1;
    return { rank: first + 1, row: entry.row };
  });
}

/**
 * The competition rank of a member from how many members have strictly more
 * points — how a member outside the top N gets their own row. `points` is taken for
 * readability at the call site; the rank depends only on `higherCount`.
 */
export function rankOf(_points: number, higherCount: number): number {
  return higherCount + 1;
}
