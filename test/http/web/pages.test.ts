// Every public page through fastify's inject on the real database: what each
// shows, the off switch, bad input, escaping, ETags and the downloads.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import {
  hashEntry,
  ledgerLineToEntry,
  verifyChain,
  type HashedLedgerEntry,
} from "../../../src/core/ledger.ts";
import { useTestDatabase } from "../../support/db.ts";
import { FakeClock, webApp, webCommunity, type WebCommunity } from "./support.ts";

const database = useTestDatabase();
const clock = new FakeClock("2026-11-02T10:00:00.000Z");
let app: FastifyInstance;
let web: WebCommunity;
let base: string;

beforeAll(async () => {
  app = await webApp(database, clock);
  web = await webCommunity(database, clock);
  base = `/c/${web.community.communityId}`;
});
afterAll(async () => {
  await app.close();
});

/** The answer, with the body's runs of white space read as one space (markup layout is not what is tested). */
async function get(url: string, headers: Record<string, string> = {}) {
  const answer = await app.inject({ method: "GET", url, headers });
  const type = String(answer.headers["content-type"] ?? "");
  return Object.assign(answer, {
    body: type.startsWith("text/html")
      ? answer.body.replace(/\s+/g, " ").replace(/> </g, "><").replace(/ >/g, ">")
      : answer.body,
  });
}

/** No hostile text survives as markup: no tag we did not write, no script link, no override character. */
function expectEscaped(body: string): void {
  expect(body).not.toContain("<img src=x");
  expect(body).not.toContain("<script>alert");
  expect(body).not.toContain('href="javascript:');
  expect(body).not.toContain("\u202E");
}

describe("the off switch", () => {
  it("answers 404 with one line for a community whose pages are off, or unknown, on every page", async () => {
    const off = await webCommunity(database, clock, { publicPages: false });
    const id = off.community.communityId;
    for (const path of [
      "",
      "/ledger",
      "/members/1",
      "/contributions/1",
      "/ledger.jsonl",
      "/attribution.csv",
      "/board.png",
    ]) {
      const answer = await get(`/c/${id}${path}`);
      expect(answer.statusCode, path).toBe(404);
      expect(answer.body).toContain("publicPages on");
      expect(answer.body).not.toContain("alice");
    }
    expect((await get("/c/999999999")).statusCode).toBe(404);
    expect((await get("/c/abc")).statusCode).toBe(404);
    // Beyond the id column: unknown, not a database error.
    expect((await get("/c/2147483648")).statusCode).toBe(404);
  });
});

