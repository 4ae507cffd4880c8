// The per-member command rate limit on Discord: slash commands, forms and
// button presses count like typed commands. Past the limit the first gets one
// private refusal, the rest are acknowledged with no message, and none runs.
import type { APIMessage } from "discord-api-types/v10";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMAND_RATE } from "../../../src/core/rateLimit.ts";
import { SILENT_ACK } from "../../../src/platforms/discord/reply.ts";
import { refusalText } from "../../../src/views/refusals.ts";
import { buttonPress, modalSubmit, slashCommand } from "./fixtures.ts";
import { customIdOf, DiscordWorld, textOf } from "./world.ts";

const world = new DiscordWorld();
const carol = { id: "100000000000000002", name: "carol" };
const dave = { id: "100000000000000004", name: "dave" };
const erin = { id: "100000000000000005", name: "erin" };
const RATE_LIMITED = refusalText({ code: "RATE_LIMITED" });
const DEFERRED_UPDATE = 6;

beforeAll(() => world.start(), 60_000);
afterAll(() => world.stop(), 30_000);

async function loggedCard(): Promise<APIMessage> {
  const opened = await world.send(slashCommand(carol, "contribute", { category: "docs" }));
  const { custom_id } = opened.data as { custom_id: string };
  await world.send(
    modalSubmit(carol, custom_id, { title: "Wrote the FAQ", links: "https://example.org/faq" }),
  );
  return world.card(1);
}

async function davesVote() {
  return world.database.db.vote.findFirstOrThrow({ where: { voter: { displayName: "dave" } } });
}

describe("Discord: the per-member command rate limit", () => {
  it("25 button presses in a minute: 20 votes, one private refusal, the rest acknowledged silently", async () => {
    const card = await loggedCard();
    const press = (i: number) => {
      // Presses alternate, so each one run changes the vote; those past the limit would flip it back.
      const label = i > COMMAND_RATE.limit || i % 2 === 1 ? "Approve" : "Reject";
      return world.send(buttonPress(dave, card, customIdOf(card, label)));
    };
    const answers = [];
    for (let i = 1; i <= COMMAND_RATE.limit; i += 1) answers.push(await press(i));
    expect(answers.every((a) => a.type === 4 && a.ephemeral)).toBe(true);
    expect(answers.filter((a) => /^Vote (recorded|changed) on #1/.test(textOf(a.message)))).toHaveLength(20);
    const afterLimit = await davesVote();
    expect(afterLimit.choice).toBe("REJECT");

    const refused = await press(21);
    expect(refused.type).toBe(4);
    expect(refused.ephemeral).toBe(true);
    expect(textOf(refused.message)).toBe(RATE_LIMITED);
    for (let i = 22; i <= 25; i += 1) {
      const silent = await press(i);
      expect(silent.type).toBe(DEFERRED_UPDATE);
      expect(silent.message).toBeNull();
    }
    expect(await davesVote()).toEqual(afterLimit);
  });

  it("a slash command past the limit runs nothing and gets a one-character private acknowledgement", async () => {
    const before = world.fake.calls.length;
    const answer = await world.send(slashCommand(dave, "profile"));
    expect(answer.type).toBe(4);
    expect(answer.ephemeral).toBe(true);
    expect(answer.message?.content).toBe(SILENT_ACK);
    expect(answer.message?.embeds ?? []).toEqual([]);
    // One request: the callback, nothing deferred, edited or followed up.
    expect(world.fake.calls.slice(before).filter((c) => c.path.startsWith("/interactions/"))).toHaveLength(1);
  });

  it("a form submitted past the limit logs nothing", async () => {
    const opened = await world.send(slashCommand(dave, "contribute", { category: "docs" }));
    const { custom_id } = opened.data as { custom_id: string };
    const answer = await world.send(
      modalSubmit(dave, custom_id, { title: "Flooded", links: "https://example.org/flood" }),
    );
    expect(answer.message?.content).toBe(SILENT_ACK);
    expect(await world.database.db.contribution.count()).toBe(1);
  });

  it("counts each member apart: another voter's press runs", async () => {
    const card = await world.card(1);
    const answer = await world.send(buttonPress(erin, card, customIdOf(card, "Approve")));
    expect(textOf(answer.message)).toMatch(/^Vote recorded on #1 \(1 approve, 1 reject\)/);
  });
});
