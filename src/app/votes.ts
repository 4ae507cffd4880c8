import type { Tx } from "../db/client.ts";
import { MAX_OPEN_QUESTIONS_PER_VOTER, readCommunityConfig, type CommunityConfig } from "../core/config.ts";
import { decideByVotes } from "../core/decision.ts";
import { voterEligibility } from "../core/eligibility.ts";
import { ok, refuse, type Result } from "../core/result.ts";
import { validateReason } from "../core/text.ts";
import { lockContribution, type LockedContribution } from "./contributions.ts";
import {
  deadlineDecision,
  decideOverdue,
  readTallies,
  readTally,
  recordDecision,
  recordDecisions,
  type Decision,
} from "./decisions.ts";
import { inTransaction, transact, type Actor, type Deps } from "./deps.ts";
import { lockLedgerHead } from "./ledger.ts";
import { enqueueOutbox } from "./outbox.ts";
import { castVoteOnStore } from "./votePath.ts";
import type { VoteInput, VoteRecorded, VoteRefusal } from "./voteTypes.ts";

export type { VoteChoice, VoteInput, VoteRecorded, VoteRefusal } from "./voteTypes.ts";

/**
 * Records (or changes) a vote and decides the contribution as soon as the votes
 * settle it. Serialised on the contribution row with every other path that can
 * decide it.
 */
export async function castVote(
  deps: Deps,
  actor: Actor,
  input: VoteInput,
): Promise<Result<VoteRecorded, VoteRefusal>> {
  if (input.impact !== undefined && !isImpact(input.impact)) return refuse("BAD_IMPACT");
  if (input.impact !== undefined && input.choice === "REJECT") return refuse("IMPACT_ON_REJECT");
  const now = deps.clock.now();
  const onStore = await castVoteOnStore(deps.store, actor, input, now, deps.caches?.configs);
  if (onStore !== null) return onStore;
  return transact(deps, async (tx) => {
    const open = await lockOpenContribution(tx, actor, input.number, now);
    if (!open.ok) return open;
    const { contribution, config } = open.value;
    const eligible = await checkVoter(tx, actor, contribution, config, now);
    if (!eligible.ok) return eligible;
    const previous = await tx.vote.findUnique({
      where: { contributionId_voterId: { contributionId: contribution.id, voterId: actor.memberId } },
      select: { choice: true, impact: true },
    });
    const impact = input.impact ?? null;
    await tx.vote.upsert({
      where: { contributionId_voterId: { contributionId: contribution.id, voterId: actor.memberId } },
      create: {
        contributionId: contribution.id,
        voterId: actor.memberId,
        choice: input.choice,
        impact,
        createdAt: now,
        updatedAt: now,
        tokenId: actor.tokenId ?? null,
      },
      update: { choice: input.choice, impact, updatedAt: now, tokenId: actor.tokenId ?? null },
    });
    const tally = await readTally(tx, contribution.id);
    const outcome = decideByVotes(tally, config);
    const decision =
      outcome === null
        ? null
        : await recordDecision(tx, contribution, outcome, "VOTES", null, "decided by vote", config, now, {
            tokenId: actor.tokenId ?? null,
          });
    if (decision === null)
      await enqueueOutbox(tx, actor.communityId, { kind: "TALLY", contributionId: contribution.id });
    return ok({ number: input.number, tally, previous, decision, blind: config.blindVoting });
  });
}

function isImpact(impact: number): boolean {
  return Number.isInteger(impact) && impact >= 1 && impact <= 5;
}

async function lockOpenContribution(
  tx: Tx,
  actor: Actor,
  number: number,
  now: Date,
): Promise<
  Result<
    { contribution: LockedContribution; config: CommunityConfig },
    "UNKNOWN_CONTRIBUTION" | "VOTE_CLOSED"
  >
> {
  const found = await lockContribution(tx, actor.communityId, number);
  if (!found.ok) return found;
  const contribution = found.value;
  if (contribution.status !== "PENDING" || contribution.closesAt.getTime() <= now.getTime()) {
    return refuse("VOTE_CLOSED", { number, status: contribution.status });
  }
  const community = await tx.community.findUniqueOrThrow({
    where: { id: actor.communityId },
    select: { config: true },
  });
  return ok({ contribution, config: readCommunityConfig(community.config) });
}

