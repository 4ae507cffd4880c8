// The product behaviour every platform adapter must show the same way, driven
// through each adapter as its people would use it. A platform's
// contract.test.ts calls platformContract with a harness over its real adapter.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Person, PlatformHarness, Reply } from "./harness.ts";

const alice: Person = { id: "alice", name: "Alice" };
const bob: Person = { id: "bob", name: "Bob" };
const carol: Person = { id: "carol", name: "Carol" };
const dave: Person = { id: "dave", name: "Dave" };
const erin: Person = { id: "erin", name: "Erin" };

/**
 * Stories share one community, and each logs the contributions it acts on, so
 * they pass in any order. The community numbers its contributions 1, 2, … in
 * the order they are logged; `log` counts them to know the number each takes.
 */
export function platformContract(name: string, makeHarness: () => PlatformHarness): void {
  describe(`platform contract: ${name}`, () => {
    let chat: PlatformHarness;
    let logged = 0;

    beforeAll(async () => {
      chat = makeHarness();
      await chat.start();
    }, 120_000);

    afterAll(async () => {
      await chat?.stop();
    }, 60_000);

    /** Alice logs a contribution titled `title`; returns the number it takes and her answer. */
    async function log(title: string): Promise<{ number: number; reply: Reply }> {
      const number = logged + 1;
      const reply = await chat.command(
        alice,
        `/contribute docs "${title}" https://example.org/work/${number}`,
      );
      logged = number;
      return { number, reply };
    }

    /** Bob, Carol and Dave approve contribution `number`: the default quorum of three. */
    async function reachQuorum(number: number): Promise<void> {
      for (const voter of [bob, carol, dave]) await chat.press(voter, number, "approve");
    }

    it("logging a contribution answers with its number and posts a vote card with Approve and Reject", async () => {
      const { number, reply } = await log("Install guide for <b>Linux</b> @everyone");
      expect(reply.text).toContain(`#${number}`);
      const card = await chat.card(number);
      expect(card.text).toContain("Install guide for <b>Linux</b> @everyone");
      expect(card.buttons).toEqual(expect.arrayContaining(["Approve", "Reject"]));
    });

    it("refuses the author's own vote privately with the reason and leaves the card as it was", async () => {
      const { number } = await log("Wrote the FAQ");
      const before = await chat.card(number);
      const reply = await chat.press(alice, number, "approve");
      expect(reply.private).toBe(true);
      expect(reply.text).toMatch(/cannot vote on your own contribution/i);
      expect((await chat.card(number)).text).toBe(before.text);
    });

    it("refuses a moderator command from a member who is not a moderator", async () => {
      const { number } = await log("Translated the guide");
      const reply = await chat.command(bob, `/review void #${number} looks like spam`);
      expect(reply.private).toBe(true);
      expect(reply.text).toMatch(/only moderators/i);
      expect((await chat.card(number)).buttons).toContain("Approve");
    });

    it("records a vote privately and shows it in the card's tally", async () => {
      const { number } = await log("Recorded a tutorial");
      const reply = await chat.press(bob, number, "approve");
      expect(reply.private).toBe(true);
      expect(reply.text).toMatch(/vote/i);
      expect((await chat.card(number)).text).toMatch(/1 approve/i);
    });

    it("verifies at quorum: the card is locked and the decision is announced", async () => {
      const { number } = await log("Fixed the broken links");
      await reachQuorum(number);
      const card = await chat.card(number);
      expect(card.buttons).toEqual([]);
      expect(card.text).toMatch(/verified/i);
      const decided = new RegExp(`#${number}\\b.*is verified`);
      const announced = (await chat.posts()).filter((text) => decided.test(text));
      expect(announced).toHaveLength(1);
    });

    it("shows the author on the leaderboard with the points they earned", async () => {
      const { number } = await log("Drew the diagrams");
      await reachQuorum(number);
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
