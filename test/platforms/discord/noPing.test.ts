// No bot message can ping: a member whose name holds @everyone, markdown, a
// javascript: link, a right-to-left override and zero-width characters is
// answered with allowed_mentions parsing nothing, and the override removed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { slashCommand } from "./fixtures.ts";
import { DiscordWorld, textOf } from "./world.ts";

const world = new DiscordWorld();
beforeAll(() => world.start(), 120_000);
afterAll(() => world.stop(), 60_000);

const EVIL = "@everyone <b>Eve</b> javascript:alert(1) \u202eevil\u200b\u2066";

describe("names that try to ping or inject markup", () => {
  it("are answered with allowed_mentions parsing nothing and no direction override", async () => {
    const eve = { id: "951000000000000001", name: EVIL };
    const answers = [
      await world.send(slashCommand(eve, "profile")),
      await world.send(slashCommand(eve, "leaderboard")),
      await world.send(slashCommand(eve, "member", { member: "@everyone" }, "ban")),
    ];
    for (const answer of answers) {
      expect(answer.message).not.toBeNull();
      expect(answer.message?.allowed_mentions?.parse).toEqual([]);
      expect(textOf(answer.message)).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
    }
    const posts = world.fake.calls.filter((call) => call.method !== "GET" && call.method !== "DELETE");
    for (const call of posts) {
      const body = call.body as
        { allowed_mentions?: unknown; data?: { allowed_mentions?: unknown } } | undefined;
      const carried = body?.data ?? body;
      if (carried !== undefined && ("content" in carried || "embeds" in carried))
        expect(carried.allowed_mentions).toEqual({ parse: [] });
    }
  });
});
