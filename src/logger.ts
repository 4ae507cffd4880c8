// The process logger: JSON lines for machines, pino-pretty on a terminal, and
// no token or password in either.
import { pino, type Logger } from "pino";
import { PinoPretty } from "pino-pretty";
import { redact, type Config } from "./config.ts";

export type { Logger } from "pino";

export interface LoggerOptions {
  /** Where lines go; default stdout. The console chat passes stderr to keep stdout for the chat. */
  destination?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Human-readable lines; default when the destination is a terminal. */
  pretty?: boolean;
}

const CENSOR = "[redacted]";
/** A field whose name contains one of these (any case, any depth) is censored whole. */
const SECRET_KEY = /token|password|passwd|secret|authorization|cookie|api[-_]?key/i;
/** Deeper than this, a value is replaced rather than walked (cycles, huge graphs). */
const MAX_DEPTH = 8;

/**
 * `value` with every secret-named field censored and every string scrubbed, at
 * any depth. Errors are left for the `err` serializer, which scrubs them too.
 */
export function redactDeep(value: unknown, scrub: (text: string) => string, depth = 0): unknown {
  if (typeof value === "string") return scrub(value);
  if (value === null || typeof value !== "object" || value instanceof Error) return value;
  if (depth >= MAX_DEPTH) return CENSOR;
  if (Array.isArray(value)) return value.map((item: unknown) => redactDeep(item, scrub, depth + 1));
  if (value instanceof Date || Buffer.isBuffer(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      SECRET_KEY.test(key) ? CENSOR : redactDeep(item, scrub, depth + 1),
    ]),
  );
}

/**
 * A pino logger at `config.logLevel`. Secret-named fields are censored at any
 * depth, every string (URLs included) loses its URL passwords and the
 * configuration's secret values, and so do messages and errors.
 */
export function createLogger(
  config: Pick<Config, "logLevel"> & Partial<Config>,
  options: LoggerOptions = {},
): Logger {
  const destination = options.destination ?? process.stdout;
  const pretty = options.pretty ?? destination.isTTY === true;
  const scrub = (text: string): string => redact(text, config);
  return pino(
    {
      level: config.logLevel,
      formatters: {
        log: (object) => redactDeep(object, scrub) as Record<string, unknown>,
      },
      serializers: {
        err: (error: Error) => {
          const serialized = pino.stdSerializers.err(error);
          return redactDeep(serialized, scrub);
        },
      },
      hooks: {
        logMethod(args, method) {
          const cleaned = args.map((arg: unknown) => (typeof arg === "string" ? scrub(arg) : arg));
          Reflect.apply(method, this, cleaned);
        },
      },
    },
    pretty
      ? PinoPretty({ destination, colorize: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" })
      : destination,
  );
}

/** The few methods the code logs through: pino's Logger has them, tests pass their own. */
export interface Log {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export const silentLog: Log = { info: () => {}, warn: () => {}, error: () => {} };

/** A log whose every line also carries `fields` (a job's id and name), like pino's child loggers. */
export function logWith(log: Log, fields: object): Log {
  return {
    info: (more, message) => log.info({ ...fields, ...more }, message),
    warn: (more, message) => log.warn({ ...fields, ...more }, message),
    error: (more, message) => log.error({ ...fields, ...more }, message),
  };
}
