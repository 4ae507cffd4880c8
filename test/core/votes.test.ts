import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { impactRatings, votesWith, type CastVote } from "../../src/core/votes.ts";

const approve = (voterId: number, impact: number | null = null): CastVote => ({
  voterId,
  choice: "APPROVE",
  impact,
});
const reject = (voterId: number): CastVote => ({ voterId, choice: "REJECT", impact: null });

const castVote = fc.record({
  voterId: fc.integer({ min: 1, max: 12 }),
  choice: fc.constantFrom("APPROVE" as const, "REJECT" as const),
  impact: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
});
/** Votes as the database holds them: one per voter, in voter order. */
const castVotes = fc
  .uniqueArray(castVote, { selector: (v) => v.voterId, maxLength: 10 })
  .map((votes) => [...votes].sort((a, b) => a.voterId - b.voterId));

describe("the votes once a vote counts", () => {
  it("adds a new voter's vote in voter order", () =>
    expect(votesWith([approve(2), reject(7)], approve(5, 4))).toEqual([
      approve(2),
      approve(5, 4),
      reject(7),
    ]));

  it("replaces the voter's earlier vote", () =>
    expect(votesWith([approve(2, 1), reject(7)], reject(2))).toEqual([reject(2), reject(7)]));

  it("holds one vote per voter, the new one among them, in voter order", () =>
    fc.assert(
      fc.property(castVotes, castVote, (votes, vote) => {
        const after = votesWith(votes, vote);
        const voters = after.map((v) => v.voterId);
        expect(new Set(voters).size).toBe(voters.length);
        expect(voters).toEqual([...voters].sort((a, b) => a - b));
        expect(after).toContainEqual(vote);
        expect(after.filter((v) => v.voterId !== vote.voterId)).toEqual(
          votes.filter((v) => v.voterId !== vote.voterId),
        );
      }),
    ));

  it("counts the same when the vote was already read (written before the read)", () =>
    fc.assert(
      fc.property(castVotes, castVote, (votes, vote) => {
        expect(votesWith(votesWith(votes, vote), vote)).toEqual(votesWith(votes, vote));
      }),
    ));
});

describe("the ratings an award takes", () => {
  it("are the impacts of the approvals that carry one", () =>
    expect(impactRatings([approve(1, 4), approve(2), reject(3), approve(4, 2)])).toEqual([4, 2]));

  it("lose the voter's rating when their approval becomes a rejection, and gain none", () =>
    fc.assert(
      fc.property(castVotes, fc.integer({ min: 1, max: 12 }), (votes, voterId) => {
        const others = votes.filter((v) => v.voterId !== voterId);
        expect(impactRatings(votesWith(votes, reject(voterId)))).toEqual(impactRatings(others));
      }),
    ));
});
