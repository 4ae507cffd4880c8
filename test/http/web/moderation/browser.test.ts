// The moderator pages in real headless Chromium (Debian's chromium, driven by
// playwright-core): a moderator follows a sign-in link, voids a contribution
// with a reason, and the contribution, the ledger and the chat's mod log show
// it; a member who is no longer a moderator and a forged form are refused.
import { mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { moderatorDecide } from "../../../../src/app/moderation.ts";
import { composeOutboxMessages } from "../../../../src/jobs/compose.ts";
import { renderPlainText } from "../../../../src/views/plainText.ts";
import { contributionRow } from "../../../support/communities.ts";
import { useTestDatabase } from "../../../support/db.ts";
import {
  FakeClock,
  reviewCommunity,
  startModerationPages,
  valueOf,
  type ModerationServer,
} from "./support.ts";

const SCREENSHOTS = path.resolve("test-results/screenshots");
const database = useTestDatabase();
const clock = new FakeClock();
let pages: ModerationServer;
let browser: Browser;

beforeAll(async () => {
  pages = await startModerationPages(database, clock);
  browser = await chromium.launch({
    executablePath: process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium",
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
  mkdirSync(SCREENSHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await pages?.server.close();
});

async function signIn(page: Page, code: string): Promise<void> {
  await page.goto(`${pages.url}/login/${code}`);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/review$/);
}

/** A page on another origin whose form posts to the review queue as soon as it loads. */
async function forgingSite(target: string, fields: Record<string, string>): Promise<Server> {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${value}">`)
    .join("");
  const server = createServer((_request, response) => {
    response.setHeader("content-type", "text/html");
    response.end(
      `<!doctype html><form id="f" method="post" action="${target}">${inputs}</form><script>document.getElementById("f").submit()</script>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

// Chromium on a busy two-core machine: a page load can take seconds.
describe("moderator pages in Chromium", { timeout: 90_000 }, () => {
  it("a moderator signs in with the link and voids a contribution with a reason", async () => {
    const community = await reviewCommunity(database, clock);
    const number = await community.contribution("Translated the guide");
    valueOf(
      await moderatorDecide(community.deps, community.mod, { number, outcome: "VERIFIED", reason: "good" }),
    );
    const context = await browser.newContext();
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await signIn(page, await community.signInCode());
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toContain("Review queue");
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === "cairn_session")).toMatchObject({
      httpOnly: true,
      sameSite: "Lax",
    });

    const any = page.locator("section[aria-labelledby=any] form");
    await any.getByLabel("Contribution").fill(`#${number}`);
    await any.getByLabel("Action").selectOption("void");
    await any.getByLabel("Reason").fill("Copied from another project");
    await any.getByRole("button", { name: "Apply" }).click();
    await expect(page.getByRole("status").textContent()).resolves.toContain(
      `#${number} is void; 10 points clawed back.`,
    );
    await page.screenshot({ path: path.join(SCREENSHOTS, "moderator-review-void.png"), fullPage: true });
    // The form's answer was a redirect: reloading asks for the queue again and voids nothing twice.
    expect(page.url()).toMatch(/\/review\?done=/);
    await page.reload();
    await expect(page.getByRole("status").textContent()).resolves.toContain(`#${number} is void`);

    expect((await contributionRow(database.db, community.communityId, number)).status).toBe("VOIDED");
    const ledger = await database.db.ledgerEntry.findMany({
      where: { communityId: community.communityId },
      orderBy: { seq: "asc" },
    });
    expect(ledger.map((e) => [e.kind, e.points, e.reason])).toEqual([
      ["AWARD", 1000, "verified contribution"],
      ["CLAWBACK", -1000, "Copied from another project"],
    ]);
    const audit = await database.db.auditLog.findFirstOrThrow({
      where: { communityId: community.communityId, action: "review.void" },
    });
    const modLog = await composeOutboxMessages(community.deps, community.communityId, {
      kind: "MOD_LOG",
      auditId: audit.id,
    });
    expect(modLog.map((m) => renderPlainText(m.view)).join("\n")).toMatch(
      new RegExp(`mod.*review\\.void.*contribution:${number}.*Copied from another project`, "s"),
    );
    await context.close();
  });

  it("refuses a member who is no longer a moderator, a tampered form and another site's form", async () => {
    const community = await reviewCommunity(database, clock);
    const number = await community.contribution();
    const context = await browser.newContext();
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await signIn(page, await community.signInCode());

    // A form whose CSRF token was changed in the page.
    const row = page.locator(`form:has(input[name=number][value="${number}"])`);
    await row.locator("input[name=csrf]").evaluate((input) => {
      (input as unknown as { value: string }).value = "forged";
    });
    await row.getByLabel("Reason").fill("tampered");
    await row.getByRole("button").click();
    await expect(page.getByRole("alert").textContent()).resolves.toContain(
      "That form did not come from this page",
    );

    // Another origin's page posting the same form with the browser's cookie.
    const review = `${pages.url}/c/${community.communityId}/review`;
    const evil = await forgingSite(review, { action: "approve", number: String(number), reason: "forged" });
    const evilPage = await context.newPage();
    const { port } = evil.address() as AddressInfo;
    await evilPage.goto(`http://127.0.0.1:${port}/`);
    await evilPage.waitForURL(review);
    await expect(evilPage.getByRole("alert").textContent()).resolves.toContain("That form did not come from");
    await evilPage.screenshot({ path: path.join(SCREENSHOTS, "moderator-forged-form.png") });
    evil.close();
    expect((await contributionRow(database.db, community.communityId, number)).status).toBe("PENDING");

    // The member's moderator flag is taken away: the session no longer moderates.
    await database.db.member.update({ where: { id: community.mod.memberId }, data: { isModerator: false } });
    await page.goto(review);
    await expect(page.getByRole("alert").textContent()).resolves.toBe("Only moderators can do that.");
    await page.screenshot({ path: path.join(SCREENSHOTS, "moderator-no-longer.png") });
    expect(await database.db.auditLog.count({ where: { communityId: community.communityId } })).toBe(0);
    await context.close();
  });
});
