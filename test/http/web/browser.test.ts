// The public pages in real headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core): the board and its windows, a profile, a
// contribution, the ledger explorer verifying in the browser and naming an
// entry tampered with in the database, hostile names on every page, and
// axe-core's accessibility rules. Screenshots go to test-results/screenshots/.
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalEntryJson, hashEntry, type LedgerKind } from "../../../src/core/ledger.ts";
import { readLedgerPage } from "../../../src/app/ledgerAudit.ts";
import { silentLog } from "../../../src/logger.ts";
import { startHttpServer, type HttpServer } from "../../../src/http/server.ts";
import { webPlugin } from "../../../src/http/web/plugin.ts";
import { useTestDatabase } from "../../support/db.ts";
import { FakeClock, HOSTILE, webCommunity, type WebCommunity } from "./support.ts";

export const SCREENSHOTS = path.resolve("test-results/screenshots");
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

const database = useTestDatabase();
const clock = new FakeClock("2026-11-02T10:00:00.000Z");
let server: HttpServer;
let browser: Browser;
let web: WebCommunity;
let base: string;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startHttpServer({
    port: 0,
    host: "127.0.0.1",
    db: database.db,
    plugins: [webPlugin({ deps: { ...database, clock }, log: silentLog })],
  });
  web = await webCommunity(database, clock);
  base = `${server.url}/c/${web.community.communityId}`;
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** A phone-sized page that fails the test on any dialog (a script that ran) or page error. */
async function openPage(url: string): Promise<Page> {
  // bypassCSP only so axe-core can be injected; the pages' own CSP is checked by the inject tests.
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true });
  const page = await context.newPage();
  page.on("dialog", (dialog) => {
    throw new Error(`a dialog opened: ${dialog.message()}`);
  });
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(url);
  Object.assign(page, { errors });
  return page;
}

async function expectAccessible(page: Page): Promise<void> {
  await page.addScriptTag({ path: AXE });
  // Written as page source: the project's types have no DOM.
  const violations = await page.evaluate<string[]>(`axe.run().then((result) =>
    result.violations.map((v) => v.id + " (" + v.nodes.length + ")"))`);
  expect(violations).toEqual([]);
}

