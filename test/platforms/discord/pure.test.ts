// The pure parts of the Discord adapter: registration payloads derived from the
// catalog, custom_id encoding, rendering and escaping, REST error mapping.
import { ApplicationCommandOptionType, PermissionFlagsBits } from "discord-api-types/v10";
import { describe, expect, it } from "vitest";
import { catalog } from "../../../src/commands/catalog.ts";
import { commandPayloads } from "../../../src/platforms/discord/registration.ts";
import { discordClient } from "../../../src/platforms/discord/bot.ts";
import { loggableError } from "../../../src/platforms/discord/errors.ts";
import { withinBudget } from "../../../src/platforms/discord/interactions.ts";
import {
  buttonAction,
  decodeComponent,
  decodeModal,
  encodeComponent,
  encodeModal,
} from "../../../src/platforms/discord/customIds.ts";
import { discordText, escapeDiscord, renderMessage } from "../../../src/platforms/discord/render.ts";
import { DiscordAPIError, HTTPError, RateLimitError } from "@discordjs/rest";
import { discordFailureOf, routeLabel } from "../../../src/platforms/discord/api.ts";
import { bareMention, parseCreditText } from "../../../src/platforms/discord/input.ts";
import { defaultChannel } from "../../../src/platforms/discord/channels.ts";
import { ChannelType, OverwriteType } from "discord-api-types/v10";

describe("slash command registration from the catalog", () => {
  const payloads = commandPayloads(catalog);
  const byName = (name: string) => payloads.find((p) => p.name === name);

  it("registers one command per catalog name, subcommands for entries with `sub`", () => {
    expect(payloads.map((p) => p.name)).toEqual([...new Set(catalog.map((c) => c.name))]);
    const review = byName("review");
    expect(review?.options?.map((o) => o.name)).toEqual([
      "queue",
      "approve",
      "reject",
      "void",
      "extend",
      "reopen",
    ]);
    expect(review?.options?.every((o) => o.type === ApplicationCommandOptionType.Subcommand)).toBe(true);
  });

  it("keeps every description within Discord's 100 characters and hides moderator commands by default", () => {
    for (const payload of payloads) {
      expect(payload.description.length).toBeLessThanOrEqual(100);
      expect(payload.dm_permission).toBe(false);
      const moderatorOnly = catalog
        .filter((c) => c.name === payload.name)
        .every((c) => c.audience === "moderator");
      expect(payload.default_member_permissions).toBe(
        moderatorOnly ? String(PermissionFlagsBits.ManageGuild) : null,
      );
    }
  });

  it("maps option kinds to Discord types, with autocomplete and choices", () => {
    const vote = byName("vote");
    expect(vote?.options).toEqual([
      expect.objectContaining({
        name: "contribution",
        type: ApplicationCommandOptionType.Integer,
        autocomplete: true,
        required: true,
      }),
      expect.objectContaining({
        name: "choice",
        type: ApplicationCommandOptionType.String,
        choices: [
          { name: "approve", value: "approve" },
          { name: "reject", value: "reject" },
          { name: "info", value: "info" },
        ],
      }),
      expect.objectContaining({ name: "detail", type: ApplicationCommandOptionType.String, required: false }),
    ]);
    expect(byName("profile")?.options).toEqual([
      expect.objectContaining({ name: "member", type: ApplicationCommandOptionType.User, required: false }),
      expect.objectContaining({
        name: "visibility",
        type: ApplicationCommandOptionType.String,
        required: false,
        choices: [
          { name: "hide", value: "hide" },
          { name: "show", value: "show" },
        ],
      }),
    ]);
    expect(byName("leaderboard")?.options?.map((o) => o.type)).toEqual([
      ApplicationCommandOptionType.String,
      ApplicationCommandOptionType.String,
      ApplicationCommandOptionType.Boolean,
      ApplicationCommandOptionType.String,
    ]);
    expect(byName("leaderboard")?.options?.at(-1)).toMatchObject({
      name: "members",
      choices: [
        { name: "people", value: "people" },
        { name: "agents", value: "agents" },
        { name: "everyone", value: "everyone" },
      ],
    });
  });

  it("asks /contribute's text in a modal: only category and co-authors are options", () => {
    expect(byName("contribute")?.options?.map((o) => o.name)).toEqual(["category", "credits"]);
  });
});

