import { describe, expect, it } from "vitest";
import { voterEligibility, type Voter } from "../../src/core/eligibility.ts";

const now = new Date("2026-11-28T12:00:00Z");
const voter: Voter = { memberId: 7, banned: false, joinedAt: new Date("2026-01-01T00:00:00Z"), roles: [] };
const open = { minVoterAgeDays: 0, voterRole: null };

function check(overrides: Partial<Parameters<typeof voterEligibility>[0]> = {}) {
  return voterEligibility({ voter, submitterId: 1, creditedMemberIds: [1], now, config: open, ...overrides });
}

describe("who may vote on a contribution", () => {
  it("lets any other member vote in an open community", () => {
    expect(check()).toEqual({ ok: true, value: true });
  });

  it("never lets the submitter vote on their own work", () => {
    expect(check({ voter: { ...voter, memberId: 1 } })).toEqual({
      ok: false,
      error: { code: "OWN_CONTRIBUTION" },
    });
  });

  it("refuses a co-author credited on the contribution", () => {
    expect(check({ creditedMemberIds: [1, 7] })).toEqual({ ok: false, error: { code: "CREDITED" } });
  });

  it("refuses the submitter as their own work even when they are also eligible otherwise", () => {
    const submitter = { ...voter, memberId: 1, roles: ["verifier"] };
    const result = check({ voter: submitter, config: { minVoterAgeDays: 0, voterRole: "verifier" } });
    expect(result.ok ? "accepted" : result.error.code).toBe("OWN_CONTRIBUTION");
  });

  it("refuses a banned member", () => {
    expect(check({ voter: { ...voter, banned: true } })).toEqual({ ok: false, error: { code: "BANNED" } });
  });

  it("refuses a member younger than the minimum voter age, saying how long", () => {
    const joinedAt = new Date("2026-11-26T12:00:00Z");
    const result = check({ voter: { ...voter, joinedAt }, config: { minVoterAgeDays: 7, voterRole: null } });
    expect(result).toEqual({ ok: false, error: { code: "TOO_NEW", detail: { days: 7, daysLeft: 5 } } });
  });

  it("lets a member vote exactly when the minimum age is reached", () => {
    const joinedAt = new Date("2026-11-21T12:00:00Z");
    expect(check({ voter: { ...voter, joinedAt }, config: { minVoterAgeDays: 7, voterRole: null } }).ok).toBe(
      true,
    );
  });

  it("requires the voter role when one is configured", () => {
    const config = { minVoterAgeDays: 0, voterRole: "verifier" };
    expect(check({ config })).toEqual({
      ok: false,
      error: { code: "MISSING_VOTER_ROLE", detail: { role: "verifier" } },
    });
    expect(check({ config, voter: { ...voter, roles: ["member", "verifier"] } }).ok).toBe(true);
  });
});
