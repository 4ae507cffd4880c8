import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { parseEnv } from "node:util";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  CONFIG_VARIABLES,
  ConfigError,
  loadConfig,
  parseConfig,
  readEnvironment,
  redact,
} from "../src/config.ts";

function errorOf(env: Record<string, string>): ConfigError {
  const result = parseConfig(env);
  if (result.ok) throw new Error(`expected ${Object.keys(env).join(", ")} to be refused`);
  return result.error;
}

describe("loadConfig", () => {
  it("gives every default from an empty environment", () => {
    expect(loadConfig({})).toEqual({
      databaseUrl: undefined,
      dataDir: ".cairn",
      embeddedPgPort: 5433,
      redisUrl: undefined,
      discordToken: undefined,
      discordApplicationId: undefined,
      telegramBotToken: undefined,
      telegramWebhookUrl: undefined,
      telegramWebhookSecret: undefined,
      httpPort: 8080,
      logLevel: "info",
      timezone: "UTC",
      demoCommunity: "Demo",
    });
  });

  it("treats a blank variable as unset", () => {
    expect(loadConfig({ DATABASE_URL: "", HTTP_PORT: " ", LOG_LEVEL: "" })).toMatchObject({
      databaseUrl: undefined,
      httpPort: 8080,
      logLevel: "info",
    });
  });

  it("reads every variable", () => {
    const config = loadConfig({
      DATABASE_URL: "postgresql://cairn:pw@db.example:5432/cairn",
      CAIRN_DATA_DIR: "/var/lib/cairn",
      EMBEDDED_PG_PORT: "6543",
      REDIS_URL: "redis://127.0.0.1:6379/2",
      DISCORD_TOKEN: "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB",
      DISCORD_APPLICATION_ID: "123456789012345678",
      TELEGRAM_BOT_TOKEN: "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11",
      TELEGRAM_WEBHOOK_URL: "https://bot.example/telegram",
      TELEGRAM_WEBHOOK_SECRET: "s3cret_value-1",
      HTTP_PORT: "9090",
      LOG_LEVEL: "debug",
      CAIRN_TIMEZONE: "Europe/Berlin",
      CAIRN_DEMO_COMMUNITY: "Rustaceans",
    });

    expect(config).toMatchObject({
      embeddedPgPort: 6543,
      httpPort: 9090,
      logLevel: "debug",
      timezone: "Europe/Berlin",
    });
    expect(config.demoCommunity).toBe("Rustaceans");
    expect(config.redisUrl).toBe("redis://127.0.0.1:6379/2");
  });

  it("reads DISCORD_API_URL as the REST base both Discord clients use, without a trailing slash", () => {
    expect(loadConfig({ DISCORD_API_URL: "http://127.0.0.1:9000/api/" }).discordApiUrl).toBe(
      "http://127.0.0.1:9000/api",
    );
    expect(loadConfig({}).discordApiUrl).toBeUndefined();
  });

  it.each([
    ["DATABASE_URL", "mysql://root@localhost/cairn", /^DATABASE_URL must be a postgresql:\/\/ URL$/],
    ["DATABASE_URL", "not a url", /^DATABASE_URL must be a postgresql:\/\/ URL$/],
    ["EMBEDDED_PG_PORT", "70000", /^EMBEDDED_PG_PORT must be a port number/],
    ["HTTP_PORT", "eighty", /^HTTP_PORT must be a port number/],
    ["REDIS_URL", "http://localhost:6379", /^REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL$/],
    ["LOG_LEVEL", "loud", /^LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent$/],
    ["CAIRN_TIMEZONE", "Mars/Olympus_Mons", /^CAIRN_TIMEZONE must be an IANA time zone/],
    ["DISCORD_APPLICATION_ID", "my-app", /^DISCORD_APPLICATION_ID must be a Discord application id/],
    ["TELEGRAM_WEBHOOK_URL", "ftp://bot.example", /^TELEGRAM_WEBHOOK_URL must be an https:\/\/ URL$/],
    ["DISCORD_API_URL", "discord.com/api", /^DISCORD_API_URL must be an http:\/\/ or https:\/\/ URL/],
    [
      "DISCORD_API_URL",
      "https://proxy.example/api/v10",
      /^DISCORD_API_URL must be Discord's API base without/,
    ],
  ])("refuses a malformed %s in one line naming it", (variable, value, message) => {
    const error = errorOf({ [variable]: value });

    expect(error).toBeInstanceOf(ConfigError);
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain("\n");
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
  });

  it.each([
    ["DATABASE_URL", "mysql://cairn:Hunter2-very-secret@db/cairn"],
    ["REDIS_URL", "http://:Hunter2-very-secret@cache:6379"],
    ["DISCORD_TOKEN", "Hunter2 very secret"],
    ["TELEGRAM_BOT_TOKEN", "Hunter2-very-secret"],
    ["TELEGRAM_WEBHOOK_SECRET", "Hunter2 very secret!"],
  ])("never puts a malformed %s's value in the error", (variable, value) => {
    const error = errorOf({ [variable]: value });

    expect(error.variable).toBe(variable);
    expect(error.message).not.toContain("Hunter2");
    expect(String(error)).not.toContain("Hunter2");
  });

  it.each([
    [{ DISCORD_TOKEN: "MTIz.abc" }, "DISCORD_APPLICATION_ID", /must be set with DISCORD_TOKEN/],
    [
      { TELEGRAM_WEBHOOK_URL: "https://bot.example/hook" },
      "TELEGRAM_WEBHOOK_URL",
      /needs TELEGRAM_BOT_TOKEN/,
    ],
  ])("refuses a platform setting without the rest it needs (%o)", (env, variable, message) => {
    const error = errorOf(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(message);
  });

  it("reads TELEGRAM_API_ROOT as a URL without its trailing slash, and refuses anything else in one line", () => {
    expect(loadConfig({ TELEGRAM_API_ROOT: "http://127.0.0.1:8081/" }).telegramApiRoot).toBe(
      "http://127.0.0.1:8081",
    );
    expect(loadConfig({}).telegramApiRoot).toBeUndefined();
    for (const value of ["ftp://api.example", "not a url", "https://api.example/?token=1"]) {
      const error = errorOf({ TELEGRAM_API_ROOT: value });
      expect(error.variable).toBe("TELEGRAM_API_ROOT");
      expect(error.message).toBe("TELEGRAM_API_ROOT must be an http:// or https:// URL without a query");
    }
  });

  it("refuses to start a webhook without its secret, so forged updates cannot be posted", () => {
    const error = errorOf({
      TELEGRAM_BOT_TOKEN: "123:abc",
      TELEGRAM_WEBHOOK_URL: "https://bot.example/hook",
    });
    expect(error.variable).toBe("TELEGRAM_WEBHOOK_SECRET");
    expect(error.message).toBe("TELEGRAM_WEBHOOK_SECRET must be set with TELEGRAM_WEBHOOK_URL");
    expect(error.message).not.toContain("\n");
  });

  it.each(["", " ", "x".repeat(257), "has space", "dot.ted", "ümlaut"])(
    "refuses a webhook secret Telegram would not accept (%j)",
    (value) => {
      const result = parseConfig({
        TELEGRAM_BOT_TOKEN: "123:abc",
        TELEGRAM_WEBHOOK_URL: "https://bot.example/hook",
        TELEGRAM_WEBHOOK_SECRET: value,
      });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.variable).toBe("TELEGRAM_WEBHOOK_SECRET");
    },
  );

  it.each([
    ["auto", "auto"],
    ["0,1/4", { ids: [0, 1], count: 4 }],
    [" 3/4 ", { ids: [3], count: 4 }],
  ])("reads DISCORD_SHARDS %j", (text, shards) => {
    const config = loadConfig({ DISCORD_SHARDS: text });
    expect(config.discordShards).toEqual(shards);
  });

  it.each(["4/4", "0,0/2", "1/0", "all", "0-3/4"])("refuses DISCORD_SHARDS %j in one line", (text) => {
    const error = errorOf({ DISCORD_SHARDS: text });
    expect(error.variable).toBe("DISCORD_SHARDS");
    expect(error.message).toMatch(/must be "auto" or shard ids/);
  });

  it("reports the first problem and counts the rest", () => {
    expect(errorOf({ HTTP_PORT: "x", LOG_LEVEL: "loud" }).message).toMatch(/\(and 1 more problem\)$/);
  });
});

