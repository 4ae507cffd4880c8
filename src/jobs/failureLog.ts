// How the worker's background failures reach the log. A database outage makes
// every poll and every job fail the same way for as long as it lasts: that is
// one line without a stack now and then, not a stack trace every 250 ms; every
// other failure is logged whole, each time.
import { isDatabaseUnavailable } from "../db/errors.ts";
import type { Log } from "../logger.ts";

/** During an outage, each kind of failure is said at most this often. */
export const OUTAGE_LINE_EVERY_MS = 30_000;

export type FailureLog = (
  level: "warn" | "error",
  fields: Readonly<Record<string, unknown>>,
  error: unknown,
  message: string,
) => void;

/** Logs through `log`; `now` tells the time in milliseconds (the test's clock, or Date.now). */
export function failureLog(log: Log, now: () => number = Date.now): FailureLog {
  const lastOutageLine = new Map<string, number>();
  return (level, fields, error, message) => {
    if (!isDatabaseUnavailable(error)) {
      log[level]({ ...fields, err: error }, message);
      return;
    }
    const at = now();
    const last = lastOutageLine.get(message);
    if (last !== undefined && at - last < OUTAGE_LINE_EVERY_MS) return;
    lastOutageLine.set(message, at);
    log.warn(fields, `${message}: the database is unreachable; retrying until it is back`);
  };
}
