// Slow answers are deferred and followed up; a refused answer becomes a clear
// ephemeral apology; the outgoing port maps Discord's errors for the jobs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PlatformError, type ChatTarget } from "../../../src/ports/chatPlatform.ts";
import { discordOutgoing } from "../../../src/platforms/discord/index.ts";
import { BOT_ID, CARDS_CHANNEL, GENERAL_CHANNEL, GUILD_ID } from "./fakeDiscord.ts";
import { slashCommand } from "./fixtures.ts";
import { DiscordWorld, textOf, TOKEN } from "./world.ts";

const world = new DiscordWorld();
const alice = { id: "100000000000000001", name: "alice" };

beforeAll(async () => {
  // No time at all before deferring: every answer takes the deferred path.
  await world.start({ ackBudgetMs: 0 });
}, 60_000);
afterAll(async () => {
  await world.stop();
}, 30_000);

const chat = (channelRef: string | null): ChatTarget => ({
  kind: "chat",
  platform: "DISCORD",
  chatId: GUILD_ID,
  channel: "verification",
  channelRef,
  label: "#verification",
});
const view = { visibility: "public", tone: "info", lines: ["hello @everyone"] } as const;

describe("answering interactions", () => {
  it("defers a slow private answer and edits the deferral with it", async () => {
    const answer = await world.send(slashCommand(alice, "help"));
    expect(answer.type).toBe(5);
    expect((answer.callback.body as { data?: { flags?: number } }).data?.flags).toBe(64);
    expect(answer.ephemeral).toBe(true);
    expect(textOf(answer.message)).toContain("Cairn commands");
    const edit = world.fake.callsTo("PATCH", /^\/webhooks\/\d+\/token-\d+\/messages\/@original$/).at(-1);
    expect((edit?.body as { allowed_mentions?: unknown }).allowed_mentions).toEqual({ parse: [] });
  });

  it("answers a deferred public command with one public message: a follow-up, the placeholder deleted", async () => {
    const interaction = slashCommand(alice, "leaderboard");
    const answer = await world.send(interaction);
    expect((answer.callback.body as { data?: { flags?: number } }).data?.flags).toBe(64);
    const replies = await world.until(async () => {
      const all = world.fake.repliesTo(interaction.id);
      return all.some((m) => m.deleted) && all;
    }, "the placeholder to be deleted");
    const shown = replies.filter((m) => !m.deleted);
    expect(shown).toHaveLength(1);
    expect(shown[0]?.ephemeral).toBe(false);
    expect(shown[0]?.body.embeds?.[0]?.title).toMatch(/Leaderboard/);
    expect(shown[0]?.body.allowed_mentions).toEqual({ parse: [] });
    const token = `token-${interaction.id}`;
    expect(
      world.fake.calls
        .filter((c) => c.path.includes(token))
        .map((c) => `${c.method} ${c.path.replace(/^\/\w+\/\d+\/[^/]+/, "")}`),
    ).toEqual(["POST /callback", "PATCH /messages/@original", "POST ", "DELETE /messages/@original"]);
  });

  it("tells the person privately when Discord refuses the answer", async () => {
    world.fake.failNext({
      method: "PATCH",
      path: /@original$/,
      status: 400,
      body: { code: 50035, message: "Invalid Form Body" },
    });
    const interaction = slashCommand(alice, "help");
    await world.send(interaction);
    const apology = await world.until(
      async () =>
        world.fake
          .callsTo("POST", /^\/webhooks\/\d+\/token-\d+$/)
          .find((c) => textOf(c.body as never).includes("did not accept")) ?? null,
      "the apology",
    );
    expect((apology.body as { flags?: number }).flags).toBe(64);
    // What is logged while answering an interaction names it.
    expect(
      world.logged.find((line) => line["message"] === "discord refused an interaction answer"),
    ).toMatchObject({
      interactionId: interaction.id,
    });
  });
});

