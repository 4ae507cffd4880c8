// The console serves its demo community's web pages on 127.0.0.1 and prints
// their address; a busy port is said in one line and the chat runs on.
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalog } from "../src/commands/catalog.ts";
import { runConsoleWithJobs } from "../src/console.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { freePort } from "./support/ports.ts";

let database: TestDatabase;
let exportDir: string;

beforeAll(async () => {
  database = await createTestDatabase();
  exportDir = await mkdtemp(path.join(tmpdir(), "cairn-console-web-"));
});
afterAll(async () => {
  await database.drop();
  await rm(exportDir, { recursive: true, force: true });
});

function consoleRun(port: number, announced: string[]) {
  const input = new PassThrough();
  const output = new PassThrough();
  output.resume();
  const running = runConsoleWithJobs({
    deps: { db: database.db, store: database.store },
    queue: { databaseUrl: database.url, redisUrl: undefined },
    catalog,
    input,
    output,
    interactive: true,
    communityName: "Demo",
    exportDir,
    web: { port, announce: (line) => announced.push(line) },
  });
  return { input, running };
}

describe("the console's web pages", () => {
  it("turns the demo community's pages on, serves them and prints the board's address", async () => {
    const port = await freePort();
    const announced: string[] = [];
    const { input, running } = consoleRun(port, announced);
    await expect.poll(() => announced.length, { timeout: 30_000 }).toBe(1);
    const address = /^Web pages: (http:\/\/127\.0\.0\.1:\d+\/c\/\d+)$/.exec(announced[0] ?? "")?.[1];
    expect(address).toContain(`:${port}/c/`);
    const page = await fetch(address ?? "");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Demo");
    input.end("/quit\n");
    await running;
    await expect(fetch(address ?? "")).rejects.toThrow();
  }, 60_000);

  it("says in one line that the pages are off when the port is busy, and still chats", async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const port = (busy.address() as net.AddressInfo).port;
    const announced: string[] = [];
    const { input, running } = consoleRun(port, announced);
    await expect.poll(() => announced.length, { timeout: 30_000 }).toBe(1);
    expect(announced[0]).toBe(`Web pages are off: port ${port} is in use (set HTTP_PORT to another port).`);
    input.end("/quit\n");
    await running;
    await new Promise((resolve) => busy.close(resolve));
  }, 60_000);
});