describe("the board", () => {
  it("shows the chat's board, its windows and filters, without hidden members", async () => {
    const answer = await get(base);
    expect(answer.statusCode).toBe(200);
    expect(answer.headers["content-type"]).toContain("text/html");
    const body = answer.body;
    expect(body).toContain(`<a href="${base}/members/${web.ids.alice}">`);
    expect(body).toContain("Leaderboard · all time · points");
    expect(body).not.toContain("Hidda");
    expect(body).toContain('<a href="' + base + '?window=week"');
    expect(body).toContain('name="category"');
    expect(body).toContain('<option value="season:Autumn">Season Autumn</option>');
    expect(body).toMatch(
      new RegExp(`<meta property="og:image" content="https://cairn.test${base}/board.png"`),
    );
    expect(body).toMatch(/<main id="main">/);
    expectEscaped(body);
    expect(body).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;Mallory");
  });

  it("reads window, category, score and members as the chat does, and refuses bad ones in one line", async () => {
    const week = await get(`${base}?window=week&score=active&members=all&category=code`);
    expect(week.statusCode).toBe(200);
    expect(week.body).toContain("Leaderboard · this week · code · active score · people and agents");
    const range = await get(`${base}?range=2026-10-01..2026-11-30`);
    expect(range.body).toContain("2026-10-01 to 2026-11-30");
    const bad = await get(`${base}?window=yesterday`);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("Windows: all, week, month, 7d, 30d");
    expect((await get(`${base}?score=loud`)).statusCode).toBe(400);
    const unknown = await get(`${base}?category=nope`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain("There is no category");
  });

  it("sends an ETag and answers 304 when the browser has the page", async () => {
    const first = await get(base);
    const etag = String(first.headers["etag"]);
    expect(etag).toMatch(/^"[\w-]{32}"$/);
    expect(first.headers["cache-control"]).toContain("max-age=30");
    const again = await get(base, { "if-none-match": etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe("");
    expect((await get(base, { "if-none-match": '"other"' })).statusCode).toBe(200);
  });

  it("draws its Open Graph picture, 304 for the same board", async () => {
    const picture = await get(`${base}/board.png?window=month`);
    expect(picture.statusCode).toBe(200);
    expect(picture.headers["content-type"]).toBe("image/png");
    expect(picture.rawPayload.subarray(1, 4).toString()).toBe("PNG");
    const again = await get(`${base}/board.png?window=month`, {
      "if-none-match": String(picture.headers["etag"]),
    });
    expect(again.statusCode).toBe(304);
  });
});

describe("profiles", () => {
  it("show a member's points, rank and recent work, with a card picture", async () => {
    const answer = await get(`${base}/members/${web.ids.alice}`);
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toContain("<h1><bdi>alice</bdi></h1>");
    expect(answer.body).toContain("#1 <bdi>Parser for the ledger</bdi></a>");
    expect(answer.body).toContain(`content="https://cairn.test${base}/members/${web.ids.alice}/card.png"`);
    const card = await get(`${base}/members/${web.ids.alice}/card.png`);
    expect(card.headers["content-type"]).toBe("image/png");
  });

  it("are absent for hidden members, other communities' members and bad ids", async () => {
    for (const path of [
      `/members/${web.ids.hidden}`,
      `/members/${web.ids.hidden}/card.png`,
      "/members/0",
      "/members/x",
    ]) {
      const answer = await get(`${base}${path}`);
      expect(answer.statusCode, path).toBe(404);
      expect(answer.body).not.toContain("Hidda");
    }
  });

  it("escape hostile names and strip right-to-left overrides", async () => {
    const hostile = await get(`${base}/members/${web.ids.hostile}`);
    expectEscaped(hostile.body);
    const rtl = await get(`${base}/members/${web.ids.rtl}`);
    expect(rtl.body).toContain("<bdi>Eveexe.txt</bdi>");
    expectEscaped(rtl.body);
  });
});

describe("contributions", () => {
  it("show credits, evidence with digests, votes and history", async () => {
    const answer = await get(`${base}/contributions/1`);
    expect(answer.statusCode).toBe(200);
    const body = answer.body;
    expect(body).toContain("verified, 15 points");
    expect(body).toContain(`sha256:${"ab".repeat(32)}`);
    expect(body).toMatch(/<a href="https:\/\/example\.org\/[\w-]+" rel="nofollow noopener noreferrer ugc">/);
    expect(body).toContain("2 approve · 0 reject");
    expect(body).toContain('<td>approve</td><td class="num">4</td>');
    expect(body).toContain("logged");
    expect(body).toContain("pending → verified");
  });

  it("leave hidden members unnamed in credits, votes and submitter", async () => {
    const hiddenWork = await get(`${base}/contributions/3`);
    expect(hiddenWork.statusCode).toBe(200);
    expect(hiddenWork.body).not.toContain("Hidda");
    expect(hiddenWork.body).toContain("a hidden member");
    expect(hiddenWork.body).not.toContain(`/members/${web.ids.hidden}"`);
    const votedOn = await get(`${base}/contributions/2`);
    expect(votedOn.body).not.toContain("Hidda");
  });

  it("show a script link as text and escape titles and descriptions", async () => {
    const answer = await get(`${base}/contributions/2`);
    expectEscaped(answer.body);
    expect(answer.body).toContain("<bdi>javascript:alert(document.cookie)</bdi>");
    expect(answer.body).toContain(
      "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;",
    );
    expect(answer.headers["content-security-policy"]).toContain("script-src 'self'");
  });

  it("keep blind votes blind while pending", async () => {
    const blind = await webCommunity(database, clock, { blindVoting: true });
    const answer = await get(`/c/${blind.community.communityId}/contributions/4`);
    expect(answer.body).toContain("1 vote(s) so far (blind voting)");
    expect(answer.body).not.toContain("<td>reject</td>");
    expect(answer.body).not.toContain("<bdi>bob</bdi>");
    const decided = await get(`/c/${blind.community.communityId}/contributions/1`);
    expect(decided.body).toContain("<td>approve</td>");
  });

  it("refuse unknown numbers in one line", async () => {
    const answer = await get(`${base}/contributions/999`);
    expect(answer.statusCode).toBe(404);
    expect(answer.body).toContain("There is no contribution #999");
    expect((await get(`${base}/contributions/-1`)).statusCode).toBe(404);
  });
});

describe("the contributions list", () => {
  it("lists every contribution newest first, linked from the board, hidden submitters unnamed, titles escaped", async () => {
    expect((await get(base)).body).toContain(`<a href="${base}/contributions">All contributions</a>`);
    const answer = await get(`${base}/contributions`);
    expect(answer.statusCode).toBe(200);
    const body = answer.body;
    const numbers = [
      ...body.matchAll(/<td class="num">(\d+)<\/td><td><a href="[^"]+\/contributions\/\d+">/g),
    ];
    expect(numbers.map((m) => m[1])).toEqual(["4", "3", "2", "1"]);
    expect(body).toContain("4 contributions");
    expect(body).not.toContain("Hidda");
    expect(body).toContain('<span class="muted">a hidden member</span>');
    expect(body).toContain("&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;");
    expectEscaped(body);
    expect(body).toContain('<a href="' + base + '/contributions" aria-current="page">Contributions</a>');
  });

  it("filters by status and pages by number with a cursor, as the API does", async () => {
    const pending = await get(`${base}/contributions?status=pending`);
    expect(pending.body).toContain("<caption> 1 contribution </caption>");
    expect(pending.body).toContain(`href="${base}/contributions/4"`);
    expect(pending.body).not.toContain(`href="${base}/contributions/1"`);
    expect(pending.body).toContain('href="' + base + '/contributions?status=pending" aria-current="true"');

    const first = await get(`${base}/contributions?status=verified&limit=2`);
    expect(first.body).toContain(`href="${base}/contributions/3"`);
    expect(first.body).toContain(`href="${base}/contributions/2"`);
    expect(first.body).not.toContain(`href="${base}/contributions/1"`);
    const older = /<a href="([^"]+)" rel="next">Older<\/a>/.exec(first.body)?.[1] ?? "";
    expect(older).toBe(`${base}/contributions?status=verified&amp;cursor=2&amp;limit=2`);
    const second = await get(older.replaceAll("&amp;", "&"));
    expect(second.body).toContain(`href="${base}/contributions/1"`);
    expect(second.body).not.toContain(`href="${base}/contributions/2"`);
    expect(second.body).toContain(">Newest</a>");
    expect(second.body).not.toContain('rel="next"');
  });

  it("shows no votes of a pending contribution, blind or not", async () => {
    const blind = await webCommunity(database, clock, { blindVoting: true });
    const answer = await get(`/c/${blind.community.communityId}/contributions?status=pending`);
    expect(answer.body).toContain(`/contributions/4"`);
    const rows = /<tbody>.*<\/tbody>/.exec(answer.body)?.[0] ?? "";
    expect(rows).toContain("<td>pending</td>");
    expect(rows).not.toMatch(/reject|vote|bob/i);
  });

  it("refuses a status, cursor or limit it cannot read in one line, escaped", async () => {
    const status = await get(`${base}/contributions?status=<b>x</b>`);
    expect(status.statusCode).toBe(400);
    expect(status.body).toContain("Statuses: pending, verified, rejected, expired, withdrawn, voided.");
    expect(status.body).not.toContain("<b>x</b>");
    expect((await get(`${base}/contributions?cursor=-3`)).statusCode).toBe(400);
    expect((await get(`${base}/contributions?limit=0`)).statusCode).toBe(400);
    expect((await get(`${base}/contributions?limit=101`)).statusCode).toBe(400);
  });
});

describe("seasons", () => {
  it("list the seasons and show a season's board", async () => {
    const list = await get(`${base}/seasons`);
    expect(list.body).toContain(`<a href="${base}/seasons/Autumn">`);
    const season = await get(`${base}/seasons/Autumn`);
    expect(season.statusCode).toBe(200);
    expect(season.body).toContain("Leaderboard · season Autumn · points");
    const unknown = await get(`${base}/seasons/Winter`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain("There is no season called Winter");
  });
});

describe("the ledger explorer and downloads", () => {
  it("pages the ledger by sequence number with the facts the browser checks", async () => {
    const answer = await get(`${base}/ledger?from=2`);
    expect(answer.statusCode).toBe(200);
    const data = /<script type="application\/json" id="ledger-data">(.*?)<\/script>/s.exec(answer.body)?.[1];
    const parsed = JSON.parse(data ?? "null") as {
      from: number;
      anchorHash: string;
      entries: Array<Record<string, unknown>>;
    };
    expect(parsed.from).toBe(2);
    const entries = parsed.entries.map((e) => {
      const read = ledgerLineToEntry(JSON.stringify(e));
      if (!read.ok) throw new Error("bad entry");
      return read.value;
    });
    expect(entries[0]?.seq).toBe(2);
    expect(entries[0]?.prevHash).toBe(parsed.anchorHash);
    for (const entry of entries) expect(hashEntry(entry.prevHash, entry)).toBe(entry.hash);
    expect(answer.body).toContain('<script src="/assets/ledger-check.js" defer></script>');
    expect((await get(`${base}/ledger?from=0`)).statusCode).toBe(400);
    // Past the head: an empty page; past what a sequence number can be: refused.
    expect((await get(`${base}/ledger?from=999`)).statusCode).toBe(200);
    expect((await get(`${base}/ledger?from=2147483649`)).statusCode).toBe(400);
    expect((await get("/assets/ledger-check.js")).headers["content-type"]).toContain("javascript");
  });

  it("downloads the ledger as JSON lines that verify, and the public attribution CSV", async () => {
    const ledger = await get(`${base}/ledger.jsonl`);
    expect(ledger.headers["content-disposition"]).toContain("attachment");
    const entries: HashedLedgerEntry[] = ledger.body
      .trim()
      .split("\n")
      .map((line) => {
        const read = ledgerLineToEntry(line);
        if (!read.ok) throw new Error(line);
        return read.value;
      });
    expect(verifyChain(entries)).toMatchObject({ ok: true, count: entries.length });
    expect(
      (await get(`${base}/ledger.jsonl`, { "if-none-match": String(ledger.headers["etag"]) })).statusCode,
    ).toBe(304);

    const csv = await get(`${base}/attribution.csv`);
    expect(csv.headers["content-type"]).toContain("text/csv");
    const lines = csv.body.trim().split("\r\n");
    expect(lines[0]).toBe(
      "member_id,name,kind,award,verifier_reward,clawback,adjustment,verified,net,share_pct",
    );
    expect(csv.body).toContain(`${web.ids.hidden},(hidden),person`);
    expect(csv.body).not.toContain("Hidda");
    expect(csv.body).not.toContain("console:");
    expect((await get(`${base}/attribution.csv?window=bad`)).statusCode).toBe(400);
  });
});
