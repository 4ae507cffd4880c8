// Fuzzing the whole text dispatch (parse, validate, resolve the member, run) with
// the real catalog on a real database: any text, any unicode, control characters,
// huge inputs, and every catalog command with random arguments, typed by a member
// and by a moderator. No exception escapes, every answer is a view or a one-line
// refusal, and a refusal leaves every table exactly as it was.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catalog } from "../../src/commands/catalog.ts";
import { runTextCommand, type Invocation } from "../../src/commands/dispatch.ts";
import type { AnyCommandSpec } from "../../src/commands/types.ts";
import { parseCommandLine } from "../../src/core/commandLine.ts";
import type { View } from "../../src/views/view.ts";
import { newCommunity, type TestCommunity } from "../support/communities.ts";
import { useTestDatabase } from "../support/db.ts";
import {
  anyText,
  awkwardCharacter,
  expectViewOrOneLineRefusal,
  fuzzRuns,
  fuzzTimeout,
  hugeText,
} from "../support/fuzz.ts";
import { changedTables, useSnapshots, type DatabaseSnapshot } from "../support/snapshot.ts";

const database = useTestDatabase();
const BOT = "CairnBot";
/** A fresh community every so many inputs, so one /community unlink or ban does not end the run's reach. */
const INPUTS_PER_COMMUNITY = 60;

interface Speaker {
  readonly name: string;
  readonly moderator: boolean;
}
const speakers: readonly Speaker[] = [
  { name: "fuzzer", moderator: false },
  { name: "warden", moderator: true },
];

/** A community where both speakers and a third member were seen, with two pending contributions. */
async function seededCommunity(): Promise<TestCommunity> {
  const community = await newCommunity(database);
  await community.member("bob");
  for (const speaker of speakers) await community.member(speaker.name, { moderator: speaker.moderator });
  const bob: Invocation = { deps: community.deps, chat: community.chat, user: community.user("bob") };
  await runTextCommand(catalog, bob, '/contribute docs "Fix the README" https://example.com/readme');
  await runTextCommand(catalog, bob, "/contribute code Parser https://example.com/parser");
  return community;
}

const argumentWord = fc.oneof(
  fc.constantFrom(
    "#1",
    "#2",
    "#3",
    "1",
    "0",
    "-1",
    "#2147483648",
    "99999999999",
    "@bob",
    "@fuzzer",
    "@warden",
    "@nobody",
    "docs",
    "code",
    "approve",
    "reject",
    "question",
    "7d",
    "30d",
    "all",
    "week",
    "month",
    "season",
    "https://example.com/x",
    "http://[::1]/",
    "javascript:alert(1)",
    "with",
    "@bob:60",
    "@fuzzer:40",
    "|",
    "yes",
    "no",
    "true",
    "csv",
    "json",
    "hide",
    "show",
    "quorum",
    "5",
    "2.5",
    "1e9",
    "NaN",
    "",
    "2026-11-02",
    "9999-99-99",
    '"',
    '""',
    "\u201cquoted\u201d",
  ),
  fc.integer().map(String),
  fc.double().map(String),
  anyText(20),
  anyText(40).map((text) => `"${text.replaceAll('"', '\\"')}"`),
);

/** Words that fit the command: its options' choices as well as the general ones. */
function argumentFor(spec: AnyCommandSpec): fc.Arbitrary<string> {
  const choices = spec.options.flatMap((option) => option.choices ?? []);
  return choices.length === 0 ? argumentWord : fc.oneof(fc.constantFrom(...choices), argumentWord);
}

const catalogCommand = fc.constantFrom(...catalog).chain((spec) =>
  fc
    .tuple(
      fc.array(argumentFor(spec), { maxLength: 8 }),
      fc.constantFrom(" ", "  ", "\t", "\n", " \u00a0"),
      fc.constantFrom("", `@${BOT}`, "@cairnbot", "@OtherBot"),
      fc.boolean(),
    )
    .map(([args, gap, addressee, shout]) => {
      const name = shout ? spec.name.toUpperCase() : spec.name;
      const head = `/${name}${addressee}${spec.sub === undefined ? "" : ` ${spec.sub}`}`;
      return [head, ...args].join(gap);
    }),
);

