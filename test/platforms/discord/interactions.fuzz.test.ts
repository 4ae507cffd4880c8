// Fuzzing the unmodified discord.js client through the fake Discord with
// interaction payloads of every kind: slash commands with options of wrong
// types, missing or unknown options, unknown commands and subcommands, buttons
// and selects with unknown custom ids or on stale messages, forms that were
// never opened, autocomplete with any text. Every interaction is answered once,
// nothing is logged as an error, refusals are one line, nothing sent can ping,
// and an interaction refused or answered with no message changes no table (the
// database compared before and after, once the jobs it caused are settled).
import fc from "fast-check";
import type { APIInteraction, APIMessage } from "discord-api-types/v10";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalog } from "../../../src/commands/catalog.ts";
import { anyText, fuzzRuns, fuzzTimeout, MAX_REFUSAL_LENGTH } from "../../support/fuzz.ts";
import {
  changedTables,
  rowCount,
  sightAccount,
  useSnapshots,
  type AccountSighting,
  type DatabaseSnapshot,
} from "../../support/snapshot.ts";
import { GENERAL_CHANNEL, type MessageBody, type RestCall } from "./fakeDiscord.ts";
import {
  autocomplete,
  buttonPress,
  modalSubmit,
  selectPick,
  slashCommand,
  type OptionValue,
  type Someone,
} from "./fixtures.ts";
import { DiscordWorld } from "./world.ts";

const world = new DiscordWorld();
beforeAll(() => world.start(), 120_000);
afterAll(() => world.stop(), 60_000);
const snapshots = useSnapshots({
  get url() {
    return world.database.url;
  },
});

const REFUSAL_COLOUR = 0xed4245;
/** The interaction callback that opens a form. */
const MODAL = 9;

/** Twenty members and ten moderators, so the command rate rarely silences the fuzzer. */
const someone = fc.integer({ min: 1, max: 30 }).map((n): Someone => ({
  id: `95000000000000${String(n).padStart(4, "0")}`,
  name: `fuzz${n}`,
  moderator: n > 20,
}));

const optionValue: fc.Arbitrary<OptionValue> = fc.oneof(
  anyText(60),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constantFrom("#1", "1", "docs", "approve", "7d", "@everyone", "<@&1>", "https://example.com/x"),
  someone.map((user) => ({ user })),
);

const names = [...new Set(catalog.flatMap((spec) => spec.options.map((option) => option.name)))];
const optionName = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...names) }, anyText(12));

const command = fc.record({
  spec: fc.constantFrom(...catalog),
  otherName: fc.option(anyText(20), { freq: 5, nil: undefined }),
  otherSub: fc.option(anyText(12), { freq: 5, nil: undefined }),
  values: fc.dictionary(optionName, optionValue, { maxKeys: 6 }),
});

const customId = fc.oneof(
  anyText(100),
  fc.constantFrom(
    "vote:1:approve",
    "vote:999:reject",
    "cairn:vote:1:a",
    "form:contribute:stale",
    "info:1",
    "",
  ),
  fc.integer({ min: 0, max: 10_000 }).map((n) => `vote:${n}:approve`),
);

/** A message the bot might once have sent, deleted or never known. */
const staleMessage = fc
  .record({ id: fc.bigInt({ min: 10n ** 17n, max: 10n ** 18n }), content: anyText(40) })
  .map(({ id, content }): APIMessage =>
    world.fake.apiMessage({ id: String(id), channelId: GENERAL_CHANNEL, body: { content } }),
  );

const interaction: fc.Arbitrary<APIInteraction> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(someone, command)
      .map(([person, c]) =>
        slashCommand(person, c.otherName ?? c.spec.name, c.values, c.otherSub ?? c.spec.sub),
      ),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(someone, staleMessage, customId)
      .map(([person, message, id]) => buttonPress(person, message, id)),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(someone, staleMessage, customId, fc.array(anyText(20), { maxLength: 3 }))
      .map(([person, message, id, values]) => selectPick(person, message, id, values)),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(someone, customId, fc.dictionary(anyText(12), anyText(200), { maxKeys: 4 }))
      .map(([person, id, fields]) => modalSubmit(person, id, fields)),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(someone, fc.constantFrom(...catalog), optionName, anyText(40))
      .map(([person, spec, focused, typed]) => autocomplete(person, spec.name, focused, typed, spec.sub)),
  },
);

/** The message bodies a REST call carries: a post, an edit, a follow-up or an interaction callback's data. */
function messageBodiesOf(call: RestCall): MessageBody[] {
  const body = call.body as (MessageBody & { type?: number; data?: unknown }) | undefined;
  if (body === undefined || call.method === "GET" || call.method === "DELETE") return [];
  if (/\/callback$/.test(call.path)) {
    const data = body.data as (MessageBody & { choices?: unknown; custom_id?: string }) | undefined;
    return data === undefined || data.choices !== undefined || body.type === 9 ? [] : [data];
  }
  return body.content !== undefined || body.embeds !== undefined ? [body] : [];
}

const embedsOf = (body: MessageBody) =>
  (body.embeds ?? []) as ReadonlyArray<{ color?: number; description?: string; title?: string }>;
const isRefusal = (body: MessageBody): boolean =>
  embedsOf(body).some((embed) => embed.color === REFUSAL_COLOUR);