describe("custom ids", () => {
  it("round-trips vote buttons, the impact select and modals", () => {
    for (const action of [
      { kind: "vote", number: 12, choice: "approve" },
      { kind: "vote", number: 12, choice: "reject" },
      { kind: "ask", number: 7 },
      { kind: "impact", number: 2147483647 },
    ] as const)
      expect(decodeComponent(encodeComponent(action))).toEqual(action);
    const contribute = { kind: "contribute", form: "Ab-_0123456z" } as const;
    expect(decodeModal(encodeModal(contribute))).toEqual(contribute);
    expect(decodeModal(encodeModal({ kind: "question", number: 3 }))).toEqual({
      kind: "question",
      number: 3,
    });
  });

  it("rejects anything it did not make", () => {
    for (const forged of [
      "cairn:vote:0:approve",
      "cairn:vote:2147483648:approve",
      "cairn:vote:12:delete",
      "cairn:vote:12:approve:extra",
      "cairn:impact:-1",
      "other:vote:1:approve",
      "cairn:vote:1e3:approve",
    ])
      expect(decodeComponent(forged)).toBeNull();
    for (const forged of [
      "cairn:contribute:../x",
      "cairn:contribute:short",
      "cairn:contribute:Ab-_0123456z:extra",
      "cairn:contribute:Ab-_0123456!",
      "cairn:ask:x",
    ])
      expect(decodeModal(forged)).toBeNull();
  });

  it("reads a button's meaning from the text command it stands for", () => {
    expect(buttonAction("/vote #4 approve")).toEqual({
      action: { kind: "vote", number: 4, choice: "approve" },
      impact: null,
    });
    expect(buttonAction("/vote #4 approve 5")).toEqual({ action: { kind: "impact", number: 4 }, impact: 5 });
    expect(buttonAction("/vote #4 info")).toEqual({ action: { kind: "ask", number: 4 }, impact: null });
    expect(buttonAction("docs")).toBeNull();
  });
});

describe("rendering a View", () => {
  it("escapes markdown and mentions in everything a person typed", () => {
    expect(escapeDiscord("**bold** _it_ `code` @everyone @here <@123> <#456> <@&789> <t:1:R>")).toBe(
      "\\*\\*bold\\*\\* \\_it\\_ \\`code\\` @\u200beveryone @\u200bhere \\<@123> \\<#456> \\<@&789> \\<t:1:R>",
    );
    expect(escapeDiscord("# heading\n- item\n[x](http://e.vil)")).toBe(
      "\\# heading\n\\- item\n\\[x](http://e.vil)",
    );
    // A typed backslash cannot cancel the escape of a masked link's "[".
    expect(discordText("\\[Official docs](https://e.vil)")).toBe("\\\\\\[Official docs](<https://e.vil>)");
    expect(escapeDiscord("> quoted\n  -# small <id:home>")).toBe("\\> quoted\n  \\-# small \\<id:home>");
  });

  it("renders a private view as an ephemeral embed with no mentions allowed", () => {
    const message = renderMessage(
      {
        visibility: "private",
        tone: "refusal",
        title: "T",
        lines: ["a", "b"],
        fields: [{ name: "Closes", value: "2026-11-28 09:00 UTC" }],
      },
      { ephemeral: true },
    );
    expect(message).toEqual({
      embeds: [
        {
          color: 0xed4245,
          title: "T",
          description: "a\nb",
          fields: [
            {
              name: "Closes",
              value: `<t:${Date.UTC(2026, 10, 28, 9) / 1000}:f> (<t:${Date.UTC(2026, 10, 28, 9) / 1000}:R>)`,
            },
          ],
        },
      ],
      components: [],
      allowed_mentions: { parse: [] },
      flags: 64,
    });
  });

  it("cuts text to Discord's embed limits", () => {
    const message = renderMessage({
      visibility: "public",
      tone: "info",
      title: "x".repeat(300),
      lines: ["y".repeat(5000)],
    });
    expect(message.embeds[0]?.title?.length).toBe(256);
    expect(message.embeds[0]?.description?.length).toBe(4096);
  });
});

