import type { Tx } from "../db/client.ts";
import { readCommunityConfig, type CommunityConfig } from "../core/config.ts";
import { clawbackFor } from "../core/clawback.ts";
import { ok, refuse, type RefusalCode, type Result } from "../core/result.ts";
import { validateReason } from "../core/text.ts";
import { findMember, type MemberRef } from "./actors.ts";
import { recordModeratorAction } from "./audit.ts";
import { changeStatus, lockContribution, type LockedContribution } from "./contributions.ts";
import { recordDecision, type Decision } from "./decisions.ts";
import { transact, type Actor, type Deps } from "./deps.ts";
import { appendLedgerEntries } from "./ledger.ts";
import { enqueueOutbox } from "./outbox.ts";

type ReasonRefusal = "REASON_REQUIRED" | "REASON_LENGTH";
type Lookup = "NOT_MODERATOR" | "UNKNOWN_CONTRIBUTION";

const MAX_EXTENSION_HOURS = 720;

/** A moderator approves or rejects a pending or expired contribution, whatever the votes say. */
export async function moderatorDecide(
  deps: Deps,
  actor: Actor,
  input: { readonly number: number; readonly outcome: "VERIFIED" | "REJECTED"; readonly reason: string },
): Promise<Result<Decision | { appealDenied: true }, Lookup | ReasonRefusal | "ALREADY_DECIDED">> {
  type Decided = Result<Decision | { appealDenied: true }, "ALREADY_DECIDED">;
  return withLockedContribution(
    deps,
    actor,
    input,
    true,
    async (tx, contribution, reason, now): Promise<Decided> => {
      const config = await communityConfig(tx, actor.communityId);
      if (input.outcome === "REJECTED" && (await hasOpenAppeal(tx, contribution.id))) {
        await resolveAppeal(tx, contribution.id, "DENIED", actor.memberId, now);
        await audit(tx, actor, "appeal.deny", contribution, reason, now);
        return ok({ appealDenied: true as const });
      }
      if (contribution.status !== "PENDING" && contribution.status !== "EXPIRED") {
        return refuse("ALREADY_DECIDED", { number: input.number, status: contribution.status });
      }
      const decision = await recordDecision(
        tx,
        contribution,
        input.outcome,
        "MODERATOR",
        actor.memberId,
        reason,
        config,
        now,
        { tokenId: actor.tokenId ?? null },
      );
      if (decision === null)
        return refuse("ALREADY_DECIDED", { number: input.number, status: contribution.status });
      // Approving an appealed, expired contribution is accepting its appeal.
      if (await hasOpenAppeal(tx, contribution.id)) {
        await resolveAppeal(tx, contribution.id, "ACCEPTED", actor.memberId, now);
      }
      await audit(
        tx,
        actor,
        input.outcome === "VERIFIED" ? "review.approve" : "review.reject",
        contribution,
        reason,
        now,
      );
      return ok(decision);
    },
  );
}

/** Voids a verified contribution and claws back, as new entries, everything it awarded. */
export async function voidContribution(
  deps: Deps,
  actor: Actor,
  input: { readonly number: number; readonly reason: string },
): Promise<Result<{ number: number; clawedBack: number }, Lookup | ReasonRefusal | "NOT_VERIFIED">> {
  return withLockedContribution(deps, actor, input, true, async (tx, contribution, reason, now) => {
    if (contribution.status !== "VERIFIED")
      return refuse("NOT_VERIFIED", { number: input.number, status: contribution.status });
    const entries = await tx.ledgerEntry.findMany({
      where: { contributionId: contribution.id },
      select: { kind: true, memberId: true, points: true },
      orderBy: { seq: "asc" },
    });
    const approvers = await tx.vote.findMany({
      where: { contributionId: contribution.id, choice: "APPROVE" },
      select: { voterId: true },
    });
    // Points of a member since merged by an identity link now belong to the member kept.
    const effective = await effectiveMembers(tx, actor.communityId);
    const sources = entries.map((e) => ({ ...e, memberId: effective(e.memberId) }));
    const clawbacks = clawbackFor(sources, new Set(approvers.map((a) => effective(a.voterId))));
    // Each award counted one verified contribution (two for a member merged with a
    // co-credited one). A share that came to zero points is still taken back, with a
    // zero-point clawback, because clawbackFor drops zero rows.
    const awardsOf = new Map<number, number>();
    for (const e of sources)
      if (e.kind === "AWARD") awardsOf.set(e.memberId, (awardsOf.get(e.memberId) ?? 0) + 1);
    const clawedAwards = new Set(clawbacks.filter((c) => c.of === "AWARD").map((c) => c.memberId));
    for (const memberId of awardsOf.keys()) {
      if (!clawedAwards.has(memberId)) clawbacks.push({ memberId, points: 0, of: "AWARD" });
    }
    await appendLedgerEntries(
      tx,
      actor.communityId,
      clawbacks.map((c) => ({
        kind: "CLAWBACK" as const,
        memberId: c.memberId,
        points: c.points,
        contributionId: contribution.id,
        actorId: actor.memberId,
        reason,
        verifiedDelta: c.of === "AWARD" ? -(awardsOf.get(c.memberId) ?? 1) : 0,
        tokenId: actor.tokenId ?? null,
      })),
      now,
    );
    await changeStatus(tx, contribution.id, "VERIFIED", "VOIDED", actor.memberId, reason, now);
    await enqueueOutbox(tx, actor.communityId, { kind: "DECISION", contributionId: contribution.id });
    await audit(tx, actor, "review.void", contribution, reason, now);
    const clawedBack = clawbacks.reduce((sum, c) => sum - c.points, 0);
    return ok({ number: input.number, clawedBack });
  });
}

