import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { partyOf, quorumTally, sharesParty, type CountedVote } from "../../src/core/agents.ts";
import { decideAtDeadline, decideByVotes } from "../../src/core/decision.ts";
import { voterEligibility } from "../../src/core/eligibility.ts";

const vote = fc.record({
  choice: fc.constantFrom("APPROVE" as const, "REJECT" as const),
  voterKind: fc.constantFrom("PERSON" as const, "AGENT" as const),
});
const rules = fc.record({
  quorum: fc.integer({ min: 1, max: 10 }),
  approvalRatio: fc.integer({ min: 1, max: 100 }).map((pct) => pct / 100),
});
const agentsOnly = (votes: readonly CountedVote[]): CountedVote[] =>
  votes.map((v) => ({ ...v, voterKind: "AGENT" }));

describe("the quorum counts people only", () => {
  it("agents alone never verify or reject, before or at the deadline, however many they are", () => {
    fc.assert(
      fc.property(fc.array(vote, { maxLength: 200 }), rules, (votes, config) => {
        const tally = quorumTally(agentsOnly(votes));
        expect(tally).toEqual({ approvals: 0, rejections: 0 });
        expect(decideByVotes(tally, config)).toBeNull();
        expect(decideAtDeadline(tally, config)).toBe("EXPIRED");
      }),
    );
  });

  it("adding agents' votes never changes what people's votes decide", () => {
    fc.assert(
      fc.property(
        fc.array(vote, { maxLength: 60 }),
        fc.array(vote, { maxLength: 60 }),
        rules,
        (people, agents, config) => {
          const persons = people.map((v): CountedVote => ({ ...v, voterKind: "PERSON" }));
          const mixed = [...persons, ...agentsOnly(agents)].sort(() => 0);
          expect(decideByVotes(quorumTally(mixed), config)).toBe(decideByVotes(quorumTally(persons), config));
          expect(decideAtDeadline(quorumTally(mixed), config)).toBe(
            decideAtDeadline(quorumTally(persons), config),
          );
        },
      ),
    );
  });

  it("counts each person's approval and rejection once", () => {
    expect(
      quorumTally([
        { choice: "APPROVE", voterKind: "PERSON" },
        { choice: "APPROVE", voterKind: "AGENT" },
        { choice: "REJECT", voterKind: "PERSON" },
      ]),
    ).toEqual({ approvals: 1, rejections: 1 });
  });
});

describe("an agent and its owner count as one", () => {
  const base = { banned: false, joinedAt: new Date(0), roles: [] };
  const config = { minVoterAgeDays: 0, voterRole: null, agentVoting: true };
  const now = new Date(1_000_000);

  it("the owner may not vote on the agent's contribution", () => {
    const result = voterEligibility({
      voter: { ...base, memberId: 1 },
      submitterId: 9,
      creditedMemberIds: [9],
      ownersOnTheWork: [{ memberId: 9, ownerId: 1 }],
      now,
      config,
    });
    expect(result).toEqual({ ok: false, error: { code: "AGENT_OWNER_CONFLICT" } });
  });

  it("the agent may not vote on its owner's contribution, nor on a sibling agent's", () => {
    const agent = { ...base, memberId: 9, kind: "AGENT" as const, ownerId: 1 };
    expect(voterEligibility({ voter: agent, submitterId: 1, creditedMemberIds: [1], now, config }).ok).toBe(
      false,
    );
    const sibling = voterEligibility({
      voter: agent,
      submitterId: 8,
      creditedMemberIds: [8],
      ownersOnTheWork: [{ memberId: 8, ownerId: 1 }],
      now,
      config,
    });
    expect(sibling).toEqual({ ok: false, error: { code: "AGENT_OWNER_CONFLICT" } });
  });

  it("an agent of someone else may vote where agentVoting is on, and is refused where it is off", () => {
    const agent = { ...base, memberId: 9, kind: "AGENT" as const, ownerId: 1 };
    const input = { voter: agent, submitterId: 5, creditedMemberIds: [5], now };
    expect(voterEligibility({ ...input, config }).ok).toBe(true);
    expect(voterEligibility({ ...input, config: { ...config, agentVoting: false } })).toEqual({
      ok: false,
      error: { code: "AGENT_VOTING_OFF" },
    });
  });

  it("whatever the members, a voter sharing a party with anyone on the work is refused", () => {
    const member = fc.record({
      memberId: fc.integer({ min: 1, max: 20 }),
      ownerId: fc.option(fc.integer({ min: 1, max: 20 }), { nil: null }),
    });
    fc.assert(
      fc.property(member, fc.array(member, { minLength: 1, maxLength: 5 }), (voter, work) => {
        const expected = work.some((m) => partyOf(m) === partyOf(voter));
        expect(sharesParty(voter, work)).toBe(expected);
      }),
    );
  });
});
