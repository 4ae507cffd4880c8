import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  parseCommandLine,
  parseContributionNumber,
  parseMention,
  parsePoints,
  tokenize,
} from "../../src/core/commandLine.ts";

describe("parsing a command line", () => {
  it("reads the name, arguments and the raw rest", () => {
    expect(parseCommandLine('/contribute docs "Fix the README" https://x.example with @bob')).toEqual({
      ok: true,
      value: {
        name: "contribute",
        args: ["docs", "Fix the README", "https://x.example", "with", "@bob"],
        rest: 'docs "Fix the README" https://x.example with @bob',
      },
    });
  });

  it("drops word joiners, as copied from a bot message that kept an @name from pinging", () => {
    const result = parseCommandLine("/contribute code Parser with @ann\u2060:60 @bo\u2060:40");
    expect(result).toMatchObject({
      ok: true,
      value: { args: ["code", "Parser", "with", "@ann:60", "@bo:40"] },
    });
  });

  it("lowercases the name and accepts dashes, underscores and digits", () => {
    expect(parseCommandLine("/Forget-Me").ok && parseCommandLine("/Forget-Me")).toMatchObject({
      value: { name: "forget-me", args: [] },
    });
    expect(parseCommandLine("/top_10 now")).toMatchObject({
      value: { name: "top_10", args: ["now"], rest: "now" },
    });
  });

  it("accepts a command addressed to this bot, in any case", () => {
    expect(parseCommandLine("/vote@CairnBot #4 approve", "cairnbot")).toMatchObject({
      ok: true,
      value: { name: "vote", args: ["#4", "approve"] },
    });
  });

  it("refuses a command addressed to another bot", () => {
    expect(parseCommandLine("/vote@OtherBot #4", "cairnbot")).toEqual({
      ok: false,
      error: { code: "OTHER_BOT", detail: { bot: "OtherBot" } },
    });
  });

  it("accepts an addressed command when it does not know its own name", () => {
    expect(parseCommandLine("/help@SomeBot").ok).toBe(true);
  });

  it.each(["hello", "", "/", "/ vote", "//vote", "/vote!", "/vo.te x", "@bot /vote"])(
    "refuses %j as not a command",
    (text) => {
      expect(parseCommandLine(text)).toEqual({ ok: false, error: { code: "NOT_A_COMMAND" } });
    },
  );

  it("refuses unbalanced quotes", () => {
    expect(parseCommandLine('/contribute docs "half a title')).toEqual({
      ok: false,
      error: { code: "UNBALANCED_QUOTES" },
    });
  });
});

describe("splitting arguments", () => {
  it("groups quoted words and keeps empty quoted arguments", () => {
    expect(tokenize('a  "b c"  "" d')).toEqual({ ok: true, value: ["a", "b c", "", "d"] });
  });

  it("accepts the curly quotes phone keyboards type", () => {
    expect(tokenize("docs \u201CFix the docs\u201D")).toEqual({ ok: true, value: ["docs", "Fix the docs"] });
  });

  it("keeps apostrophes as ordinary characters", () => {
    expect(tokenize("Alice's docs")).toEqual({ ok: true, value: ["Alice's", "docs"] });
  });

  it("reads an escaped quote inside quotes", () => {
    expect(tokenize('"say \\"hi\\""')).toEqual({ ok: true, value: ['say "hi"'] });
  });

  it("joins a quoted part to the word it touches", () => {
    expect(tokenize('title="a b"')).toEqual({ ok: true, value: ["title=a b"] });
  });

  it("gives back plain words unchanged", () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z0-9#@:./-]{1,10}$/), { maxLength: 8 }), (words) => {
        expect(tokenize(words.join(" "))).toEqual({ ok: true, value: words });
      }),
    );
  });

  it("gives back any quoted words unchanged", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ maxLength: 10 }).filter((w) => !/["\\\u201C\u201D\u201E]/.test(w)),
          { maxLength: 6 },
        ),
        (words) => {
          expect(tokenize(words.map((w) => `"${w}"`).join(" "))).toEqual({ ok: true, value: words });
        },
      ),
    );
  });
});

describe("contribution numbers", () => {
  it.each([
    ["#42", 42],
    ["42", 42],
    ["#007", 7],
    [" #1 ", 1],
    ["2147483647", 2147483647],
  ])("reads %j as %i", (token, value) => expect(parseContributionNumber(token)).toEqual({ ok: true, value }));

  it.each(["#0", "0", "-3", "#", "##4", "4.0", "2147483648", "99999999999", "abc", "#4a", ""])(
    "refuses %j",
    (token) => {
      expect(parseContributionNumber(token)).toEqual({ ok: false, error: { code: "BAD_CONTRIBUTION_ID" } });
    },
  );
});

describe("mentions", () => {
  it("reads a typed mention as its handle", () => {
    expect(parseMention("@alice")).toBe("alice");
    expect(parseMention("@Bob_99")).toBe("Bob_99");
  });

  it.each(["alice", "@", "@@alice", "@al ice", "<@123456>", "@alice!"])(
    "does not read %j as a mention",
    (token) => {
      expect(parseMention(token)).toBeNull();
    },
  );
});

describe("typed points", () => {
  it.each([
    ["2.5", 250],
    ["-1", -100],
    ["+3", 300],
    ["0.25", 25],
    [".5", 50],
    ["10.", NaN],
    ["-0", 0],
    ["1000000", 100_000_000],
    ["-1000000", -100_000_000],
  ])("reads %j as %d hundredths", (text, value) => {
    const result = parsePoints(text);
    if (Number.isNaN(value)) expect(result.ok).toBe(false);
    else expect(result).toEqual({ ok: true, value });
  });

  it("never reads negative zero", () => {
    const result = parsePoints("-0.00");
    expect(result.ok && Object.is(result.value, 0)).toBe(true);
  });

  it.each(["1.234", "1,5", "abc", "", "-", "1e3", "1000000.01", "-1000001", "Infinity", "0x10"])(
    "refuses %j",
    (text) => {
      const result = parsePoints(text);
      expect(result.ok ? "accepted" : result.error.code).toBe("BAD_POINTS");
    },
  );
});