function expectCannotPingAndRefusesInOneLine(body: MessageBody, input: unknown): void {
  const context = `sent for ${JSON.stringify(input).slice(0, 400)}`;
  expect(body.allowed_mentions?.parse, context).toEqual([]);
  const embeds = (body.embeds ?? []) as ReadonlyArray<{
    color?: number;
    description?: string;
    title?: string;
  }>;
  const refusal = embeds.find((embed) => embed.color === REFUSAL_COLOUR);
  if (refusal === undefined) return;
  expect(embeds, context).toHaveLength(1);
  expect(refusal.title, context).toBeUndefined();
  expect(refusal.description ?? "", context).not.toMatch(/[\n\r]/);
  expect((refusal.description ?? "").length, context).toBeLessThanOrEqual(MAX_REFUSAL_LENGTH * 2);
}

/**
 * What the bot answered with: a view (a form opened is one: its options wait for
 * it in a conversation row), refusals only, or nothing but choices to pick from.
 */
function answerOf(
  callbackType: number | undefined,
  bodies: readonly MessageBody[],
): "none" | "refusal" | "view" {
  if (callbackType === MODAL) return "view";
  if (bodies.length === 0) return "none";
  return bodies.every(isRefusal) ? "refusal" : "view";
}

/** The account behind an interaction and the command it names, if it is one. */
function partiesOf(payload: APIInteraction): { readonly person: string; readonly command: string | null } {
  const person = payload.member?.user.id ?? payload.user?.id ?? "";
  const data = payload.data as { name?: unknown } | undefined;
  const command = payload.type === 2 && typeof data?.name === "string" ? data.name : null;
  return { person, command };
}

/**
 * The tables an interaction that was refused or answered with no message
 * changed, but for the bookkeeping any interaction may do, each allowed only
 * where its reason holds:
 * - processed_delivery: one row more at most, the interaction's id claimed
 *   (interactions.ts), so a replay has no second effect;
 * - member, identity: the sender's first interaction makes their member and
 *   identity (actors.ts resolveActor): the account has more identities than
 *   before and everyone else's rows are as they were;
 * - link_attempt: a wrong /link CODE is counted (app/link.ts), so codes cannot be guessed.
 */
function unexplainedChanges(
  snapshots: { readonly before: DatabaseSnapshot; readonly after: DatabaseSnapshot },
  sightings: { readonly before: AccountSighting; readonly after: AccountSighting },
  command: string | null,
): string[] {
  const { before, after } = snapshots;
  const claims = rowCount(after, "processed_delivery") - rowCount(before, "processed_delivery");
  const newMember =
    sightings.after.identities > sightings.before.identities &&
    sightings.after.others === sightings.before.others;
  return changedTables(before, after).filter(
    (table) =>
      !(table === "processed_delivery" && claims <= 1) &&
      !((table === "member" || table === "identity") && newMember) &&
      !(table === "link_attempt" && command === "link"),
  );
}

describe("payloads the fuzzer found", () => {
  it("a /contribute whose category option is a user opens the form instead of logging an error", async () => {
    const person: Someone = { id: "950000000000009001", name: "typo" };
    const answer = await world.send(slashCommand(person, "contribute", { category: { user: person } }));
    expect(answer.type).toBe(9);
    expect(world.errors).toEqual([]);
  });
});

describe("the Discord bot under fuzzing", () => {
  const runs = fuzzRuns(0.1);
  it(
    `answers ${runs} random interactions once each, without an error, with one-line refusals and nothing that can ping`,
    async () => {
      let refusals = 0;
      let bodies = 0;
      const compared = { refusal: 0, none: 0 };
      await world.settle();
      let previous = await snapshots.take();
      await fc.assert(
        fc.asyncProperty(interaction, async (payload) => {
          const parties = partiesOf(payload);
          const sightingBefore = await sightAccount(world.database.db, "DISCORD", parties.person);
          const seen = world.fake.calls.length;
          const callback = await world.fake.interact(payload);
          if ((callback.body as { type?: number }).type === 5) {
            // Deferred: the answer comes as an edit of the original reply.
            await world.until(async () => world.fake.repliesTo(payload.id).length > 0, "the deferred answer");
          }
          await world.settle();
          // Taken before anything is asserted, so a failure (and the shrinking after it)
          // compares each input with the state it really started from.
          const before = previous;
          const after = await snapshots.take();
          previous = after;
          const sightingAfter = await sightAccount(world.database.db, "DISCORD", parties.person);
          const calls = world.fake.calls.slice(seen);
          const context = JSON.stringify(payload.data).slice(0, 400);
          expect(world.errors, context).toEqual([]);
          const callbacks = calls.filter((call) => call.path.includes(`/interactions/${payload.id}/`));
          expect(callbacks, context).toHaveLength(1);
          const sent = calls.flatMap(messageBodiesOf);
          for (const body of sent) {
            bodies += 1;
            if (isRefusal(body)) refusals += 1;
            expectCannotPingAndRefusesInOneLine(body, payload.data);
          }
          const answer = answerOf((callback.body as { type?: number }).type, sent);
          if (answer === "view") return;
          compared[answer] += 1;
          expect(
            unexplainedChanges(
              { before, after },
              { before: sightingBefore, after: sightingAfter },
              parties.command,
            ),
            `tables changed by ${context}`,
          ).toEqual([]);
        }),
        { numRuns: runs },
      );
      // The fuzzer reached the commands: it was answered, and refused too, and
      // refusals and answers with no message were compared.
      expect(bodies).toBeGreaterThan(runs / 2);
      expect(refusals).toBeGreaterThan(0);
      expect(compared.refusal).toBeGreaterThan(0);
      expect(compared.none).toBeGreaterThan(0);
    },
    fuzzTimeout(runs, 1_500),
  );
});
