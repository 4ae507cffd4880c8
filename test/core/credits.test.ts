import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_CREDITED_MEMBERS } from "../../src/core/config.ts";
import { parseCredits, resolveShares, type CoAuthor } from "../../src/core/credits.ts";

describe("parsing co-author credits", () => {
  it("reads handles with percentages and bare handles", () => {
    expect(parseCredits(["@alice:60", "@bob:33.5", "@carol"])).toEqual({
      ok: true,
      value: [
        { handle: "alice", shareBp: 6000 },
        { handle: "bob", shareBp: 3350 },
        { handle: "carol", shareBp: null },
      ],
    });
  });

  it("reads two decimals exactly, a percent sign and commas between credits", () => {
    expect(parseCredits(["@a:12.34%,", "@b:0.01"])).toEqual({
      ok: true,
      value: [
        { handle: "a", shareBp: 1234 },
        { handle: "b", shareBp: 1 },
      ],
    });
  });

  it("reads no credits as none", () => expect(parseCredits([])).toEqual({ ok: true, value: [] }));

  it.each([
    "alice",
    "@",
    "@alice:",
    "@alice:0",
    "@alice:101",
    "@alice:1.234",
    "@alice:-5",
    "@al ice",
    "@alice:abc",
    "@everyone!",
  ])("refuses %j", (token) =>
    expect(parseCredits([token])).toEqual({ ok: false, error: { code: "BAD_CREDIT", detail: { token } } }),
  );
});

describe("resolving shares", () => {
  const submitter = 1;

  it("credits the submitter with everything when nobody else is named", () => {
    expect(resolveShares(submitter, [])).toEqual({ ok: true, value: [{ memberId: 1, shareBp: 10_000 }] });
  });

  it("gives the submitter what the listed shares leave", () => {
    expect(resolveShares(submitter, [{ memberId: 2, shareBp: 3000 }])).toEqual({
      ok: true,
      value: [
        { memberId: 1, shareBp: 7000 },
        { memberId: 2, shareBp: 3000 },
      ],
    });
  });

  it("drops the submitter when the listed shares take everything", () => {
    const coAuthors = [
      { memberId: 2, shareBp: 6000 },
      { memberId: 3, shareBp: 4000 },
    ];
    expect(resolveShares(submitter, coAuthors)).toEqual({ ok: true, value: coAuthors });
  });

  it("splits the rest evenly between bare co-authors and the submitter", () => {
    expect(resolveShares(submitter, [{ memberId: 2, shareBp: null }])).toEqual({
      ok: true,
      value: [
        { memberId: 1, shareBp: 5000 },
        { memberId: 2, shareBp: 5000 },
      ],
    });
    const result = resolveShares(submitter, [
      { memberId: 2, shareBp: 4000 },
      { memberId: 3, shareBp: null },
      { memberId: 4, shareBp: null },
    ]);
    expect(result).toEqual({
      ok: true,
      value: [
        { memberId: 1, shareBp: 2000 },
        { memberId: 2, shareBp: 4000 },
        { memberId: 3, shareBp: 2000 },
        { memberId: 4, shareBp: 2000 },
      ],
    });
  });

  it("gives the odd basis points of an even split to the first takers", () => {
    const result = resolveShares(submitter, [
      { memberId: 2, shareBp: null },
      { memberId: 3, shareBp: null },
    ]);
    expect(result).toEqual({
      ok: true,
      value: [
        { memberId: 1, shareBp: 3334 },
        { memberId: 2, shareBp: 3333 },
        { memberId: 3, shareBp: 3333 },
      ],
    });
  });

  it("keeps a submitter who listed their own share, giving them any rest", () => {
    const result = resolveShares(submitter, [
      { memberId: 1, shareBp: 3000 },
      { memberId: 2, shareBp: 3000 },
    ]);
    expect(result).toEqual({
      ok: true,
      value: [
        { memberId: 1, shareBp: 7000 },
        { memberId: 2, shareBp: 3000 },
      ],
    });
  });

  it("lets a submitter who listed a share leave the rest to bare co-authors", () => {
    const result = resolveShares(submitter, [
      { memberId: 1, shareBp: 2000 },
      { memberId: 2, shareBp: null },
    ]);
    expect(result).toEqual({
      ok: true,
      value: [
        { memberId: 1, shareBp: 2000 },
        { memberId: 2, shareBp: 8000 },
      ],
    });
  });

  it("refuses listed shares over 100%", () => {
    const result = resolveShares(submitter, [
      { memberId: 2, shareBp: 6000 },
      { memberId: 3, shareBp: 5000 },
    ]);
    expect(result).toEqual({ ok: false, error: { code: "SHARES_OVER_100", detail: { percent: 110 } } });
  });

  it("refuses the same member credited twice", () => {
    const result = resolveShares(submitter, [
      { memberId: 2, shareBp: 1000 },
      { memberId: 2, shareBp: null },
    ]);
    expect(result).toEqual({ ok: false, error: { code: "DUPLICATE_CREDIT", detail: { memberId: 2 } } });
  });

  it.each([-1, 12.5, Number.NaN])("refuses a share of %d basis points", (shareBp) => {
    const result = resolveShares(submitter, [{ memberId: 2, shareBp }]);
    expect(result.ok ? "accepted" : result.error.code).toBe("BAD_SHARE");
  });
});

describe("share properties", () => {
  const coAuthors: fc.Arbitrary<CoAuthor[]> = fc.uniqueArray(
    fc.record({
      memberId: fc.integer({ min: 1, max: 12 }),
      shareBp: fc.option(fc.integer({ min: 0, max: 4000 })),
    }),
    { selector: (c) => c.memberId, maxLength: 6 },
  );

  it("accepted shares sum to 10000, are positive and name each member once", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), coAuthors, (submitter, listed) => {
        const result = resolveShares(submitter, listed);
        if (!result.ok) {
          expect(result.error.code).toBe("SHARES_OVER_100");
          return;
        }
        const ids = result.value.map((s) => s.memberId);
        expect(result.value.reduce((sum, s) => sum + s.shareBp, 0)).toBe(10_000);
        expect(new Set(ids).size).toBe(ids.length);
        expect(result.value.every((s) => Number.isInteger(s.shareBp) && s.shareBp > 0)).toBe(true);
      }),
    );
  });

  it("listed positive shares are kept as given unless the listed member is the submitter", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), coAuthors, (submitter, listed) => {
        const result = resolveShares(submitter, listed);
        if (!result.ok) return;
        for (const c of listed) {
          if (c.shareBp === null || c.shareBp === 0 || c.memberId === submitter) continue;
          expect(result.value.find((s) => s.memberId === c.memberId)?.shareBp).toBe(c.shareBp);
        }
      }),
    );
  });
});

describe("the cap on credited members", () => {
  it("refuses a flood of co-authors beyond the cap, the submitter included", () => {
    const coAuthors = (count: number): CoAuthor[] =>
      Array.from({ length: count }, (_, i) => ({ memberId: 100 + i, shareBp: null }));
    expect(resolveShares(1, coAuthors(MAX_CREDITED_MEMBERS - 1)).ok).toBe(true);
    const refused = resolveShares(1, coAuthors(MAX_CREDITED_MEMBERS));
    expect(refused.ok ? null : refused.error.code).toBe("TOO_MANY_CREDITS");
  });
});