/** Moves a pending contribution's vote deadline later by `hours`. */
export async function extendDeadline(
  deps: Deps,
  actor: Actor,
  input: { readonly number: number; readonly hours: number; readonly reason: string },
): Promise<Result<{ number: number; closesAt: Date }, Lookup | ReasonRefusal | "NOT_PENDING" | "BAD_HOURS">> {
  if (!Number.isInteger(input.hours) || input.hours < 1 || input.hours > MAX_EXTENSION_HOURS) {
    return refuse("BAD_HOURS", { max: MAX_EXTENSION_HOURS });
  }
  return withLockedContribution(deps, actor, input, true, async (tx, contribution, reason, now) => {
    if (contribution.status !== "PENDING")
      return refuse("NOT_PENDING", { number: input.number, status: contribution.status });
    const base = Math.max(contribution.closesAt.getTime(), now.getTime());
    const closesAt = new Date(base + input.hours * 3_600_000);
    await tx.contribution.update({ where: { id: contribution.id }, data: { closesAt } });
    await enqueueOutbox(tx, actor.communityId, { kind: "TALLY", contributionId: contribution.id });
    await audit(tx, actor, "review.extend", contribution, reason, now, { hours: input.hours });
    return ok({ number: input.number, closesAt });
  });
}

/** The submitter appeals a rejected or expired contribution, once. */
export async function appealContribution(
  deps: Deps,
  actor: Actor,
  input: { readonly number: number; readonly reason: string },
): Promise<
  Result<
    { number: number },
    "UNKNOWN_CONTRIBUTION" | ReasonRefusal | "NOT_SUBMITTER" | "NOT_APPEALABLE" | "ALREADY_APPEALED"
  >
> {
  const reason = validateReason(input.reason);
  if (!reason.ok) return reason;
  const now = deps.clock.now();
  return transact(deps, async (tx) => {
    const found = await lockContribution(tx, actor.communityId, input.number);
    if (!found.ok) return found;
    const contribution = found.value;
    if (contribution.submitterId !== actor.memberId) return refuse("NOT_SUBMITTER", { number: input.number });
    if (contribution.status !== "REJECTED" && contribution.status !== "EXPIRED") {
      return refuse("NOT_APPEALABLE", { number: input.number, status: contribution.status });
    }
    if ((await tx.appeal.count({ where: { contributionId: contribution.id } })) > 0) {
      return refuse("ALREADY_APPEALED", { number: input.number });
    }
    await tx.appeal.create({
      data: {
        contributionId: contribution.id,
        appellantId: actor.memberId,
        reason: reason.value,
        createdAt: now,
      },
    });
    return ok({ number: input.number });
  });
}

/**
 * A moderator reopens a rejected or expired contribution (accepting its appeal if
 * one is open) for a fresh vote: earlier votes are cleared, the window restarts.
 */