describe("Discord REST failures", () => {
  it("maps @discordjs/rest's errors to what the delivery jobs need", () => {
    const limited = (retryAfter: number, global: boolean) =>
      new RateLimitError({
        timeToReset: retryAfter,
        limit: 5,
        method: "POST",
        hash: "h",
        url: "https://discord.com/api/v10/channels/1/messages",
        route: "/channels/:id/messages",
        majorParameter: "1",
        global,
        retryAfter,
        sublimitTimeout: 0,
        scope: global ? "global" : "user",
      });
    const apiError = (status: number, code: number) =>
      discordFailureOf(new DiscordAPIError({ code, message: "x" }, code, status, "POST", "u", {}));
    expect(discordFailureOf(limited(1234, true))).toEqual({
      kind: "rate_limited",
      retryAfterMs: 1234,
      scope: "global",
    });
    expect(discordFailureOf(limited(500, false))).toEqual({
      kind: "rate_limited",
      retryAfterMs: 500,
      scope: "chat",
    });
    expect(apiError(404, 10003)).toEqual({ kind: "permanent", reason: "chat_gone" });
    expect(apiError(404, 10004)).toEqual({ kind: "permanent", reason: "chat_gone" });
    expect(apiError(403, 50001)).toEqual({ kind: "permanent", reason: "forbidden" });
    expect(apiError(403, 50013)).toEqual({ kind: "permanent", reason: "forbidden" });
    expect(apiError(404, 10008)).toEqual({ kind: "permanent", reason: "message_deleted" });
    expect(apiError(400, 50035)).toEqual({ kind: "permanent", reason: "bad_request" });
    expect(discordFailureOf(new HTTPError(502, "Bad Gateway", "GET", "u", {}))).toEqual({
      kind: "transient",
      reason: "server error 502",
    });
    const aborted = Object.assign(new Error("aborted"), { name: "AbortError" });
    expect(discordFailureOf(aborted)).toEqual({ kind: "transient", reason: "timeout" });
    expect(discordFailureOf(new TypeError("fetch failed"))).toEqual({
      kind: "transient",
      reason: "network error",
    });
  });

  it("labels routes without ids or interaction tokens", () => {
    expect(
      routeLabel(
        "/webhooks/900000000000000001/aW50ZXJhY3Rpb246OTAwMDAwMDAwMDAwMDAwMDAxOnNlY3JldA/messages/@original",
      ),
    ).toBe("/webhooks/:id/:token/messages/@original");
  });
});

describe("adapter parsing", () => {
  it("reads co-authors as mentions or names with shares", () => {
    expect(parseCreditText("with <@100000000000000003>:40, @dave")).toEqual({
      ok: true,
      value: [
        { kind: "user", userId: "100000000000000003", shareBp: 4000 },
        { kind: "name", name: "dave", shareBp: null },
      ],
    });
    expect(parseCreditText("<@1000000003>:400").ok).toBe(false);
  });

  it("stores channel and role mentions as bare ids", () => {
    expect(bareMention("<#920000000000000002>")).toBe("920000000000000002");
    expect(bareMention("<@&930000000000000001>")).toBe("930000000000000001");
    expect(bareMention("hello <#1>")).toBe("hello <#1>");
  });

  it("picks the system channel, else the first text channel the bot may post in", () => {
    const guild = {
      id: "1000001",
      owner_id: "1000099",
      system_channel_id: "2000001",
      roles: [
        {
          id: "1000001",
          permissions: String(
            PermissionFlagsBits.ViewChannel |
              PermissionFlagsBits.SendMessages |
              PermissionFlagsBits.EmbedLinks,
          ),
        },
      ],
    } as Parameters<typeof defaultChannel>[0];
    const deny = {
      id: "1000001",
      type: OverwriteType.Role,
      allow: "0",
      deny: String(PermissionFlagsBits.SendMessages),
    };
    const channels = [
      { id: "2000001", type: ChannelType.GuildText, position: 0, permission_overwrites: [deny] },
      { id: "2000003", type: ChannelType.GuildVoice, position: 1 },
      { id: "2000002", type: ChannelType.GuildText, position: 2 },
    ];
    expect(defaultChannel(guild, channels, { userId: "3000001", roles: [] })).toBe("2000002");
    expect(
      defaultChannel({ ...guild, system_channel_id: null }, channels.slice(0, 2), {
        userId: "3000001",
        roles: [],
      }),
    ).toBeNull();
  });
});

