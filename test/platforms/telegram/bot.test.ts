// The real telegraf bot against telegram-test-api, with Cairn's job workers
// delivering through telegramOutgoing: commands in groups and private chats,
// the guided /contribute, inline-keyboard votes, moderators, linking with
// Discord, a story to the decision and a scheduled leaderboard.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resolveActor } from "../../../src/app/actors.ts";
import { joinCommunity } from "../../../src/app/community.ts";
import { logContribution } from "../../../src/app/contributions.ts";
import { createIdentityLinkCode } from "../../../src/app/link.ts";
import { addJob } from "../../../src/jobs/definition.ts";
import { leaderboardJob } from "../../../src/jobs/schedules.ts";
import { CAPTION_LIMIT, htmlToText, MESSAGE_LIMIT } from "../../../src/platforms/telegram/html.ts";
import { postView, telegramClient } from "../../../src/platforms/telegram/outgoing.ts";
import { publicView } from "../../../src/views/view.ts";
import { waitFor } from "../../jobs/support.ts";
import { BOT_TOKEN, BOT_USERNAME, TelegramWorld, type GroupInfo } from "./harness.ts";

// No membership cache: a test that removes someone from the group sees it at once.
const world = new TelegramWorld({ emulator: 9451, http: 9452 }, { membershipCacheMs: 0 });
const person = TelegramWorld.person;

beforeAll(() => world.start(), 60_000);
afterAll(() => world.stop(), 60_000);
// The tests that expect no errors mean none while they ran.
beforeEach(() => {
  world.errors.length = 0;
});

async function communityId(): Promise<number> {
  const space = await spaceOf(world.group.id);
  if (space === null) throw new Error("no space for the group");
  return space.communityId;
}

function spaceOf(chatId: number) {
  return world.database.db.space.findUnique({
    where: { platform_platformChatId: { platform: "TELEGRAM", platformChatId: String(chatId) } },
  });
}

/** The Telegram user ids credited on contribution `number` of the group's community. */
async function creditedAccounts(number: number): Promise<string[]> {
  const credits = await world.database.db.credit.findMany({
    where: { contribution: { number, communityId: await communityId() } },
    include: { member: { include: { identities: true } } },
  });
  return credits.flatMap((c) => c.member.identities.map((i) => i.platformUserId)).sort();
}

function loggedNumber(text: string): number {
  const number = /Logged #(\d+)/.exec(text)?.[1];
  if (number === undefined) throw new Error(`not logged: ${text}`);
  return Number(number);
}

/** A command message with the entities Telegram marks in it. */
function withEntities(text: string, entities: readonly object[]): Record<string, unknown> {
  const command = /^\/\S+/.exec(text)?.[0] ?? "";
  return {
    entities: [
      ...(command === "" ? [] : [{ type: "bot_command", offset: 0, length: command.length }]),
      ...entities,
    ],
  };
}

const now = () => Math.floor(Date.now() / 1000);

/** Logs a contribution by typing it in the group; returns its number. */
async function logged(who: ReturnType<typeof person>, title: string, link: string): Promise<number> {
  const seen = await world.say(who, `/contribute docs "${title}" ${link}`);
  return loggedNumber(seen.reply.text);
}

describe("joining a group", () => {
  it("makes the group a community's space, welcomes it and registers the command menus per scope", async () => {
    expect(await communityId()).toBeGreaterThan(0);
    const welcome = (await world.groupPosts())[0];
    expect(welcome?.text).toMatch(/contribution ledger/);
    const menus = world.emulator.state.menus;
    const commands = (scope: string) =>
      (menus.get(scope) as Array<{ command: string }>).map((c) => c.command);
    expect(commands("all_private_chats")).toContain("contribute");
    expect(commands("all_group_chats")).toContain("forget_me");
    expect(commands("all_group_chats")).not.toContain("review");
    expect(commands("all_chat_administrators")).toEqual(expect.arrayContaining(["review", "contribute"]));
  });
});

