// Whether an error means the database cannot be reached right now (stopped,
// restarting, connections cut), as opposed to a bug: callers answer "try again"
// (HTTP 503) instead of a failure, and log one line instead of a stack.

/** Node's socket errors and PostgreSQL's "connection exception" and "operator intervention" codes. */
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "08000",
  "08001",
  "08003",
  "08006",
  "57P01",
  "57P02",
  "57P03",
  // Prisma: server unreachable, connection closed, pool timeout.
  "P1001",
  "P1017",
  "P2024",
]);

const UNAVAILABLE_MESSAGE =
  /Connection terminated|connect ECONNREFUSED|Can't reach database server|terminating connection|the database system is (starting up|shutting down)|Client has encountered a connection error/i;

/** True when `error`, or an error it wraps, says the database is unreachable. */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (depth > 5 || typeof error !== "object" || error === null) return false;
  const { code, message, cause, errors } = error as {
    code?: unknown;
    message?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (typeof code === "string" && UNAVAILABLE_CODES.has(code)) return true;
  if (typeof message === "string" && UNAVAILABLE_MESSAGE.test(message)) return true;
  if (Array.isArray(errors) && errors.some((e) => isDatabaseUnavailable(e, depth + 1))) return true;
  return isDatabaseUnavailable(cause, depth + 1);
}
