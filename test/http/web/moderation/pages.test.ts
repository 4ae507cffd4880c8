// The moderator pages over real HTTP on the real PostgreSQL: the one-time link,
// the session cookie, CSRF, every review action through the chat's use cases
// and audit log, and the refusals, each one escaped line that changes nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { composeOutboxMessages } from "../../../../src/jobs/compose.ts";
import { hashSecret } from "../../../../src/core/webSessions.ts";
import { renderPlainText } from "../../../../src/views/plainText.ts";
import { useTestDatabase } from "../../../support/db.ts";
import { contributionRow } from "../../../support/communities.ts";
import {
  FakeClock,
  PageClient,
  csrfOf,
  messageOf,
  reviewCommunity,
  startModerationPages,
  type ModerationServer,
} from "./support.ts";

const database = useTestDatabase();
const clock = new FakeClock();
let pages: ModerationServer;

beforeAll(async () => {
  pages = await startModerationPages(database, clock);
});
afterAll(async () => {
  await pages.server.close();
});

async function signedIn(community: Awaited<ReturnType<typeof reviewCommunity>>) {
  const client = new PageClient(pages.url);
  const opened = await client.signIn(await community.signInCode());
  expect(opened.status).toBe(303);
  const queue = await client.get(`/c/${community.communityId}/review`);
  expect(queue.status).toBe(200);
  return { client, csrf: csrfOf(queue.text) };
}

describe("signing in with a one-time link", () => {
  it("asks to confirm, then sets an HttpOnly SameSite cookie and sends the moderator to the review queue", async () => {
    const community = await reviewCommunity(database, clock);
    const code = await community.signInCode();
    const client = new PageClient(pages.url);
    const confirm = await client.get(`/login/${code}`);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain(`action="/login/${code}"`);
    expect(confirm.headers.get("referrer-policy")).toBe("same-origin");
    expect(client.cookie).toBeUndefined();

    const opened = await client.post(`/login/${code}`, {});
    expect(opened.status).toBe(303);
    expect(opened.headers.get("location")).toBe(`/c/${community.communityId}/review`);
    const cookie = opened.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^cairn_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=43200; /);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).not.toContain("Secure");

    const secret = (client.cookie ?? "").split("=")[1] ?? "";
    const session = await database.db.webSession.findUniqueOrThrow({
      where: { secretHash: hashSecret(secret) },
    });
    expect(session).toMatchObject({ communityId: community.communityId, memberId: community.mod.memberId });
    expect(await database.db.webSession.count({ where: { secretHash: secret } })).toBe(0);
    const link = await database.db.webSignIn.findUniqueOrThrow({ where: { codeHash: hashSecret(code) } });
    expect(link.usedAt).not.toBeNull();

    const queue = await client.get(`/c/${community.communityId}/review`);
    expect(queue.status).toBe(200);
    expect(queue.text).toContain("Signed in as mod.");
  });

  it("refuses a link used twice, an expired link and a made-up one, without a cookie", async () => {
    const community = await reviewCommunity(database, clock);
    const code = await community.signInCode();
    expect((await new PageClient(pages.url).signIn(code)).status).toBe(303);
    const again = new PageClient(pages.url);
    const reused = await again.signIn(code);
    expect(reused.status).toBe(410);
    expect(messageOf(reused.text)).toBe(
      "That sign-in link was already used; ask for a new one with /web login.",
    );
    expect(again.cookie).toBeUndefined();

    const late = await community.signInCode();
    clock.advanceMs(10 * 60_000);
    const expired = new PageClient(pages.url);
    expect((await expired.get(`/login/${late}`)).status).toBe(410);
    const refused = await expired.post(`/login/${late}`, {});
    expect(refused.status).toBe(410);
    expect(messageOf(refused.text)).toMatch(/^That sign-in link has expired/);
    expect(expired.cookie).toBeUndefined();

    const unknown = await new PageClient(pages.url).post(`/login/${"x".repeat(43)}`, {});
    expect(unknown.status).toBe(404);
    expect(await database.db.webSession.count({ where: { communityId: community.communityId } })).toBe(1);
  });

  it("refuses a sign-in posted from another site", async () => {
    const community = await reviewCommunity(database, clock);
    const code = await community.signInCode();
    const client = new PageClient(pages.url);
    const forged = await client.post(`/login/${code}`, {}, "https://evil.example");
    expect(forged.status).toBe(403);
    expect(client.cookie).toBeUndefined();
    expect((await client.signIn(code)).status).toBe(303);
  });

  it("shows no queue without a session, or with another community's", async () => {
    const community = await reviewCommunity(database, clock);
    const other = await reviewCommunity(database, clock);
    const anonymous = await new PageClient(pages.url).get(`/c/${community.communityId}/review`);
    expect(anonymous.status).toBe(401);
    expect(messageOf(anonymous.text)).toMatch(/^Sign in first/);
    const { client } = await signedIn(other);
    const elsewhere = await client.get(`/c/${community.communityId}/review`);
    expect(elsewhere.status).toBe(403);
    expect(messageOf(elsewhere.text)).toMatch(/^You are signed in to another community/);
  });
});

