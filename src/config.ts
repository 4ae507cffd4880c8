// Cairn's configuration, read once by the composition root from the
// environment (plus an optional .env file) and handed down as a typed object.
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseEnv } from "node:util";
import { z } from "zod";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  /** External PostgreSQL; undefined starts the embedded one. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly embeddedPgPort: number;
  /** Redis for BullMQ; undefined runs the queues on PostgreSQL. */
  readonly redisUrl: string | undefined;
  readonly discordToken: string | undefined;
  readonly discordApplicationId: string | undefined;
  /** discord.js sharding: undefined runs one shard; "auto" asks Discord; ids of count runs those here. */
  readonly discordShards: "auto" | { readonly ids: readonly number[]; readonly count: number } | undefined;
  /** Discord's REST base without the version (a proxy or an emulator); undefined is discord.com's. */
  readonly discordApiUrl: string | undefined;
  readonly telegramBotToken: string | undefined;
  readonly telegramWebhookUrl: string | undefined;
  readonly telegramWebhookSecret: string | undefined;
  /** Another Bot API server (a local `telegram-bot-api`, an emulator); undefined is Telegram's own. */
  readonly telegramApiRoot: string | undefined;
  readonly httpPort: number;
  /** Bearer token for /metrics and /readyz from anywhere; undefined answers them to loopback clients only. */
  readonly metricsToken: string | undefined;
  /**
   * Where people reach the HTTP server's public pages and sign-in links, without a
   * trailing slash; undefined is http://127.0.0.1:<httpPort>, this machine's only.
   */
  readonly publicUrl: string | undefined;
  /** Bearer token (or `?token=`) of the operator's queue dashboard /admin/queues; undefined turns it off. */
  readonly adminToken: string | undefined;
  /** The API token `cairn mcp` acts as (cairn_<prefix>_<secret>); only that command needs it. */
  readonly cairnToken: string | undefined;
  readonly logLevel: LogLevel;
  /** Time zone given to new communities. */
  readonly timezone: string;
  /** Name of the console's community. */
  readonly demoCommunity: string;
}

export type Environment = Readonly<Record<string, string | undefined>>;

/** A missing or malformed variable. The message is one line, names the variable, and never holds its value. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable} ${problem}`);
  }
}

/** Unset and blank mean the same: the default (a `FOO=` line in .env is common). */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess(
    (value) => (typeof value === "string" && value.trim() === "" ? undefined : value),
    schema.optional(),
  );

