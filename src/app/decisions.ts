import type { Tx } from "../db/client.ts";
import type { DecidedBy } from "../generated/prisma/enums.ts";
import type { CommunityConfig } from "../core/config.ts";
import { quorumTally } from "../core/agents.ts";
import { decideAtDeadline, votersEarnRewards, type Tally } from "../core/decision.ts";
import { awardPoints } from "../core/impact.ts";
import { impactRatings } from "../core/votes.ts";
import { decisionLedgerEntries, type DecisionFacts } from "../core/decisionEntries.ts";
import { appendLedgerEntries } from "./ledger.ts";
import type { LockedContribution } from "./contributions.ts";
import { enqueueOutboxMany } from "./outbox.ts";

export type Outcome = "VERIFIED" | "REJECTED" | "EXPIRED";

export interface Decision {
  readonly outcome: Outcome;
  readonly decidedBy: DecidedBy;
  /** Points awarded in total, hundredths; 0 unless verified. */
  readonly award: number;
}

/** The tally the rules decide on (people's votes only, core quorumTally), read inside the caller's transaction. */
export async function readTally(tx: Tx, contributionId: number): Promise<Tally> {
  return (await readTallies(tx, [contributionId])).get(contributionId) ?? { approvals: 0, rejections: 0 };
}

/** One decision to write for a contribution the caller has locked. */
export interface PlannedDecision {
  readonly contribution: LockedContribution;
  readonly outcome: Outcome;
  readonly decidedBy: DecidedBy;
  readonly actorId: number | null;
  readonly reason: string;
  /** The API token whose request decides it, recorded on the ledger entries written. */
  readonly tokenId?: number | null;
}

/** The decision tallies of several contributions in one query; a contribution without votes is absent. */
export async function readTallies(tx: Tx, contributionIds: readonly number[]): Promise<Map<number, Tally>> {
  const votes = await tx.vote.findMany({
    where: { contributionId: { in: [...contributionIds] } },
    select: { contributionId: true, choice: true, voter: { select: { kind: true } } },
  });
  const byContribution = groupBy(votes, (v) => v.contributionId);
  return new Map(
    [...byContribution].map(([id, group]) => [
      id,
      quorumTally(group.map((v) => ({ choice: v.choice, voterKind: v.voter.kind }))),
    ]),
  );
}

/**
 * Writes one decision for a contribution the caller has locked: the status and
 * its history, the award split between the credited members, verifier rewards
 * when the votes decided it, and the announcement. The conditional update is a
 * second guard: a contribution no longer in its locked status is left alone.
 */
export async function recordDecision(
  tx: Tx,
  contribution: LockedContribution,
  outcome: Outcome,
  decidedBy: DecidedBy,
  actorId: number | null,
  reason: string,
  config: CommunityConfig,
  now: Date,
  through: { readonly tokenId: number | null } = { tokenId: null },
): Promise<Decision | null> {
  const decided = await recordDecisions(
    tx,
    contribution.communityId,
    [{ contribution, outcome, decidedBy, actorId, reason, tokenId: through.tokenId }],
    config,
    now,
  );
  return decided.get(contribution.id) ?? null;
}

/**
 * recordDecision for many contributions of one community at once (the deadline
 * sweep): a fixed number of statements whatever their count, and one append to
 * the ledger, so the community's ledger head is held once per batch.
 */
export async function recordDecisions(
  tx: Tx,
  communityId: number,
  planned: readonly PlannedDecision[],
  config: CommunityConfig,
  now: Date,
): Promise<Map<number, Decision>> {
  const claimed = await claimDecisions(tx, planned, now);
  const decisions = planned.filter((p) => claimed.has(p.contribution.id));
  if (decisions.length === 0) return new Map();
  await tx.statusChange.createMany({
    data: decisions.map((d) => ({
      contributionId: d.contribution.id,
      fromStatus: d.contribution.status,
      toStatus: d.outcome,
      actorId: d.actorId,
      reason: d.reason,
      at: now,
    })),
  });
  const verified = decisions.filter((d) => d.outcome === "VERIFIED");
  const awards = await computeAwards(tx, verified, config);
  await saveAwards(tx, awards);
  const credits = await creditsOf(tx, [...awards.keys()]);
  const rewarded = decisions.filter((d) => votersEarnRewards(d.decidedBy, d.outcome));
  const voters = await votersOf(
    tx,
    rewarded.map((d) => d.contribution.id),
  );
  const entries = decisions.flatMap((d) =>
    decisionLedgerEntries(
      decisionFacts(d),
      awards.get(d.contribution.id),
      credits.get(d.contribution.id) ?? [],
      voters.get(d.contribution.id) ?? [],
      config,
    ),
  );
  await appendLedgerEntries(tx, communityId, entries, now);
  await enqueueOutboxMany(
    tx,
    communityId,
    decisions.map((d) => ({ kind: "DECISION", contributionId: d.contribution.id })),
  );
  return new Map(
    decisions.map((d) => [
      d.contribution.id,
      { outcome: d.outcome, decidedBy: d.decidedBy, award: awards.get(d.contribution.id) ?? 0 },
    ]),
  );
}

