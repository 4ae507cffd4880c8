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
const SECRET_KEYS = [
  "token",
  "password",
  "secret",
  "authorization",
  "cookie",
  "discordToken",
  "telegramBotToken",
  "telegramWebhookSecret",
];
const URL_KEYS = ["url", "databaseUrl", "redisUrl", "connectionString"];

/** Field paths pino censors wherever they appear at the top level or one level down. */
export const REDACT_PATHS = [...SECRET_KEYS, ...URL_KEYS]
  .flatMap((key) => [key, `*.${key}`])
  .concat(["headers.authorization", "*.headers.authorization", "config.databaseUrl", "config.redisUrl"]);

/**
 * A pino logger at `config.logLevel`. Secret fields are censored by path, URL
 * fields keep everything but their password, and every string message or
 * error message is scrubbed of the configuration's secret values.
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
      redact: {
        paths: REDACT_PATHS,
        censor: (value: unknown, path: string[]) => {
          const key = path.at(-1) ?? "";
          return typeof value === "string" && URL_KEYS.includes(key) ? scrub(value) : CENSOR;
        },
      },
      serializers: {
        err: (error: Error) => {
          const serialized = pino.stdSerializers.err(error);
          return { ...serialized, message: scrub(serialized.message), stack: scrub(serialized.stack) };
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