export async function reopenContribution(
  deps: Deps,
  actor: Actor,
  input: { readonly number: number; readonly reason: string },
): Promise<Result<{ number: number; closesAt: Date }, Lookup | ReasonRefusal | "NOT_REOPENABLE">> {
  return withLockedContribution(deps, actor, input, true, async (tx, contribution, reason, now) => {
    if (contribution.status !== "REJECTED" && contribution.status !== "EXPIRED") {
      return refuse("NOT_REOPENABLE", { number: input.number, status: contribution.status });
    }
    const config = await communityConfig(tx, actor.communityId);
    const closesAt = new Date(now.getTime() + config.voteWindowHours * 3_600_000);
    const cleared = await tx.vote.deleteMany({ where: { contributionId: contribution.id } });
    await changeStatus(tx, contribution.id, contribution.status, "PENDING", actor.memberId, reason, now);
    await tx.contribution.update({
      where: { id: contribution.id },
      data: { closesAt, decidedAt: null, decidedBy: null, cardRefs: {} },
    });
    if (await hasOpenAppeal(tx, contribution.id))
      await resolveAppeal(tx, contribution.id, "ACCEPTED", actor.memberId, now);
    await enqueueOutbox(tx, actor.communityId, { kind: "VOTE_CARD", contributionId: contribution.id });
    await audit(tx, actor, "review.reopen", contribution, reason, now, { clearedVotes: cleared.count });
    return ok({ number: input.number, closesAt });
  });
}

type MemberLookup = "NOT_MODERATOR" | "UNKNOWN_MEMBER" | "AMBIGUOUS_MEMBER";
type BanRefusal = MemberLookup | ReasonRefusal | "ALREADY_BANNED" | "NOT_BANNED" | "CANNOT_BAN_SELF";

/** Bans a member: they can no longer log contributions or vote. */
export async function banMember(
  deps: Deps,
  actor: Actor,
  input: { readonly member: MemberRef; readonly reason: string },
): Promise<Result<{ name: string }, BanRefusal>> {
  return setBan(deps, actor, input, true);
}

/** Lifts a member's ban. */
export async function unbanMember(
  deps: Deps,
  actor: Actor,
  input: { readonly member: MemberRef; readonly reason: string },
): Promise<Result<{ name: string }, BanRefusal>> {
  return setBan(deps, actor, input, false);
}

async function setBan(
  deps: Deps,
  actor: Actor,
  input: { readonly member: MemberRef; readonly reason: string },
  banned: boolean,
): Promise<Result<{ name: string }, BanRefusal>> {
  const reason = validateReason(input.reason);
  if (!reason.ok) return reason;
  if (!actor.isModerator) return refuse("NOT_MODERATOR");
  const now = deps.clock.now();
  return transact(deps, async (tx) => {
    const member = await findMember(tx, actor.communityId, input.member, now);
    if (!member.ok) return member;
    if (banned && member.value.id === actor.memberId) return refuse("CANNOT_BAN_SELF");
    const row = await tx.member.findUniqueOrThrow({
      where: { id: member.value.id },
      select: { banned: true },
    });
    if (row.banned === banned)
      return refuse(banned ? "ALREADY_BANNED" : "NOT_BANNED", { name: member.value.displayName });
    await tx.member.update({ where: { id: member.value.id }, data: { banned } });
    if (banned) {
      await tx.ban.create({
        data: {
          communityId: actor.communityId,
          memberId: member.value.id,
          actorId: actor.memberId,
          reason: reason.value,
          at: now,
        },
      });
    } else {
      await tx.ban.updateMany({
        where: { memberId: member.value.id, liftedAt: null },
        data: { liftedAt: now },
      });
    }
    await recordModeratorAction(
      tx,
      {
        communityId: actor.communityId,
        actorId: actor.memberId,
        action: banned ? "member.ban" : "member.unban",
        target: `member:${member.value.id}`,
        reason: reason.value,
      },
      now,
    );
    return ok({ name: member.value.displayName });
  });
}

const MAX_ADJUSTMENT = 100_000_000;

/** Adds or removes points by hand, as an ADJUSTMENT ledger entry. */
/** The most points (hundredths) a balance holds: its column is a 32-bit integer. */
const MAX_BALANCE = 2_147_483_647;

export async function adjustPoints(
  deps: Deps,
  actor: Actor,
  input: { readonly member: MemberRef; readonly points: number; readonly reason: string },
): Promise<
  Result<
    { name: string; points: number },
    MemberLookup | ReasonRefusal | "BAD_POINTS" | "BALANCE_LIMIT" | "OWN_ADJUSTMENT"
  >
