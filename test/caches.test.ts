// The process's caches (src/caches.ts): lru-cache instances bounded by entries
// and by age, made by the composition root and handed down in the deps, so
// two servers in one process never share them.
import { once } from "node:events";
import { createServer } from "node:net";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createCaches } from "../src/caches.ts";
import type { Deps } from "../src/app/deps.ts";
import { catalog } from "../src/commands/catalog.ts";
import { loadConfig } from "../src/config.ts";
import { defaultCommunityConfig, readCommunityConfig } from "../src/core/config.ts";
import { createLogger } from "../src/logger.ts";
import type { BotServices, PlatformSet } from "../src/platforms/bot.ts";
import { serve } from "../src/serve.ts";
import { useTestDatabase } from "./support/db.ts";

describe("the caches", () => {
  it("keep at most max entries, dropping the least recently used", () => {
    const caches = createCaches({ max: 2 });
    caches.activeHints.set(1, { epoch: 1, halfLifeDays: 90 });
    caches.activeHints.set(2, { epoch: 2, halfLifeDays: 90 });
    caches.activeHints.get(1);
    caches.activeHints.set(3, { epoch: 3, halfLifeDays: 90 });
    expect(caches.activeHints.get(1)).toEqual({ epoch: 1, halfLifeDays: 90 });
    expect(caches.activeHints.get(2)).toBeUndefined();
    expect(caches.activeHints.get(3)).toEqual({ epoch: 3, halfLifeDays: 90 });
  });

  it("forget an entry once its age passes the ttl, on the clock they are given", () => {
    let now = 1_000;
    const caches = createCaches({ chatRoleTtlMs: 60_000, configTtlMs: 3_600_000, now: () => now });
    caches.chatRoles.set("-100:5", "administrator");
    now += 59_999;
    expect(caches.chatRoles.get("-100:5")).toBe("administrator");
    now += 2;
    expect(caches.chatRoles.get("-100:5")).toBeUndefined();
    caches.configs.set("{}", defaultCommunityConfig());
    now += 3_600_001;
    expect(caches.configs.get("{}")).toBeUndefined();
  });

  it("keep nothing with a ttl of 0 (a getChatMember per check)", () => {
    const caches = createCaches({ chatRoleTtlMs: 0 });
    caches.chatRoles.set("-100:5", "member");
    expect(caches.chatRoles.get("-100:5")).toBeUndefined();
  });

  it("read each stored configuration text once when given, and afresh without", () => {
    const caches = createCaches();
    const stored = { quorum: 5, timezone: "Europe/Berlin" };
    const first = readCommunityConfig(stored, caches.configs);
    expect(first.quorum).toBe(5);
    expect(readCommunityConfig({ ...stored }, caches.configs)).toBe(first);
    expect(readCommunityConfig({ ...stored, quorum: 6 }, caches.configs)).not.toBe(first);
    expect(readCommunityConfig(stored)).not.toBe(first);
    expect(readCommunityConfig(stored)).toEqual(first);
    expect(Object.isFrozen(first)).toBe(true);
  });
});

describe("two servers in one process", () => {
  const database = useTestDatabase();

  async function freePort(): Promise<number> {
    const server = createServer().listen(0, "127.0.0.1");
    await once(server, "listening");
    const address = server.address();
    server.close();
    if (address === null || typeof address === "string") throw new Error("no port");
    return address.port;
  }

  /** `cairn bot` in this process with a platform that only records what it was handed. */
  async function startBotProcess(): Promise<{
    services: BotServices;
    url: string;
    stop: () => void;
    done: Promise<number>;
  }> {
    let stop: (signal: string) => void = () => {};
    const stopSignal = new Promise<string>((resolve) => (stop = resolve));
    let handed: BotServices | undefined;
    const platforms: PlatformSet = {
      names: ["recorder"],
      outgoing: () => [],
      bots: (services) => {
        handed = services;
        return [];
      },
    };
    const config = loadConfig({ DATABASE_URL: database.url, HTTP_PORT: String(await freePort()) });
    let url = "";
    let ready: () => void = () => {};
    const started = new Promise<void>((resolve) => (ready = resolve));
    const done = serve({
      role: "bot",
      config,
      database: {
        db: database.db,
        store: database.store,
        databaseUrl: database.url,
        description: "test",
        close: async () => {},
        // An external database is never lost by the process itself.
        lost: new Promise<string>(() => {}),
      },
      catalog,
      platforms,
      log: createLogger(
        { logLevel: "error" },
        { destination: new Writable({ write: (_chunk, _encoding, next) => next() }) },
      ),
      stopSignal,
      onReady: (running) => {
        url = running.http.url;
        ready();
      },
    });
    await Promise.race([started, done]);
    if (handed === undefined) throw new Error("no services handed to the bots");
    return { services: handed, url, stop: () => stop("test"), done };
  }

  it("each has caches of its own, and a command's latency is measured by its own server only", async () => {
    const a = await startBotProcess();
    const b = await startBotProcess();
    try {
      const cachesA = a.services.deps.caches;
      const cachesB = b.services.deps.caches;
      expect(cachesA).toBeDefined();
      expect(cachesB).toBeDefined();
      expect(cachesA).not.toBe(cachesB);
      cachesA?.activeHints.set(7, { epoch: 1, halfLifeDays: 90 });
      expect(cachesB?.activeHints.get(7)).toBeUndefined();
      const deps: Deps = a.services.deps;
      readCommunityConfig({ quorum: 9 }, deps.caches?.configs);
      expect(cachesB?.configs.get(JSON.stringify({ quorum: 9 }))).toBeUndefined();

      a.services.observeCommand?.("/help", "telegram", 0.01);
      const count = async (url: string) => {
        const text = await (await fetch(`${url}/metrics`)).text();
        const line =
          /^cairn_command_duration_seconds_count\{command="\/help",platform="telegram"\} (\d+)$/m.exec(text);
        return Number(line?.[1] ?? 0);
      };
      expect(await count(a.url)).toBe(1);
      expect(await count(b.url)).toBe(0);
    } finally {
      a.stop();
      b.stop();
      expect(await a.done).toBe(0);
      expect(await b.done).toBe(0);
    }
  }, 60_000);
});