describe("links in text", () => {
  it("keeps a link's _ and * as they are, in Discord's autolink form", () => {
    const link = "https://example.org/some_page/a*b?q=x_y";
    expect(discordText(link)).toBe(`<${link}>`);
    expect(discordText(`see ${link} and **this**`)).toBe(`see <${link}> and \\*\\*this\\*\\*`);
  });

  it("leaves sentence punctuation and unmatched parentheses out of the link", () => {
    expect(discordText("(see https://example.org/x_y).")).toBe("(see <https://example.org/x_y>).");
    expect(discordText("https://en.wikipedia.org/wiki/Cairn_(disambiguation)")).toBe(
      "<https://en.wikipedia.org/wiki/Cairn_(disambiguation)>",
    );
  });

  it("lets no markup or mention through around or after a link", () => {
    expect(discordText("https://e.vil/x<@123> @everyone")).toBe("<https://e.vil/x>\\<@123> @\u200beveryone");
    expect(discordText("[click](https://e.vil)")).toBe("\\[click](<https://e.vil>)");
    expect(discordText("javascript:alert(1) ftp://x")).toBe("javascript:alert(1) ftp://x");
  });

  it("renders evidence links in fields and lines clickable, titles escaped", () => {
    const message = renderMessage({
      visibility: "public",
      tone: "info",
      title: "a_b",
      lines: ["https://example.org/a_b"],
      fields: [{ name: "Evidence", value: "https://example.org/x_y\nhttps://example.org/*z*" }],
    });
    const embed = message.embeds[0];
    expect(embed?.title).toBe("a\\_b");
    expect(embed?.description).toBe("<https://example.org/a_b>");
    expect(embed?.fields?.[0]?.value).toBe("<https://example.org/x_y>\n<https://example.org/*z*>");
  });
});

describe("errors in logs", () => {
  it("keeps a discord.js request error's route, never its URL (with the interaction token) or body", () => {
    const error = Object.assign(new Error("Unknown interaction"), {
      name: "DiscordAPIError[10062]",
      code: 10062,
      status: 404,
      method: "POST",
      url: `https://discord.com/api/v10/interactions/900000000000000001/${"t".repeat(60)}/callback`,
      requestBody: { json: { content: "what someone typed" }, files: [] },
    });
    const logged = loggableError(error);
    expect(logged).toEqual({
      name: "DiscordAPIError[10062]",
      message: "Unknown interaction",
      code: 10062,
      status: 404,
      method: "POST",
      route: "/api/v10/interactions/:id/:token/callback",
    });
    expect(JSON.stringify(logged)).not.toContain("t".repeat(60));
    const ours = new Error("database down");
    expect(loggableError(ours)).toBe(ours);
  });
});

describe("time budgets", () => {
  it("answers with the fallback when the work is late or fails", async () => {
    const never = new Promise<string[]>(() => {});
    expect(await withinBudget(never, 5, ["late"])).toEqual(["late"]);
    expect(await withinBudget(Promise.reject(new Error("x")), 1_000, ["failed"])).toEqual(["failed"]);
    expect(await withinBudget(Promise.resolve(["found"]), 1_000, [])).toEqual(["found"]);
  });
});

describe("sharding options", () => {
  it("passes auto sharding and an explicit set of shards with their total to discord.js", async () => {
    const auto = discordClient({ token: "t", applicationId: "1", shards: "auto" });
    expect(auto.options.shards).toBe("auto");
    const some = discordClient({ token: "t", applicationId: "1", shards: { ids: [2, 3], count: 4 } });
    expect(some.options.shards).toEqual([2, 3]);
    expect(some.options.shardCount).toBe(4);
    const none = discordClient({ token: "t", applicationId: "1" });
    expect(none.options.shardCount).toBe(1);
    await Promise.all([auto.destroy(), some.destroy(), none.destroy()]);
  });
});
