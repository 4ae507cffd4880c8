// No secret in any log line or error text: `cairn bot` and `cairn start` run as
// an operator runs them, with a platform that refuses the token (401) or fails
// (500), an unreachable Redis and an unreachable PostgreSQL whose URLs carry a
// password. Each stops with one clear `cairn:` line and a non-zero exit (a
// process that cannot do its work stops; the supervisor restarts it), and the
// token or password appears nowhere in what it wrote.
import { execFile } from "node:child_process";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../support/db.ts";

const DISCORD_SECRET = "MTIzDiscordS3cretTokenPart.GhIjK.lmNoPqRsTuVwXyZ";
const TELEGRAM_SECRET = "7654321:AAS3cretTelegramTokenPartXyZ";
const REDIS_PASSWORD = "s3cretPW";
const DATABASE_PASSWORD = "s3cretDBpw";
const SECRETS = [
  DISCORD_SECRET,
  "S3cretTokenPart",
  TELEGRAM_SECRET,
  "S3cretTelegram",
  REDIS_PASSWORD,
  DATABASE_PASSWORD,
];

const database = useTestDatabase();

interface Run {
  readonly output: string;
  readonly code: number;
}

/** Runs `cairn ROLE` with only the environment given naming a database, Redis or platform. */
function cairn(role: string, env: Record<string, string>): Promise<Run> {
  const {
    DATABASE_URL: _d,
    REDIS_URL: _r,
    DISCORD_TOKEN: _t,
    TELEGRAM_BOT_TOKEN: _b,
    ...inherited
  } = process.env;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "src/cli.ts", role],
      {
        env: {
          ...inherited,
          LOG_LEVEL: "debug",
          HTTP_PORT: String(httpPort),
          DATABASE_URL: database.url,
          ...env,
        },
        timeout: 90_000,
        maxBuffer: 10_000_000,
      },
      (error, stdout, stderr) =>
        resolve({ output: stdout + stderr, code: error === null ? 0 : Number(error.code ?? 1) }),
    );
  });
}

/** A platform API that answers every call with `status`, in Discord's or Telegram's error shape. */
async function failingPlatform(status: number): Promise<Server> {
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      const telegram = request.url?.startsWith("/bot") === true;
      const description = status === 401 ? "Unauthorized" : "Internal Server Error";
      response.writeHead(status, { "content-type": "application/json" });
      response.end(
        JSON.stringify(
          telegram
            ? { ok: false, error_code: status, description }
            : { message: `${status}: ${description}`, code: 0 },
        ),
      );
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return server;
}

const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

let httpPort = 0;
let refusing: Server;
let failing: Server;
beforeAll(async () => {
  refusing = await failingPlatform(401);
  // A port free now for the processes' HTTP servers, which run one at a time.
  const probe = createServer().listen(0, "127.0.0.1");
  await once(probe, "listening");
  httpPort = (probe.address() as AddressInfo).port;
  probe.close();
  failing = await failingPlatform(500);
  // Migrated once, so each process below gets as far as its platform or store.
  const migrated = await cairn("migrate", {});
  expect(migrated.code, migrated.output).toBe(0);
}, 120_000);
afterAll(() => {
  refusing.close();
  failing.close();
});

function expectOneClearLineAndNoSecret(run: Run, says: RegExp): void {
  expect(run.code, run.output).not.toBe(0);
  const lines = run.output.split("\n").filter((line) => line.startsWith("cairn:"));
  expect(lines, run.output).toHaveLength(1);
  expect(lines[0]).toMatch(says);
  for (const secret of SECRETS) expect(run.output, `"${secret}" was written`).not.toContain(secret);
}

const discord = (api: Server) => ({
  DISCORD_TOKEN: DISCORD_SECRET,
  DISCORD_APPLICATION_ID: "123456789012345678",
  DISCORD_API_URL: urlOf(api),
});
const telegram = (api: Server) => ({
  TELEGRAM_BOT_TOKEN: TELEGRAM_SECRET,
  TELEGRAM_API_ROOT: `${urlOf(api)}/`,
});

describe("secrets stay out of what cairn writes", () => {
  it("a Discord token the platform refuses (401)", async () => {
    expectOneClearLineAndNoSecret(await cairn("bot", discord(refusing)), /^cairn: Discord .*invalid token/i);
  }, 120_000);

  it("a Discord platform failing (500)", async () => {
    expectOneClearLineAndNoSecret(
      await cairn("bot", discord(failing)),
      /^cairn: Discord answered 500 Internal Server Error at start-up; /,
    );
  }, 120_000);

  it("a Telegram token the platform refuses (401)", async () => {
    expectOneClearLineAndNoSecret(await cairn("bot", telegram(refusing)), /^cairn: Telegram.*401/i);
  }, 120_000);

  it("a Telegram platform failing (500)", async () => {
    expectOneClearLineAndNoSecret(await cairn("bot", telegram(failing)), /^cairn: Telegram.*500/i);
  }, 120_000);

  it("an unreachable Redis whose URL carries a password", async () => {
    const run = await cairn("start", { REDIS_URL: `redis://:${REDIS_PASSWORD}@127.0.0.1:1/` });
    expectOneClearLineAndNoSecret(run, /cannot reach Redis at 127\.0\.0\.1:1/);
  }, 120_000);

  it("an unreachable PostgreSQL whose URL carries a password", async () => {
    const run = await cairn("start", {
      DATABASE_URL: `postgresql://cairn:${DATABASE_PASSWORD}@127.0.0.1:1/cairn`,
    });
    expectOneClearLineAndNoSecret(run, /cannot connect to 127\.0\.0\.1:1/);
  }, 120_000);
});
