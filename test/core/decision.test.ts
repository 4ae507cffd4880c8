import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decideAtDeadline, decideByVotes, votersEarnRewards, type Tally } from "../../src/core/decision.ts";

const rules = { quorum: 3, approvalRatio: 0.66 };
const tally = (approvals: number, rejections: number): Tally => ({ approvals, rejections });

describe("deciding by votes before the deadline", () => {
  it("stays open below quorum", () => {
    expect(decideByVotes(tally(2, 0), rules)).toBeNull();
    expect(decideByVotes(tally(0, 2), rules)).toBeNull();
    expect(decideByVotes(tally(0, 0), rules)).toBeNull();
  });

  it("verifies as soon as approvals reach quorum with the ratio met", () => {
    expect(decideByVotes(tally(3, 0), rules)).toBe("VERIFIED");
    expect(decideByVotes(tally(4, 2), rules)).toBe("VERIFIED");
  });

  it("does not verify when approvals reach quorum but the ratio is missed", () => {
    expect(decideByVotes(tally(3, 2), rules)).toBeNull();
  });

  it("rejects as soon as rejections reach quorum with the ratio missed", () => {
    expect(decideByVotes(tally(0, 3), rules)).toBe("REJECTED");
    expect(decideByVotes(tally(3, 3), rules)).toBe("REJECTED");
  });

  it("does not reject while approvals still meet the ratio", () => {
    expect(decideByVotes(tally(6, 3), rules)).toBe("VERIFIED");
    expect(decideByVotes(tally(2, 1), { quorum: 1, approvalRatio: 0.66 })).toBe("VERIFIED");
  });

  it("compares the ratio exactly, without float error", () => {
    // 0.7 * 10 = 7.000000000000001 in floating point; 7 of 10 must still meet 0.7.
    expect(decideByVotes(tally(7, 3), { quorum: 3, approvalRatio: 0.7 })).toBe("VERIFIED");
    expect(decideByVotes(tally(29, 71), { quorum: 3, approvalRatio: 0.29 })).toBe("VERIFIED");
    expect(decideByVotes(tally(57, 43), { quorum: 3, approvalRatio: 0.57 })).toBe("VERIFIED");
    expect(decideByVotes(tally(2, 1), { quorum: 2, approvalRatio: 0.67 })).toBe(null);
  });

  it("needs every vote to be an approval when the ratio is 1", () => {
    expect(decideByVotes(tally(5, 1), { quorum: 3, approvalRatio: 1 })).toBeNull();
    expect(decideByVotes(tally(5, 3), { quorum: 3, approvalRatio: 1 })).toBe("REJECTED");
  });
});

describe("deciding at the deadline", () => {
  it("expires when fewer than quorum voted", () => {
    expect(decideAtDeadline(tally(2, 0), rules)).toBe("EXPIRED");
    expect(decideAtDeadline(tally(0, 0), rules)).toBe("EXPIRED");
  });

  it("decides by the ratio once quorum voted", () => {
    expect(decideAtDeadline(tally(2, 1), rules)).toBe("VERIFIED");
    expect(decideAtDeadline(tally(1, 2), rules)).toBe("REJECTED");
    expect(decideAtDeadline(tally(3, 2), rules)).toBe("REJECTED");
  });
});

describe("decision properties", () => {
  const tallies = fc.record({ approvals: fc.nat(60), rejections: fc.nat(60) });
  const configs = fc.record({
    quorum: fc.integer({ min: 1, max: 20 }),
    approvalRatio: fc.integer({ min: 1, max: 10_000 }).map((bp) => bp / 10_000),
  });

  it("an early decision is the one the deadline would reach", () => {
    fc.assert(
      fc.property(tallies, configs, (t, config) => {
        const early = decideByVotes(t, config);
        if (early !== null) expect(decideAtDeadline(t, config)).toBe(early);
      }),
    );
  });

  it("a decided vote stays decided the same way when more votes of the winning side arrive", () => {
    fc.assert(
      fc.property(tallies, configs, fc.nat(10), (t, config, more) => {
        const early = decideByVotes(t, config);
        if (early === "VERIFIED")
          expect(decideByVotes(tally(t.approvals + more, t.rejections), config)).toBe("VERIFIED");
        if (early === "REJECTED")
          expect(decideByVotes(tally(t.approvals, t.rejections + more), config)).toBe("REJECTED");
      }),
    );
  });

  it("the ratio test agrees with exact rational arithmetic", () => {
    fc.assert(
      fc.property(tallies, fc.integer({ min: 1, max: 10_000 }), (t, bp) => {
        const total = t.approvals + t.rejections;
        fc.pre(total >= 1);
        const exact = BigInt(t.approvals) * 10_000n >= BigInt(bp) * BigInt(total);
        expect(decideAtDeadline(t, { quorum: 1, approvalRatio: bp / 10_000 })).toBe(
          exact ? "VERIFIED" : "REJECTED",
        );
      }),
    );
  });
});

describe("verifier rewards", () => {
  it("are earned only when the votes decided the contribution", () => {
    expect(votersEarnRewards("VOTES", "VERIFIED")).toBe(true);
    expect(votersEarnRewards("VOTES", "REJECTED")).toBe(true);
    expect(votersEarnRewards("DEADLINE", "VERIFIED")).toBe(true);
    expect(votersEarnRewards("DEADLINE", "EXPIRED")).toBe(false);
    expect(votersEarnRewards("MODERATOR", "VERIFIED")).toBe(false);
  });
});
