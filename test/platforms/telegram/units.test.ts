// The pure parts of the Telegram adapter: button data, HTML, splitting, command names, errors.
import { TelegramError } from "telegraf";
import { describe, expect, it } from "vitest";
import { catalog } from "../../../src/commands/catalog.ts";
import { voteButtons, voteCardView } from "../../../src/views/contribution.ts";
import { publicView, type View } from "../../../src/views/view.ts";
import {
  decodeButtonPress,
  encodeDialogueAnswer,
  encodeVoteButton,
  voteCommandText,
} from "../../../src/platforms/telegram/callbackData.ts";
import {
  commandMenus,
  commandNameMap,
  telegramCommandName,
  toCatalogCommand,
} from "../../../src/platforms/telegram/commandNames.ts";
import { scrubToken, telegramFailure, toPlatformError } from "../../../src/platforms/telegram/errors.ts";
import {
  MESSAGE_LIMIT,
  escapeHtml,
  htmlToText,
  renderHtml,
  renderMessages,
  renderSingle,
} from "../../../src/platforms/telegram/html.ts";
import { inlineKeyboard, keyboardLabels } from "../../../src/platforms/telegram/keyboard.ts";
import { ExpiringMap, RecentUpdates } from "../../../src/platforms/telegram/memory.ts";
import { topicOf } from "../../../src/platforms/telegram/outgoing.ts";
import { readGroupPayload } from "../../../src/platforms/telegram/replies.ts";
import { readUpdate, secretMatches } from "../../../src/platforms/telegram/webhook.ts";

describe("callback data", () => {
  it("encodes every vote-card button within 64 bytes and decodes it back to the same command", () => {
    for (const button of voteButtons(2_147_483_647)) {
      const data = encodeVoteButton(button.command);
      expect(data).not.toBeNull();
      expect(Buffer.byteLength(data ?? "")).toBeLessThanOrEqual(64);
      const press = decodeButtonPress(data ?? "");
      expect(press?.kind).toBe("vote");
      if (press?.kind === "vote") expect(voteCommandText(press)).toBe(button.command);
    }
    expect(encodeVoteButton("/vote #12 approve 4")).toBe("v:12:a:4");
  });

  it("refuses data it never wrote: bad numbers, impact on a rejection, other prefixes, oversize", () => {
    for (const data of [
      "v:0:a",
      "v:99999999999:a",
      "v:12:r:3",
      "v:12:a:6",
      "v:12:x",
      "v:-1:a",
      "x:12",
      "d:DOCS",
      "d:",
      `d:${"a".repeat(70)}`,
      "",
    ]) {
      expect(decodeButtonPress(data), data).toBeNull();
    }
    expect(decodeButtonPress(undefined)).toBeNull();
  });

  it("encodes dialogue answers only when they fit and decode unambiguously", () => {
    expect(encodeDialogueAnswer("docs")).toBe("d:docs");
    expect(decodeButtonPress("d:docs")).toEqual({ kind: "dialogue", answer: "docs" });
    expect(encodeDialogueAnswer("a".repeat(63))).toBeNull();
    expect(encodeDialogueAnswer("Has Space")).toBeNull();
  });
});

