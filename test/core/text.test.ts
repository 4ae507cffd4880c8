import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { limitText, validateDescription, validateReason, validateTitle } from "../../src/core/text.ts";

describe("limiting text", () => {
  it("leaves short text alone", () => expect(limitText("hello", 5)).toBe("hello"));
  it("cuts long text with an ellipsis within the limit", () =>
    expect(limitText("hello world", 6)).toBe("hello…"));
  it("never splits an emoji", () => expect(limitText("ab😀😀😀", 4)).toBe("ab😀…"));
  it("gives nothing for a zero limit", () => expect(limitText("hello", 0)).toBe(""));

  it("never exceeds the limit", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 50 }), fc.nat(60), (s, max) => {
        expect([...limitText(s, max)].length).toBeLessThanOrEqual(Math.max(max, 0));
      }),
    );
  });
});

describe("contribution titles", () => {
  it("trims and collapses whitespace to one line", () => {
    expect(validateTitle("  Fixed\tthe \n\n docs  ")).toEqual({ ok: true, value: "Fixed the docs" });
  });

  it("drops control characters and direction overrides", () => {
    expect(validateTitle("abc\u0000\u0007def\u202Eghi")).toEqual({ ok: true, value: "abcdefghi" });
  });

  it("counts an emoji as one character", () => {
    expect(validateTitle("😀".repeat(120)).ok).toBe(true);
  });

  it("accepts 1 to 120 characters", () => {
    expect(validateTitle("x").ok).toBe(true);
    expect(validateTitle("x".repeat(120)).ok).toBe(true);
  });

  it.each([
    ["", 0],
    ["   ", 0],
    ["\u0000", 0],
    ["x".repeat(121), 121],
  ])("refuses %j", (s, length) => {
    expect(validateTitle(s)).toEqual({
      ok: false,
      error: { code: "TITLE_LENGTH", detail: { min: 1, max: 120, length } },
    });
  });

  it("always gives a clean single line within the limits", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        const result = validateTitle(s);
        if (!result.ok) return;
        expect(result.value).toBe(result.value.trim());
        expect(result.value).not.toMatch(/[\p{Cc}]|\s{2}/u);
        expect([...result.value].length).toBeGreaterThanOrEqual(1);
        expect([...result.value].length).toBeLessThanOrEqual(120);
      }),
    );
  });
});

describe("contribution descriptions", () => {
  it("may be empty", () => expect(validateDescription("   ")).toEqual({ ok: true, value: "" }));

  it("keeps line breaks but drops other control characters", () => {
    expect(validateDescription("line one\r\nline two\u0007\n\tindented")).toEqual({
      ok: true,
      value: "line one\nline two\n\tindented",
    });
  });

  it("accepts up to 2000 characters", () => {
    expect(validateDescription("x".repeat(2000)).ok).toBe(true);
    expect(validateDescription("x".repeat(2001))).toEqual({
      ok: false,
      error: { code: "DESCRIPTION_LENGTH", detail: { max: 2000, length: 2001 } },
    });
  });
});

describe("reasons", () => {
  it("are required", () => {
    expect(validateReason("")).toEqual({ ok: false, error: { code: "REASON_REQUIRED" } });
    expect(validateReason(" \n ")).toEqual({ ok: false, error: { code: "REASON_REQUIRED" } });
  });

  it("are one trimmed line", () =>
    expect(validateReason("  spam\nlinks ")).toEqual({ ok: true, value: "spam links" }));

  it("accept up to 500 characters", () => {
    expect(validateReason("x".repeat(500)).ok).toBe(true);
    expect(validateReason("x".repeat(501))).toEqual({
      ok: false,
      error: { code: "REASON_LENGTH", detail: { max: 500, length: 501 } },
    });
  });
});
