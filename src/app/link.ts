import type { Tx } from "../db/client.ts";
import { LINK_ATTEMPT_WINDOW_MS, MAX_LINK_ATTEMPTS, MAX_OPEN_LINK_CODES } from "../core/config.ts";
import { ok, refuse, type Result } from "../core/result.ts";
import { recordModeratorAction } from "./audit.ts";
import { claimCode, LINK_CODE_TTL_MS, newLinkCode, normalizeLinkCode } from "./community.ts";
import { transact, type Actor, type Deps } from "./deps.ts";
import { appendLedgerEntries, lockLedgerHead } from "./ledger.ts";
import { enqueueOutbox } from "./outbox.ts";

/**
 * `/link` with no code: a one-time code (10 minutes) to type on the other
 * platform. Expired codes are deleted on the way; a member holds at most
 * MAX_OPEN_LINK_CODES live ones.
 */
export async function createIdentityLinkCode(
  deps: Deps,
  actor: Actor,
): Promise<Result<{ code: string; expiresAt: Date }, "TOO_MANY_LINK_CODES">> {
  const now = deps.clock.now();
  const code = newLinkCode();
  const expiresAt = new Date(now.getTime() + LINK_CODE_TTL_MS);
  return transact(deps, async (tx) => {
    await tx.linkCode.deleteMany({ where: { expiresAt: { lte: now } } });
    const live = await tx.linkCode.count({
      where: { kind: "IDENTITY", memberId: actor.memberId, usedAt: null },
    });
    if (live >= MAX_OPEN_LINK_CODES) return refuse("TOO_MANY_LINK_CODES", { max: MAX_OPEN_LINK_CODES });
    await tx.linkCode.create({
      data: {
        code,
        communityId: actor.communityId,
        kind: "IDENTITY",
        memberId: actor.memberId,
        createdAt: now,
        expiresAt,
      },
    });
    return ok({ code, expiresAt });
  });
}

/**
 * Counts a `/link CODE` attempt outside the redemption's transaction (a refused
 * one rolls back), and says whether the member is still within the limit.
 */
async function withinLinkAttempts(deps: Deps, actor: Actor, now: Date): Promise<boolean> {
  const since = new Date(now.getTime() - LINK_ATTEMPT_WINDOW_MS);
  await deps.db.linkAttempt.deleteMany({ where: { at: { lt: since } } });
  await deps.db.linkAttempt.create({ data: { memberId: actor.memberId, at: now } });
  const attempts = await deps.db.linkAttempt.count({
    where: { memberId: actor.memberId, at: { gte: since } },
  });
  return attempts <= MAX_LINK_ATTEMPTS;
}

/**
 * `/link CODE`: the redeemer's member merges into the member who asked for the
 * code. Their history (contributions, credits, votes, points) becomes one, and
 * the ledger records the move as a pair of MERGE entries.
 */
export async function redeemIdentityLinkCode(
  deps: Deps,
  actor: Actor,
  rawCode: string,
): Promise<
  Result<
    { memberId: number; movedPoints: number },
    "BAD_CODE" | "OWN_CODE" | "ALREADY_LINKED" | "LINK_ATTEMPTS"
  >
> {
  const now = deps.clock.now();
  if (!(await withinLinkAttempts(deps, actor, now)))
    return refuse("LINK_ATTEMPTS", { max: MAX_LINK_ATTEMPTS });
  return transact(deps, async (tx) => {
    const claimed = await claimCode(tx, normalizeLinkCode(rawCode), "IDENTITY", now);
    if (claimed === null || claimed.memberId === null || claimed.communityId !== actor.communityId)
      return refuse("BAD_CODE");
    const keep = await effectiveMemberId(tx, claimed.memberId);
    if (claimed.memberId === actor.memberId) return refuse("OWN_CODE");
    if (keep === actor.memberId) return refuse("ALREADY_LINKED");
    const movedPoints = await mergeMembers(tx, actor.communityId, keep, actor.memberId, now);
    await recordModeratorAction(
      tx,
      {
        communityId: actor.communityId,
        actorId: actor.memberId,
        action: "member.link",
        target: `member:${keep}`,
        details: { merged: actor.memberId },
      },
      now,
    );
    return ok({ memberId: keep, movedPoints });
  });
}

async function effectiveMemberId(tx: Tx, memberId: number): Promise<number> {
  let id = memberId;
  for (let hops = 0; hops < 32; hops += 1) {
    const member = await tx.member.findUniqueOrThrow({ where: { id }, select: { mergedIntoId: true } });
    if (member.mergedIntoId === null) return id;
    id = member.mergedIntoId;
  }
  return id;
}

/** Locks, in id order, every contribution the members submitted, are credited on or voted on. */
async function lockContributionsOf(tx: Tx, communityId: number, memberIds: readonly number[]): Promise<void> {
  await tx.$queryRaw`
    SELECT c.id FROM contribution c
    WHERE c."communityId" = ${communityId} AND (
      c."submitterId" = ANY(${memberIds}::int[])
      OR EXISTS (SELECT 1 FROM credit cr WHERE cr."contributionId" = c.id AND cr."memberId" = ANY(${memberIds}::int[]))
      OR EXISTS (SELECT 1 FROM vote v WHERE v."contributionId" = c.id AND v."voterId" = ANY(${memberIds}::int[])))
    ORDER BY c.id FOR UPDATE OF c`;
}

