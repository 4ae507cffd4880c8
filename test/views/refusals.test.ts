import { describe, expect, it } from "vitest";
import { refuse, type RefusalCode } from "../../src/core/result.ts";
import { isRefusalCode, refusalText, refusalTexts, type RefusalTexts } from "../../src/views/refusals.ts";

const codes = Object.keys(refusalTexts) as RefusalCode[];

describe("refusal texts", () => {
  it("give every code one line, even read without its facts", () => {
    expect(codes.length).toBeGreaterThan(80);
    for (const code of codes) {
      // A code read at run time (a zod issue) arrives without facts.
      const text = refusalText({ code } as Parameters<typeof refusalText>[0]);
      expect(text).not.toBe("");
      expect(text).not.toContain("\n");
      expect(text).not.toContain("undefined");
    }
  });

  it("put a refusal's facts into its line", () => {
    expect(refusalText(refuse("UNKNOWN_MEMBER", { name: "bob" }).error)).toBe(
      'No member is called "bob"; mention them or check the spelling.',
    );
    expect(refusalText(refuse("NOT_PENDING", { number: 42, status: "VERIFIED" }).error)).toBe(
      "#42 is verified, not pending.",
    );
    expect(refusalText(refuse("BAD_HOURS").error)).toBe("Extend by a whole number of hours from 1 to 720.");
  });

  it("know the refusal codes from other strings", () => {
    expect(isRefusalCode("BAD_DATE")).toBe(true);
    expect(isRefusalCode("NOT_A_REFUSAL")).toBe(false);
    expect(isRefusalCode("toString")).toBe(false);
  });

  it("are checked by the compiler: a missing or extra code, or facts of the wrong shape, do not type-check", () => {
    const { NO_COMMUNITY: _dropped, ...missing } = refusalTexts;
    // @ts-expect-error NO_COMMUNITY has no text
    const withoutOne: RefusalTexts = missing;
    // @ts-expect-error NOT_A_CODE is no refusal code
    const withExtra = { ...refusalTexts, NOT_A_CODE: () => "?" } satisfies RefusalTexts;
    // @ts-expect-error UNKNOWN_MEMBER needs the name it could not find
    const withoutFacts = refuse("UNKNOWN_MEMBER");
    // @ts-expect-error BANNED carries no facts
    const withFacts = refuse("BANNED", { name: "bob" });
    expect([withoutOne, withExtra, withoutFacts, withFacts]).toHaveLength(4);
  });
});
