/** A member's points in the exported window. */
export interface MemberPoints {
  memberId: number;
  points: number;
}

/** A member's part of a payout budget, in the budget's minor units. */
export interface PayoutLine extends MemberPoints {
  amount: number;
}

/**
 * Splits a budget (whole minor units) in proportion to points, with the largest
 * remainder method so the amounts add up to the budget exactly. Members with no
 * positive points get nothing. With a cap, nobody gets more than the cap: whoever's
 * proportional part would exceed it gets exactly the cap and the rest is split again
 * among the others; if everyone ends up capped, the leftover stays unallocated.
 * Lines come back in input order.
 *
 * @throws RangeError when the budget or cap is not a non-negative integer.
 */
export function splitBudget(
  budget: number,
  points: readonly MemberPoints[],
  capPerMember?: number,
): PayoutLine[] {
  assertWholeAmount(budget, "budget");
  if (capPerMember !== undefined) assertWholeAmount(capPerMember, "cap");
  const amounts = new Map<number, number>();
  let open = points.map((member, index) => ({ index, points: member.points, memberId: member.memberId }));
  open = open.filter((member) => member.points > 0);
  let left = BigInt(budget);
  while (open.length > 0 && capPerMember !== undefined) {
    const total = open.reduce((sum, m) => sum + BigInt(m.points), 0n);
    const capped = open.filter((m) => left * BigInt(m.points) > BigInt(capPerMember) * total);
    if (capped.length === 0) break;
    for (const member of capped) amounts.set(member.index, capPerMember);
    left -= BigInt(capPerMember * capped.length);
    open = open.filter((m) => !capped.includes(m));
  }
  for (const [index, amount] of largestRemainder(left, open)) amounts.set(index, amount);
  return points.map((member, index) => ({ ...member, amount: amounts.get(index) ?? 0 }));
}

/** Hamilton apportionment of `budget` by points; ties go to more points, then the smaller member id. */
function largestRemainder(
  budget: bigint,
  members: ReadonlyArray<{ index: number; memberId: number; points: number }>,
): Map<number, number> {
  const total = members.reduce((sum, m) => sum + BigInt(m.points), 0n);
  const parts = members.map((m) => {
    const scaled = budget * BigInt(m.points);
    return { ...m, amount: scaled / total, remainder: scaled % total };
  });
  let leftover = budget - parts.reduce((sum, p) => sum + p.amount, 0n);
  const byRemainder = [...parts].sort((a, b) =>
    a.remainder === b.remainder
      ? b.points - a.points || a.memberId - b.memberId
      : a.remainder > b.remainder
        ? -1
        : 1,
  );
  for (const part of byRemainder) {
    if (leftover === 0n) break;
    part.amount += 1n;
    leftover -= 1n;
  }
  return new Map(parts.map((p) => [p.index, Number(p.amount)]));
}

function assertWholeAmount(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
}
