import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { columnsOf, drawableText, fitText, graphemesOf } from "../../../src/views/pictures/text.ts";

const width = (text: string): number => graphemesOf(text).reduce((sum, g) => sum + columnsOf(g), 0);

/** Names as people type them: letters of many scripts, accents, emoji sequences, spaces. */
const nameParts = fc.constantFrom(
  "a",
  "Z",
  " ",
  "é",
  "e\u0301",
  "Ж",
  "λ",
  "ש",
  "م",
  "李",
  "한",
  "🚀",
  "👩‍👩‍👧‍👦",
  "🇺🇦",
  "❤️",
  "👍🏽",
  "\u202e",
  "\t",
  "\u0000",
);
const names = fc.array(nameParts, { maxLength: 40 }).map((parts) => parts.join(""));

describe("fitting text into a picture", () => {
  it("never exceeds the columns it is given", () => {
    fc.assert(
      fc.property(names, fc.integer({ min: 1, max: 40 }), (name, max) => {
        expect(width(fitText(name, max).replaceAll("\u00A0", " "))).toBeLessThanOrEqual(max);
      }),
    );
  });

  it("keeps text that fits as it is, and cuts the rest at a grapheme boundary before one ellipsis", () => {
    fc.assert(
      fc.property(names, fc.integer({ min: 1, max: 40 }), (name, max) => {
        const whole = drawableText(name);
        const fitted = fitText(name, max).replaceAll("\u00A0", " ");
        if (width(whole) <= max) {
          expect(fitted).toBe(whole);
        } else {
          expect(fitted.endsWith("…")).toBe(true);
          const kept = graphemesOf(fitted.slice(0, -1));
          expect(graphemesOf(whole).slice(0, kept.length)).toEqual(kept);
        }
      }),
    );
  });

  it("leaves a family emoji, a flag or an accent whole or out", () => {
    expect(fitText("ab👩‍👩‍👧‍👦cd", 4)).toBe("ab…");
    expect(fitText("ab🇺🇦cd", 4)).toBe("ab…");
    expect(fitText("abce\u0301fgh", 5)).toBe("abce\u0301…");
    expect(fitText("李明李明李明", 5)).toBe("李明…");
  });

  it("drops controls and bidirectional overrides, and joins whitespace into one space", () => {
    expect(drawableText("  \u202eevil\u202c\tname\u0000\n")).toBe("evil name");
    expect(drawableText("lone \ud800 surrogate")).toBe("lone surrogate");
  });

  it("draws the space after an emoji as a no-break space (the emoji font's space is far wider)", () => {
    expect(fitText("🚀 rocket_dev", 30)).toBe("🚀\u00A0rocket_dev");
    expect(fitText("rocket dev", 30)).toBe("rocket dev");
  });
});