describe("the review queue's forms", () => {
  it("approve, reject, extend, reopen and void through the chat's use cases, each in the audit log and the mod log", async () => {
    const community = await reviewCommunity(database, clock);
    const [approved, rejected, extended] = [
      await community.contribution(),
      await community.contribution(),
      await community.contribution(),
    ];
    const { client, csrf } = await signedIn(community);
    const review = `/c/${community.communityId}/review`;
    const act = async (fields: Record<string, string>) => {
      const answer = await client.post(review, { csrf, ...fields });
      expect(answer.status).toBe(303);
      const landed = await client.get(answer.headers.get("location") ?? "");
      return { status: landed.status, line: messageOf(landed.text) };
    };

    expect(await act({ action: "approve", number: String(approved), reason: "clearly done" })).toEqual({
      status: 200,
      line: `#${approved} is verified (10 points awarded).`,
    });
    expect(await act({ action: "reject", number: `#${rejected}`, reason: "duplicate" })).toMatchObject({
      line: `#${rejected} is rejected (0 points awarded).`,
    });
    const before = await contributionRow(database.db, community.communityId, extended);
    expect(
      await act({ action: "extend", number: String(extended), reason: "more eyes", hours: "24" }),
    ).toMatchObject({
      status: 200,
      line: expect.stringMatching(new RegExp(`^Voting on #${extended} now closes `)) as string,
    });
    const after = await contributionRow(database.db, community.communityId, extended);
    expect(after.closesAt.getTime() - before.closesAt.getTime()).toBe(24 * 3_600_000);
    expect(await act({ action: "reopen", number: String(rejected), reason: "new evidence" })).toMatchObject({
      status: 200,
    });
    expect((await contributionRow(database.db, community.communityId, rejected)).status).toBe("PENDING");
    expect(await act({ action: "void", number: String(approved), reason: "plagiarised" })).toEqual({
      status: 200,
      line: `#${approved} is void; 10 points clawed back.`,
    });
    expect((await contributionRow(database.db, community.communityId, approved)).status).toBe("VOIDED");
    const clawback = await database.db.ledgerEntry.findFirstOrThrow({
      where: { communityId: community.communityId, kind: "CLAWBACK" },
    });
    expect(clawback).toMatchObject({ points: -1000, reason: "plagiarised", actorId: community.mod.memberId });

    const audit = await database.db.auditLog.findMany({
      where: { communityId: community.communityId },
      orderBy: { id: "asc" },
    });
    expect(audit.map((a) => [a.action, a.reason, a.actorId])).toEqual([
      ["review.approve", "clearly done", community.mod.memberId],
      ["review.reject", "duplicate", community.mod.memberId],
      ["review.extend", "more eyes", community.mod.memberId],
      ["review.reopen", "new evidence", community.mod.memberId],
      ["review.void", "plagiarised", community.mod.memberId],
    ]);
    const voided = audit.at(-1);
    const posted = await composeOutboxMessages(community.deps, community.communityId, {
      kind: "MOD_LOG",
      auditId: voided?.id ?? 0,
    });
    expect(posted.map((m) => renderPlainText(m.view)).join("\n")).toMatch(/mod.*review\.void.*plagiarised/s);
  });

  it("refuses a form without the session's CSRF token, or from another origin, and changes nothing", async () => {
    const community = await reviewCommunity(database, clock);
    const number = await community.contribution();
    const { client, csrf } = await signedIn(community);
    const review = `/c/${community.communityId}/review`;
    const fields = { action: "approve", number: String(number), reason: "forged" };
    const missing = await client.post(review, fields);
    expect(missing.status).toBe(403);
    expect(messageOf(missing.text)).toBe(
      "That form did not come from this page; reload the page and try again.",
    );
    expect((await client.post(review, { ...fields, csrf: `${csrf.slice(0, -1)}x` })).status).toBe(403);
    expect((await client.post(review, { ...fields, csrf }, "https://evil.example")).status).toBe(403);
    const other = await signedIn(await reviewCommunity(database, clock));
    expect((await client.post(review, { ...fields, csrf: other.csrf })).status).toBe(403);
    expect((await contributionRow(database.db, community.communityId, number)).status).toBe("PENDING");
    expect(await database.db.auditLog.count({ where: { communityId: community.communityId } })).toBe(0);
  });

  it("refuses a member who is no longer a moderator, on the page and on its forms", async () => {
    const community = await reviewCommunity(database, clock);
    const number = await community.contribution();
    const { client, csrf } = await signedIn(community);
    await database.db.member.update({ where: { id: community.mod.memberId }, data: { isModerator: false } });
    const page = await client.get(`/c/${community.communityId}/review`);
    expect(page.status).toBe(403);
    expect(messageOf(page.text)).toBe("Only moderators can do that.");
    const form = await client.post(`/c/${community.communityId}/review`, {
      csrf,
      action: "approve",
      number: String(number),
      reason: "still trying",
    });
    expect(form.status).toBe(403);
    expect(messageOf(form.text)).toBe("Only moderators can do that.");
    expect((await contributionRow(database.db, community.communityId, number)).status).toBe("PENDING");
  });

  it("shows the use case's refusal as one escaped line above the queue", async () => {
    const community = await reviewCommunity(database, clock);
    const number = await community.contribution('<script>alert("x")</script> & co');
    const { client, csrf } = await signedIn(community);
    const review = `/c/${community.communityId}/review`;
    const queue = await client.get(review);
    expect(queue.text).not.toContain("<script>");
    expect(queue.text).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co");
    const notVerified = await client.post(review, {
      csrf,
      action: "void",
      number: String(number),
      reason: "x",
    });
    expect(notVerified.status).toBe(422);
    expect(messageOf(notVerified.text)).toMatch(new RegExp(`#${number}`));
    const noReason = await client.post(review, {
      csrf,
      action: "approve",
      number: String(number),
      reason: " ",
    });
    expect(noReason.status).toBe(422);
    const badHours = await client.post(review, {
      csrf,
      action: "extend",
      number: String(number),
      reason: "x",
      hours: "9999",
    });
    expect(badHours.status).toBe(422);
    const unknown = await client.post(review, { csrf, action: "approve", number: "999", reason: "x" });
    expect(unknown.status).toBe(404);
    const badAction = await client.post(review, {
      csrf,
      action: "delete",
      number: String(number),
      reason: "x",
    });
    expect(badAction.status).toBe(422);
    expect(await database.db.auditLog.count({ where: { communityId: community.communityId } })).toBe(0);
  });
});

