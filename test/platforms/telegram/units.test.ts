// The pure parts of the Telegram adapter: button data, HTML, splitting, command names, errors.
import { TelegramError } from "telegraf";
import { describe, expect, it, vi } from "vitest";
import type { User } from "telegraf/types";
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
import { DialogueTimers } from "../../../src/platforms/telegram/dialogueState.ts";
import { inlineKeyboard, keyboardLabels } from "../../../src/platforms/telegram/keyboard.ts";
import {
  SeenPeople,
  creditClaims,
  personLookup,
  withMentionHandles,
  withNamedPeople,
} from "../../../src/platforms/telegram/mentions.ts";
import { expiringMap, rewriteValues } from "../../../src/platforms/memory.ts";
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
    expect(html).toContain(
      "Look: &lt;b&gt;bold&lt;/b&gt; &amp; &lt;a href='x'&gt;link&lt;/a&gt; @\u2060everyone",
    );
    expect(html).toContain("<b>Co&lt;de&gt;:</b> a &amp; b");
    expect(html).toContain("&lt;second line&gt;");
    // The only tags are the bold ones written here.
    expect(html.match(/<[a-z/][^>]*>/g)).toEqual(["<b>", "</b>", "<b>", "</b>"]);
    expect(htmlToText(html)).toContain("<b>bold</b> & <a href='x'>link</a> @everyone");
  });

  it("marks refusals and successes like the console", () => {
    expect(renderHtml({ visibility: "private", tone: "refusal", lines: ["No."] })).toBe("✗ No.");
    expect(escapeHtml('&<>"')).toBe("&amp;&lt;&gt;&quot;");
  });

  it("keeps a typed @name from becoming a mention that notifies anyone, and reads the same as text", () => {
    const html = renderHtml(publicView(["thanks @ann and @everyone, mail me@x.org, a lone @ stays"]));
    expect(html).not.toMatch(/@[A-Za-z0-9_]/);
    expect(htmlToText(html)).toBe("thanks @ann and @everyone, mail me@x.org, a lone @ stays");
  });

  it("renders a title with a line break as two bold lines, never a tag across lines", () => {
    const html = renderHtml(publicView(["x"], { title: "one\ntwo" }));
    expect(html.split("\n").slice(0, 2)).toEqual(["<b>one</b>", "<b>two</b>"]);
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

describe("clean truncation", () => {
  /** Every part is whole HTML: only <b> pairs, opened and closed on the same line, and only known entities. */
  function expectWholeHtml(part: string, limit: number): void {
    expect(part.length).toBeLessThanOrEqual(limit);
    for (const line of part.split("\n")) {
      const tags = line.match(/<[^>]*>/g) ?? [];
      expect(
        tags.every((tag) => tag === "<b>" || tag === "</b>"),
        line,
      ).toBe(true);
      expect(tags.filter((t) => t === "<b>").length, line).toBe(tags.filter((t) => t === "</b>").length);
    }
    expect(part).not.toMatch(/&(?!amp;|lt;|gt;|quot;)/);
    expect(part).not.toMatch(/<[^>]*$/);
    expect(part).not.toMatch(/[\uD800-\uDBFF]$/);
  }

  const hostile = (seed: number): View => {
    const piece = (i: number) =>
      ["<b>", "&amp;", '"', "😀", "@ann", "x".repeat((seed * 7 + i) % 50), "\n"][i % 7];
    const text = (n: number) => Array.from({ length: n }, (_, i) => piece(i + seed)).join("");
    return publicView(
      Array.from({ length: 5 + (seed % 7) }, (_, i) => text(20 + ((seed * 13 + i * 31) % 400))),
      {
        title: text(10 + (seed % 60)),
        fields: [
          { name: "Links", value: Array.from({ length: 4 }, (_, i) => text(30 + i * seed)).join("\n") },
        ],
      },
    );
  };

  it("cuts a card or caption to one message of whole HTML, whatever the text, at any limit", () => {
    for (let seed = 1; seed <= 60; seed += 1) {
      for (const limit of [120, 300, 1024, 4096]) {
        const single = renderSingle(hostile(seed), limit);
        expectWholeHtml(single, limit);
      }
    }
  });

  it("splits a reply into parts of whole HTML that keep all of the text", () => {
    for (let seed = 1; seed <= 30; seed += 1) {
      const view = hostile(seed);
      const parts = renderMessages(view, 1000, 200);
      for (const part of parts) expectWholeHtml(part, 200);
      expect(parts.map(htmlToText).join("").replace(/\n/g, "")).toBe(
        htmlToText(renderHtml(view)).replace(/\n/g, ""),
      );
    }
  });

  it("keeps the title of a card cut to a caption and ends it with the note", () => {
    const view = publicView(
      Array.from({ length: 100 }, (_, i) => `evidence ${i} https://example.org/${"p".repeat(40)}`),
      { title: "#12 A <long> one" },
    );
    const caption = renderSingle(view, 1024);
    expect(caption.startsWith("<b>#12 A &lt;long&gt; one</b>\n")).toBe(true);
    expect(caption.endsWith("… (cut: too long for Telegram)")).toBe(true);
  });
});

describe("people named in commands", () => {
  const user = (id: number, first_name: string, username?: string): User => ({
    id,
    is_bot: false,
    first_name,
    ...(username === undefined ? {} : { username }),
  });
  const hal = user(11, "Hal", "hal_j");
  const zoe = user(12, "Zoë Quinn");

  it("writes text mentions as @handles, at UTF-16 offsets, keeping a typed @ single", () => {
    const text = "😀 with Zoë Quinn:40 @Ivan";
    const ivan = user(13, "Иван");
    const written = withMentionHandles(text, [
      { type: "bold", offset: 0, length: 2 },
      { type: "text_mention", offset: text.indexOf("Zoë"), length: "Zoë Quinn".length, user: zoe },
      { type: "text_mention", offset: text.indexOf("Ivan"), length: 4, user: ivan },
    ]);
    expect(written.text).toBe("😀 with @Zo_Quinn:40 @user13");
    expect(written.people.get("zo_quinn")).toBe(zoe);
    expect(written.people.get("user13")).toBe(ivan);
  });

  it("makes a handle unique when the same name is also typed as an @handle", () => {
    const written = withMentionHandles("with @Hal Hal", [
      { type: "text_mention", offset: 10, length: 3, user: user(14, "Hal") },
    ]);
    expect(written.text).toBe("with @Hal @Hal_14");
  });

  it("remembers people per group by username, case-insensitively, and never bots or people without one", () => {
    const seen = new SeenPeople();
    seen.remember("-1", hal);
    seen.remember("-1", zoe);
    seen.remember("-1", { id: 99, is_bot: true, first_name: "Bot", username: "some_bot" });
    expect(seen.find("-1", "HAL_J")).toBe(hal);
    expect(seen.find("-2", "hal_j")).toBeUndefined();
    expect(seen.find("-1", "some_bot")).toBeUndefined();
  });

  it("forgets the oldest people when full", () => {
    const seen = new SeenPeople(60_000, 2);
    seen.remember("-1", user(1, "A", "aaaaa"));
    seen.remember("-1", user(2, "B", "bbbbb"));
    seen.remember("-1", user(3, "C", "ccccc"));
    expect(seen.find("-1", "aaaaa")).toBeUndefined();
    expect(seen.find("-1", "ccccc")?.id).toBe(3);
  });

  it("gives co-authors and members as accounts where known, as stored usernames otherwise (never display names), and leaves bad credits to the command", () => {
    const seen = new SeenPeople();
    seen.remember("-1", hal);
    const lookup = personLookup(new Map([["zo_quinn", zoe]]), seen, "-1");
    expect(creditClaims(["@hal_j:60", "@Zo_Quinn", "@stranger:10"], lookup)).toEqual([
      {
        member: { kind: "user", user: { platform: "TELEGRAM", userId: "11", displayName: "Hal" } },
        shareBp: 6000,
      },
      {
        member: { kind: "user", user: { platform: "TELEGRAM", userId: "12", displayName: "Zoë Quinn" } },
        shareBp: null,
      },
      { member: { kind: "username", platform: "TELEGRAM", username: "stranger" }, shareBp: 1000 },
    ]);
    expect(creditClaims(["@hal_j:abc"], lookup)).toBeNull();
    const ban = catalog.find((c) => c.name === "member" && c.sub === "ban");
    if (ban === undefined) throw new Error("no /member ban");
    expect(withNamedPeople(ban, { member: "@hal_j", reason: "spam" }, lookup)).toMatchObject({
      member: { kind: "user", user: { userId: "11" } },
      reason: "spam",
    });
    expect(withNamedPeople(ban, { member: "@nobody", reason: "spam" }, lookup)).toEqual({
      member: { kind: "username", platform: "TELEGRAM", username: "nobody" },
      reason: "spam",
    });
  });
});

describe("dialogue timers", () => {
  it("fires once after the timeout, restarts when armed again, and never fires once disarmed", () => {
    vi.useFakeTimers();
    try {
      const timers = new DialogueTimers(1_000);
      const fired: number[] = [];
      timers.arm(1, () => fired.push(1));
      timers.arm(2, () => fired.push(2));
      vi.advanceTimersByTime(600);
      timers.arm(1, () => fired.push(1));
      timers.disarm(2);
      vi.advanceTimersByTime(600);
      expect(fired).toEqual([]);
      vi.advanceTimersByTime(500);
      expect(fired).toEqual([1]);
      expect(timers.armed).toBe(0);
      timers.arm(3, () => fired.push(3));
      timers.disarmAll();
      vi.advanceTimersByTime(5_000);
      expect(fired).toEqual([1]);
    } finally {
      vi.useRealTimers();
    }
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
      digests: [],
      agentVotes: 0,
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

  it("rewrites remembered values (a group that moved) and keeps when they were set", () => {
    // Any real clock reading; lru-cache takes a set time of 0 for "no time".
    let now = 1_000_000;
    const map = expiringMap<number, { chatId: string }>(100, 10, () => now);
    map.set(1, { chatId: "-1" });
    map.set(2, { chatId: "-2" });
    now += 60;
    rewriteValues(map, (group) => (group.chatId === "-1" ? { chatId: "-100" } : group));
    expect(map.get(1)).toEqual({ chatId: "-100" });
    expect(map.get(2)).toEqual({ chatId: "-2" });
    now += 41;
    expect(map.get(1)).toBeUndefined();
  });

  it("forgets entries after their time", () => {
    let now = 1_000_000;
    const map = expiringMap<string, number>(100, 2, () => now);
    map.set("a", 1);
    now += 50;
    expect(map.get("a")).toBe(1);
    now += 51;
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
    expect(secretMatches("s3cret", ["s3cret", "s3cret"])).toBe(false);
  });

  it("a forged update with a longer, shorter or empty secret is refused", () => {
    expect(secretMatches("s3cret", "s3cret-and-more")).toBe(false);
    expect(secretMatches("s3cret", "s3")).toBe(false);
    expect(secretMatches("s3cret", "")).toBe(false);
    expect(secretMatches("x".repeat(256), "x".repeat(256))).toBe(true);
  });

  it("reads only group deep links it wrote", () => {
    expect(readGroupPayload("c_-1001234")).toEqual({ kind: "c", chatId: -1001234 });
    expect(readGroupPayload("g_1234")).toBeNull();
    expect(readGroupPayload("x_-1")).toBeNull();
  });
});
