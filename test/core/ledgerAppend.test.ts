import { describe, expect, it } from "vitest";
import { decisionLedgerEntries } from "../../src/core/decisionEntries.ts";
import { GENESIS_HASH, verifyChain } from "../../src/core/ledger.ts";
import {
  balanceDeltas,
  bucketDeltas,
  chainEntries,
  type NewLedgerEntry,
} from "../../src/core/ledgerAppend.ts";

const at = new Date("2026-12-04T10:00:00.000Z");
const award = (memberId: number, points: number): NewLedgerEntry => ({
  kind: "AWARD",
  memberId,
  points,
  contributionId: 7,
  actorId: null,
  reason: "verified contribution",
  verifiedDelta: 1,
});

describe("chainEntries", () => {
  it("links entries after the head into a chain that verifies, and returns the new head", () => {
    const first = chainEntries({ seq: 0, hash: GENESIS_HASH }, 3, [award(1, 100), award(2, 50)], at);
    const second = chainEntries(first.head, 3, [award(1, 25)], at);
    const all = [...first.entries, ...second.entries];
    expect(all.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(verifyChain(all)).toEqual({ ok: true, count: 3, headHash: second.head.hash, headSeq: 3 });
  });
});

describe("balance and bucket deltas", () => {
  it("sum per member in member order, MERGE moving only totals", () => {
    const merge: NewLedgerEntry = { ...award(1, 40), kind: "MERGE", verifiedDelta: 0 };
    expect(balanceDeltas([award(2, 10), award(1, 100), merge], 2)).toEqual([
      { memberId: 1, points: 140, verified: 1, active: 200 },
      { memberId: 2, points: 10, verified: 1, active: 20 },
    ]);
    expect(bucketDeltas([award(1, 100), merge], at).map((b) => [b.period, b.points])).toEqual([
      ["D:2026-12-04", 100],
      ["M:2026-12", 100],
      ["W:2026-W49", 100],
    ]);
  });
});

describe("decisionLedgerEntries", () => {
  const facts = { contributionId: 7, outcome: "VERIFIED" as const, actorId: null, tokenId: 4 };
  it("splits the award exactly and rewards each voter once when the votes decided", () => {
    const entries = decisionLedgerEntries(
      { ...facts, decidedBy: "VOTES" },
      101,
      [
        { memberId: 1, shareBp: 5000 },
        { memberId: 2, shareBp: 5000 },
      ],
      [5, 6, 6],
      { verifierReward: 25 },
    );
    expect(entries.filter((e) => e.kind === "AWARD").reduce((sum, e) => sum + e.points, 0)).toBe(101);
    expect(entries.filter((e) => e.kind === "VERIFIER_REWARD").map((e) => e.memberId)).toEqual([5, 6]);
    expect(entries.every((e) => e.tokenId === 4)).toBe(true);
  });

  it("gives no verifier reward when a moderator decided", () => {
    const entries = decisionLedgerEntries(
      { ...facts, decidedBy: "MODERATOR" },
      100,
      [{ memberId: 1, shareBp: 10_000 }],
      [5],
      {
        verifierReward: 25,
      },
    );
    expect(entries.map((e) => e.kind)).toEqual(["AWARD"]);
  });
});