/** No markup, script link or override from a hostile name or title took effect. */
async function expectNothingInjected(page: Page): Promise<void> {
  const injected = await page.evaluate(`({
    images: document.querySelectorAll('img[src="x"]').length,
    bold: document.querySelectorAll("main b").length,
    scriptLinks: document.querySelectorAll('a[href^="javascript:"]').length,
    inlineScripts: [...document.scripts].filter(
      (s) => s.type !== "application/json" && (s.textContent || "").includes("alert("),
    ).length,
    overrides: document.body.innerText.includes("\\u202E"),
  })`);
  expect(injected).toEqual({ images: 0, bold: 0, scriptLinks: 0, inlineScripts: 0, overrides: false });
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

describe("in Chromium", () => {
  it("opens the board, switches windows and filters, and opens a profile", async () => {
    const page = await openPage(base);
    expect(await page.locator("caption").first().innerText()).toContain("all time");
    await expectAccessible(page);
    await expectNothingInjected(page);
    expect(await page.locator("main").innerText()).toContain(HOSTILE.name);
    await shot(page, "board");

    await page.getByRole("link", { name: "This week" }).click();
    await page.waitForURL(/window=week/);
    expect(await page.locator("caption").first().innerText()).toContain("this week");
    await page.getByLabel("Score").selectOption("active");
    await page.getByRole("button", { name: "Show" }).click();
    await page.waitForURL(/score=active/);
    expect(await page.locator("caption").first().innerText()).toContain("active score");
    await shot(page, "board-week-active");

    await page.goto(base);
    await page.getByRole("link", { name: "alice", exact: true }).first().click();
    await page.waitForURL(/\/members\//);
    expect(await page.locator("h1").innerText()).toBe("alice");
    await expectAccessible(page);
    await shot(page, "profile");
    await page.context().close();
  }, 60_000);

  it("opens a contribution with credits, evidence, votes and history", async () => {
    const page = await openPage(`${base}/contributions/1`);
    const main = await page.locator("main").innerText();
    expect(main).toContain("Parser for the ledger");
    expect(main).toContain(`sha256:${"ab".repeat(32)}`);
    expect(main).toContain("pending → verified");
    await expectAccessible(page);
    await shot(page, "contribution");
    await page.context().close();
  }, 60_000);

  it("lists contributions from the board, filters by status and pages older ones", async () => {
    const page = await openPage(base);
    await page.getByRole("link", { name: "All contributions" }).click();
    await page.waitForURL(/\/contributions$/);
    expect(await page.locator("caption").innerText()).toBe("4 contributions");
    expect(await page.locator("main").innerText()).not.toContain("Hidda");
    await expectAccessible(page);
    await expectNothingInjected(page);
    await shot(page, "contributions");
    await page.getByRole("link", { name: "verified", exact: true }).click();
    await page.waitForURL(/status=verified/);
    expect(await page.locator("tbody tr").count()).toBe(3);
    await page.goto(`${base}/contributions?status=verified&limit=2`);
    await page.getByRole("link", { name: "Older" }).click();
    await page.waitForURL(/cursor=2/);
    expect(await page.locator("tbody tr").count()).toBe(1);
    expect(await page.locator("tbody").innerText()).toContain("Parser for the ledger");
    await expectAccessible(page);
    await page.context().close();
  }, 60_000);

  it("shows hostile names and titles as text on every page", async () => {
    const pages = [
      "",
      `/members/${web.ids.hostile}`,
      `/members/${web.ids.rtl}`,
      "/contributions/2",
      "/contributions/4",
      "/contributions",
      "/contributions?status=pending",
      "/ledger",
      "/seasons/Autumn",
      "/seasons",
      "/downloads",
    ];
    for (const at of pages) {
      const page = await openPage(`${base}${at}`);
      await expectNothingInjected(page);
      await expectAccessible(page);
      await page.context().close();
    }
    const page = await openPage(`${base}/contributions/2`);
    const main = await page.locator("main").innerText();
    expect(main).toContain(HOSTILE.title);
    expect(main).toContain(HOSTILE.scriptLink);
    expect(main).toContain(HOSTILE.reason);
    await shot(page, "contribution-hostile");
    await page.context().close();
  }, 120_000);

  it("verifies the ledger page in the browser with the core's own hashes, and names an entry tampered with", async () => {
    const page = await openPage(`${base}/ledger`);
    await page.waitForSelector("html[data-ledger-check]");
    expect(await page.getAttribute("html", "data-ledger-check")).toBe("intact");
    expect(await page.locator("#ledger-check").innerText()).toContain("Verified in your browser");
    await expectAccessible(page);
    await shot(page, "ledger");

    // The browser's hash of every real entry is the core's.
    const stored = await readLedgerPage(database.db, web.community.communityId, 1);
    expect(stored.entries.length).toBeGreaterThan(5);
    for (const entry of stored.entries) {
      const computed = await page.getAttribute(`#entry-${entry.seq}`, "data-computed-hash");
      expect(computed).toBe(hashEntry(entry.prevHash, entry));
    }
    // And its canonical JSON is the core's on awkward facts.
    const awkward = [
      "",
      'quote " and \\ backslash',
      "line\nbreak\ttab\u0001",
      "Алиса 李明 🚀",
      "\u2028\u2029",
      "</script>",
    ];
    for (const reason of awkward) {
      const facts = {
        communityId: 7,
        seq: 3,
        kind: "ADJUSTMENT" as LedgerKind,
        memberId: 12,
        points: -250,
        contributionId: null,
        actorId: 4,
        reason,
        createdAt: new Date("2026-11-02T10:00:00.123Z"),
      };
      const inBrowser = await page.evaluate<string>(
        `cairnLedger.canonical(${JSON.stringify({ ...facts, createdAt: facts.createdAt.toISOString() })})`,
      );
      expect(inBrowser).toBe(canonicalEntryJson(facts));
    }
    await page.context().close();

    await database.db.$executeRaw`UPDATE ledger_entry SET points = points + 100
      WHERE "communityId" = ${web.community.communityId} AND seq = 3`;
    const tampered = await openPage(`${base}/ledger`);
    await tampered.waitForSelector("html[data-ledger-check]");
    expect(await tampered.getAttribute("html", "data-ledger-check")).toBe("broken:3");
    expect(await tampered.locator("#ledger-check").innerText()).toContain("Entry #3 breaks the chain");
    expect(await tampered.getAttribute("#entry-3", "class")).toBe("broken");
    await shot(tampered, "ledger-tampered");
    await tampered.context().close();
    await database.db.$executeRaw`UPDATE ledger_entry SET points = points - 100
      WHERE "communityId" = ${web.community.communityId} AND seq = 3`;
  }, 60_000);
});