describe("HTML rendering", () => {
  const hostile: View = publicView(["Look: <b>bold</b> & <a href='x'>link</a> @everyone"], {
    title: "#3 <i>Title</i> — by <script>",
    fields: [{ name: "Co<de>", value: "a & b\n<second line>" }],
  });

  it("escapes every user string so nothing renders as markup", () => {
    const html = renderHtml(hostile);
    expect(html).toContain("<b>#3 &lt;i&gt;Title&lt;/i&gt; — by &lt;script&gt;</b>");
    expect(html).toContain("Look: &lt;b&gt;bold&lt;/b&gt; &amp; &lt;a href='x'&gt;link&lt;/a&gt; @everyone");
    expect(html).toContain("<b>Co&lt;de&gt;:</b> a &amp; b");
    expect(html).toContain("&lt;second line&gt;");
    // The only tags are the bold ones written here.
    expect(html.match(/<[a-z/][^>]*>/g)).toEqual(["<b>", "</b>", "<b>", "</b>"]);
    expect(htmlToText(html)).toContain("<b>bold</b> & <a href='x'>link</a> @everyone");
  });

  it("marks refusals and successes like the console", () => {
    expect(renderHtml({ visibility: "private", tone: "refusal", lines: ["No."] })).toBe("✗ No.");
    expect(escapeHtml("&<>")).toBe("&amp;&lt;&gt;");
  });

  it("splits long replies at line boundaries into messages of at most 4096 characters", () => {
    const lines = Array.from({ length: 300 }, (_, i) => `line ${i} ${"<x>".repeat(10)}`);
    const parts = renderMessages(publicView(lines, { title: "Long" }), 20);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(MESSAGE_LIMIT);
    expect(parts.map(htmlToText).join("\n")).toBe(["Long", ...lines].join("\n"));
  });

  it("cuts a single overlong line between characters, never inside an entity or a surrogate pair", () => {
    const line = "&😀".repeat(3000);
    const parts = renderMessages(publicView([line]), 10);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(MESSAGE_LIMIT);
      expect(part).not.toMatch(/&(?!amp;)/);
      expect(part).not.toMatch(/[\uD800-\uDBFF]$/);
    }
    expect(parts.map(htmlToText).join("")).toBe(line);
  });

  it("truncates with a note beyond the reply's part limit, and to one message for cards", () => {
    const lines = Array.from({ length: 2000 }, (_, i) => `row ${i} ${"x".repeat(40)}`);
    const parts = renderMessages(publicView(lines), 2);
    expect(parts).toHaveLength(2);
    expect(parts[1]).toMatch(/cut: too long for Telegram/);
    const single = renderSingle(publicView(lines, { title: "<Card>" }));
    expect(single.length).toBeLessThanOrEqual(MESSAGE_LIMIT);
    expect(single.startsWith("<b>&lt;Card&gt;</b>")).toBe(true);
    expect(single).toMatch(/\(cut: too long for Telegram\)$/);
  });
});

describe("inline keyboard", () => {
  it("lays out the vote card as the three choices, then the impact row", () => {
    const card = voteCardView({
      number: 7,
      title: "t",
      submitter: "s",
      description: "",
      category: "docs",
      credits: [],
      links: [],
      tally: { approvals: 0, rejections: 0, voters: 0 },
      status: "PENDING",
      closesAt: new Date(0),
      questions: [],
    } as unknown as Parameters<typeof voteCardView>[0]);
    const keyboard = inlineKeyboard(card.buttons ?? []);
    expect(keyboard.inline_keyboard.map((row) => row.map((b) => b.text))).toEqual([
      ["Approve", "Reject", "Needs info"],
      ["Impact 1", "Impact 2", "Impact 3", "Impact 4", "Impact 5"],
    ]);
    expect(keyboardLabels(inlineKeyboard([]))).toEqual([]);
  });
});

describe("command names", () => {
  it("maps catalog names to Telegram's alphabet and back", () => {
    expect(telegramCommandName("forget-me")).toBe("forget_me");
    const names = commandNameMap(catalog);
    expect(toCatalogCommand("/forget_me@TestNameBot", names)).toBe("/forget-me@TestNameBot");
    expect(toCatalogCommand("/Vote #1 approve", names)).toBe("/vote #1 approve");
    expect(toCatalogCommand("hello", names)).toBe("hello");
  });

  it("registers only what it accepts: every menu command maps back to a catalog command", () => {
    const menus = commandMenus(catalog);
    const names = commandNameMap(catalog);
    for (const entry of [...menus.privateChats, ...menus.groups, ...menus.administrators]) {
      expect(entry.command).toMatch(/^[a-z0-9_]{1,32}$/);
      expect(entry.description.length).toBeGreaterThanOrEqual(3);
      expect(entry.description.length).toBeLessThanOrEqual(256);
      expect(names.has(entry.command)).toBe(true);
    }
    const member = menus.groups.map((e) => e.command);
    const admin = menus.administrators.map((e) => e.command);
    expect(member).toContain("forget_me");
    expect(member).not.toContain("review");
    expect(admin).toEqual(expect.arrayContaining(["review", "member", "config", "vote"]));
    expect(new Set(admin).size).toBe(admin.length);
  });
});

