/** One member's share of a contribution, in basis points (10000 = 100%). */
export interface Share {
  memberId: number;
  shareBp: number;
}

/** Points given to one member. */
export interface PointsPart {
  memberId: number;
  points: number;
}

/**
 * Splits an award between credited members by share with the largest-remainder
 * (Hamilton) method, so the parts always add up to the total exactly. Each member
 * first gets the whole part of their quota; the points left over go one each to the
 * largest remainders, ties going to the larger share, then the smaller member id.
 * A negative total (a clawback) is split as its absolute value and negated, so a
 * clawback mirrors the award it undoes. Parts come back in input order.
 *
 * @throws RangeError when shares are not non-negative integers summing to 10000.
 */
export function splitByShares(total: number, shares: readonly Share[]): PointsPart[] {
  assertWholeShares(shares);
  const magnitude = BigInt(Math.abs(total));
  const sign = total < 0 ? -1 : 1;
  const parts = shares.map((share, index) => {
    const scaled = magnitude * BigInt(share.shareBp);
    return { index, share, points: Number(scaled / 10_000n), remainder: Number(scaled % 10_000n) };
  });
  let leftover = Number(magnitude) - parts.reduce((sum, part) => sum + part.points, 0);
  const byRemainder = [...parts].sort(
    (a, b) =>
      b.remainder - a.remainder || b.share.shareBp - a.share.shareBp || a.share.memberId - b.share.memberId,
  );
  for (const part of byRemainder) {
    if (leftover === 0) break;
    part.points += 1;
    leftover -= 1;
  }
  return parts.map(({ share, points }) => ({
    memberId: share.memberId,
    points: points === 0 ? 0 : sign * points,
  }));
}

function assertWholeShares(shares: readonly Share[]): void {
  const valid = shares.every((share) => Number.isInteger(share.shareBp) && share.shareBp >= 0);
  const sum = shares.reduce((total, share) => total + share.shareBp, 0);
  if (!valid || sum !== 10_000)
    throw new RangeError(`shares must be whole basis points summing to 10000, got ${sum}`);
}
