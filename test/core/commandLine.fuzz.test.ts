// Fuzzing the command-line parser with any text: it never throws, and what it
// reads back always has the shape the dispatcher relies on.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  MAX_CONTRIBUTION_NUMBER,
  parseCommandLine,
  parseContributionNumber,
  parseMention,
  parsePoints,
  tokenize,
} from "../../src/core/commandLine.ts";
import { anyText, awkwardCharacter, fuzzRuns, hugeText } from "../support/fuzz.ts";

const anyLine = fc.oneof(
  anyText(200),
  anyText(120).map((text) => `/${text}`),
  fc.array(awkwardCharacter, { maxLength: 40 }).map((parts) => `/${parts.join("")}`),
  hugeText,
  hugeText.map((text) => `/help ${text}`),
);
const botName = fc.option(fc.oneof(fc.constantFrom("CairnBot", "cairnbot"), anyText(12)), { nil: undefined });
// 30% of FUZZ_RUNS, split evenly between these five properties.
const runs = fuzzRuns(0.3 / 5);

/** Quotes a word so tokenize reads it back as one argument. */
const quoted = (word: string): string => `"${word.replaceAll('"', '\\"')}"`;

describe("the command-line parser under fuzzing", () => {
  it("never throws, and a parsed line has a lowercase name and arguments free of unquoted spaces", () => {
    fc.assert(
      fc.property(anyLine, botName, (text, bot) => {
        const line = parseCommandLine(text, bot);
        if (!line.ok) {
          expect(["NOT_A_COMMAND", "UNBALANCED_QUOTES", "OTHER_BOT"]).toContain(line.error.code);
          return;
        }
        expect(line.value.name).toMatch(/^[a-z0-9_-]+$/);
        expect(line.value.rest).toBe(line.value.rest.trim());
        for (const arg of line.value.args) expect(typeof arg).toBe("string");
      }),
      { numRuns: runs },
    );
  });

  it("reads back any words it is given quoted, whatever they contain but quotes of their own", () => {
    const word = anyText(30).filter((w) => !/[\u201c\u201d\u201e\\]/.test(w));
    fc.assert(
      fc.property(fc.array(word, { maxLength: 8 }), (words) => {
        expect(tokenize(words.map(quoted).join(" "))).toEqual({ ok: true, value: words });
      }),
      { numRuns: runs },
    );
  });

  it("reads a contribution number only as a whole number from 1 to the database's largest", () => {
    const token = fc.oneof(
      anyText(14),
      fc.bigInt({ min: -(2n ** 40n), max: 2n ** 40n }).map((n) => `#${n}`),
      fc.integer().map(String),
    );
    fc.assert(
      fc.property(token, (text) => {
        const number = parseContributionNumber(text);
        if (!number.ok) return;
        expect(Number.isInteger(number.value)).toBe(true);
        expect(number.value).toBeGreaterThanOrEqual(1);
        expect(number.value).toBeLessThanOrEqual(MAX_CONTRIBUTION_NUMBER);
        expect(parseContributionNumber(`#${number.value}`)).toEqual(number);
      }),
      { numRuns: runs },
    );
  });

  it("reads points only as whole hundredths within a million either way", () => {
    const text = fc.oneof(
      anyText(14),
      fc.double().map(String),
      fc.tuple(fc.integer({ min: -2_000_000, max: 2_000_000 }), fc.nat(999)).map(([w, f]) => `${w}.${f}`),
    );
    fc.assert(
      fc.property(text, (typed) => {
        const points = parsePoints(typed);
        if (!points.ok) return;
        expect(Number.isSafeInteger(points.value)).toBe(true);
        expect(Math.abs(points.value)).toBeLessThanOrEqual(100_000_000);
      }),
      { numRuns: runs },
    );
  });

  it("reads a mention only as a short handle of letters, digits, dots and underscores", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyText(40),
          anyText(20).map((t) => `@${t}`),
        ),
        (token) => {
          const handle = parseMention(token);
          if (handle !== null) expect(handle).toMatch(/^[A-Za-z0-9_.]{1,32}$/);
        },
      ),
      { numRuns: runs },
    );
  });
});
