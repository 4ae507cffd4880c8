// The per-member command rate limit on Discord: slash commands, forms and
// button presses count like typed commands. Past the limit the first gets one
// private refusal, the rest are acknowledged with no message, and none runs.
import { randomUUID } from "node:crypto";
import type { APIMessage } from "discord-api-types/v10";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMAND_RATE } from "../../../src/core/rateLimit.ts";
import { SILENT_ACK } from "../../../src/platforms/discord/reply.ts";
import { refusalText } from "../../../src/views/refusals.ts";
import { buttonPress, modalSubmit, slashCommand, type Someone } from "./fixtures.ts";
import { customIdOf, DiscordWorld, textOf } from "./world.ts";

const world = new DiscordWorld();
const carol = { id: "100000000000000002", name: "carol" };
const dave = { id: "100000000000000004", name: "dave" };
const erin = { id: "100000000000000005", name: "erin" };
const frank = { id: "100000000000000006", name: "frank" };
const gina = { id: "100000000000000007", name: "gina" };
const hank = { id: "100000000000000008", name: "hank" };
const RATE_LIMITED = refusalText({ code: "RATE_LIMITED" });
const DEFERRED_UPDATE = 6;

beforeAll(() => world.start(), 60_000);
afterAll(() => world.stop(), 30_000);

/** Carol logs a contribution through the form; returns its number and its vote card. */
async function loggedCard(): Promise<{ number: number; card: APIMessage }> {
  const opened = await world.send(slashCommand(carol, "contribute", { category: "docs" }));
  const { custom_id } = opened.data as { custom_id: string };
  const logged = await world.send(
    modalSubmit(carol, custom_id, {
      title: "Wrote the FAQ",
      links: `https://example.org/faq/${randomUUID()}`,
    }),
  );
  const number = Number(/Logged #(\d+)/.exec(textOf(logged.message))?.[1]);
  if (Number.isNaN(number)) throw new Error(`not logged: ${textOf(logged.message)}`);
  return { number, card: await world.card(number) };
}

async function davesVote() {
  return world.database.db.vote.findFirstOrThrow({ where: { voter: { displayName: "dave" } } });
}

/** `person` types /help until the limit refuses them: every command after it this minute is past the limit. */
async function pastTheLimit(person: Someone): Promise<void> {
  for (let i = 0; i <= COMMAND_RATE.limit; i += 1) {
    const answer = await world.send(slashCommand(person, "help"));
    if (textOf(answer.message) === RATE_LIMITED) return;
  }
  throw new Error(`${person.name} was never refused`);
}

describe("Discord: the per-member command rate limit", () => {
  it("25 button presses in a minute: 20 votes, one private refusal, the rest acknowledged silently", async () => {
    const { number, card } = await loggedCard();
    const press = (i: number) => {
      // Presses alternate, so each one run changes the vote; those past the limit would flip it back.
      const label = i > COMMAND_RATE.limit || i % 2 === 1 ? "Approve" : "Reject";
      return world.send(buttonPress(dave, card, customIdOf(card, label)));
    };
    const answers = [];
    for (let i = 1; i <= COMMAND_RATE.limit; i += 1) answers.push(await press(i));
    expect(answers.every((a) => a.type === 4 && a.ephemeral)).toBe(true);
    const votes = new RegExp(`^Vote (recorded|changed) on #${number}\\b`);
    expect(answers.filter((a) => votes.test(textOf(a.message)))).toHaveLength(20);
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
    await pastTheLimit(frank);
    const before = world.fake.calls.length;
    const answer = await world.send(slashCommand(frank, "profile"));
    expect(answer.type).toBe(4);
    expect(answer.ephemeral).toBe(true);
    expect(answer.message?.content).toBe(SILENT_ACK);
    expect(answer.message?.embeds ?? []).toEqual([]);
    // One request: the callback, nothing deferred, edited or followed up.
    expect(world.fake.calls.slice(before).filter((c) => c.path.startsWith("/interactions/"))).toHaveLength(1);
  });

  it("a form submitted past the limit logs nothing", async () => {
    await pastTheLimit(gina);
    const before = await world.database.db.contribution.count();
    const opened = await world.send(slashCommand(gina, "contribute", { category: "docs" }));
    const { custom_id } = opened.data as { custom_id: string };
    const answer = await world.send(
      modalSubmit(gina, custom_id, { title: "Flooded", links: "https://example.org/flood" }),
    );
    expect(answer.message?.content).toBe(SILENT_ACK);
    expect(await world.database.db.contribution.count()).toBe(before);
  });

  it("counts each member apart: another voter's press runs", async () => {
    const { number, card } = await loggedCard();
    await world.send(buttonPress(hank, card, customIdOf(card, "Reject")));
    await pastTheLimit(hank);
    const answer = await world.send(buttonPress(erin, card, customIdOf(card, "Approve")));
    expect(textOf(answer.message)).toMatch(
      new RegExp(`^Vote recorded on #${number} \\(1 approve, 1 reject\\)`),
    );
  });
});
