// The product behaviour every platform adapter must show the same way, driven
// through each adapter as its people would use it. A platform's
// contract.test.ts calls platformContract with a harness over its real adapter.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Person, PlatformHarness } from "./harness.ts";

const alice: Person = { id: "alice", name: "Alice" };
const bob: Person = { id: "bob", name: "Bob" };
const carol: Person = { id: "carol", name: "Carol" };
const dave: Person = { id: "dave", name: "Dave" };
const erin: Person = { id: "erin", name: "Erin" };

/** Stories share one community and run in order: each builds on the one before. */
export function platformContract(name: string, makeHarness: () => PlatformHarness): void {
  describe(`platform contract: ${name}`, () => {
    let chat: PlatformHarness;

    beforeAll(async () => {
      chat = makeHarness();
      await chat.start();
    }, 120_000);

    afterAll(async () => {
      await chat?.stop();
    }, 60_000);

    it("logging a contribution answers with its number and posts a vote card with Approve and Reject", async () => {
      const reply = await chat.command(
        alice,
        '/contribute docs "Install guide for <b>Linux</b> @everyone" https://example.org/install',
      );
      expect(reply.text).toContain("#1");
      const card = await chat.card(1);
      expect(card.text).toContain("Install guide for <b>Linux</b> @everyone");
      expect(card.buttons).toEqual(expect.arrayContaining(["Approve", "Reject"]));
    });

    it("refuses the author's own vote privately with the reason and leaves the card as it was", async () => {
      const before = await chat.card(1);
      const reply = await chat.press(alice, 1, "approve");
      expect(reply.private).toBe(true);
      expect(reply.text).toMatch(/cannot vote on your own contribution/i);
      expect((await chat.card(1)).text).toBe(before.text);
    });

    it("refuses a moderator command from a member who is not a moderator", async () => {
      const reply = await chat.command(bob, "/review void #1 looks like spam");
      expect(reply.private).toBe(true);
      expect(reply.text).toMatch(/only moderators/i);
      expect((await chat.card(1)).buttons).toContain("Approve");
    });

    it("records a vote privately and shows it in the card's tally", async () => {
      const reply = await chat.press(bob, 1, "approve");
      expect(reply.private).toBe(true);
      expect(reply.text).toMatch(/vote/i);
      expect((await chat.card(1)).text).toMatch(/1 approve/i);
    });

    it("verifies at quorum: the card is locked and the decision is announced", async () => {
      await chat.press(carol, 1, "approve");
      await chat.press(dave, 1, "approve");
      const card = await chat.card(1);
      expect(card.buttons).toEqual([]);
      expect(card.text).toMatch(/verified/i);
      const announced = (await chat.posts()).filter((text) => /#1\b.*is verified/.test(text));
      expect(announced).toHaveLength(1);
    });

    it("shows the author on the leaderboard with the points they earned", async () => {
      const reply = await chat.command(erin, "/leaderboard");
      expect(reply.text).toMatch(/Alice/);
      expect(reply.text).toMatch(/\d+(\.\d+)? ?(pts|points)/i);
    });

    it("answers an unknown contribution with a one-line refusal", async () => {
      const reply = await chat.command(erin, "/vote #99 approve");
      expect(reply.private).toBe(true);
      expect(reply.text).toMatch(/no contribution #99/i);
    });
  });
}
