import { isoWeekKey } from "./periods.ts";

const ISO_WEEK = /^(\d{4})-W(\d{2})$/;

/** How many ISO weeks a year has: 53 when its 28 December falls in week 53. */
export function isoWeeksInYear(year: number): number {
  return isoWeekKey(new Date(Date.UTC(year, 11, 28))).endsWith("W53") ? 53 : 52;
}

/**
 * The ISO week before `key` ("2021-W01" → "2020-W53").
 *
 * @throws RangeError when `key` is not a week key like "2026-W48".
 */
export function previousIsoWeek(key: string): string {
  const match = ISO_WEEK.exec(key);
  if (match === null) throw new RangeError(`not an ISO week key: ${key}`);
  const year = Number(match[1]);
  const week = Number(match[2]);
  if (week > 1) return `${year}-W${String(week - 1).padStart(2, "0")}`;
  return `${year - 1}-W${isoWeeksInYear(year - 1)}`;
}

/**
 * Consecutive ISO weeks with verified work, ending at the current week. A week
 * still in progress does not break the streak: if it has no work yet, counting
 * starts from the week before.
 */
export function streakWeeks(weeksWithVerifiedWork: ReadonlySet<string>, now: Date): number {
  const current = isoWeekKey(now);
  let week = weeksWithVerifiedWork.has(current) ? current : previousIsoWeek(current);
  let streak = 0;
  while (weeksWithVerifiedWork.has(week)) {
    streak += 1;
    week = previousIsoWeek(week);
  }
  return streak;
}
