// Shared pieces of the fuzz tests (*.fuzz.test.ts): how many inputs to try, the
// inputs people and other programs send, and what every answer must look like.
import fc from "fast-check";
import { expect } from "vitest";
import type { View } from "../../src/views/view.ts";

/** Inputs per fuzz run in total: FUZZ_RUNS (npm run fuzz sets 100,000), 2,000 otherwise. */
export const FUZZ_RUNS = fuzzRunsFromEnvironment(process.env["FUZZ_RUNS"]);

function fuzzRunsFromEnvironment(value: string | undefined): number {
  const runs = Number(value ?? "2000");
  if (!Number.isInteger(runs) || runs < 1)
    throw new Error(`FUZZ_RUNS must be a positive integer, not ${value}`);
  return runs;
}

/** `share` of FUZZ_RUNS (at least one), for files that split the total between properties. */
export function fuzzRuns(share: number): number {
  return Math.max(1, Math.round(FUZZ_RUNS * share));
}

/**
 * FUZZ_SEED replays a run: fast-check prints the seed of a failed run, and
 * `FUZZ_SEED=<seed> FUZZ_RUNS=<runs> npx vitest run <file>` tries the same inputs again.
 */
const FUZZ_SEED = process.env["FUZZ_SEED"];
if (FUZZ_SEED !== undefined && FUZZ_SEED !== "") {
  const seed = Number(FUZZ_SEED);
  if (!Number.isInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, not ${FUZZ_SEED}`);
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
}

/** Enough time for `runs` inputs at `msEach` on a loaded machine, plus set-up. */
export function fuzzTimeout(runs: number, msEach: number): number {
  return 120_000 + runs * msEach;
}

/** The longest refusal line a platform is sent. */
export const MAX_REFUSAL_LENGTH = 600;

/** Characters that trip up parsers and terminals: controls, bidi overrides, joiners, quotes, surrogates. */
export const awkwardCharacter = fc.constantFrom(
  "\u0000",
  "\u0007",
  "\u001b[31m",
  "\n",
  "\r\n",
  "\t",
  "\u007f",
  "\u0085",
  "\u200b",
  "\u200d",
  "\u2060",
  "\u202e",
  "\u2066",
  "\ufeff",
  "\ud800",
  "\udfff",
  '"',
  "\u201c",
  "\u201d",
  "\u201e",
  "\\",
  '\\"',
  "@everyone",
  "@here",
  "<b>",
  "javascript:alert(1)",
  "`",
  "*",
  "_",
  "|",
  "#",
  "@",
  " ",
);

/** Any text: arbitrary UTF-16 (lone surrogates included), with awkward characters mixed in. */
export const anyText = (maxLength = 80): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ unit: "binary", maxLength }),
    fc.string({ unit: "grapheme", maxLength }),
    fc
      .array(fc.oneof(awkwardCharacter, fc.string({ maxLength: 4 })), { maxLength: 12 })
      .map((parts) => parts.join("")),
  );

/** A huge input: a repeated piece, up to 100 000 characters. */
export const hugeText = fc
  .tuple(
    fc.oneof(awkwardCharacter, fc.string({ minLength: 1, maxLength: 8 })),
    fc.integer({ min: 1_000, max: 100_000 }),
  )
  .map(([piece, length]) => piece.repeat(Math.ceil(length / piece.length)).slice(0, length));

/**
 * A refusal is one short line; anything else is a view with lines of text. Fails
 * the test, naming the input, otherwise. (A refusal may quote what was typed,
 * `@everyone` included: views are plain text, and each platform's renderer makes
 * sure nothing in them pings — the platform fuzz tests check the payloads.)
 */
export function expectViewOrOneLineRefusal(view: View, input: unknown): void {
  const context = `answer to ${JSON.stringify(input).slice(0, 300)}`;
  expect(Array.isArray(view.lines), context).toBe(true);
  for (const line of view.lines) expect(typeof line, context).toBe("string");
  expect(["private", "public"], context).toContain(view.visibility);
  if (view.tone !== "refusal") return;
  expect(view.lines, context).toHaveLength(1);
  expect(view.title, context).toBeUndefined();
  expect(view.fields ?? [], context).toEqual([]);
  expect(view.buttons ?? [], context).toEqual([]);
  const [line = ""] = view.lines;
  expect(line, context).not.toMatch(/[\n\r\u2028\u2029\u0085]/);
  expect(line.length, context).toBeGreaterThan(0);
  expect(line.length, context).toBeLessThanOrEqual(MAX_REFUSAL_LENGTH);
}