describe("readEnvironment", () => {
  it("merges .env under the real environment", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "cairn-env-"));
    try {
      await writeFile(
        path.join(dir, ".env"),
        '# local\nHTTP_PORT=9000\nLOG_LEVEL=debug\nCAIRN_DEMO_COMMUNITY="From file"\n',
      );

      const env = readEnvironment(dir, { LOG_LEVEL: "warn", PATH: "/bin" });

      expect(env).toMatchObject({
        HTTP_PORT: "9000",
        LOG_LEVEL: "warn",
        CAIRN_DEMO_COMMUNITY: "From file",
        PATH: "/bin",
      });
      expect(loadConfig(env)).toMatchObject({ httpPort: 9000, logLevel: "warn", demoCommunity: "From file" });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("is the real environment alone when there is no .env", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "cairn-env-"));
    try {
      expect(readEnvironment(dir, { HTTP_PORT: "1234" })).toEqual({ HTTP_PORT: "1234" });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("redact", () => {
  const config = loadConfig({
    DATABASE_URL: "postgresql://cairn:p%40ss-w0rd@db.example:5432/cairn",
    REDIS_URL: "redis://:redis-pass-123@cache:6379",
    DISCORD_TOKEN: "MTIz.discord.token-value",
    DISCORD_APPLICATION_ID: "123456789012345678",
    TELEGRAM_BOT_TOKEN: "123456:telegram-token-value",
    TELEGRAM_WEBHOOK_SECRET: "webhook-secret-value",
  });

  it("replaces tokens, the webhook secret and URL passwords, raw or decoded", () => {
    const text = [
      "connect postgresql://cairn:p%40ss-w0rd@db.example:5432/cairn",
      "password p@ss-w0rd",
      "GET https://api.telegram.org/bot123456:telegram-token-value/getMe",
      "Authorization: Bot MTIz.discord.token-value",
      "secret webhook-secret-value",
      "redis redis://:redis-pass-123@cache:6379",
    ].join("\n");

    const redacted = redact(text, config);

    for (const secret of [
      "p%40ss-w0rd",
      "p@ss-w0rd",
      "telegram-token-value",
      "MTIz.discord",
      "webhook-secret-value",
      "redis-pass-123",
    ]) {
      expect(redacted).not.toContain(secret);
    }
    expect(redacted).toContain("postgresql://cairn:[redacted]@db.example:5432/cairn");
  });

  it("hides the password of any URL, configured or not", () => {
    expect(redact("amqp://guest:guest-pass@mq:5672", {})).toBe("amqp://guest:[redacted]@mq:5672");
  });

  it("leaves text without secrets alone", () => {
    expect(redact("vote #12 approved by alice", config)).toBe("vote #12 approved by alice");
  });
});

describe(".env.example", () => {
  it("documents every variable, each after a comment, and holds valid values", async () => {
    const text = await readFile(new URL("../.env.example", import.meta.url), "utf8");
    const lines = text.split("\n");

    expect(Object.keys(parseEnv(text)).sort()).toEqual([...CONFIG_VARIABLES].sort());
    lines.forEach((line, index) => {
      if (/^[A-Z_]+=/.test(line)) expect(lines[index - 1]).toMatch(/^# /);
    });
    expect(() => loadConfig(parseEnv(text))).not.toThrow();
  });
});
