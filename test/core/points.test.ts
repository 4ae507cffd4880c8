import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parsePoints } from "../../src/core/commandLine.ts";
import { formatPoints } from "../../src/core/points.ts";

describe("formatting points", () => {
  it.each([
    [0, "0"],
    [25, "0.25"],
    [250, "2.5"],
    [300, "3"],
    [-100, "-1"],
    [-5, "-0.05"],
    [123456, "1234.56"],
  ])("shows %i hundredths as %j", (hundredths, text) => expect(formatPoints(hundredths)).toBe(text));

  it("reads back to the same hundredths", () => {
    fc.assert(
      fc.property(fc.integer({ min: -100_000_000, max: 100_000_000 }), (hundredths) => {
        expect(parsePoints(formatPoints(hundredths))).toEqual({ ok: true, value: hundredths });
      }),
    );
  });
});
