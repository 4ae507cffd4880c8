// Each platform's pacing stays within what the platform allows in every
// window, a full burst included (a 429 is the fallback, not the plan).
import { describe, expect, it } from "vitest";
import { DISCORD_LIMITS } from "../../src/platforms/discord/index.ts";
import { mostInWindow } from "../../src/platforms/port.ts";

describe("platform pacing", () => {
  it("keeps Discord within 50 requests in any second and 5 messages per channel in any 5 s", () => {
    expect(mostInWindow(DISCORD_LIMITS.global, 1)).toBeLessThanOrEqual(50);
    expect(mostInWindow(DISCORD_LIMITS.perChat, 5)).toBeLessThanOrEqual(5);
  });

  it("counts a full bucket and its refill", () => {
    expect(mostInWindow({ capacity: 5, perSecond: 0.25 }, 60)).toBe(20);
  });
});
