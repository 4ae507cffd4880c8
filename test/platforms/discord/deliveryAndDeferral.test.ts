// Slow answers are deferred and followed up; a refused answer becomes a clear
// ephemeral apology; the outgoing port maps Discord's errors for the jobs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PlatformError, type ChatTarget } from "../../../src/platforms/port.ts";
import { discordOutgoing } from "../../../src/platforms/discord/index.ts";
import { CARDS_CHANNEL, GENERAL_CHANNEL, GUILD_ID } from "./fakeDiscord.ts";
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

  it("posts a public answer after a deferral as a public follow-up", async () => {
    await world.send(slashCommand(alice, "leaderboard"));
    const followUp = await world.until(
      async () => world.fake.callsTo("POST", /^\/webhooks\/\d+\/token-\d+$/).at(-1) ?? null,
      "the follow-up",
    );
    const body = followUp.body as { flags?: number; embeds?: Array<{ title?: string }> };
    expect(body.flags ?? 0).toBe(0);
    expect(body.embeds?.[0]?.title).toMatch(/Leaderboard/);
  });

  it("tells the person privately when Discord refuses the answer", async () => {
    world.fake.failNext({
      method: "PATCH",
      path: /@original$/,
      status: 400,
      body: { code: 50035, message: "Invalid Form Body" },
    });
    await world.send(slashCommand(alice, "help"));
    const apology = await world.until(
      async () =>
        world.fake
          .callsTo("POST", /^\/webhooks\/\d+\/token-\d+$/)
          .find((c) => textOf(c.body as never).includes("did not accept")) ?? null,
      "the apology",
    );
    expect((apology.body as { flags?: number }).flags).toBe(64);
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

  it("opens a direct message once per person", async () => {
    const outgoing = discordOutgoing({ token: TOKEN, api: world.fake.api });
    const direct: ChatTarget = { kind: "direct", platform: "DISCORD", userId: alice.id, label: "to alice" };
    await outgoing.post(direct, view);
    await outgoing.post(direct, view);
    expect(world.fake.callsTo("POST", /^\/users\/@me\/channels$/)).toHaveLength(1);
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
    expect((limited as PlatformError).failure).toEqual({
      kind: "rate_limited",
      retryAfterMs: 2345,
      scope: "global",
    });
    world.fake.failNext({
      method: "POST",
      path: /messages$/,
      status: 403,
      body: { code: 50013, message: "Missing Permissions" },
    });
    const forbidden = (await outgoing
      .post(chat(CARDS_CHANNEL), view)
      .catch((e: unknown) => e)) as PlatformError;
    expect(forbidden.failure).toEqual({ kind: "permanent", reason: "forbidden" });
    expect(forbidden.message).not.toContain(TOKEN);
    world.fake.failNext({
      method: "PATCH",
      path: /messages\/\d+$/,
      status: 404,
      body: { code: 10008, message: "Unknown Message" },
    });
    const gone = (await outgoing
      .edit(chat(null), { messageId: `${CARDS_CHANNEL}/1234567` }, view)
      .catch((e: unknown) => e)) as PlatformError;
    expect(gone.failure).toEqual({ kind: "permanent", reason: "message_deleted" });
    world.fake.failNext({ method: "POST", path: /messages$/, status: 503, body: {} });
    const transient = (await outgoing
      .post(chat(CARDS_CHANNEL), view)
      .catch((e: unknown) => e)) as PlatformError;
    expect(transient.failure.kind).toBe("transient");
  });
});
