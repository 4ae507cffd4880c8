// Each platform's pacing stays within what the platform allows in every
// window, a full burst included (a 429 is the fallback, not the plan).
import { describe, expect, it } from "vitest";
import { DISCORD_LIMITS } from "../../src/platforms/discord/index.ts";
import { mostInWindow, paceKey, type ChatTarget } from "../../src/ports/chatPlatform.ts";
import { TELEGRAM_LIMITS } from "../../src/platforms/telegram/outgoing.ts";

describe("platform pacing", () => {
  it("keeps Discord within 50 requests in any second and 5 messages per channel in any 5 s", () => {
    expect(mostInWindow(DISCORD_LIMITS.global, 1)).toBeLessThanOrEqual(50);
    expect(mostInWindow(DISCORD_LIMITS.perChat, 5)).toBeLessThanOrEqual(5);
  });

  it("keeps Telegram within 30 messages in any second and 20 per group in any minute", () => {
    expect(mostInWindow(TELEGRAM_LIMITS.global, 1)).toBeLessThanOrEqual(30);
    expect(mostInWindow(TELEGRAM_LIMITS.perChat, 60)).toBeLessThanOrEqual(20);
  });

  it("paces a Telegram group's topics together and Discord's channels apart", () => {
    const inChat = (
      platform: ChatTarget["platform"],
      chatId: string,
      channelRef: string | null,
    ): ChatTarget => ({
      kind: "chat",
      platform,
      chatId,
      channel: "verification",
      channelRef,
      label: "#verification",
    });
    expect(paceKey(inChat("TELEGRAM", "-100", "7"), TELEGRAM_LIMITS)).toBe(
      paceKey(inChat("TELEGRAM", "-100", null), TELEGRAM_LIMITS),
    );
    expect(paceKey(inChat("DISCORD", "1", "11"), DISCORD_LIMITS)).not.toBe(
      paceKey(inChat("DISCORD", "1", "12"), DISCORD_LIMITS),
    );
  });

  it("counts a full bucket and its refill", () => {
    expect(mostInWindow({ capacity: 5, perSecond: 0.25 }, 60)).toBe(20);
  });
});