describe("errors", () => {
  const error = (code: number, description: string, parameters?: object) =>
    new TelegramError({ error_code: code, description, ...(parameters ? { parameters } : {}) });

  it("maps Telegram's failures to the port's", () => {
    expect(telegramFailure(error(429, "Too Many Requests", { retry_after: 7 }))).toEqual({
      kind: "rate_limited",
      retryAfterMs: 7000,
      scope: "chat",
    });
    expect(telegramFailure(error(400, "Bad Request: chat not found"))).toMatchObject({ reason: "chat_gone" });
    expect(
      telegramFailure(
        error(400, "Bad Request: group chat was upgraded to a supergroup chat", { migrate_to_chat_id: -100 }),
      ),
    ).toMatchObject({ reason: "chat_gone" });
    expect(telegramFailure(error(403, "Forbidden: bot was kicked from the group chat"))).toMatchObject({
      reason: "bot_removed",
    });
    expect(telegramFailure(error(403, "Forbidden: bot was blocked by the user"))).toMatchObject({
      reason: "bot_removed",
    });
    expect(telegramFailure(error(400, "Bad Request: message to edit not found"))).toMatchObject({
      reason: "message_deleted",
    });
    expect(telegramFailure(error(400, "Bad Request: can't parse entities"))).toMatchObject({
      reason: "bad_request",
    });
    expect(telegramFailure(error(502, "Bad Gateway"))).toMatchObject({ kind: "transient" });
    expect(telegramFailure(new Error("socket hang up"))).toMatchObject({ kind: "transient" });
  });

  it("never lets the token into a message", () => {
    const token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    const network = new Error(`request to https://api.telegram.org/bot${token}/sendMessage failed`);
    expect(toPlatformError(network, "sendMessage", token).message).not.toContain(token);
    expect(scrubToken(`url /bot${token}/x`)).not.toContain("AAHdq");
    expect(toPlatformError(error(400, `weird ${token}`), "sendMessage", token).message).not.toContain(token);
  });
});

describe("small pieces", () => {
  it("takes a topic only when it is a plain small integer (not a Discord snowflake)", () => {
    const target = (channelRef: string | null) =>
      ({
        kind: "chat",
        platform: "TELEGRAM",
        chatId: "-100",
        channel: "verification",
        channelRef,
        label: "#v",
      }) as const;
    expect(topicOf(target("42"))).toBe(42);
    expect(topicOf(target("123456789012345678"))).toBeUndefined();
    expect(topicOf(target("general"))).toBeUndefined();
    expect(topicOf(target(null))).toBeUndefined();
  });

  it("remembers recent update ids, boundedly", () => {
    const recent = new RecentUpdates(3);
    expect([1, 2, 1, 3, 4, 1].map((id) => recent.firstTime(id))).toEqual([
      true,
      true,
      false,
      true,
      true,
      true,
    ]);
  });

  it("forgets entries after their time", () => {
    let now = 0;
    const map = new ExpiringMap<string, number>(100, 2, () => now);
    map.set("a", 1);
    now = 50;
    expect(map.get("a")).toBe(1);
    now = 151;
    expect(map.get("a")).toBeUndefined();
    map.set("x", 1);
    map.set("y", 2);
    map.set("z", 3);
    expect(map.get("x")).toBeUndefined();
  });

  it("reads webhook bodies and secrets strictly", () => {
    expect(readUpdate('{"update_id": 5, "message": {}}')).toMatchObject({ update_id: 5 });
    expect(readUpdate("{}")).toBeNull();
    expect(readUpdate('{"update_id": "5"}')).toBeNull();
    expect(readUpdate("not json")).toBeNull();
    expect(secretMatches("s3cret", "s3cret")).toBe(true);
    expect(secretMatches("s3cret", "s3cre")).toBe(false);
    expect(secretMatches("s3cret", undefined)).toBe(false);
    expect(secretMatches(undefined, undefined)).toBe(true);
  });

  it("reads only group deep links it wrote", () => {
    expect(readGroupPayload("c_-1001234")).toEqual({ kind: "c", chatId: -1001234 });
    expect(readGroupPayload("g_1234")).toBeNull();
    expect(readGroupPayload("x_-1")).toBeNull();
  });
});
