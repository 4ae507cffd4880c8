// The Discord bot end to end: an unmodified discord.js Client against the fake
// Discord, the real job workers delivering cards, tally edits, announcements
// and the scheduled leaderboard. Assertions are on the REST calls the bot makes.
import { randomUUID } from "node:crypto";
import { GatewayDispatchEvents, type APIMessage } from "discord-api-types/v10";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leaderboardJob } from "../../../src/jobs/schedules.ts";
import { GENERAL_CHANNEL, GUILD_ID, guildFixture, type MessageBody } from "./fakeDiscord.ts";
import {
  autocomplete,
  buttonPress,
  memberOf,
  modalSubmit,
  selectPick,
  slashCommand,
  type Someone,
} from "./fixtures.ts";
import { controlsOf, customIdOf, DiscordWorld, TEST_LIMITS, textOf, TOKEN } from "./world.ts";
import { scheduledCommunityIds } from "../../../src/jobs/schedules.ts";
import { joinTimeSettings } from "../joinSettings.ts";

// Every story posts a card of its own: paced as the contract's worlds are, not at Discord's 5 per 5 s.
const world = new DiscordWorld({ limits: TEST_LIMITS });
const mod = { id: "100000000000000001", name: "mod", moderator: true };
const carol = { id: "100000000000000002", name: "carol" };
const bob = { id: "100000000000000003", name: "bob" };
const dave = { id: "100000000000000004", name: "dave" };
const erin = { id: "100000000000000005", name: "erin" };
const frank = { id: "100000000000000006", name: "frank" };
const gwen = { id: "100000000000000008", name: "gwen" };
const hugo = { id: "100000000000000009", name: "hugo" };
const jack = { id: "100000000000000010", name: "jack" };
const GUIDE = "Installation guide for @everyone";
// Each test starts from the settings the community had when the bot joined it (quorum 3).
const settings = joinTimeSettings(
  () => world.database.db,
  () => ownCommunity(),
);

beforeAll(async () => {
  await world.start();
  world.fake.members.set(bob.id, memberOf(bob));
  await settings.remember();
}, 60_000);
afterAll(async () => {
  await world.stop();
}, 30_000);

async function ownCommunity() {
  const space = await world.space();
  return world.database.db.community.findUniqueOrThrow({ where: { id: space?.communityId ?? -1 } });
}

/** The number the server's community gives the next contribution logged: one more than it has. */
async function nextNumber(): Promise<number> {
  return (
    (await world.database.db.contribution.count({ where: { communityId: (await ownCommunity()).id } })) + 1
  );
}

function loggedNumber(text: string): number {
  const number = /Logged #(\d+)/.exec(text)?.[1];
  if (number === undefined) throw new Error(`not logged: ${text}`);
  return Number(number);
}

/** `author` logs the installation guide through /contribute's form, crediting `coauthor`; returns its number. */
async function logGuide(author: Someone = carol, coauthor: Someone = bob): Promise<number> {
  const opened = await world.send(
    slashCommand(author, "contribute", { category: "docs", credits: `<@${coauthor.id}>:40` }),
  );
  const { custom_id } = opened.data as { custom_id: string };
  const logged = await world.send(
    modalSubmit(author, custom_id, {
      title: GUIDE,
      links: `https://example.org/guide/${randomUUID()}`,
      description: "Covers **Linux** and <@123456789012345678>",
    }),
  );
  return loggedNumber(textOf(logged.message));
}

/** `voters` press Approve on the card of contribution `number`, one after the other. */
async function approve(number: number, voters: readonly Someone[]): Promise<void> {
  const card = await world.card(number);
  for (const voter of voters) await world.send(buttonPress(voter, card, customIdOf(card, "Approve")));
}

/** `author`'s installation guide, verified by the approvals of dave, frank and gwen (quorum 3); returns its number. */
async function verifiedGuide(author: Someone = carol): Promise<number> {
  const number = await logGuide(author);
  await approve(number, [dave, frank, gwen]);
  await world.settle();
  return number;
}

/** The post of contribution `number`'s vote card in the channel. */
function cardPost(number: number) {
  return channelPosts().find(
    (p) =>
      (p.body.components ?? []).length > 0 && p.body.embeds?.[0]?.title?.startsWith(`#${number} `) === true,
  );
}