/** Moves each contribution from its locked status to its outcome; returns the ids that were still there. */
async function claimDecisions(tx: Tx, planned: readonly PlannedDecision[], now: Date): Promise<Set<number>> {
  if (planned.length === 0) return new Set();
  const rows = await tx.$queryRaw<Array<{ id: number }>>`
    UPDATE contribution c
    SET status = d.outcome::"ContributionStatus", "decidedAt" = ${now}, "decidedBy" = d.by::"DecidedBy"
    FROM unnest(${planned.map((p) => p.contribution.id)}::int[],
                ${planned.map((p) => p.contribution.status)}::text[],
                ${planned.map((p) => p.outcome)}::text[],
                ${planned.map((p) => p.decidedBy)}::text[]) AS d(id, from_status, outcome, by)
    WHERE c.id = d.id AND c.status::text = d.from_status
    RETURNING c.id`;
  return new Set(rows.map((r) => r.id));
}

/** The award of each verified contribution: its category's weight times the median impact's multiplier. */
async function computeAwards(
  tx: Tx,
  verified: readonly PlannedDecision[],
  config: CommunityConfig,
): Promise<Map<number, number>> {
  if (verified.length === 0) return new Map();
  const ids = verified.map((d) => d.contribution.id);
  const categories = await tx.category.findMany({
    where: { id: { in: [...new Set(verified.map((d) => d.contribution.categoryId))] } },
    select: { id: true, weight: true },
  });
  const votes = groupBy(
    await tx.vote.findMany({
      where: { contributionId: { in: ids } },
      select: { contributionId: true, voterId: true, choice: true, impact: true },
    }),
    (v) => v.contributionId,
  );
  const weight = new Map(categories.map((c) => [c.id, c.weight]));
  return new Map(
    verified.map((d) => [
      d.contribution.id,
      awardPoints(
        weight.get(d.contribution.categoryId) ?? 0,
        impactRatings(votes.get(d.contribution.id) ?? []),
        config.impactMultipliers,
      ),
    ]),
  );
}

async function saveAwards(tx: Tx, awards: ReadonlyMap<number, number>): Promise<void> {
  if (awards.size === 0) return;
  await tx.$executeRaw`
    UPDATE contribution c SET award = d.award
    FROM unnest(${[...awards.keys()]}::int[], ${[...awards.values()]}::int[]) AS d(id, award)
    WHERE c.id = d.id`;
}

async function creditsOf(
  tx: Tx,
  contributionIds: readonly number[],
): Promise<Map<number, Array<{ memberId: number; shareBp: number }>>> {
  if (contributionIds.length === 0) return new Map();
  const rows = await tx.credit.findMany({
    where: { contributionId: { in: [...contributionIds] } },
    select: { contributionId: true, memberId: true, shareBp: true },
    orderBy: [{ contributionId: "asc" }, { memberId: "asc" }],
  });
  return groupBy(rows, (r) => r.contributionId);
}

async function votersOf(tx: Tx, contributionIds: readonly number[]): Promise<Map<number, number[]>> {
  if (contributionIds.length === 0) return new Map();
  const rows = await tx.vote.findMany({
    where: { contributionId: { in: [...contributionIds] } },
    select: { contributionId: true, voterId: true },
    orderBy: [{ contributionId: "asc" }, { voterId: "asc" }],
  });
  const grouped = groupBy(rows, (r) => r.contributionId);
  return new Map([...grouped].map(([id, votes]) => [id, votes.map((v) => v.voterId)]));
}

function groupBy<T>(rows: readonly T[], key: (row: T) => number): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const row of rows) {
    const group = groups.get(key(row));
    if (group === undefined) groups.set(key(row), [row]);
    else group.push(row);
  }
  return groups;
}

/** The facts of a planned decision the core turns into ledger entries. */
export function decisionFacts(d: PlannedDecision): DecisionFacts {
  return {
    contributionId: d.contribution.id,
    outcome: d.outcome,
    decidedBy: d.decidedBy,
    actorId: d.actorId,
    tokenId: d.tokenId ?? null,
  };
}

/** What the deadline decides for a contribution with this tally. */
export function deadlineDecision(
  contribution: LockedContribution,
  tally: Tally,
  config: CommunityConfig,
): PlannedDecision {
  const outcome = decideAtDeadline(tally, config);
  return {
    contribution,
    outcome,
    decidedBy: "DEADLINE",
    actorId: null,
    reason: outcome === "EXPIRED" ? "deadline passed without quorum" : "decided by vote at the deadline",
  };
}

/** Decides a locked pending contribution whose deadline has passed. */
export async function decideOverdue(
  tx: Tx,
  contribution: LockedContribution,
  config: CommunityConfig,
  now: Date,
): Promise<Decision | null> {
  if (contribution.status !== "PENDING" || contribution.closesAt.getTime() > now.getTime()) return null;
  const decided = await recordDecisions(
    tx,
    contribution.communityId,
    [deadlineDecision(contribution, await readTally(tx, contribution.id), config)],
    config,
    now,
  );
  return decided.get(contribution.id) ?? null;
}