describe("commands", () => {
  it("answers a private view in the person's private chat, also for /cmd@botname", async () => {
    const ann = person("Ann");
    const plain = await world.say(ann, "/help");
    expect(plain.reply.private).toBe(true);
    expect(plain.messages.map((m) => m.chatId)).toEqual([String(world.user(ann).id)]);
    expect(plain.reply.text).toContain("Cairn commands");
    const addressed = await world.say(ann, `/help@${BOT_USERNAME}`);
    expect(addressed.reply.text).toContain("Cairn commands");
  });

  it("stays quiet for commands addressed to another bot and for other bots' commands", async () => {
    const ann = person("Ann");
    expect((await world.say(ann, "/help@SomeOtherBot")).messages).toEqual([]);
    expect((await world.say(ann, "/weather Berlin")).messages).toEqual([]);
  });

  it("routes by the bot_command entity Telegram marks: a case-insensitive name runs, a private /x@OtherBot is neither run nor read as text", async () => {
    const ann = person("Ann");
    expect((await world.say(ann, "/HELP")).reply.text).toContain("Cairn commands");
    await world.say(ann, "/help");
    const elsewhere = await world.say(ann, "/help@SomeOtherBot", "private");
    expect(elsewhere.messages).toEqual([]);
    const plain = await world.say(ann, "help me", "private");
    expect(plain.reply.text).toMatch(/Commands start with \//);
  });

  it("answers a public view in the group as a reply, and an unknown addressed command with a refusal", async () => {
    const ann = person("Ann");
    const board = await world.say(ann, "/leaderboard");
    expect(board.messages).toHaveLength(1);
    expect(board.messages[0]?.chatId).toBe(String(world.group.id));
    expect(board.reply.text).toMatch(/Leaderboard|Nobody has points/);
    const unknown = await world.say(ann, `/bogus@${BOT_USERNAME}`);
    expect(unknown.reply.text).toMatch(/Unknown command \/bogus/);
  });

  it("maps Telegram's command names back to the catalog's (/forget_me)", async () => {
    const seen = await world.say(person("Fay"), "/forget_me");
    expect(seen.reply.text).not.toMatch(/Unknown command/);
    expect(seen.reply.text.length).toBeGreaterThan(0);
  });

  it("runs a private-chat command in the community of the person's group", async () => {
    const bea = person("Bea");
    await world.say(bea, "/help");
    const profile = await world.say(bea, "/profile", "private");
    expect(profile.reply.private).toBe(true);
    expect(profile.reply.text).toContain("Bea");
  });

  it("refuses private commands from someone kicked from the group or who left it", async () => {
    const kim = person("Kim");
    const lou = person("Lou");
    await world.say(kim, "/help");
    await world.say(lou, "/help");
    expect((await world.say(kim, "/profile", "private")).reply.text).toContain("Kim");
    world.emulator.state.kicked.add(world.user(kim).id);
    world.emulator.state.outsiders.add(world.user(lou).id);
    try {
      for (const text of ["/profile", "/contribute", "/contribute Wrote docs"]) {
        const seen = await world.say(kim, text, "private");
        expect(seen.reply.text).toMatch(/not a member of your community's group/);
      }
      const left = await world.say(lou, "/profile", "private");
      expect(left.reply.text).toMatch(/not a member of your community's group/);
    } finally {
      world.emulator.state.kicked.delete(world.user(kim).id);
      world.emulator.state.outsiders.delete(world.user(lou).id);
    }
  });

  it("refuses private commands for a group that is no longer a live space", async () => {
    const max = person("Max");
    await world.say(max, "/help");
    const where = { platform: "TELEGRAM" as const, platformChatId: String(world.group.id) };
    await world.database.db.space.updateMany({ where, data: { active: false } });
    try {
      const seen = await world.say(max, "/profile", "private");
      expect(seen.reply.text).toMatch(/not a member of your community's group/);
    } finally {
      await world.database.db.space.updateMany({ where, data: { active: true } });
    }
  });

  it("asks someone it does not know from any group to start from their group", async () => {
    const stranger = person("Stranger");
    const seen = await world.say(stranger, "/profile", "private");
    expect(seen.reply.text).toMatch(/don't know your group/);
  });

  it("points someone who has not started the bot to it from the group, and takes them in by the deep link", async () => {
    const cid = person("Cid");
    world.emulator.state.notStarted.add(world.user(cid).id);
    const seen = await world.say(cid, "/help");
    expect(seen.messages).toHaveLength(1);
    expect(seen.messages[0]?.chatId).toBe(String(world.group.id));
    expect(seen.reply.private).toBe(true);
    const link = /https:\/\/t\.me\/TestNameBot\?start=(g_-\d+)/.exec(seen.messages[0]?.text ?? "");
    expect(link?.[1]).toBe(`g_${world.group.id}`);
    world.emulator.state.notStarted.delete(world.user(cid).id);
    const start = await world.say(cid, `/start ${link?.[1] ?? ""}`, "private");
    expect(start.reply.text).toMatch(/answers for Cairn Testers here/);
  });

  it("refuses a deep link to a group the person is not in", async () => {
    const eve = person("Eve");
    world.emulator.state.outsiders.add(world.user(eve).id);
    const seen = await world.say(eve, `/start c_${world.group.id}`, "private");
    expect(seen.reply.text).toMatch(/not in/);
    const stillUnknown = await world.say(eve, "/profile", "private");
    expect(stillUnknown.reply.text).toMatch(/don't know your group/);
  });

  it("processes an update sent twice (same update_id) once", async () => {
    const dan = person("Dan");
    const user = world.user(dan);
    const update = {
      update_id: world.updateId(),
      message: {
        message_id: 424242,
        date: Math.floor(Date.now() / 1000),
        chat: { id: world.group.id, type: "supergroup", title: world.group.title },
        from: user,
        text: "/help",
        entities: [{ type: "bot_command", offset: 0, length: 5 }],
      },
    };
    const before = world.emulator.sent().length;
    expect(await world.postUpdate(update)).toBe(200);
    expect(await world.postUpdate(update)).toBe(200);
    const dms = world.emulator
      .sent()
      .slice(before)
      .filter((m) => m.chatId === String(user.id));
    expect(dms).toHaveLength(1);
  });
});

describe("replays", () => {
  it("a replayed update (sent twice, and again after a restart) adjusts a member's points once", async () => {
    const rex = person("Rex");
    await world.say(rex, "/help");
    const mod = person("Moe", true);
    await world.say(mod, "/help");
    const text = "/member adjust Rex 5 thanks";
    const update = {
      update_id: world.updateId(),
      message: {
        message_id: 434343,
        date: now(),
        chat: { id: world.group.id, type: "supergroup", title: world.group.title },
        from: world.user(mod),
        text,
        ...withEntities(text, [{ type: "text_mention", offset: 15, length: 3, user: world.user(rex) }]),
      },
    };
    const adjustments = () => world.database.db.ledgerEntry.count({ where: { kind: "ADJUSTMENT" } });
    const before = await adjustments();
    expect(await world.postUpdate(update)).toBe(200);
    expect(await world.postUpdate(update)).toBe(200);
    expect(await adjustments()).toBe(before + 1);
    await world.restartBot();
    expect(await world.postUpdate(update)).toBe(200);
    expect(await adjustments()).toBe(before + 1);
  });
});

describe("the guided /contribute", () => {
  it("moves from the group to private chat: category by button, title, links, co-authors, confirm", async () => {
    const gus = person("Gus");
    const hal = person("Hal");
    await world.say(hal, "/help"); // a co-author the community knows
    const opened = await world.say(gus, "/contribute");
    expect(opened.messages.every((m) => m.chatId === String(world.user(gus).id))).toBe(true);
    const prompt = opened.messages.at(-1);
    expect(prompt?.buttons.map((b) => b.text)).toEqual(expect.arrayContaining(["docs", "code"]));
    const chosen = await world.pressOn(gus, prompt ?? opened.messages[0]!, "docs");
    expect(chosen.text).toBe("");
    expect(htmlToText(chosen.messages.at(-1)?.text ?? "")).toMatch(/What did you do/);
    await world.say(gus, "Wrote the <b>FAQ</b>", "private");
    await world.say(gus, "https://example.org/faq", "private");
    const confirm = await world.say(gus, `@${world.user(hal).username}:30`, "private");
    expect(confirm.reply.text).toContain("Title: Wrote the <b>FAQ</b>");
    const done = await world.pressOn(gus, confirm.messages.at(-1)!, "Yes");
    expect(htmlToText(done.messages.at(-1)?.text ?? "")).toMatch(/Logged #\d+ with 2 credited members/);
    expect(world.errors).toEqual([]);
  });

  it("strips invisible characters from the member it creates and from the answers, as commands do", async () => {
    const zed = person("Zed\u202Egnp.exe\u0007");
    const opened = await world.say(zed, "/contribute");
    const prompt = opened.messages.at(-1);
    await world.pressOn(zed, prompt ?? opened.messages[0]!, "docs");
    await world.say(zed, "Wrote\u202E the\u0000 guide", "private");
    await world.say(zed, "-", "private");
    const confirm = await world.say(zed, "-", "private");
    expect(confirm.reply.text).toContain("Title: Wrote the guide");
    const identity = await world.database.db.identity.findFirst({
      where: { platform: "TELEGRAM", platformUserId: String(world.user(zed).id) },
      include: { member: true },
    });
    expect(identity?.member.displayName).toBe("Zedgnp.exe");
  });

  it("can be cancelled, and a private /contribute starts it for the person's group", async () => {
    const ida = person("Ida");
    await world.say(ida, "/help");
    const opened = await world.say(ida, "/contribute", "private");
    expect(opened.reply.text).toMatch(/Which category/);
    const retried = await world.say(ida, "nonsense", "private");
    expect(retried.reply.text).toMatch(/Choose one of/);
    const cancelled = await world.say(ida, "/cancel", "private");
    expect(cancelled.reply.text).toMatch(/Cancelled; nothing was logged/);
    const after = await world.say(ida, "docs", "private");
    expect(after.reply.text).toMatch(/Commands start with \//);
  });

  it("answers a button of a dialogue that has ended, and says so", async () => {
    const jan = person("Jan");
    await world.say(jan, "/help");
    const opened = await world.say(jan, "/contribute", "private");
    await world.say(jan, "cancel", "private");
    const stale = await world.pressOn(jan, opened.messages.at(-1)!, "docs");
    expect(stale.text).toBe("");
    expect(htmlToText(stale.messages.at(-1)?.text ?? "")).toMatch(/No contribution is being logged/);
  });

  it("credits a co-author named by a text mention (no username) as that account", async () => {
    const lea = person("Lea");
    await world.say(lea, "/help");
    const zoe = { id: 880_002, is_bot: false, first_name: "Zoë", last_name: "Roe" };
    await world.say(lea, "/contribute", "private");
    await world.say(lea, "docs", "private");
    await world.say(lea, "Reviewed the glossary", "private");
    await world.say(lea, "https://example.org/glossary", "private");
    const answer = "Zoë Roe:40";
    const confirm = await world.say(lea, answer, "private", {
      entities: [{ type: "text_mention", offset: 0, length: "Zoë Roe".length, user: zoe }],
    });
    expect(confirm.reply.text).toContain("Co-authors: @Zo_Roe:40");
    const done = await world.pressOn(lea, confirm.messages.at(-1)!, "Yes");
    const number = loggedNumber(htmlToText(done.messages.at(-1)?.text ?? ""));
    expect(await creditedAccounts(number)).toEqual([String(world.user(lea).id), "880002"].sort());
  });
});

describe("co-authors named in a typed /contribute", () => {
  it("ties an @username of someone seen in the group, and a text mention, to their accounts", async () => {
    const max = person("Max");
    const hal = person("Hal");
    await world.say(hal, "/help"); // seen in the group as @hal_…, display name "Hal"
    const kai = { id: 880_001, is_bot: false, first_name: "Kai", last_name: "Ng" }; // never seen, no username
    const text = `/contribute docs "Paired on docs" https://example.org/paired with @${world.user(hal).username}:30 Kai Ng:20`;
    const seen = await world.say(
      max,
      text,
      "group",
      withEntities(text, [{ type: "text_mention", offset: text.indexOf("Kai Ng"), length: 6, user: kai }]),
    );
    const number = loggedNumber(seen.reply.text);
    expect(seen.reply.text).toMatch(/with 3 credited members/);
    const credited = await creditedAccounts(number);
    expect(credited).toEqual([String(world.user(max).id), String(world.user(hal).id), "880001"].sort());
  });

  it("credits an @username not seen since a restart by its stored username, not by a look-alike display name", async () => {
    const vic = person("Vic");
    const vicUser = world.user(vic);
    const group = { platform: "TELEGRAM" as const, chatId: String(world.group.id) };
    // Known to the community from before a restart: not among the people seen in the group.
    await resolveActor(world.deps, group, {
      platform: "TELEGRAM",
      userId: String(vicUser.id),
      displayName: "Vic",
    });
    await world.say(vic, "/profile", "private"); // any update refreshes the stored username
    const impostor = person(vicUser.username ?? "");
    await world.say(impostor, "/help"); // first name set to Vic's username
    const text = `/contribute docs "Helped with docs" https://example.org/helped-vic with @${(vicUser.username ?? "").toUpperCase()}:30`;
    const seen = await world.say(person("Ola"), text);
    const credited = await creditedAccounts(loggedNumber(seen.reply.text));
    expect(credited).toContain(String(vicUser.id));
    expect(credited).not.toContain(String(world.user(impostor).id));
  });

  it("refuses an @username nobody has, even when someone's display name is that username", async () => {
    const impostor = person("ghost_helper_x");
    await world.say(impostor, "/help");
    const seen = await world.say(
      person("Pia"),
      `/contribute docs "Ghost help" https://example.org/ghost-help with @ghost_helper_x:50`,
    );
    expect(seen.reply.text).toMatch(/No member is called "@ghost_helper_x"/);
    expect(seen.reply.text).not.toMatch(/Logged/);
  });

  it("still refuses an @username it cannot tie to anyone, naming it", async () => {
    const seen = await world.say(
      person("Nia"),
      `/contribute docs "Unknown helper" https://example.org/unknown-helper with @nobody_seen_here:50`,
    );
    expect(seen.reply.text).toMatch(/nobody_seen_here/);
    expect(seen.reply.text).not.toMatch(/Logged/);
  });
});

describe("voting with the inline keyboard", () => {
  it("edits the card's tally, answers every press, and refuses an ineligible voter in the callback", async () => {
    const jo = person("Jo");
    const kit = person("Kit");
    const number = await logged(jo, "Translated the guide", "https://example.org/tr-1");
    const card = await world.cardMessage(number);
    expect(card.buttons.map((b) => b.data)).toContain(`v:${number}:a:4`);
    const own = await world.pressOn(jo, card, "Approve");
    expect(own.alert).toBe(true);
    expect(own.text).toMatch(/cannot vote on your own contribution/);
    const vote = await world.pressOn(kit, card, "Impact 4");
    expect(vote.alert).toBe(false);
    expect(vote.text).toMatch(/Vote recorded on #\d+ \(1 approve, 0 reject\)/);
    const edited = await world.cardMessage(number);
    expect(htmlToText(edited.text)).toMatch(/Tally: 1 approve · 0 reject/);
    expect(edited.messageId).toBe(card.messageId);
  });

  it("answers a forged or unknown button press instead of acting on it", async () => {
    const number = await logged(person("Kay"), "Drew the diagrams", "https://example.org/diagrams");
    const card = await world.cardMessage(number);
    const forged = await world.pressData(person("Lu"), card, `v:${number}:z:9`);
    expect(forged.alert).toBe(true);
    expect(forged.text).toMatch(/not one of mine/);
  });

  it("needs info: asks the presser for a question and puts their reply on the card", async () => {
    const mo = person("Mo");
    const ned = person("Ned");
    const number = await logged(mo, "Recorded a tutorial", "https://example.org/video-1");
    const card = await world.cardMessage(number);
    const pressed = await world.pressOn(ned, card, "Needs info");
    expect(pressed.text).toMatch(/Send your question/);
    const prompt = pressed.messages.find((m) => m.forceReply);
    expect(prompt?.replyTo).toBe(card.messageId);
    const chatter = await world.say(ned, "unrelated chatter, not a reply");
    expect(chatter.messages).toEqual([]);
    const asked = await world.say(ned, "Which <i>version</i>?", "group", {
      reply_to_message: {
        message_id: prompt?.messageId,
        date: 0,
        chat: { id: world.group.id, type: "supergroup" },
      },
    });
    expect(asked.reply.text).toMatch(/question on #\d+ was sent/);
    expect(htmlToText((await world.cardMessage(number)).text)).toContain("Which <i>version</i>?");
  });
});

describe("a Needs info press the presser may not use", () => {
  it("on their own contribution is refused and posts no prompt", async () => {
    const sam = person("Sam");
    const number = await logged(sam, "Wrote the style guide", "https://example.org/style-guide");
    const card = await world.cardMessage(number);
    const pressed = await world.pressOn(sam, card, "Needs info");
    expect(pressed.alert).toBe(true);
    expect(pressed.text).toMatch(/cannot vote on your own contribution/);
    expect(pressed.messages).toEqual([]);
  });

  it("forged for a contribution that does not exist is refused and posts no prompt", async () => {
    const number = await logged(person("Rio"), "Fixed the links", "https://example.org/fixed-links");
    const card = await world.cardMessage(number);
    const pressed = await world.pressData(person("Tia"), card, "v:99999:i");
    expect(pressed.alert).toBe(true);
    expect(pressed.text).toMatch(/#99999/);
    expect(pressed.messages).toEqual([]);
  });
});

describe("moderators", () => {
  it("refuses a moderator command from a member who is not a group administrator", async () => {
    const seen = await world.say(person("Ola"), "/review queue");
    expect(seen.reply.private).toBe(true);
    expect(seen.reply.text).toMatch(/Only moderators can do that/);
  });

  it("lets a group administrator run it", async () => {
    const seen = await world.say(person("Pia", true), "/review queue");
    expect(seen.reply.text).toMatch(/Review queue/);
  });
});

describe("linking with Discord", () => {
  it("links a Telegram account to the person's Discord identity with a code", async () => {
    const admin = person("Quinn", true);
    const linkCode = /community join (\S+)/.exec((await world.say(admin, "/community link")).reply.text)?.[1];
    expect(linkCode).toBeDefined();
    const guild = { platform: "DISCORD" as const, chatId: "123456789012345678", title: "Guild" };
    const joined = await joinCommunity(world.deps, { chat: guild, isModerator: true, code: linkCode ?? "" });
    expect(joined.ok).toBe(true);
    const discordUser = {
      platform: "DISCORD" as const,
      userId: "998877665544332211",
      displayName: "rae_on_discord",
    };
    const actor = await resolveActor(world.deps, guild, discordUser);
    if (!actor.ok) throw new Error("no discord actor");
    const code = await createIdentityLinkCode(world.deps, actor.value);
    if (!code.ok) throw new Error("no code");
    const rae = person("Rae");
    const linked = await world.say(rae, `/link ${code.value.code}`);
    expect(linked.reply.text).toMatch(/Linked: your accounts now share one record/);
    const identities = await world.database.db.identity.findMany({
      where: { platformUserId: { in: [String(world.user(rae).id), discordUser.userId] } },
      include: { member: true },
    });
    const members = new Set(identities.map((i) => i.member.mergedIntoId ?? i.memberId));
    expect(identities).toHaveLength(2);
    expect(members.size).toBe(1);
  });
});

describe("a full story", () => {
  it("verifies at quorum: the card is locked, the decision announced, the leaderboard posted on schedule", async () => {
    const sam = person("Sam");
    const number = await logged(sam, "Install guide for <b>Linux</b> @everyone", "https://example.org/story");
    const card = await world.cardMessage(number);
    // Escaped, and a word joiner after "@" keeps Telegram from making it a mention.
    expect(card.text).toContain("Install guide for &lt;b&gt;Linux&lt;/b&gt; @\u2060everyone");
    expect(card.text).not.toContain("<b>Linux");
    expect(card.text).not.toMatch(/@everyone/);
    for (const name of ["Tia", "Uma", "Vic"]) await world.pressOn(person(name), card, "Approve");
    const locked = await world.cardMessage(number);
    expect(locked.buttons).toEqual([]);
    expect(htmlToText(locked.text)).toMatch(/Outcome: verified/);
    const announced = (await world.groupPosts()).filter((m) =>
      htmlToText(m.text).includes(`#${number} "Install guide for <b>Linux</b> @everyone" is verified`),
    );
    expect(announced).toHaveLength(1);

    // The scheduled board is the one posted after the job: other tests post boards in the group too.
    const earlier = new Set((await world.groupPosts()).map((m) => m.messageId));
    await addJob(world.runtime.queues, leaderboardJob, { communityId: await communityId() });
    const posts = await waitFor(
      async () => (await world.groupPosts()).filter((m) => !earlier.has(m.messageId)),
      (list) => list.some((m) => m.text.startsWith("<b>Leaderboard")),
    );
    const board = posts.find((m) => m.text.startsWith("<b>Leaderboard"));
    expect(htmlToText(board?.text ?? "")).toMatch(/Sam — \d+(\.\d+)? pts/);
    // The board is a picture with the text as its caption.
    const photo = world.emulator.state.photos.find((p) => p.caption === board?.text);
    expect(world.emulator.callsOf("sendPhoto").length).toBeGreaterThan(0);
    expect(photo?.chatId).toBe(String(world.group.id));
    expect(photo?.filename).toMatch(/^board-[a-z0-9-]+-\d{4}-\d{2}-\d{2}\.png$/);
    expect([...(photo?.bytes ?? []).slice(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(world.errors).toEqual([]);
  });
});

describe("long messages", () => {
  it("splits a reply over 4096 characters into several messages and cuts the card to one", async () => {
    const wes = person("Wes");
    await world.say(wes, "/help");
    const user = world.user(wes);
    const actor = await resolveActor(
      world.deps,
      { platform: "TELEGRAM", chatId: String(world.group.id) },
      { platform: "TELEGRAM", userId: String(user.id), displayName: "Wes" },
    );
    if (!actor.ok) throw new Error("no actor");
    const links = [1, 2, 3, 4, 5].map((i) => `https://example.org/${i}/${"p".repeat(1500)}`);
    const result = await logContribution(world.deps, actor.value, {
      categorySlug: "docs",
      title: "A long one",
      links,
      description: "<d>".repeat(600),
    });
    if (!result.ok) throw new Error(result.error.code);
    const card = await world.cardMessage(result.value.number);
    expect(card.text.length).toBeLessThanOrEqual(MESSAGE_LIMIT);
    expect(card.text).toMatch(/cut: too long for Telegram/);
    expect(card.buttons.length).toBeGreaterThan(0);
    const seen = await world.say(wes, `/contribution #${result.value.number}`);
    expect(seen.messages.length).toBeGreaterThan(1);
    for (const message of seen.messages) expect(message.text.length).toBeLessThanOrEqual(MESSAGE_LIMIT);
    expect(seen.reply.text).toContain(links[4]);
  });

  it("sends a picture whose text is too long for a caption as the text message, then the picture", async () => {
    const telegram = telegramClient({ token: BOT_TOKEN, apiRoot: world.emulator.apiRoot });
    const lines = Array.from({ length: 40 }, (_, i) => `${i + 1}. member ${i + 1} — 12 pts, 1 verified`);
    const content = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
    const attachment = { filename: "board-long.png", contentType: "image/png", content };
    const photosBefore = world.emulator.state.photos.length;
    const ref = await postView(
      telegram,
      String(world.group.id),
      publicView(lines, { title: "Leaderboard", attachment }),
    );
    const text = world.emulator.sent().find((m) => String(m.messageId) === ref.messageId);
    expect(text?.text.length).toBeGreaterThan(CAPTION_LIMIT);
    expect(htmlToText(text?.text ?? "")).toContain("40. member 40");
    const photos = world.emulator.state.photos.slice(photosBefore);
    expect(photos).toHaveLength(1);
    expect(photos[0]?.caption).toBeNull();
    expect([...(photos[0]?.bytes ?? [])]).toEqual([...content]);
  });
});

describe("a group upgraded to a supergroup", () => {
  const old: GroupInfo = { id: -4_005_550_001, title: "Old Group" };
  const upgraded = -1_004_005_550_001;
  const serviceMessage = (chat: object, field: object) => ({
    update_id: world.updateId(),
    message: { message_id: 1, date: now(), chat, from: world.user(person("Owner")), ...field },
  });

  it("moves the group's community to the new chat id, and private commands follow it", async () => {
    await world.postUpdate(world.membershipUpdate("left", "member", old));
    const before = await spaceOf(old.id);
    const yan = person("Yan");
    await world.say(yan, "/help", old); // Yan's private commands now run in the old group
    const communities = await world.database.db.community.count();

    const oldChat = { id: old.id, type: "group", title: old.title };
    const newChat = { id: upgraded, type: "supergroup", title: old.title };
    const migration = serviceMessage(oldChat, { migrate_to_chat_id: upgraded });
    expect(await world.postUpdate(migration)).toBe(200);
    // What is logged while handling an update names the update.
    const moved = world.logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(moved.find((line) => line["message"] === "telegram group became a supergroup")).toMatchObject({
      updateId: migration.update_id,
    });
    expect(await world.postUpdate(serviceMessage(newChat, { migrate_from_chat_id: old.id }))).toBe(200);

    expect(await spaceOf(old.id)).toBeNull();
    expect((await spaceOf(upgraded))?.communityId).toBe(before?.communityId);
    const profile = await world.say(yan, "/profile", "private");
    expect(profile.reply.text).toContain("Yan");
    expect(profile.reply.text).not.toMatch(/✗/);
    expect(await world.database.db.community.count()).toBe(communities);
    expect(world.errors).toEqual([]);
  });
});

describe("leaving", () => {
  it("deactivates the space when the bot is removed from the group", async () => {
    try {
      expect(await world.postUpdate(world.membershipUpdate("administrator", "kicked"))).toBe(200);
      const space = await world.database.db.space.findUniqueOrThrow({
        where: { platform_platformChatId: { platform: "TELEGRAM", platformChatId: String(world.group.id) } },
      });
      expect(space.active).toBe(false);
    } finally {
      // Added back, so the tests after this one find the group a live space again.
      await world.postUpdate(world.membershipUpdate("kicked", "administrator"));
    }
  });
});

describe("the token", () => {
  it("never reaches a log line", () => {
    expect(world.logLines.length).toBeGreaterThan(0);
    const secret = BOT_TOKEN.split(":")[1] ?? BOT_TOKEN;
    for (const line of world.logLines) expect(line).not.toContain(secret);
  });
});