function channelPosts(): Array<{ method: string; body: MessageBody }> {
  return world.fake
    .callsTo("POST", new RegExp(`^/channels/${GENERAL_CHANNEL}/messages$`))
    .map((c) => ({ method: c.method, body: c.body as MessageBody }));
}

function cardEdits(card: APIMessage): MessageBody[] {
  return world.fake
    .callsTo("PATCH", new RegExp(`^/channels/${card.channel_id}/messages/${card.id}$`))
    .map((c) => c.body as MessageBody);
}

describe("Discord bot: from /contribute to the decision and the scheduled leaderboard", () => {
  it("answers /help ephemerally with an embed and no mentions", async () => {
    const answer = await world.send(slashCommand(carol, "help"));
    expect(answer.type).toBe(4);
    expect(answer.ephemeral).toBe(true);
    expect(textOf(answer.message)).toContain("Cairn commands");
    expect(answer.message?.allowed_mentions).toEqual({ parse: [] });
  });

  it("refuses a moderator command from a non-moderator, and runs it for one with Manage Server", async () => {
    const refused = await world.send(slashCommand(carol, "config", { key: "quorum", value: "2" }, "set"));
    expect(refused.ephemeral).toBe(true);
    expect(textOf(refused.message)).toContain("Only moderators can do that.");
    const done = await world.send(slashCommand(mod, "config", { key: "quorum", value: "2" }, "set"));
    expect(textOf(done.message)).not.toContain("Only moderators");
    const config = await world.send(slashCommand(mod, "config", {}, "show"));
    expect(textOf(config.message)).toMatch(/quorum\W+2/);
  });

  it("suggests categories while typing", async () => {
    const answer = await world.send(autocomplete(carol, "contribute", "category", "do"));
    expect(answer.type).toBe(8);
    expect(answer.data).toEqual({ choices: [{ name: expect.stringContaining("docs"), value: "docs" }] });
  });

  it("opens a modal for /contribute and logs the contribution from it, with a mentioned co-author", async () => {
    const next = await nextNumber();
    const opened = await world.send(
      slashCommand(carol, "contribute", { category: "docs", credits: `<@${bob.id}>:40` }),
    );
    expect(opened.type).toBe(9);
    const modal = opened.data as {
      custom_id: string;
      components: Array<{ components: Array<{ custom_id: string }> }>;
    };
    expect(modal.components.map((row) => row.components[0]?.custom_id)).toEqual([
      "title",
      "links",
      "description",
    ]);
    const logged = await world.send(
      modalSubmit(carol, modal.custom_id, {
        title: "Installation guide for @everyone",
        links: "https://example.org/guide",
        description: "Covers **Linux** and <@123456789012345678>",
      }),
    );
    expect(logged.ephemeral).toBe(true);
    expect(textOf(logged.message)).toMatch(new RegExp(`Logged #${next} with 2 credited members`));
  });

  it("posts the vote card with buttons, an impact select and no mentions", async () => {
    const number = await logGuide(carol);
    const card = await world.card(number);
    const post = cardPost(number);
    expect(post?.body.allowed_mentions).toEqual({ parse: [] });
    const embed = post?.body.embeds?.[0];
    expect(embed?.title).toBe(`#${number} Installation guide for @\u200beveryone — by carol`);
    expect(embed?.description).toBe("Covers \\*\\*Linux\\*\\* and \\<@123456789012345678>");
    expect(embed?.fields?.find((f) => f.name === "Closes")?.value).toMatch(/^<t:\d+:f> \(<t:\d+:R>\)$/);
    expect(controlsOf(post?.body ?? null)).toEqual([
      "Approve",
      "Reject",
      "Needs info",
      "Impact 1",
      "Impact 2",
      "Impact 3",
      "Impact 4",
      "Impact 5",
    ]);
    expect(customIdOf(card, "Approve")).toBe(`cairn:vote:${number}:approve`);
    expect(customIdOf(card, "impact")).toBe(`cairn:impact:${number}`);
    const botCalls = world.fake.calls.filter((c) => /^\/(channels|guilds|users)\//.test(c.path));
    expect(botCalls.length).toBeGreaterThan(0);
    expect(botCalls.every((c) => c.authorization === `Bot ${TOKEN}`)).toBe(true);
  });

  it("refuses a vote on one's own contribution, ephemerally", async () => {
    const card = await world.card(await logGuide(hugo, bob));
    const answer = await world.send(buttonPress(hugo, card, customIdOf(card, "Approve")));
    expect(answer.ephemeral).toBe(true);
    expect(textOf(answer.message)).toMatch(/own contribution|credited/);
    const coauthor = await world.send(buttonPress(bob, card, customIdOf(card, "Reject")));
    expect(textOf(coauthor.message)).toContain("credited");
  });

  it("asks the submitter through the needs-info modal", async () => {
    const number = await logGuide(hugo);
    const card = await world.card(number);
    const opened = await world.send(buttonPress(frank, card, customIdOf(card, "Needs info")));
    expect(opened.type).toBe(9);
    const modal = opened.data as { custom_id: string };
    expect(modal.custom_id).toBe(`cairn:ask:${number}`);
    const asked = await world.send(
      modalSubmit(frank, modal.custom_id, { question: "Does it cover Windows?" }),
    );
    expect(textOf(asked.message)).toContain(`Your question on #${number} was sent to its submitter.`);
    await world.settle();
    expect(textOf(cardEdits(card).at(-1) ?? null)).toContain("Does it cover Windows?");
  });

  it("records an Approve button vote and edits the card's tally", async () => {
    const number = await logGuide(hugo);
    const card = await world.card(number);
    const answer = await world.send(buttonPress(dave, card, customIdOf(card, "Approve")));
    expect(answer.ephemeral).toBe(true);
    expect(textOf(answer.message)).toContain(`Vote recorded on #${number} (1 approve, 0 reject)`);
    await world.settle();
    const edit = cardEdits(card).at(-1);
    expect(textOf(edit ?? null)).toContain("1 approve · 0 reject");
    expect(edit?.allowed_mentions).toEqual({ parse: [] });
  });

  it("decides on the impact select: the card is locked and the decision announced", async () => {
    const number = await logGuide(carol, bob);
    await approve(number, [dave, frank]);
    const card = await world.card(number);
    const answer = await world.send(selectPick(erin, card, customIdOf(card, "impact"), ["4"]));
    expect(textOf(answer.message)).toContain(`#${number} is now verified`);
    await world.settle();
    const locked = cardEdits(card).at(-1);
    expect(locked?.components).toEqual([]);
    expect(textOf(locked ?? null)).toMatch(/Outcome: verified/);
    const announcement = channelPosts().find((p) =>
      textOf(p.body).includes(`#${number} "${GUIDE}" is verified`),
    );
    expect(textOf(announcement?.body ?? null)).toMatch(
      new RegExp(`#${number} "Installation guide for @everyone" is verified: .* points for carol, bob`),
    );
    expect(announcement?.body.allowed_mentions).toEqual({ parse: [] });
    expect(announcement?.body.components).toEqual([]);
  });

  it("hides the caller with /profile visibility:hide, and refuses a member and a visibility together", async () => {
    await verifiedGuide(hugo); // dave approved it: he has points on the board
    const board = async () => textOf((await world.send(slashCommand(erin, "leaderboard"))).message);
    expect(await board()).toContain("dave");
    const hidden = await world.send(slashCommand(dave, "profile", { visibility: "hide" }));
    expect(hidden.ephemeral).toBe(true);
    expect(textOf(hidden.message)).toContain("You are hidden from public boards");
    expect(await board()).not.toContain("dave");
    const both = await world.send(
      slashCommand(dave, "profile", { member: { user: carol }, visibility: "show" }),
    );
    expect(both.ephemeral).toBe(true);
    expect(textOf(both.message)).toBe("Usage: /profile [@member] | /profile hide | /profile show");
    expect(await board()).not.toContain("dave");
  });

  it("suggests the caller's own and pending contributions by number", async () => {
    // Logged last, its number is the only one starting with its digits (no title here has digits).
    const number = await verifiedGuide(jack);
    const answer = await world.send(autocomplete(jack, "withdraw", "contribution", String(number)));
    expect(answer.data).toEqual({
      choices: [{ name: `#${number} Installation guide for @everyone (verified)`, value: number }],
    });
  });

  it("posts the scheduled leaderboard in the server's channel", async () => {
    await verifiedGuide(carol);
    const space = await world.space();
    const before = channelPosts().length;
    await world.runtime.queues.schedules.add(leaderboardJob.name, { communityId: space?.communityId });
    const posts = await world.until(
      async () => channelPosts().length > before && channelPosts(),
      "the leaderboard post",
    );
    const board = posts.at(-1)?.body ?? null;
    expect(textOf(board)).toMatch(/Leaderboard — /);
    expect(textOf(board)).toMatch(/carol/);
    expect(board?.allowed_mentions).toEqual({ parse: [] });
    const upload = world.fake.callsTo("POST", new RegExp(`^/channels/${GENERAL_CHANNEL}/messages$`)).at(-1);
    const picture = upload?.files.find((f) => f.name.endsWith(".png"));
    expect(picture?.name).toMatch(/^board-[a-z0-9-]+-\d{4}-\d{2}-\d{2}\.png$/);
    // The fake reads parts as UTF-8 text: the PNG signature's first byte (0x89) becomes U+FFFD.
    expect(picture?.content.startsWith("\ufffdPNG\r\n\u001a\n")).toBe(true);
    expect(board?.embeds?.[0]?.image?.url).toBe(`attachment://${picture?.name}`);
  });

  it("sends a moderator's export as a file", async () => {
    await verifiedGuide(carol);
    const answer = await world.send(slashCommand(mod, "export", { format: "csv" }));
    expect(answer.ephemeral).toBe(true);
    const call = world.fake.callsTo("POST", /^\/interactions\/\d+\/token-\d+\/callback$/).at(-1);
    expect(call?.files).toHaveLength(1);
    expect(call?.files[0]?.content).toMatch(/carol/);
  });

  it("creates a community when added to a server and marks it inactive when removed", async () => {
    const other = guildFixture("910000000000000002", "Another Server", []);
    world.fake.guilds.set(other.id, other);
    world.fake.dispatch(GatewayDispatchEvents.GuildCreate, other);
    const where = { platform_platformChatId: { platform: "DISCORD" as const, platformChatId: other.id } };
    const space = await world.until(() => world.database.db.space.findUnique({ where }), "the new space");
    // Its leaderboard and digest are scheduled at once, not at the reconciler's next run.
    await world.until(
      async () => (await scheduledCommunityIds(world.runtime.queues)).has(space.communityId) || null,
      "the new community's schedules",
    );
    world.fake.dispatch(GatewayDispatchEvents.GuildDelete, { id: other.id });
    await world.until(
      async () => (await world.database.db.space.findUnique({ where }))?.active === false,
      "the space to be inactive",
    );
    expect((await world.space())?.active).toBe(true);
    expect(GUILD_ID).not.toBe(other.id);
  });
});

describe("Discord bot: forms, suggestions and links", () => {
  const coAuthors = Array.from({ length: 8 }, (_, i) => ({
    id: `10000000000000010${i}`,
    name: `coauthor${i}`,
  }));
  const oddLink = "https://example.org/some_page/v*2?q=a_b";

  /** Opens /contribute's form as `person` and returns its custom_id. */
  async function openForm(person: Someone, credits = ""): Promise<string> {
    const values = credits === "" ? { category: "docs" } : { category: "docs", credits };
    const opened = await world.send(slashCommand(person, "contribute", values));
    expect(opened.type).toBe(9);
    return (opened.data as { custom_id: string }).custom_id;
  }

  it("logs a contribution with eight mentioned co-authors: the form's custom_id stays short", async () => {
    for (const person of coAuthors) world.fake.members.set(person.id, memberOf(person));
    const customId = await openForm(carol, coAuthors.map((p) => `<@${p.id}>`).join(" "));
    expect(customId).toMatch(/^cairn:contribute:[A-Za-z0-9_-]{12}$/);
    const next = await nextNumber();
    const logged = await world.send(
      modalSubmit(carol, customId, { title: "Team docs sprint", links: oddLink, description: "" }),
    );
    expect(textOf(logged.message)).toMatch(new RegExp(`Logged #${next} with 9 credited members`));
    const card = await world.card(next);
    const fields = card.embeds[0]?.fields ?? [];
    expect(fields.find((f) => f.name === "Credits")?.value).toContain("coauthor7");
    expect(fields.find((f) => f.name === "Evidence")?.value).toBe(`<${oddLink}>`);
  });

  it("gives a form only to whoever opened it, and gives back what was typed in an expired one", async () => {
    const customId = await openForm(bob);
    const typed = { title: "Wiki _cleanup_", links: "https://example.org/wiki", description: "" };
    const stranger = await world.send(modalSubmit(frank, customId, typed));
    expect(stranger.ephemeral).toBe(true);
    expect(textOf(stranger.message)).toContain("That form has expired, so nothing was logged");
    expect(textOf(stranger.message)).toContain("title: Wiki _cleanup_");
    const next = await nextNumber();
    const owner = await world.send(modalSubmit(bob, customId, typed));
    expect(textOf(owner.message)).toMatch(new RegExp(`Logged #${next}\\b`));
    const again = await world.send(modalSubmit(bob, customId, typed));
    expect(textOf(again.message)).toContain("That form has expired");
  });

  it("suggests seasons by name, and windows including seasons and a typed date range", async () => {
    const added = await world.send(
      slashCommand(mod, "season", { name: "spring", start: "2026-03-01", end: "2026-05-31" }, "add"),
    );
    expect(added.message === null ? "" : textOf(added.message)).not.toMatch(/Usage|Only moderators/);
    const season = await world.send(autocomplete(carol, "season", "name", "spr", "end"));
    expect(season.data).toEqual({ choices: [{ name: "spring", value: "spring" }] });
    const windows = await world.send(autocomplete(carol, "leaderboard", "window", "s"));
    expect((windows.data as { choices: unknown[] }).choices).toContainEqual({
      name: "Season spring",
      value: "season:spring",
    });
    const range = await world.send(autocomplete(carol, "leaderboard", "window", "2026-01-01..2026-02-01"));
    expect((range.data as { choices: unknown[] }).choices[0]).toEqual({
      name: "2026-01-01..2026-02-01",
      value: "2026-01-01..2026-02-01",
    });
    const days = await world.send(autocomplete(carol, "leaderboard", "window", "7"));
    expect(days.data).toEqual({ choices: [{ name: "Last 7 days", value: "7d" }] });
  });

  it("sent every message with mentions disabled: posts, edits, replies, follow-ups, files", async () => {
    // Messages of every kind from this test itself, whichever tests ran before it.
    await verifiedGuide(hugo);
    await verifiedGuide(jack);
    const card = await world.card(await logGuide(hugo));
    const opened = await world.send(buttonPress(frank, card, customIdOf(card, "Needs info")));
    const { custom_id } = opened.data as { custom_id: string };
    await world.send(modalSubmit(frank, custom_id, { question: "Which version?" }));
    await world.send(slashCommand(mod, "export", { format: "csv" }));
    await world.send(slashCommand(erin, "leaderboard"));
    await world.settle();
    const messages = messageCalls();
    expect(messages.length).toBeGreaterThan(20);
    for (const call of messages)
      expect({ call: `${call.method} ${call.path}`, mentions: call.mentions }).toEqual({
        call: `${call.method} ${call.path}`,
        mentions: { parse: [] },
      });
  });
});

/** Every REST call of this test run that carried a message body, with its allowed_mentions. */
function messageCalls(): Array<{ method: string; path: string; mentions: unknown }> {
  return world.fake.calls.flatMap((call) => {
    const body = call.body as {
      type?: number;
      data?: { allowed_mentions?: unknown };
      allowed_mentions?: unknown;
    };
    if (/^\/interactions\/\d+\/[^/]+\/callback$/.test(call.path))
      return body.type === 4 ? [{ ...call, mentions: body.data?.allowed_mentions }] : [];
    const posting = /^\/channels\/\d+\/messages(\/\d+)?$/.test(call.path) || /^\/webhooks\//.test(call.path);
    return posting && (call.method === "POST" || call.method === "PATCH")
      ? [{ ...call, mentions: body.allowed_mentions }]
      : [];
  });
}

describe("Discord bot: replayed interactions", () => {
  it("a replayed interaction (the same id dispatched twice) adjusts a member's points once", async () => {
    const gina = { id: "100000000000000007", name: "gina" };
    world.fake.members.set(gina.id, memberOf(gina));
    await world.send(slashCommand(gina, "help"));
    const adjustments = () => world.database.db.ledgerEntry.count({ where: { kind: "ADJUSTMENT" } });
    const before = await adjustments();
    const adjust = slashCommand(
      mod,
      "member",
      { member: { user: gina }, points: 5, reason: "thanks" },
      "adjust",
    );
    const first = await world.send(adjust);
    expect(textOf(first.message)).not.toContain("Something went wrong");
    expect(await adjustments()).toBe(before + 1);
    // The replay gets no second effect and no second answer.
    await expect(world.fake.interact(adjust, 1_500)).rejects.toThrow(/no callback/);
    expect(await adjustments()).toBe(before + 1);
  });
});
