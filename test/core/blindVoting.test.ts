import { describe, expect, it } from "vitest";
import { visibleVotes } from "../../src/core/blindVoting.ts";

describe("visibleVotes", () => {
  const votes = [
    { voterId: 1, choice: "APPROVE" as const },
    { voterId: 2, choice: "REJECT" as const },
    { voterId: 3, choice: "APPROVE" as const },
  ];

  it("hides directions of a pending contribution under blind voting, except the viewer's own", () => {
    expect(visibleVotes(votes, { blindVoting: true, status: "PENDING", viewerId: 2 })).toEqual({
      blind: true,
      tally: { approvals: null, rejections: null, voters: 3 },
      votes: [{ voterId: 2, choice: "REJECT" }],
      own: { voterId: 2, choice: "REJECT" },
    });
    expect(visibleVotes(votes, { blindVoting: true, status: "PENDING", viewerId: 9 }).votes).toEqual([]);
  });

  it("shows everything once decided, or without blind voting", () => {
    for (const rule of [
      { blindVoting: true, status: "VERIFIED" as const, viewerId: 9 },
      { blindVoting: false, status: "PENDING" as const, viewerId: 9 },
    ]) {
      const seen = visibleVotes(votes, rule);
      expect(seen.blind).toBe(false);
      expect(seen.tally).toEqual({ approvals: 2, rejections: 1, voters: 3 });
      expect(seen.votes).toHaveLength(3);
    }
  });
});
