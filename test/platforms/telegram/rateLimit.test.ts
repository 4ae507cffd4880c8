// The per-member command rate limit on Telegram's inline keyboard: button
// presses count like typed commands. Past the limit the first press gets one
// refusal in its callback answer, the rest a bare answer, and none runs.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMAND_RATE } from "../../../src/core/rateLimit.ts";
import { refusalText } from "../../../src/views/refusals.ts";
import type { Person } from "../harness.ts";
import type { SentMessage } from "./emulator.ts";
import { TelegramWorld } from "./harness.ts";

const world = new TelegramWorld({ emulator: 9491, http: 9492 });
const person = TelegramWorld.person;
const RATE_LIMITED = refusalText({ code: "RATE_LIMITED" });

beforeAll(() => world.start(), 60_000);
afterAll(() => world.stop(), 60_000);

function votesOf(name: string) {
  return world.database.db.vote.findMany({ where: { voter: { displayName: name } } });
}

/** `author` logs a contribution; returns its number and its card in the group. */
async function loggedCard(author: Person, title: string) {
  const logged = await world.say(author, `/contribute docs "${title}" https://example.org/${randomUUID()}`);
  const number = Number(/Logged #(\d+)/.exec(logged.reply.text)?.[1]);
  if (Number.isNaN(number)) throw new Error(`not logged: ${logged.reply.text}`);
  return { number, card: await world.cardMessage(number) };
}

/** `voter` presses `label` on `card` until the limit refuses them: every press after it this minute is past the limit. */
async function pastTheLimit(voter: Person, card: SentMessage, label: string): Promise<void> {
  for (let i = 0; i <= COMMAND_RATE.limit; i += 1)
    if ((await world.pressOn(voter, card, label)).text === `✗ ${RATE_LIMITED}`) return;
  throw new Error(`${voter.name} was never refused`);
}

describe("Telegram: the per-member command rate limit on button presses", () => {
  it("25 presses in a minute: 20 votes, one refusal in the callback answer, then bare answers", async () => {
    const kit = person("Kit");
    const { card } = await loggedCard(person("Jo"), "Wrote the FAQ");
    // Presses alternate, so each one run changes the vote; those past the limit would flip it back.
    const press = (i: number) =>
      world.pressOn(kit, card, i > COMMAND_RATE.limit || i % 2 === 1 ? "Approve" : "Reject");
    const answers = [];
    for (let i = 1; i <= COMMAND_RATE.limit; i += 1) answers.push(await press(i));
    expect(answers.filter((a) => /^✓ Vote (recorded|changed) on #\d+/.test(a.text))).toHaveLength(20);
    const afterLimit = await votesOf("Kit");
    expect(afterLimit.map((v) => v.choice)).toEqual(["REJECT"]);

    const refused = await press(21);
    expect(refused).toEqual({ text: `✗ ${RATE_LIMITED}`, alert: true, messages: [] });
    for (let i = 22; i <= 25; i += 1)
      expect(await press(i)).toEqual({ text: "", alert: false, messages: [] });
    expect(await votesOf("Kit")).toEqual(afterLimit);

    // Needs info would post a prompt in the group: past the limit it posts nothing.
    const info = await world.pressOn(kit, card, "Needs info");
    expect(info).toEqual({ text: "", alert: false, messages: [] });
  });

  it("counts each member apart: another voter's press runs", async () => {
    const { number, card } = await loggedCard(person("Ada"), "Wrote the changelog");
    await pastTheLimit(person("Mo"), card, "Reject");
    const answer = await world.pressOn(person("Lu"), card, "Approve");
    expect(answer.text).toMatch(new RegExp(`^✓ Vote recorded on #${number} \\(1 approve, 1 reject\\)`));
  });
});
