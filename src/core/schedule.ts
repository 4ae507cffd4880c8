import { CronExpressionParser } from "cron-parser";

/** The shortest gap a schedule may have: posting to a chat more than once a minute is a typo, not a plan. */
const MIN_GAP_MS = 60_000;
/** Minute to day-of-week, optionally led by seconds; anything shorter is a field left out. */
const FIELD_COUNTS: ReadonlySet<number> = new Set([5, 6]);

/**
 * Whether `text` is a schedule Cairn posts on: what BullMQ's job schedulers
 * accept (cron-parser, the parser they run: `0 9 * * 1`, `0 9 ? * MON#1`,
 * `0 9 L * *`, `@weekly`), written in full (five fields, or six with seconds,
 * or an `@` name) and firing at most once a minute.
 */
export function isSchedule(text: string): boolean {
  const trimmed = text.trim();
  if (!trimmed.startsWith("@") && !FIELD_COUNTS.has(trimmed.split(/\s+/).length)) return false;
  const [first] = nextRuns(trimmed, { timezone: "UTC", from: new Date(0), count: 1 });
  if (first === undefined) return false;
  // The seconds a schedule fires at are the same in every minute it fires in:
  // from the start of one such minute, the next two runs show the shortest gap.
  const minuteStart = new Date(first.getTime() - (first.getTime() % MIN_GAP_MS) - 1);
  const [earliest, next] = nextRuns(trimmed, { timezone: "UTC", from: minuteStart, count: 2 });
  return earliest !== undefined && (next === undefined || next.getTime() - earliest.getTime() >= MIN_GAP_MS);
}

/**
 * The next `count` times `schedule` fires after `from` in `timezone`, as BullMQ
 * will compute them; empty when the schedule does not parse.
 */
export function nextRuns(
  schedule: string,
  options: { readonly timezone: string; readonly from: Date; readonly count: number },
): Date[] {
  try {
    const expression = CronExpressionParser.parse(schedule.trim(), {
      currentDate: options.from,
      tz: options.timezone,
    });
    return expression.take(options.count).map((run) => run.toDate());
  } catch {
    return [];
  }
}