function urlWithScheme(schemes: readonly string[], what: string) {
  return z.string().refine(
    (value) => {
      try {
        return schemes.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be ${what}` },
  );
}

/** The root URL of an HTTP API (no query or fragment), without a trailing slash: clients append their paths to it. */
function apiRoot() {
  return z
    .string()
    .refine(
      (value) => {
        try {
          const url = new URL(value);
          return ["https:", "http:"].includes(url.protocol) && url.search === "" && url.hash === "";
        } catch {
          return false;
        }
      },
      { message: "must be an http:// or https:// URL without a query" },
    )
    .transform((value) => value.replace(/\/+$/, ""));
}

function port(defaultPort: number) {
  return optional(
    z
      .string()
      .regex(/^\d+$/, { message: "must be a port number (1-65535)" })
      .transform(Number)
      .refine((value) => value >= 1 && value <= 65_535, { message: "must be a port number (1-65535)" }),
  ).transform((value) => value ?? defaultPort);
}

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** "auto", or "0,1/4": shards 0 and 1 of 4 in this process. */
export function parseShards(text: string): Config["discordShards"] | null {
  const value = text.trim();
  if (value === "auto") return "auto";
  const match = /^(\d{1,4}(?:,\d{1,4})*)\/(\d{1,4})$/.exec(value);
  if (match === null) return null;
  const count = Number(match[2]);
  const ids = (match[1] ?? "").split(",").map(Number);
  if (count < 1 || ids.some((id) => id >= count) || new Set(ids).size !== ids.length) return null;
  return { ids, count };
}

const secret = (what: string, pattern: RegExp) => z.string().regex(pattern, { message: `must be ${what}` });

// Messages are written here, never zod's defaults, so no message can echo a value.
const environmentSchema = z.object({
  DATABASE_URL: optional(urlWithScheme(["postgresql:", "postgres:"], "a postgresql:// URL")),
  CAIRN_DATA_DIR: optional(z.string()).transform((value) => value ?? ".cairn"),
  EMBEDDED_PG_PORT: port(5433),
  REDIS_URL: optional(urlWithScheme(["redis:", "rediss:"], "a redis:// or rediss:// URL")),
  DISCORD_TOKEN: optional(secret("a Discord bot token (no spaces)", /^[\w.-]+$/)),
  DISCORD_APPLICATION_ID: optional(
    z.string().regex(/^\d{17,20}$/, { message: "must be a Discord application id (digits)" }),
  ),
  DISCORD_SHARDS: optional(
    z.string().refine((value) => parseShards(value) !== null, {
      message: 'must be "auto" or shard ids out of a count, like "0,1/4"',
    }),
  ).transform((value) => (value === undefined ? undefined : (parseShards(value) ?? undefined))),
  DISCORD_API_URL: optional(
    // The clients add /v10 themselves.
    apiRoot().refine((value) => !/\/v\d+$/.test(value), {
      message: "must be Discord's API base without the version (like https://discord.com/api)",
    }),
  ),
  TELEGRAM_BOT_TOKEN: optional(secret("a Telegram bot token (<digits>:<letters>)", /^\d+:[\w-]+$/)),
  TELEGRAM_WEBHOOK_URL: optional(urlWithScheme(["https:", "http:"], "an https:// URL")),
  TELEGRAM_WEBHOOK_SECRET: optional(
    secret("1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)", /^[\w-]{1,256}$/),
  ),
  TELEGRAM_API_ROOT: optional(apiRoot()),
  HTTP_PORT: port(8080),
  METRICS_TOKEN: optional(secret("16-256 characters of A-Z, a-z, 0-9, _, . and -", /^[\w.-]{16,256}$/)),
  PUBLIC_URL: optional(apiRoot()),
  ADMIN_TOKEN: optional(secret("16-256 characters of A-Z, a-z, 0-9, _, . and -", /^[\w.-]{16,256}$/)),
  CAIRN_TOKEN: optional(secret("an API token (cairn_<prefix>_<secret>)", /^cairn_[\w-]{1,200}$/)),
  LOG_LEVEL: optional(z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(", ")}` })).transform(
    (value) => value ?? "info",
  ),
  CAIRN_TIMEZONE: optional(
    z.string().refine(isTimeZone, { message: "must be an IANA time zone such as UTC or Europe/Berlin" }),
  ).transform((value) => value ?? "UTC"),
  CAIRN_DEMO_COMMUNITY: optional(
    z.string().max(100, { message: "must be at most 100 characters" }),
  ).transform((value) => value?.trim() ?? "Demo"),
});

/** Every variable Cairn reads, for documentation and checks. */
export const CONFIG_VARIABLES = Object.keys(environmentSchema.shape) as ReadonlyArray<
  keyof typeof environmentSchema.shape
>;