> {
  const reason = validateReason(input.reason);
  if (!reason.ok) return reason;
  if (!Number.isInteger(input.points) || input.points === 0 || Math.abs(input.points) > MAX_ADJUSTMENT) {
    return refuse("BAD_POINTS");
  }
  if (!actor.isModerator) return refuse("NOT_MODERATOR");
  const now = deps.clock.now();
  return transact(deps, async (tx) => {
    const member = await findMember(tx, actor.communityId, input.member, now);
    if (!member.ok) return member;
    // A moderator's own points move only by another moderator's hand.
    if (member.value.id === actor.memberId) return refuse("OWN_ADJUSTMENT");
    const balance = await tx.balance.findUnique({
      where: { memberId: member.value.id },
      select: { total: true },
    });
    if (Math.abs((balance?.total ?? 0) + input.points) > MAX_BALANCE) {
      return refuse("BALANCE_LIMIT", { max: MAX_BALANCE });
    }
    await appendLedgerEntries(
      tx,
      actor.communityId,
      [
        {
          kind: "ADJUSTMENT",
          memberId: member.value.id,
          points: input.points,
          contributionId: null,
          actorId: actor.memberId,
          reason: reason.value,
          tokenId: actor.tokenId ?? null,
        },
      ],
      now,
    );
    await recordModeratorAction(
      tx,
      {
        communityId: actor.communityId,
        actorId: actor.memberId,
        action: "member.adjust",
        target: `member:${member.value.id}`,
        reason: reason.value,
        details: { points: input.points },
      },
      now,
    );
    return ok({ name: member.value.displayName, points: input.points });
  });
}

const FORGET_REQUEST = "member.forget-request";
const ERASED_NAME = "erased member";

/** A member asks to be forgotten; a moderator confirms with `/member forget`. */
export async function requestErasure(
  deps: Deps,
  actor: Actor,
): Promise<Result<{ requested: true; before: boolean }, "ALREADY_ERASED">> {
  const now = deps.clock.now();
  return transact(deps, async (tx) => {
    const member = await tx.member.findUniqueOrThrow({
      where: { id: actor.memberId },
      select: { erasedAt: true },
    });
    if (member.erasedAt !== null) return refuse("ALREADY_ERASED");
    // Asking again changes nothing and tells the moderators nothing new.
    const asked = await tx.auditLog.findFirst({
      where: { communityId: actor.communityId, action: FORGET_REQUEST, target: `member:${actor.memberId}` },
      select: { id: true },
    });
    if (asked !== null) return ok({ requested: true as const, before: true });
    await recordModeratorAction(
      tx,
      {
        communityId: actor.communityId,
        actorId: actor.memberId,
        action: FORGET_REQUEST,
        target: `member:${actor.memberId}`,
      },
      now,
    );
    return ok({ requested: true as const, before: false });
  });
}

/**
 * Erases a member's names (member and identities) after their request. Ledger
 * entries never held names, so the chain still verifies.
 */
export async function eraseMember(
  deps: Deps,
  actor: Actor,
  input: { readonly member: MemberRef },
): Promise<Result<{ memberId: number }, MemberLookup | "NO_ERASURE_REQUEST">> {
  if (!actor.isModerator) return refuse("NOT_MODERATOR");
  const now = deps.clock.now();
  return transact(deps, async (tx) => {
    const member = await findMember(tx, actor.communityId, input.member, now);
    if (!member.ok) return member;
    const target = `member:${member.value.id}`;
    const request = await tx.auditLog.findFirst({
      where: { communityId: actor.communityId, action: FORGET_REQUEST, target },
    });
    if (request === null) return refuse("NO_ERASURE_REQUEST", { name: member.value.displayName });
    const name = `${ERASED_NAME} ${member.value.id}`;
    const rows = await memberRowsOf(tx, member.value.id);
    await tx.member.updateMany({
      where: { id: { in: rows } },
      data: { displayName: name, erasedAt: now, hidden: true },
    });
    await tx.identity.updateMany({
      where: { memberId: { in: rows } },
      data: { displayName: name, username: null },
    });
    await rerenderCardsOf(tx, actor.communityId, rows);
    await recordModeratorAction(
      tx,
      { communityId: actor.communityId, actorId: actor.memberId, action: "member.forget", target },
      now,
    );
    return ok({ memberId: member.value.id });
  });
}

// ---- helpers ------------------------------------------------------------------------------

