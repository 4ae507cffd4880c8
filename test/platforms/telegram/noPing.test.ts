// No bot message can ping or render as markup: a person whose name holds
// @everyone, HTML, a javascript: link, a right-to-left override and zero-width
// characters is shown as text in the HTML the bot really sends.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { htmlToText } from "../../../src/platforms/telegram/html.ts";
import { TelegramWorld } from "./harness.ts";

const world = new TelegramWorld({ emulator: 9511, http: 9512 }, { membershipCacheMs: 60_000 });
beforeAll(() => world.start(), 120_000);
afterAll(() => world.stop(), 60_000);

const EVIL = "@everyone <b>Eve</b> javascript:alert(1) \u202eevil\u200b\u2066";

describe("names that try to ping or inject markup", () => {
  it("are sent escaped: no live @everyone, no <b> tag, no link, no direction override", async () => {
    const eve = { ...TelegramWorld.person("eve"), name: EVIL };
    const seen = await world.say(
      eve,
      '/contribute docs "@here <i>title</i> javascript:x" https://example.com/e',
    );
    const profile = await world.say(eve, "/profile");
    const messages = [...seen.messages, ...profile.messages];
    expect(messages.length).toBeGreaterThan(0);
    const html = messages.map((m) => m.text).join("\n");
    expect(html).not.toMatch(/@(everyone|here)\b/);
    expect(html).not.toMatch(/<b>Eve|<i>title/);
    expect(html).not.toMatch(/href="javascript:/i);
    expect(html).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
    expect(htmlToText(profile.messages.map((m) => m.text).join("\n"))).toMatch(/<b>Eve<\/b>/);
  });
});