describe("Post/Redirect/Get", () => {
  it("answers a done form with 303 to the queue, whose reload shows the outcome again and acts no more", async () => {
    const community = await reviewCommunity(database, clock);
    const number = await community.contribution();
    const { client, csrf } = await signedIn(community);
    const review = `/c/${community.communityId}/review`;
    const before = await contributionRow(database.db, community.communityId, number);
    const posted = await client.post(review, {
      csrf,
      action: "extend",
      number: String(number),
      reason: "more eyes",
      hours: "24",
    });
    expect(posted.status).toBe(303);
    expect(posted.text).toBe("");
    const location = posted.headers.get("location") ?? "";
    expect(location).toMatch(new RegExp(`^${review}\\?done=.+&seal=[A-Za-z0-9_-]{43}$`));

    const first = await client.get(location);
    const again = await client.get(location);
    expect(first.status).toBe(200);
    expect(messageOf(first.text)).toMatch(new RegExp(`^Voting on #${number} now closes `));
    expect(messageOf(again.text)).toBe(messageOf(first.text));
    const after = await contributionRow(database.db, community.communityId, number);
    expect(after.closesAt.getTime() - before.closesAt.getTime()).toBe(24 * 3_600_000);
    expect(await database.db.auditLog.count({ where: { communityId: community.communityId } })).toBe(1);
    expect(messageOf((await client.get(review)).text)).toBe("");
  });

  it("shows no line a crafted link carries: unsealed, sealed for another session, or with markup", async () => {
    const community = await reviewCommunity(database, clock);
    const { client } = await signedIn(community);
    const other = await signedIn(community);
    const review = `/c/${community.communityId}/review`;
    const posted = await other.client.post(review, {
      csrf: other.csrf,
      action: "approve",
      number: String(await community.contribution()),
      reason: "fine",
    });
    const sealedElsewhere = await client.get(posted.headers.get("location") ?? "");
    expect(sealedElsewhere.status).toBe(200);
    expect(messageOf(sealedElsewhere.text)).toBe("");
    const crafted = await client.get(
      `${review}?${new URLSearchParams({ done: "<b>#1 is void</b>", seal: "x".repeat(43) })}`,
    );
    expect(messageOf(crafted.text)).toBe("");
    expect(crafted.text).not.toContain("#1 is void");
  });
});

describe("signing out", () => {
  it("revokes the session: its cookie no longer opens the queue", async () => {
    const community = await reviewCommunity(database, clock);
    const { client, csrf } = await signedIn(community);
    const kept = client.cookie;
    expect((await client.post("/logout", {})).status).toBe(403);
    const out = await client.post("/logout", { csrf });
    expect(out.status).toBe(303);
    expect(out.headers.get("location")).toBe("/logout");
    expect(out.headers.get("set-cookie")).toMatch(/^cairn_session=; Path=\/; Max-Age=0; /);
    expect(client.cookie).toBeUndefined();
    const landed = await client.get("/logout");
    expect(messageOf(landed.text)).toBe("You are signed out.");
    client.cookie = kept;
    const after = await client.get(`/c/${community.communityId}/review`);
    expect(after.status).toBe(401);
    expect(messageOf(after.text)).toMatch(/^Your web session has ended/);
  });

  it("ends by itself after 12 hours", async () => {
    const community = await reviewCommunity(database, clock);
    const { client } = await signedIn(community);
    clock.advanceHours(12);
    expect((await client.get(`/c/${community.communityId}/review`)).status).toBe(401);
  });
});