/** The member row and every row merged into it by a link, however many hops away. */
async function memberRowsOf(tx: Tx, memberId: number): Promise<number[]> {
  const rows = await tx.$queryRaw<Array<{ id: number }>>`
    WITH RECURSIVE person(id) AS (
      SELECT ${memberId}::int
      UNION SELECT m.id FROM member m JOIN person p ON m."mergedIntoId" = p.id)
    SELECT id FROM person`;
  return rows.map((r) => r.id);
}

/** Every vote card that shows one of these members is edited again, so it shows the erased name. */
async function rerenderCardsOf(tx: Tx, communityId: number, memberIds: readonly number[]): Promise<void> {
  const shown = await tx.$queryRaw<Array<{ id: number }>>`
    SELECT c.id FROM contribution c
    WHERE c."communityId" = ${communityId} AND (
      c."submitterId" = ANY(${memberIds}::int[])
      OR EXISTS (SELECT 1 FROM credit cr WHERE cr."contributionId" = c.id AND cr."memberId" = ANY(${memberIds}::int[]))
      OR EXISTS (SELECT 1 FROM vote v WHERE v."contributionId" = c.id AND v."voterId" = ANY(${memberIds}::int[]))
      OR EXISTS (SELECT 1 FROM question q WHERE q."contributionId" = c.id AND q."askerId" = ANY(${memberIds}::int[])))
    ORDER BY c.id`;
  for (const { id } of shown) await enqueueOutbox(tx, communityId, { kind: "TALLY", contributionId: id });
}

/**
 * The common frame of an action on one contribution: a valid reason, the
 * moderator right when required, one transaction with the contribution locked.
 */
async function withLockedContribution<T, C extends RefusalCode>(
  deps: Deps,
  actor: Actor,
  input: { readonly number: number; readonly reason: string },
  moderatorOnly: boolean,
  work: (tx: Tx, contribution: LockedContribution, reason: string, now: Date) => Promise<Result<T, C>>,
): Promise<Result<T, C> | Result<never, "UNKNOWN_CONTRIBUTION" | "NOT_MODERATOR" | ReasonRefusal>> {
  const reason = validateReason(input.reason);
  if (!reason.ok) return reason;
  if (moderatorOnly && !actor.isModerator) return refuse("NOT_MODERATOR");
  const now = deps.clock.now();
  return transact(deps, async (tx): Promise<Result<T, C> | Result<never, "UNKNOWN_CONTRIBUTION">> => {
    const found = await lockContribution(tx, actor.communityId, input.number);
    if (!found.ok) return found;
    return work(tx, found.value, reason.value, now);
  });
}

async function communityConfig(tx: Tx, communityId: number): Promise<CommunityConfig> {
  const community = await tx.community.findUniqueOrThrow({
    where: { id: communityId },
    select: { config: true },
  });
  return readCommunityConfig(community.config);
}

/** Resolves a member id to the member it was (transitively) merged into, or itself. */
async function effectiveMembers(tx: Tx, communityId: number): Promise<(memberId: number) => number> {
  const merged = await tx.member.findMany({
    where: { communityId, mergedIntoId: { not: null } },
    select: { id: true, mergedIntoId: true },
  });
  const into = new Map(merged.map((m) => [m.id, m.mergedIntoId]));
  return (memberId) => {
    let id = memberId;
    for (let hops = 0; hops < 32; hops += 1) {
      const next = into.get(id);
      if (next === undefined || next === null) return id;
      id = next;
    }
    return id;
  };
}

async function hasOpenAppeal(tx: Tx, contributionId: number): Promise<boolean> {
  return (await tx.appeal.count({ where: { contributionId, status: "OPEN" } })) > 0;
}

async function resolveAppeal(
  tx: Tx,
  contributionId: number,
  status: "ACCEPTED" | "DENIED",
  resolverId: number,
  at: Date,
): Promise<void> {
  await tx.appeal.update({ where: { contributionId }, data: { status, resolverId, resolvedAt: at } });
}

async function audit(
  tx: Tx,
  actor: Actor,
  action: string,
  contribution: LockedContribution,
  reason: string,
  at: Date,
  details: Record<string, number> = {},
): Promise<void> {
  await recordModeratorAction(
    tx,
    {
      communityId: actor.communityId,
      actorId: actor.memberId,
      action,
      target: `contribution:${contribution.number}`,
      reason,
      details,
    },
    at,
  );
}