const typedText = fc.oneof(
  { weight: 6, arbitrary: catalogCommand },
  { weight: 2, arbitrary: anyText(200) },
  { weight: 2, arbitrary: anyText(120).map((text) => `/${text}`) },
  {
    weight: 1,
    arbitrary: fc.array(awkwardCharacter, { maxLength: 30 }).map((parts) => `/${parts.join("")}`),
  },
  { weight: 1, arbitrary: hugeText },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...catalog), hugeText)
      .map(([spec, text]) => `/${spec.name} ${spec.sub ?? ""} ${text}`),
  },
);

const snapshots = useSnapshots(database);

/**
 * The one refusal that writes on purpose: a wrong `/link CODE` is counted in
 * link_attempt, so codes cannot be guessed by trying them all.
 */
function countedOnRefusal(table: string, text: string): boolean {
  return table === "link_attempt" && parseCommandLine(text, BOT).ok && /^\/link\b/i.test(text.trim());
}

/** Runs one line as a speaker of a fresh community; the answer, the errors and the tables it changed. */
async function typedOnce(text: string, speaker: Speaker): Promise<{ view: View | null; changed: string[] }> {
  const community = await seededCommunity();
  const errors: unknown[] = [];
  const before = await snapshots.take();
  const view = await runTextCommand(
    catalog,
    {
      deps: community.deps,
      chat: community.chat,
      user: { ...community.user(speaker.name), isPlatformModerator: speaker.moderator },
      onError: (error) => void errors.push(error),
    },
    text,
    BOT,
  );
  expect(errors).toEqual([]);
  return { view, changed: changedTables(before, await snapshots.take()) };
}

const warden: Speaker = { name: "warden", moderator: true };

describe("inputs the fuzzer found", () => {
  it("a long typed name is quoted cut short, so the refusal stays a short line (was 1,058 characters)", async () => {
    const text = `/member forget ${"@everyone".repeat(117)}@`;
    const { view, changed } = await typedOnce(text, warden);
    if (view === null) throw new Error("no answer");
    expectViewOrOneLineRefusal(view, text);
    expect(changed).toEqual([]);
  });
});

describe("text dispatch under fuzzing", () => {
  // The slowest inputs (a database round trip each): half of FUZZ_RUNS, the parser and the platforms share the rest.
  const runs = fuzzRuns(0.5);
  it(
    `answers ${runs} random lines, as a member and as a moderator, with a view or a one-line refusal that changes nothing`,
    async () => {
      let community = await seededCommunity();
      let inputs = 0;
      let previous: DatabaseSnapshot = await snapshots.take();
      await fc.assert(
        fc.asyncProperty(typedText, fc.constantFrom(...speakers), async (text, speaker) => {
          if (inputs > 0 && inputs % INPUTS_PER_COMMUNITY === 0) {
            community = await seededCommunity();
            previous = await snapshots.take();
          }
          inputs += 1;
          const errors: unknown[] = [];
          const invocation: Invocation = {
            deps: community.deps,
            chat: community.chat,
            user: { ...community.user(speaker.name), isPlatformModerator: speaker.moderator },
            onError: (error) => void errors.push(error),
          };
          const view: View | null = await runTextCommand(catalog, invocation, text, BOT);
          // Taken before anything is asserted, so a failure (and fast-check's shrinking after it)
          // compares each input with the state it really started from.
          const before = previous;
          const after = await snapshots.take();
          previous = after;
          const input = { text, speaker: speaker.name };
          expect(errors, `errors for ${JSON.stringify(input).slice(0, 300)}`).toEqual([]);
          if (view === null) {
            expect(parseCommandLine(text, BOT)).toMatchObject({ ok: false, error: { code: "OTHER_BOT" } });
          } else {
            expectViewOrOneLineRefusal(view, input);
          }
          if (view === null || view.tone === "refusal") {
            expect(
              changedTables(before, after).filter((table) => !countedOnRefusal(table, text)),
              `tables changed by ${JSON.stringify(input).slice(0, 300)}`,
            ).toEqual([]);
          }
        }),
        { numRuns: runs },
      );
    },
    fuzzTimeout(runs, 400),
  );
});
