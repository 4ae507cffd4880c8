// The kept board pages: a page sent again is byte for byte the page drawn
// afresh, and every write that changes the board (a vote deciding, a void, a
// member hiding, the pages turned off) shows on the very next request.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import Fastify, { type FastifyInstance } from "fastify";
import { randomUUID } from "node:crypto";
import { logContribution } from "../../../src/app/contributions.ts";
import { setConfig } from "../../../src/app/community.ts";
import type { Actor } from "../../../src/app/deps.ts";
import { voidContribution } from "../../../src/app/moderation.ts";
import { setProfileVisibility } from "../../../src/app/profile.ts";
import { castVote } from "../../../src/app/votes.ts";
import { webPlugin } from "../../../src/http/web/plugin.ts";
import { silentLog } from "../../../src/logger.ts";
import { useTestDatabase } from "../../support/db.ts";
import { valueOf } from "../../support/communities.ts";
import { FakeClock, webApp, webCommunity, type WebCommunity } from "./support.ts";

const database = useTestDatabase();
const clock = new FakeClock("2026-11-02T10:00:00.000Z");
let kept: FastifyInstance;
let fresh: FastifyInstance;
let web: WebCommunity;
let base: string;
let mod: Actor;
let dave: Actor;

beforeAll(async () => {
  kept = await webApp(database, clock);
  fresh = Fastify();
  await fresh.register(
    webPlugin({
      deps: { ...database, clock },
      log: silentLog,
      publicUrl: "https://cairn.test",
      boardPages: { max: 0, sliceMs: 1 },
    }),
  );
  await fresh.ready();
});
// Each test reads and writes a community of its own, so none sees another's votes, void or settings.
beforeEach(async () => {
  web = await webCommunity(database, clock);
  base = `/c/${web.community.communityId}`;
  mod = await web.community.member("mona", { moderator: true });
  dave = await web.community.member("Dave Newcomer");
});
afterAll(async () => {
  await kept.close();
  await fresh.close();
});

async function board(app: FastifyInstance, url = base) {
  return app.inject({ method: "GET", url });
}

/** Dave logs a piece of work; returns its number. */
async function logWork(title: string): Promise<number> {
  const logged = valueOf(
    await logContribution(web.community.deps, dave, {
      categorySlug: "code",
      title,
      links: [`https://example.org/${randomUUID()}`],
    }),
  );
  return logged.number;
}

/** Bob and the moderator approve it: the community's quorum of 2, so it is verified. */
async function approveByBobAndMod(number: number): Promise<void> {
  const bob = await web.community.member("bob");
  valueOf(await castVote(web.community.deps, bob, { number, choice: "APPROVE" }));
  valueOf(await castVote(web.community.deps, mod, { number, choice: "APPROVE" }));
}

/** The kept page, sent twice (the second time from the cache), is the page drawn afresh. */
async function expectCurrent(url = base): Promise<string> {
  const first = await board(kept, url);
  const again = await board(kept, url);
  const drawn = await board(fresh, url);
  expect(first.statusCode).toBe(200);
  expect(again.body).toBe(drawn.body);
  expect(first.body).toBe(drawn.body);
  expect(again.headers["etag"]).toBe(drawn.headers["etag"]);
  return again.body;
}

describe("kept board pages", () => {
  it("are byte for byte the page drawn afresh, with the same ETag and 304", async () => {
    for (const url of [base, `${base}?score=active`, `${base}?window=month`, `${base}/seasons/Autumn`])
      await expectCurrent(url);
    const etag = String((await board(kept)).headers["etag"]);
    const cached = await kept.inject({ method: "GET", url: base, headers: { "if-none-match": etag } });
    expect(cached.statusCode).toBe(304);
  });

  it("show a contribution logged and then verified by a vote on the next request", async () => {
    const before = await expectCurrent();
    expect(before).not.toContain("Dave Newcomer");
    const number = await logWork("Fresh work on the board");
    const listed = await expectCurrent();
    expect(listed).toContain("Fresh work on the board");
    expect(listed).not.toMatch(/Dave Newcomer<\/bdi><\/a>\s*<\/td>/);
    await approveByBobAndMod(number);
    const decided = await expectCurrent();
    expect(decided).not.toBe(listed);
    expect(decided).toContain(`/members/${dave.memberId}"`);
  });

  it("show a moderator's void on the next request", async () => {
    const before = await expectCurrent();
    valueOf(await voidContribution(web.community.deps, mod, { number: 1, reason: "Copied work" }));
    const after = await expectCurrent();
    expect(after).not.toBe(before);
  });

  it("leave out a member who hides on the next request", async () => {
    await approveByBobAndMod(await logWork("Work that puts Dave on the board"));
    expect(await expectCurrent()).toContain(`/members/${dave.memberId}"`);
    valueOf(await setProfileVisibility(web.community.deps, dave, true));
    const after = await expectCurrent();
    expect(after).not.toContain(`/members/${dave.memberId}"`);
    expect(after).not.toContain("Dave Newcomer");
  });

  it("are not sent once the pages are turned off", async () => {
    await expectCurrent();
    valueOf(await setConfig(web.community.deps, mod, { key: "publicPages", value: "off" }));
    expect((await board(kept)).statusCode).toBe(404);
    expect((await board(kept, `${base}/seasons/Autumn`)).statusCode).toBe(404);
  });
});