describe("the outgoing port", () => {
  it("posts to the configured channel and edits the message where it was posted", async () => {
    const outgoing = discordOutgoing({ token: TOKEN, api: world.fake.api });
    const ref = await outgoing.post(chat(CARDS_CHANNEL), view);
    expect(ref.messageId).toMatch(new RegExp(`^${CARDS_CHANNEL}/\\d+$`));
    await outgoing.edit(chat(null), ref, { ...view, lines: ["edited"] });
    expect(world.fake.callsTo("PATCH", new RegExp(`^/channels/${CARDS_CHANNEL}/messages/`))).toHaveLength(1);
    await outgoing.delete(chat(null), ref);
  });

  it("a card posted before a crash, then posted again by the retry, is one Discord message (enforce_nonce)", async () => {
    const outgoing = discordOutgoing({ token: TOKEN, api: world.fake.api });
    const first = await outgoing.post(chat(CARDS_CHANNEL), view, { idempotencyKey: "outbox-42-0" });
    // The worker died before recording the card; the retry posts with the same key.
    const retried = await outgoing.post(chat(CARDS_CHANNEL), view, { idempotencyKey: "outbox-42-0" });
    expect(retried.messageId).toBe(first.messageId);
    expect(world.fake.channelMessages(CARDS_CHANNEL)).toHaveLength(1);
    const posts = world.fake.callsTo("POST", new RegExp(`^/channels/${CARDS_CHANNEL}/messages$`));
    const keyed = posts.filter((c) => (c.body as { nonce?: string } | undefined)?.nonce === "outbox-42-0");
    expect(keyed.map((c) => c.body)).toEqual([
      expect.objectContaining({ enforce_nonce: true }),
      expect.objectContaining({ enforce_nonce: true }),
    ]);
    await outgoing.post(chat(CARDS_CHANNEL), view, { idempotencyKey: "outbox-43-0" });
    expect(world.fake.channelMessages(CARDS_CHANNEL)).toHaveLength(2);
  });

  it("a configured channel of another server is refused at delivery and nothing is posted there", async () => {
    const outgoing = discordOutgoing({ token: TOKEN, api: world.fake.api });
    const before = world.fake.callsTo("POST", new RegExp(`^/channels/${CARDS_CHANNEL}/messages$`)).length;
    const elsewhere: ChatTarget = {
      kind: "chat",
      platform: "DISCORD",
      chatId: "910000000000000099",
      channel: "modlog",
      channelRef: CARDS_CHANNEL,
      label: "#modlog",
    };

    const failure = await outgoing.post(elsewhere, view).then(
      () => null,
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(PlatformError);
    expect((failure as PlatformError).failure).toEqual({ kind: "permanent", reason: "forbidden" });
    expect(world.fake.callsTo("POST", new RegExp(`^/channels/${CARDS_CHANNEL}/messages$`))).toHaveLength(
      before,
    );
  });

  it("opens a direct message channel once per person and posts there", async () => {
    const outgoing = discordOutgoing({ token: TOKEN, api: world.fake.api });
    const direct: ChatTarget = { kind: "direct", platform: "DISCORD", userId: alice.id, label: "to alice" };
    const first = await outgoing.post(direct, view);
    const second = await outgoing.post(direct, { ...view, lines: ["again"] });
    const opened = world.fake.callsTo("POST", /^\/users\/@me\/channels$/);
    expect(opened).toHaveLength(1);
    expect(opened[0]?.body).toEqual({ recipient_id: alice.id });
    const dmChannel = first.messageId.split("/")[0] ?? "";
    expect(second.messageId.split("/")[0]).toBe(dmChannel);
    expect(world.fake.channelMessages(dmChannel).map((m) => textOf(m.body))).toEqual([
      "hello @everyone",
      "again",
    ]);
    expect(world.fake.channelMessages(dmChannel)[0]?.body.allowed_mentions).toEqual({ parse: [] });
  });

  it("finds where to post in a server without a configured channel once, and again after losing it", async () => {
    const outgoing = discordOutgoing({ token: TOKEN, api: world.fake.api });
    const lookups = () => world.fake.calls.filter((c) => c.method === "GET" && c.path.startsWith("/guilds/"));
    const before = lookups().length;
    const first = await outgoing.post(chat(null), view);
    expect(first.messageId.split("/")[0]).toBe(GENERAL_CHANNEL);
    expect(
      lookups()
        .slice(before)
        .map((c) => c.path)
        .sort(),
    ).toEqual([
      `/guilds/${GUILD_ID}`,
      `/guilds/${GUILD_ID}/channels`,
      `/guilds/${GUILD_ID}/members/${BOT_ID}`,
    ]);
    await outgoing.post(chat(null), view);
    expect(lookups().length - before).toBe(3);
    world.fake.failNext({
      method: "POST",
      path: new RegExp(`^/channels/${GENERAL_CHANNEL}/messages$`),
      status: 404,
      body: { code: 10003, message: "Unknown Channel" },
    });
    await expect(outgoing.post(chat(null), view)).rejects.toBeInstanceOf(PlatformError);
    await outgoing.post(chat(null), view);
    expect(lookups().length - before).toBe(6);
  });

  it("uploads a view's attachment as a file", async () => {
    const outgoing = discordOutgoing({ token: TOKEN, api: world.fake.api });
    await outgoing.post(chat(GENERAL_CHANNEL), {
      ...view,
      attachment: { filename: "export.csv", contentType: "text/csv", content: "a,b\n1,2\n" },
    });
    const upload = world.fake.callsTo("POST", new RegExp(`^/channels/${GENERAL_CHANNEL}/messages$`)).at(-1);
    expect(upload?.files).toEqual([{ name: "export.csv", content: "a,b\n1,2\n" }]);
    expect((upload?.body as { attachments?: unknown }).attachments).toEqual([
      { id: 0, filename: "export.csv" },
    ]);
  });

  it("turns a 429 into rate_limited with Discord's retry_after, and permission errors into forbidden", async () => {
    const outgoing = discordOutgoing({ token: TOKEN, api: world.fake.api });
    world.fake.failNext({
      method: "POST",
      path: /messages$/,
      status: 429,
      body: { retry_after: 2.345, global: true, message: "You are being rate limited." },
    });
    const limited = await outgoing.post(chat(CARDS_CHANNEL), view).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(PlatformError);
    // @discordjs/rest reads Discord's Retry-After header: whole seconds, rounded up from the body's 2.345.
    expect((limited as PlatformError).failure).toEqual({
      kind: "rate_limited",
      retryAfterMs: 3000,
      scope: "global",
    });
    // Until the global limit has passed, the same client refuses without asking Discord again.
    const calls = world.fake.calls.length;
    const held = (await outgoing.post(chat(CARDS_CHANNEL), view).catch((e: unknown) => e)) as PlatformError;
    expect(held.failure).toMatchObject({ kind: "rate_limited", scope: "global" });
    expect(world.fake.calls.length).toBe(calls);
    const other = discordOutgoing({ token: TOKEN, api: world.fake.api });
    world.fake.failNext({
      method: "POST",
      path: /messages$/,
      status: 403,
      body: { code: 50013, message: "Missing Permissions" },
    });
    const forbidden = (await other.post(chat(CARDS_CHANNEL), view).catch((e: unknown) => e)) as PlatformError;
    expect(forbidden.failure).toEqual({ kind: "permanent", reason: "forbidden" });
    expect(forbidden.message).not.toContain(TOKEN);
    world.fake.failNext({
      method: "PATCH",
      path: /messages\/\d+$/,
      status: 404,
      body: { code: 10008, message: "Unknown Message" },
    });
    const gone = (await other
      .edit(chat(null), { messageId: `${CARDS_CHANNEL}/1234567` }, view)
      .catch((e: unknown) => e)) as PlatformError;
    expect(gone.failure).toEqual({ kind: "permanent", reason: "message_deleted" });
    world.fake.failNext({ method: "POST", path: /messages$/, status: 503, body: {} });
    const before = world.fake.calls.length;
    const transient = (await other.post(chat(CARDS_CHANNEL), view).catch((e: unknown) => e)) as PlatformError;
    expect(transient.failure.kind).toBe("transient");
    // retries: 0 — one request, not retried.
    expect(world.fake.calls.length).toBe(before + 1);
  });
});

describe("stopping", () => {
  it("answers what arrives while stopping without running it, and finishes what was in progress", async () => {
    world.fake.delayNext({ method: "PATCH", path: /@original$/, ms: 600 });
    const slow = slashCommand(alice, "help");
    await world.fake.interact(slow);
    const stopped = world.bot.stop();
    const late = await world.send(slashCommand(alice, "leaderboard"));
    expect(late.ephemeral).toBe(true);
    expect(textOf(late.message)).toBe(
      "Cairn is restarting, so nothing was done; please try again in a minute.",
    );
    await stopped;
    const finished = world.fake.repliesTo(slow.id)[0];
    expect(textOf(finished?.body ?? null)).toContain("Cairn commands");
  });
});