async function checkVoter(
  tx: Tx,
  actor: Actor,
  contribution: LockedContribution,
  config: CommunityConfig,
  now: Date,
): Promise<
  Result<
    true,
    Exclude<VoteRefusal, "UNKNOWN_CONTRIBUTION" | "VOTE_CLOSED" | "BAD_IMPACT" | "IMPACT_ON_REJECT">
  >
> {
  const voter = await tx.member.findUniqueOrThrow({
    where: { id: actor.memberId },
    select: { id: true, banned: true, joinedAt: true, kind: true, ownerId: true },
  });
  const credits = await tx.credit.findMany({
    where: { contributionId: contribution.id },
    select: { memberId: true },
  });
  const creditedMemberIds = credits.map((c) => c.memberId);
  const owned = await tx.member.findMany({
    where: { id: { in: [contribution.submitterId, ...creditedMemberIds] }, ownerId: { not: null } },
    select: { id: true, ownerId: true },
  });
  return voterEligibility({
    voter: {
      memberId: voter.id,
      banned: voter.banned,
      joinedAt: voter.joinedAt,
      roles: actor.roles ?? [],
      kind: voter.kind,
      ownerId: voter.ownerId,
    },
    submitterId: contribution.submitterId,
    creditedMemberIds,
    ownersOnTheWork: owned.flatMap((m) =>
      m.ownerId === null ? [] : [{ memberId: m.id, ownerId: m.ownerId }],
    ),
    now,
    config,
  });
}

/**
 * Asks the submitter for more information (the Needs-info button). Any eligible
 * voter may ask; it is not a vote.
 */
export async function askForInfo(
  deps: Deps,
  actor: Actor,
  number: number,
  question: string,
): Promise<
  Result<
    { number: number; questionId: number },
    VoteRefusal | "REASON_REQUIRED" | "REASON_LENGTH" | "TOO_MANY_QUESTIONS"
  >
> {
  const text = validateReason(question);
  if (!text.ok) return text;
  const now = deps.clock.now();
  return transact(deps, async (tx) => {
    const askable = await infoAskable(tx, actor, number, now);
    if (!askable.ok) return askable;
    const { contributionId } = askable.value;
    const row = await tx.question.create({
      data: { contributionId, askerId: actor.memberId, question: text.value, askedAt: now },
    });
    await enqueueOutbox(tx, actor.communityId, { kind: "NEEDS_INFO", contributionId, questionId: row.id });
    return ok({ number, questionId: row.id });
  });
}

/**
 * Whether the actor may ask about contribution `number` now, before they type
 * the question (a platform that posts a prompt for it asks this first): the
 * same checks as askForInfo, nothing written.
 */
export async function mayAskForInfo(
  deps: Deps,
  actor: Actor,
  number: number,
): Promise<Result<{ number: number }, VoteRefusal | "TOO_MANY_QUESTIONS">> {
  const now = deps.clock.now();
  return transact(deps, async (tx) => {
    const askable = await infoAskable(tx, actor, number, now);
    return askable.ok ? ok({ number }) : askable;
  });
}

/** The open contribution the actor may ask about: an eligible voter under the limit of open questions. */
async function infoAskable(
  tx: Tx,
  actor: Actor,
  number: number,
  now: Date,
): Promise<Result<{ contributionId: number }, VoteRefusal | "TOO_MANY_QUESTIONS">> {
  const open = await lockOpenContribution(tx, actor, number, now);
  if (!open.ok) return open;
  const eligible = await checkVoter(tx, actor, open.value.contribution, open.value.config, now);
  if (!eligible.ok) return eligible;
  const contributionId = open.value.contribution.id;
  const asked = await tx.question.count({
    where: { contributionId, askerId: actor.memberId, answeredAt: null },
  });
  if (asked >= MAX_OPEN_QUESTIONS_PER_VOTER)
    return refuse("TOO_MANY_QUESTIONS", { max: MAX_OPEN_QUESTIONS_PER_VOTER });
  return ok({ contributionId });
}

/** The submitter answers the oldest open question on their contribution. */
export async function answerInfoRequest(
  deps: Deps,
  actor: Actor,
  number: number,
  answer: string,
): Promise<
  Result<
    { number: number; questionId: number },
    "UNKNOWN_CONTRIBUTION" | "NOT_SUBMITTER" | "NO_OPEN_QUESTION" | "REASON_REQUIRED" | "REASON_LENGTH"
  >