/** Parses `env` into a Config, or the first problem as a ConfigError (not thrown). */
export function parseConfig(
  env: Environment,
): { ok: true; value: Config } | { ok: false; error: ConfigError } {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const variable = String(issue?.path[0] ?? "environment");
    const more = parsed.error.issues.length - 1;
    const problem = `${issue?.message ?? "is invalid"}${more > 0 ? ` (and ${more} more problem${more === 1 ? "" : "s"})` : ""}`;
    return { ok: false, error: new ConfigError(variable, problem) };
  }
  const e = parsed.data;
  if (e.DISCORD_TOKEN !== undefined && e.DISCORD_APPLICATION_ID === undefined)
    return {
      ok: false,
      error: new ConfigError(
        "DISCORD_APPLICATION_ID",
        "must be set with DISCORD_TOKEN (the application's id)",
      ),
    };
  if (e.TELEGRAM_WEBHOOK_URL !== undefined && e.TELEGRAM_BOT_TOKEN === undefined)
    return { ok: false, error: new ConfigError("TELEGRAM_WEBHOOK_URL", "needs TELEGRAM_BOT_TOKEN") };
  // Without the secret anyone who finds the URL could post forged updates.
  if (e.TELEGRAM_WEBHOOK_URL !== undefined && e.TELEGRAM_WEBHOOK_SECRET === undefined)
    return {
      ok: false,
      error: new ConfigError("TELEGRAM_WEBHOOK_SECRET", "must be set with TELEGRAM_WEBHOOK_URL"),
    };
  return {
    ok: true,
    value: {
      databaseUrl: e.DATABASE_URL,
      dataDir: e.CAIRN_DATA_DIR,
      embeddedPgPort: e.EMBEDDED_PG_PORT,
      redisUrl: e.REDIS_URL,
      discordToken: e.DISCORD_TOKEN,
      discordApplicationId: e.DISCORD_APPLICATION_ID,
      discordShards: e.DISCORD_SHARDS,
      discordApiUrl: e.DISCORD_API_URL,
      telegramBotToken: e.TELEGRAM_BOT_TOKEN,
      telegramWebhookUrl: e.TELEGRAM_WEBHOOK_URL,
      telegramWebhookSecret: e.TELEGRAM_WEBHOOK_SECRET,
      telegramApiRoot: e.TELEGRAM_API_ROOT,
      httpPort: e.HTTP_PORT,
      metricsToken: e.METRICS_TOKEN,
      publicUrl: e.PUBLIC_URL,
      adminToken: e.ADMIN_TOKEN,
      cairnToken: e.CAIRN_TOKEN,
      logLevel: e.LOG_LEVEL,
      timezone: e.CAIRN_TIMEZONE,
      demoCommunity: e.CAIRN_DEMO_COMMUNITY,
    },
  };
}

/** Parses `env` into a Config; throws ConfigError naming the first wrong variable. */
export function loadConfig(env: Environment): Config {
  const result = parseConfig(env);
  if (!result.ok) throw result.error;
  return result.value;
}

/**
 * The environment with `<cwd>/.env` merged under it: a variable set in the real
 * environment wins over the file. The file is parsed with Node's own .env
 * parser (the one behind process.loadEnvFile) without touching process.env.
 */
export function readEnvironment(cwd: string, env: Environment = process.env): Environment {
  let content: string;
  try {
    content = readFileSync(path.join(cwd, ".env"), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { ...env };
    throw new ConfigError(".env", `cannot be read: ${(error as Error).message.split("\n")[0] ?? ""}`);
  }
  return { ...parseEnv(content), ...definedOnly(env) };
}

function definedOnly(env: Environment): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

const REDACTED = "[redacted]";
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)([^\s@/]+)(@)/gi;
/** Shorter values would garble ordinary text; URL passwords are caught by shape anyway. */
const MIN_SECRET_LENGTH = 4;

/** The secret values of `config`: tokens, the webhook secret and URL passwords (raw and decoded). */
export function secretValues(config: Partial<Config>): string[] {
  const values = [
    config.discordToken,
    config.telegramBotToken,
    config.telegramWebhookSecret,
    config.metricsToken,
    config.adminToken,
    config.cairnToken,
  ];
  for (const url of [config.databaseUrl, config.redisUrl]) {
    if (url === undefined) continue;
    try {
      const password = new URL(url).password;
      values.push(password, decodeURIComponent(password));
    } catch {
      // An unparsable URL has no password to find; the URL pattern below still applies.
    }
  }
  return [...new Set(values)].filter(
    (value): value is string => value !== undefined && value.length >= MIN_SECRET_LENGTH,
  );
}

/** `text` with every secret of `config` and every password in a URL replaced by "[redacted]". */
export function redact(text: string, config: Partial<Config>): string {
  let result = text.replace(URL_PASSWORD, `$1${REDACTED}$3`);
  // Longest first, so a secret containing another is replaced whole.
  for (const value of secretValues(config).sort((a, b) => b.length - a.length)) {
    result = result.replaceAll(value, REDACTED);
  }
  return result;
}