/** Moves everything of member `gone` to member `keep`; returns the points moved. */
async function mergeMembers(
  tx: Tx,
  communityId: number,
  keep: number,
  gone: number,
  now: Date,
): Promise<number> {
  // Lock order of every writer: contribution rows, then the ledger head, then balances.
  await lockContributionsOf(tx, communityId, [keep, gone]);
  await lockLedgerHead(tx, communityId);
  const balance = await tx.balance.findUnique({ where: { memberId: gone } });
  const points = balance?.total ?? 0;
  const reason = `member ${gone} merged into member ${keep}`;
  await appendLedgerEntries(
    tx,
    communityId,
    [
      { kind: "MERGE", memberId: gone, points: -points, contributionId: null, actorId: gone, reason },
      { kind: "MERGE", memberId: keep, points, contributionId: null, actorId: gone, reason },
    ],
    now,
  );
  await moveDerivedBalances(tx, communityId, keep, gone);
  await moveHistory(tx, keep, gone);
  const [a, b] = await Promise.all([
    tx.member.findUniqueOrThrow({ where: { id: keep } }),
    tx.member.findUniqueOrThrow({ where: { id: gone } }),
  ]);
  await tx.member.update({
    where: { id: keep },
    data: {
      banned: a.banned || b.banned,
      isModerator: a.isModerator || b.isModerator,
      hidden: a.hidden || b.hidden,
      joinedAt: a.joinedAt < b.joinedAt ? a.joinedAt : b.joinedAt,
    },
  });
  await tx.member.update({ where: { id: gone }, data: { mergedIntoId: keep } });
  return points;
}

/** Period buckets, verified count and active accumulator follow the points to `keep`. */
async function moveDerivedBalances(tx: Tx, communityId: number, keep: number, gone: number): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO period_balance ("memberId", "communityId", period, points, verified)
    SELECT ${keep}, ${communityId}, period, points, verified FROM period_balance WHERE "memberId" = ${gone}
    ON CONFLICT ("memberId", period) DO UPDATE SET
      points = period_balance.points + EXCLUDED.points,
      verified = period_balance.verified + EXCLUDED.verified`;
  await tx.periodBalance.deleteMany({ where: { memberId: gone } });
  await tx.$executeRaw`
    INSERT INTO balance ("memberId", "communityId", total, verified, "activeAcc")
    SELECT ${keep}, ${communityId}, 0, verified, "activeAcc" FROM balance WHERE "memberId" = ${gone}
    ON CONFLICT ("memberId") DO UPDATE SET
      verified = balance.verified + EXCLUDED.verified,
      "activeAcc" = balance."activeAcc" + EXCLUDED."activeAcc"`;
  await tx.balance.updateMany({ where: { memberId: gone }, data: { verified: 0, activeAcc: 0 } });
}

/** Identities, submissions, credits, votes and questions of `gone` become `keep`'s. */
async function moveHistory(tx: Tx, keep: number, gone: number): Promise<void> {
  await tx.identity.updateMany({ where: { memberId: gone }, data: { memberId: keep } });
  await tx.contribution.updateMany({ where: { submitterId: gone }, data: { submitterId: keep } });
  // Both credited on one contribution: one credit with both shares.
  await tx.$executeRaw`
    UPDATE credit k SET "shareBp" = k."shareBp" + g."shareBp"
    FROM credit g WHERE k."memberId" = ${keep} AND g."memberId" = ${gone} AND g."contributionId" = k."contributionId"`;
  await tx.$executeRaw`
    DELETE FROM credit g USING credit k
    WHERE g."memberId" = ${gone} AND k."memberId" = ${keep} AND k."contributionId" = g."contributionId"`;
  await tx.credit.updateMany({ where: { memberId: gone }, data: { memberId: keep } });
  // Both voted on one contribution: the kept member's vote stands.
  await tx.$executeRaw`
    DELETE FROM vote g USING vote k
    WHERE g."voterId" = ${gone} AND k."voterId" = ${keep} AND k."contributionId" = g."contributionId"`;
  await tx.vote.updateMany({ where: { voterId: gone }, data: { voterId: keep } });
  await dropVotesOnOwnWork(tx, keep);
  await tx.question.updateMany({ where: { askerId: gone }, data: { askerId: keep } });
  await tx.appeal.updateMany({ where: { appellantId: gone }, data: { appellantId: keep } });
  // What the person did as an actor resolves to the kept member (and its name, erased or not).
  await tx.appeal.updateMany({ where: { resolverId: gone }, data: { resolverId: keep } });
  await tx.statusChange.updateMany({ where: { actorId: gone }, data: { actorId: keep } });
  await tx.auditLog.updateMany({ where: { actorId: gone }, data: { actorId: keep } });
  await tx.ban.updateMany({ where: { actorId: gone }, data: { actorId: keep } });
  await tx.payoutRun.updateMany({ where: { actorId: gone }, data: { actorId: keep } });
}

/**
 * After a merge one person may hold a vote on a pending contribution they
 * submitted or are credited on (cast by their other account); such votes would
 * break eligibility, so they are removed and the card's tally refreshed.
 */
async function dropVotesOnOwnWork(tx: Tx, memberId: number): Promise<void> {
  const dropped = await tx.$queryRaw<Array<{ contributionId: number; communityId: number }>>`
    DELETE FROM vote v USING contribution c
    WHERE v."voterId" = ${memberId} AND c.id = v."contributionId" AND c.status = 'PENDING'
      AND (c."submitterId" = ${memberId}
           OR EXISTS (SELECT 1 FROM credit cr WHERE cr."contributionId" = c.id AND cr."memberId" = ${memberId}))
    RETURNING v."contributionId", c."communityId"`;
  for (const { contributionId, communityId } of dropped) {
    await enqueueOutbox(tx, communityId, { kind: "TALLY", contributionId });
  }
}
