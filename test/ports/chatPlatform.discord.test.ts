// Discord's ChatPlatform (REST, src/platforms/discord/outgoing.ts) keeps the
// port's contract against the fake Discord of the platform tests, whose
// scripted answers are Discord's own: 429 with retry_after, 403 Missing
// Permissions (50013), 404 Unknown Message (10008), 502.
import type { MessageRef } from "../../src/ports/chatPlatform.ts";
import { decodeMessageRef, discordOutgoing } from "../../src/platforms/discord/outgoing.ts";
import { FakeDiscord, GUILD_ID, type MessageBody } from "../platforms/discord/fakeDiscord.ts";
import { chatPlatformContract, verificationChat, type ScriptedFailure } from "./chatPlatform.contract.ts";

const TOKEN = "contract.discord-token.never-in-an-error";
const POST = /^\/channels\/\d+\/messages$/;
const EDIT = /^\/channels\/\d+\/messages\/\d+$/;

function answerOf(op: "post" | "edit", failure: ScriptedFailure): { status: number; body: object } {
  switch (failure.kind) {
    case "rate_limited":
      return {
        status: 429,
        body: {
          message: "You are being rate limited.",
          retry_after: failure.retryAfterSeconds,
          global: false,
        },
      };
    case "permanent":
      return op === "edit"
        ? { status: 404, body: { message: "Unknown Message", code: 10008 } }
        : { status: 403, body: { message: "Missing Permissions", code: 50013 } };
    case "transient":
      return { status: 502, body: { message: "Bad Gateway" } };
  }
}

/** A message's text as a reader sees it: its content and its embeds. */
function textOf(body: MessageBody): string {
  const embeds = (body.embeds ?? []).flatMap((e) => [
    e.title ?? "",
    e.description ?? "",
    ...(e.fields ?? []).map((f) => `${f.name}: ${f.value}`),
  ]);
  return [body.content ?? "", ...embeds].join("\n");
}

chatPlatformContract({
  name: "discord",
  capabilities: { rateLimits: true, failures: true, fileBytes: true },
  async open() {
    const discord = new FakeDiscord();
    await discord.start();
    const stored = (ref: MessageRef) => discord.messages.get(decodeMessageRef(ref).messageId);
    return {
      platform: discordOutgoing({ token: TOKEN, api: discord.api }),
      target: verificationChat("DISCORD", GUILD_ID),
      shown: async (ref) => {
        const message = stored(ref);
        return message === undefined || message.deleted ? "" : textOf(message.body);
      },
      file: async (ref) => {
        const { channelId } = decodeMessageRef(ref);
        const upload = discord
          .callsTo("POST", new RegExp(`^/channels/${channelId}/messages$`))
          .findLast((c) => c.files.length > 0)?.files[0];
        return upload === undefined
          ? null
          : { filename: upload.name, bytes: new TextEncoder().encode(upload.content) };
      },
      secrets: [TOKEN],
      faults: {
        failNext(op, failure) {
          discord.failNext({
            method: op === "post" ? "POST" : "PATCH",
            path: op === "post" ? POST : EDIT,
            ...answerOf(op, failure),
          });
        },
        posted: async () => [...discord.messages.values()].filter((m) => m.interactionId === null).length,
      },
      close: () => discord.stop(),
    };
  },
});
