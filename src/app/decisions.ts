import type { Tx } from "../db/client.ts";
import type { ContributionStatus, DecidedBy } from "../generated/prisma/enums.ts";
import type { CommunityConfig } from "../core/config.ts";
import { decideAtDeadline, votersEarnRewards, type Tally } from "../core/decision.ts";
import { awardPoints } from "../core/impact.ts";
import { splitByShares } from "../core/split.ts";
import { verifierRewards } from "../core/clawback.ts";
import { appendLedgerEntries, type NewLedgerEntry } from "./ledger.ts";
import { changeStatus, type LockedContribution } from "./contributions.ts";
import { enqueueOutbox } from "./outbox.ts";

export type Outcome = "VERIFIED" | "REJECTED" | "EXPIRED";

export interface Decision {
  readonly outcome: Outcome;
  readonly decidedBy: DecidedBy;
  /** Points awarded in total, hundredths; 0 unless verified. */
  readonly award: number;
}

/** Approvals and rejections of a contribution, read inside the caller's transaction. */
export async function readTally(tx: Tx, contributionId: number): Promise<Tally> {
  const groups = await tx.vote.groupBy({ by: ["choice"], where: { contributionId }, _count: { _all: true } });
  const count = (choice: string): number => groups.find((g) => g.choice === choice)?._count._all ?? 0;
  return { approvals: count("APPROVE"), rejections: count("REJECT") };
}

/**
 * Writes one decision for a contribution the caller has locked: the status and
 * its history, the award split between the credited members, verifier rewards
 * when the votes decided it, and the announcement. The conditional update is a
 * second guard: a contribution no longer in `from` is left alone.
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
): Promise<Decision | null> {
  const from: ContributionStatus = contribution.status;
  const claimed = await tx.contribution.updateMany({
    where: { id: contribution.id, status: from },
    data: { decidedAt: now, decidedBy },
  });
  if (claimed.count !== 1) return null;
  await changeStatus(tx, contribution.id, from, outcome, actorId, reason, now);
  const entries: NewLedgerEntry[] = [];
  let award = 0;
  if (outcome === "VERIFIED") {
    award = await computeAward(tx, contribution, config);
    entries.push(...(await awardEntries(tx, contribution.id, award, actorId)));
    await tx.contribution.update({ where: { id: contribution.id }, data: { award } });
  }
  if (votersEarnRewards(decidedBy, outcome)) {
    entries.push(...(await verifierRewardEntries(tx, contribution.id, config)));
  }
  await appendLedgerEntries(tx, contribution.communityId, entries, now);
  await enqueueOutbox(tx, contribution.communityId, { kind: "DECISION", contributionId: contribution.id });
  return { outcome, decidedBy, award };
}

async function computeAward(
  tx: Tx,
  contribution: LockedContribution,
  config: CommunityConfig,
): Promise<number> {
  const category = await tx.category.findUniqueOrThrow({ where: { id: contribution.categoryId } });
  const ratings = await tx.vote.findMany({
    where: { contributionId: contribution.id, choice: "APPROVE", impact: { not: null } },
    select: { impact: true },
  });
  return awardPoints(
    category.weight,
    ratings.flatMap((r) => (r.impact === null ? [] : [r.impact])),
    config.impactMultipliers,
  );
}

async function awardEntries(
  tx: Tx,
  contributionId: number,
  award: number,
  actorId: number | null,
): Promise<NewLedgerEntry[]> {
  const credits = await tx.credit.findMany({ where: { contributionId }, orderBy: { memberId: "asc" } });
  return splitByShares(award, credits).map((part) => ({
    kind: "AWARD" as const,
    memberId: part.memberId,
    points: part.points,
    contributionId,
    actorId,
    reason: "verified contribution",
    verifiedDelta: 1,
  }));
}

async function verifierRewardEntries(
  tx: Tx,
  contributionId: number,
  config: CommunityConfig,
): Promise<NewLedgerEntry[]> {
  const votes = await tx.vote.findMany({ where: { contributionId }, orderBy: { voterId: "asc" } });
  return verifierRewards(
    votes.map((v) => v.voterId),
    config.verifierReward,
  ).map((reward) => ({
    kind: "VERIFIER_REWARD" as const,
    memberId: reward.memberId,
    points: reward.points,
    contributionId,
    actorId: null,
    reason: "verified by vote",
  }));
}

/** Decides a locked pending contribution whose deadline has passed. */
export async function decideOverdue(
  tx: Tx,
  contribution: LockedContribution,
  config: CommunityConfig,
  now: Date,
): Promise<Decision | null> {
  if (contribution.status !== "PENDING" || contribution.closesAt.getTime() > now.getTime()) return null;
  const tally = await readTally(tx, contribution.id);
  const outcome = decideAtDeadline(tally, config);
  const reason = outcome === "EXPIRED" ? "deadline passed without quorum" : "decided by vote at the deadline";
  return recordDecision(tx, contribution, outcome, "DEADLINE", null, reason, config, now);
}
