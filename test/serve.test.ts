// `cairn start|bot|worker` as an operator runs them: a real process, its HTTP
// endpoints, and a graceful stop on SIGTERM and SIGINT.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { APP_ID, CARDS_CHANNEL, FakeDiscord, GUILD_ID } from "./platforms/discord/fakeDiscord.ts";
import { slashCommand } from "./platforms/discord/fixtures.ts";
import { TOKEN } from "./platforms/discord/world.ts";
import { useTestDatabase } from "./support/db.ts";

const database = useTestDatabase();
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

interface Running {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly url: string;
}

/** Starts `cairn <role>` and waits until it says it is running. */
async function startCairn(role: string, env: Record<string, string> = {}): Promise<Running> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli.ts", role], {
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      REDIS_URL: "",
      DISCORD_TOKEN: "",
      TELEGRAM_BOT_TOKEN: "",
      HTTP_PORT: String(port),
      LOG_LEVEL: "info",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 60_000;
  while (!output.includes("is running")) {
    if (child.exitCode !== null) throw new Error(`cairn ${role} exited early:\n${output}`);
    if (Date.now() > deadline) throw new Error(`cairn ${role} did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, output: () => output, url: `http://127.0.0.1:${port}` };
}

/**
 * /readyz's status once it answers 200, or its last status after 20 s: a check
 * that takes longer than its 2 s limit on a loaded machine is answered 503, honestly.
 */
async function readyStatus(url: string): Promise<number> {
  const until = Date.now() + 20_000;
  for (;;) {
    const status = (await fetch(`${url}/readyz`)).status;
    if (status === 200 || Date.now() > until) return status;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = (await once(child, "exit")) as [number | null];
  return code;
}

describe("cairn worker", () => {
  it("serves /healthz and /readyz, names its queue backend, and exits 0 on SIGTERM", async () => {
    const cairn = await startCairn("worker");
    expect(cairn.output()).toMatch(/queues: BullMQ on PostgreSQL/);
    expect((await fetch(`${cairn.url}/healthz`)).status).toBe(200);
    expect(await readyStatus(cairn.url)).toBe(200);
    expect(await (await fetch(`${cairn.url}/readyz`)).json()).toEqual({ status: "ok" });
    const metrics = await (await fetch(`${cairn.url}/metrics`)).text();
    expect(metrics).toMatch(/cairn_jobs\{queue="delivery",state="waiting"\} \d+/);

    cairn.child.kill("SIGTERM");
    expect(await exitCode(cairn.child)).toBe(0);
    expect(cairn.output()).toMatch(/shutting down/);
    expect(cairn.output()).toMatch(/"msg":"stopped"/);
  }, 90_000);

  it("names Redis when REDIS_URL is set", async () => {
    const cairn = await startCairn("worker", { REDIS_URL: "redis://127.0.0.1:6379" });
    expect(cairn.output()).toMatch(/queues: BullMQ on Redis at 127\.0\.0\.1:6379/);
    cairn.child.kill("SIGINT");
    expect(await exitCode(cairn.child)).toBe(0);
  }, 90_000);
});

describe("cairn start without platform tokens", () => {
  it("runs the workers and HTTP, warns that nothing takes commands, and stops on SIGINT", async () => {
    const cairn = await startCairn("start");
    expect(cairn.output()).toMatch(/nothing takes commands here/);
    expect(await readyStatus(cairn.url)).toBe(200);
    cairn.child.kill("SIGINT");
    expect(await exitCode(cairn.child)).toBe(0);
  }, 90_000);
});

describe("cairn start with ADMIN_TOKEN", () => {
  it("serves the queue dashboard to the token's bearer only, and the moderator pages", async () => {
    const cairn = await startCairn("start", { ADMIN_TOKEN: "operator-token-for-tests" });
    expect((await fetch(`${cairn.url}/admin/queues/api/queues`)).status).toBe(401);
    const board = await fetch(`${cairn.url}/admin/queues/api/queues`, {
      headers: { authorization: "Bearer operator-token-for-tests" },
    });
    expect(board.status).toBe(200);
    expect(((await board.json()) as { queues: unknown[] }).queues.length).toBeGreaterThan(0);
    const login = await fetch(`${cairn.url}/login/${"a".repeat(43)}`);
    expect(login.status).toBe(404);
    expect(await login.text()).toContain("That sign-in link is not valid");
    expect((await fetch(`${cairn.url}/c/1/review`)).status).toBe(401);
    cairn.child.kill("SIGTERM");
    expect(await exitCode(cairn.child)).toBe(0);
    expect(cairn.output()).not.toContain("operator-token-for-tests");
  }, 90_000);

  it("answers 404 at /admin/queues without it", async () => {
    const cairn = await startCairn("worker");
    expect((await fetch(`${cairn.url}/admin/queues`)).status).toBe(404);
    cairn.child.kill("SIGTERM");
    expect(await exitCode(cairn.child)).toBe(0);
  }, 90_000);
});

describe("cairn bot", () => {
  it("adds jobs without running workers and reports ready", async () => {
    const cairn = await startCairn("bot");
    expect(cairn.output()).toMatch(/"workers":false/);
    expect(await readyStatus(cairn.url)).toBe(200);
    cairn.child.kill("SIGTERM");
    expect(await exitCode(cairn.child)).toBe(0);
  }, 90_000);
});

describe("cairn worker with Redis unreachable", () => {
  it("stops at start with one line naming the Redis address, not its password", async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli.ts", "worker"], {
      env: {
        ...process.env,
        DATABASE_URL: database.url,
        REDIS_URL: `redis://:s3cret-pass@127.0.0.1:${port}/0`,
        HTTP_PORT: String(await freePort()),
        LOG_LEVEL: "silent",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await exitCode(child)).toBe(1);
    expect(stderr.trim().split("\n")).toEqual([
      `cairn: cannot reach Redis at 127.0.0.1:${port} (no answer within 10 s)`,
    ]);
    expect(stderr).not.toContain("s3cret");
  }, 60_000);
});

describe("cairn start with DISCORD_API_URL", () => {
  it("reaches the Discord it names: the gateway, interaction answers and the delivery's REST", async () => {
    const fake = new FakeDiscord();
    await fake.start();
    try {
      const cairn = await startCairn("start", {
        DISCORD_TOKEN: TOKEN,
        DISCORD_APPLICATION_ID: APP_ID,
        DISCORD_API_URL: fake.api,
      });
      expect(fake.identified).toHaveLength(1);
      const space = async () =>
        database.db.space.findUnique({
          where: { platform_platformChatId: { platform: "DISCORD", platformChatId: GUILD_ID } },
        });
      for (let waited = 0; (await space()) === null && waited < 15_000; waited += 100)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await space()).not.toBeNull();
      // discord.js' own REST answers the interaction …
      const mod = { id: "100000000000000001", name: "mod", moderator: true };
      const set = slashCommand(mod, "config", { key: "verificationChat", value: CARDS_CHANNEL }, "set");
      const callback = await fake.interact(set);
      expect(callback.path).toBe(`/interactions/${set.id}/${set.token}/callback`);
      // … and the delivery's REST client asked which server the channel is in.
      const lookups = fake.callsTo("GET", new RegExp(`^/channels/${CARDS_CHANNEL}$`));
      expect(lookups.map((call) => call.authorization)).toEqual([`Bot ${TOKEN}`]);
      cairn.child.kill("SIGTERM");
      expect(await exitCode(cairn.child)).toBe(0);
    } finally {
      await fake.stop();
    }
  }, 90_000);
});
