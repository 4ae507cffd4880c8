import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { createLogger } from "../src/logger.ts";

function capture(): { stream: Writable; lines: () => Array<Record<string, unknown>>; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return {
    stream,
    text: () => chunks.join(""),
    lines: () =>
      chunks
        .join("")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

const config = loadConfig({
  DATABASE_URL: "postgresql://cairn:db-password-1@db:5432/cairn",
  DISCORD_TOKEN: "MTIz.discord.token-value",
  DISCORD_APPLICATION_ID: "123456789012345678",
  LOG_LEVEL: "debug",
});

describe("createLogger", () => {
  it("writes JSON lines at the configured level when not on a terminal", () => {
    const out = capture();
    const logger = createLogger({ logLevel: "warn" }, { destination: out.stream });

    logger.info("hidden");
    logger.warn({ contribution: 12 }, "shown");

    expect(out.lines()).toEqual([expect.objectContaining({ level: 40, msg: "shown", contribution: 12 })]);
  });

  it("censors secret fields, the password of URL fields, and secrets inside messages and errors", () => {
    const out = capture();
    const logger = createLogger(config, { destination: out.stream });

    logger.info(
      { token: "abc", databaseUrl: config.databaseUrl, nested: { password: "pw" } },
      "token MTIz.discord.token-value",
    );
    logger.error({ err: new Error("cannot reach postgresql://cairn:db-password-1@db:5432/cairn") }, "failed");

    const [info, error] = out.lines();
    expect(info).toMatchObject({
      token: "[redacted]",
      databaseUrl: "postgresql://cairn:[redacted]@db:5432/cairn",
      nested: { password: "[redacted]" },
      msg: "token [redacted]",
    });
    expect(error).toMatchObject({
      err: { message: "cannot reach postgresql://cairn:[redacted]@db:5432/cairn" },
    });
    expect(out.text()).not.toMatch(/db-password-1|token-value/);
  });

  it("a secret nested deep in a logged object, or a URL password anywhere, does not reach the log", () => {
    const out = capture();
    const logger = createLogger(config, { destination: out.stream });
    const failure = Object.assign(new Error("boom"), { options: { auth: { password: "err-pass-9" } } });

    logger.warn(
      {
        job: { data: { request: { headers: { Authorization: "Bearer deep-bearer-1" } } } },
        queue: {
          connection: { url: "redis://:redis-pass-2@cache:6379", options: { password: "deep-pass-3" } },
        },
        list: [{ nested: { telegramBotToken: "123:deep-token-4" } }, "rediss://user:list-pass-5@h:1/0"],
        err: failure,
      },
      "deep",
    );

    const text = out.text();
    expect(text).not.toMatch(/deep-bearer-1|redis-pass-2|deep-pass-3|deep-token-4|list-pass-5|err-pass-9/);
    expect(out.lines()[0]).toMatchObject({
      job: { data: { request: { headers: { Authorization: "[redacted]" } } } },
      queue: { connection: { url: "redis://:[redacted]@cache:6379" } },
    });
  });

  it("prints human-readable lines when asked to be pretty", () => {
    const out = capture();
    const logger = createLogger(config, { destination: out.stream, pretty: true });

    logger.info("hello MTIz.discord.token-value");

    expect(out.text()).toContain("hello [redacted]");
    expect(() => JSON.parse(out.text())).toThrow();
  });
});