> {
  const text = validateReason(answer);
  if (!text.ok) return text;
  const now = deps.clock.now();
  return transact(deps, async (tx) => {
    const found = await lockContribution(tx, actor.communityId, number);
    if (!found.ok) return found;
    if (found.value.submitterId !== actor.memberId) return refuse("NOT_SUBMITTER", { number });
    const question = await tx.question.findFirst({
      where: { contributionId: found.value.id, answer: null },
      orderBy: { id: "asc" },
    });
    if (question === null) return refuse("NO_OPEN_QUESTION", { number });
    await tx.question.update({ where: { id: question.id }, data: { answer: text.value, answeredAt: now } });
    await enqueueOutbox(tx, actor.communityId, {
      kind: "INFO_ANSWERED",
      contributionId: found.value.id,
      questionId: question.id,
    });
    await enqueueOutbox(tx, actor.communityId, { kind: "TALLY", contributionId: found.value.id });
    return ok({ number, questionId: question.id });
  });
}

/**
 * Closes one contribution whose vote deadline has passed; harmless when it was
 * already decided or its deadline was extended. This is what the vote-deadline
 * job calls.
 */
export async function closeContributionIfDue(deps: Deps, contributionId: number): Promise<Decision | null> {
  const now = deps.clock.now();
  return inTransaction(deps, async (tx) => {
    const row = await tx.contribution.findUnique({
      where: { id: contributionId },
      select: { communityId: true, number: true },
    });
    if (row === null) return null;
    const found = await lockContribution(tx, row.communityId, row.number);
    if (!found.ok) return null;
    const community = await tx.community.findUniqueOrThrow({
      where: { id: row.communityId },
      select: { config: true },
    });
    return decideOverdue(tx, found.value, readCommunityConfig(community.config), now);
  });
}

/** Closes every contribution whose deadline has passed, oldest first; returns how many were decided. */
export async function closeDueContributions(deps: Deps, limit = 500): Promise<number> {
  const communities = await deps.db.contribution.groupBy({
    by: ["communityId"],
    where: { status: "PENDING", closesAt: { lte: deps.clock.now() } },
  });
  let decided = 0;
  for (const { communityId } of communities) {
    if (decided >= limit) break;
    decided += (await closeDueInCommunity(deps, communityId, limit - decided)).size;
  }
  return decided;
}

/** How many due contributions one deadline sweep decides in one transaction. */
export const DEADLINE_BATCH = 200;

/**
 * The deadline sweep: decides, in one transaction, up to `limit` pending
 * contributions of a community whose deadline has passed, oldest first. Rows
 * another transaction holds (a vote deciding it right now) are skipped, not
 * waited for (so taking the head before them cannot deadlock); they stay due
 * and the next sweep or their own job takes them.
 */
export async function closeDueInCommunity(
  deps: Deps,
  communityId: number,
  limit = DEADLINE_BATCH,
): Promise<Map<number, Decision>> {
  return inTransaction(deps, async (tx) => {
    // The ledger head first: sweeps of one community queue here, and each then
    // takes everything that fell due while it waited (a group commit).
    await lockLedgerHead(tx, communityId);
    const now = deps.clock.now();
    const due = await tx.$queryRaw<LockedContribution[]>`
      SELECT id, "communityId", number, "submitterId", "categoryId", title, description, links,
             status::text AS status, "closesAt"
      FROM contribution
      WHERE "communityId" = ${communityId} AND status = 'PENDING' AND "closesAt" <= ${now}
      ORDER BY "closesAt", id
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED`;
    if (due.length === 0) return new Map();
    const community = await tx.community.findUniqueOrThrow({
      where: { id: communityId },
      select: { config: true },
    });
    const config = readCommunityConfig(community.config);
    const tallies = await readTallies(
      tx,
      due.map((c) => c.id),
    );
    const planned = due.map((contribution) =>
      deadlineDecision(contribution, tallies.get(contribution.id) ?? { approvals: 0, rejections: 0 }, config),
    );
    return recordDecisions(tx, communityId, planned, config, now);
  });
}
