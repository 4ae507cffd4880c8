import type { Tx } from "../db/client.ts";
import * as paths from "../db/paths/contributions.ts";
import type { ContributionStatus } from "../generated/prisma/enums.ts";
import { readCommunityConfig, type CommunityConfig } from "../core/config.ts";
import { resolveShares } from "../core/credits.ts";
import { isContributionNumber } from "../core/commandLine.ts";
import { submissionAllowance } from "../core/rateLimit.ts";
import { ok, refuse, type Result } from "../core/result.ts";
import { validateDescription, validateTitle } from "../core/text.ts";
import { MAX_EVIDENCE_LINKS, normalizeEvidenceUrl } from "../core/urls.ts";
import { parseDigests } from "../core/digests.ts";
import type { MemberKind } from "../core/agents.ts";
import { findMember, type MemberRef } from "./actors.ts";
import { transact, type Actor, type Deps } from "./deps.ts";
import type { ChangeAudit } from "./audit.ts";
import { enqueueOutbox } from "./outbox.ts";

const DAY_MS = 86_400_000;

export interface CoAuthorClaim {
  readonly member: MemberRef;
  /** Share in basis points; null splits what the listed shares leave. */
  readonly shareBp: number | null;
}

export interface ContributionDraft {
  readonly categorySlug: string;
  readonly title: string;
  readonly description?: string;
  /** Already checked by core/urls parseLinks: at most 5, http(s). */
  readonly links: readonly string[];
  /** Content digests of the evidence, `sha256:<64 hex>`. */
  readonly digests?: readonly string[];
  readonly coAuthors?: readonly CoAuthorClaim[];
}

export type LogRefusal =
  | "TITLE_LENGTH"
  | "DESCRIPTION_LENGTH"
  | "BAD_LINK"
  | "TOO_MANY_LINKS"
  | "UNKNOWN_CATEGORY"
  | "BANNED"
  | "SUBMISSION_LIMIT"
  | "DUPLICATE_LINK"
  | "BAD_DIGEST"
  | "TOO_MANY_DIGESTS"
  | "DUPLICATE_DIGEST"
  | "UNKNOWN_MEMBER"
  | "AMBIGUOUS_MEMBER"
  | "SHARES_OVER_100"
  | "DUPLICATE_CREDIT"
  | "TOO_MANY_CREDITS"
  | "BAD_SHARE";

export interface LoggedContribution {
  readonly id: number;
  readonly number: number;
  readonly closesAt: Date;
  readonly credits: ReadonlyArray<{ memberId: number; shareBp: number }>;
}

/**
 * Logs a contribution: checks the text, the submitter, the daily limit, the
 * co-authors' shares and duplicate evidence, then writes the contribution, its
 * credits and links, its first status, and the vote card to post; with
 * `audit`, the audit entry that records it, in the same transaction.
 */
export async function logContribution(
  deps: Deps,
  actor: Actor,
  draft: ContributionDraft,
  audit?: ChangeAudit,
): Promise<Result<LoggedContribution, LogRefusal>> {
  const checked = checkDraftText(draft);
  if (!checked.ok) return checked;
  const now = deps.clock.now();
  // Co-authors are resolved by name through the member look-up (Prisma); a contribution
  // of the submitter alone, the common case and the one an agent logs in bulk, takes the store.
  if ((draft.coAuthors ?? []).length === 0)
    return logOwnContribution(deps, actor, draft, checked.value, now, audit);
  return transact(deps, async (tx) => {
    // The submitter's row lock serialises their daily limit; advisory locks on the
    // evidence links serialise the duplicate check; the number is taken last, from
    // the community's sequence, which no concurrent submission waits on.
    const submitter = await lockSubmitter(tx, actor.memberId);
    if (submitter.banned) return refuse("BANNED");
    const config = readCommunityConfig(submitter.config, deps.caches?.configs);
    const category = await activeCategory(tx, actor.communityId, draft.categorySlug);
    if (!category.ok) return category;
    const recent = await tx.contribution.count({
      where: { submitterId: actor.memberId, createdAt: { gt: new Date(now.getTime() - DAY_MS) } },
    });
    const allowance = submissionAllowance(recent, config, submitter.kind);
    if (!allowance.ok) return allowance;
    const credits = await resolveCredits(tx, actor, draft.coAuthors ?? [], now);
    if (!credits.ok) return credits;
    const evidence = [...checked.value.normalizedLinks, ...checked.value.digests];
    await lockEvidenceLinks(tx, actor.communityId, evidence);
    const duplicate = await findDuplicateEvidence(tx, actor.communityId, evidence, null);
    if (duplicate !== null) return duplicateRefusal(duplicate);
    const community = await takeContributionNumber(tx, actor.communityId);
    const contribution = await tx.contribution.create({
      data: {
        communityId: actor.communityId,
        number: community.number,
        submitterId: actor.memberId,
        categoryId: category.value.id,
        title: checked.value.title,
        description: checked.value.description,
        links: [...draft.links],
        digests: checked.value.digests,
        tokenId: actor.tokenId ?? null,
        createdAt: now,
        closesAt: closingTime(now, config),
        credits: { create: credits.value.map((c) => ({ memberId: c.memberId, shareBp: c.shareBp })) },
        evidence: {
          create: evidence.map((url) => ({
            communityId: actor.communityId,
            normalizedUrl: url,
          })),
        },
        history: { create: { fromStatus: null, toStatus: "PENDING", actorId: actor.memberId, at: now } },
      },
    });
    await enqueueOutbox(tx, actor.communityId, { kind: "VOTE_CARD", contributionId: contribution.id });
    if (audit !== undefined)
      await tx.auditLog.create({
        data: {
          communityId: actor.communityId,
          actorId: actor.memberId,
          action: audit.action,
          target: `${audit.targetPrefix}${contribution.number}`,
          details: audit.details,
          at: now,
        },
      });
    return ok({
      id: contribution.id,
      number: contribution.number,
      closesAt: contribution.closesAt,
      credits: credits.value,
    });
  });
}

/**
 * logContribution for a contribution credited to its submitter alone, on the
 * typed store: one round trip of reads under the submitter's lock (then the
 * evidence links' locks, in the same order as every other path), the rules, and
 * one statement that takes the number and writes everything, committed in the same
 * round trip.
 */
async function logOwnContribution(
  { store, caches }: Pick<Deps, "store" | "caches">,
  actor: Actor,
  draft: ContributionDraft,
  checked: CheckedText,
  now: Date,
  audit: ChangeAudit | undefined,
): Promise<Result<LoggedContribution, LogRefusal>> {
  const links = [...checked.normalizedLinks, ...checked.digests];
  return store.transaction<Result<LoggedContribution, LogRefusal>>(async (tx) => {
    const submitter = tx.rows(paths.lockSubmitter, [actor.memberId, draft.categorySlug.toLowerCase()]);
    // The links' locks are taken after the submitter's, then the duplicate check reads.
    const recent = tx.rows(paths.submittedSinceLockingLinks, [
      actor.memberId,
      new Date(now.getTime() - DAY_MS).toISOString(),
      actor.communityId,
      [...links].sort(),
    ]);
    const earlier = links.length === 0 ? null : tx.rows(paths.earlierEvidence, [actor.communityId, links]);
    const [member] = await submitter;
    if (member === undefined) throw new Error(`member ${actor.memberId} does not exist`);
    if (member.banned) return { commit: false, value: refuse("BANNED") };
    const config = readCommunityConfig(member.config, caches?.configs);
    if (member.categoryId === null) {
      const known = await tx.rows(paths.activeCategorySlugs, [actor.communityId]);
      return { commit: false, value: unknownCategory(draft.categorySlug, known) };
    }
    const allowance = submissionAllowance((await recent)[0]?.count ?? 0, config, member.kind);
    if (!allowance.ok) return { commit: false, value: allowance };
    const credits = resolveShares(actor.memberId, []);
    if (!credits.ok) return { commit: false, value: credits };
    const [duplicate] = earlier === null ? [] : await earlier;
    if (duplicate !== undefined) return { commit: false, value: duplicateRefusal(duplicate) };
    const closesAt = closingTime(now, config);
    const inserted = tx.rows(paths.insertContribution, [
      actor.communityId,
      actor.memberId,
      member.categoryId,
      checked.title,
      checked.description,
      [...draft.links],
      now.toISOString(),
      closesAt.toISOString(),
      credits.value.map((c) => c.memberId),
      credits.value.map((c) => c.shareBp),
      links,
      checked.digests,
      actor.tokenId ?? null,
      audit?.action ?? null,
      audit?.targetPrefix ?? null,
      audit === undefined ? null : JSON.stringify(audit.details),
    ]);
    // COMMIT follows the insert in the same round trip.
    return {
      commit: true,
      value: inserted.then(([row]) => {
        if (row === undefined) throw new Error(`community ${actor.communityId} does not exist`);
        return ok({ id: row.id, number: row.number, closesAt, credits: credits.value });
      }),
    };
  });
}

function unknownCategory(
  slug: string,
  known: ReadonlyArray<{ slug: string }>,
): Result<never, "UNKNOWN_CATEGORY"> {
  return refuse("UNKNOWN_CATEGORY", { category: slug, known: known.map((c) => c.slug).join(", ") });
}

/** Fields the submitter may change before the first vote. */
export interface ContributionEdit {
  readonly title?: string;
  readonly description?: string;
  readonly links?: readonly string[];
  readonly categorySlug?: string;
}

export type EditRefusal =
  | "UNKNOWN_CONTRIBUTION"
  | "NOT_SUBMITTER"
  | "NOT_PENDING"
  | "ALREADY_VOTED_ON"
  | "NOTHING_TO_EDIT"
  | "TITLE_LENGTH"
  | "DESCRIPTION_LENGTH"
  | "BAD_LINK"
  | "TOO_MANY_LINKS"
  | "UNKNOWN_CATEGORY"
  | "DUPLICATE_LINK"
  // Edits change no digests; the shared text check can still name them.
  | "BAD_DIGEST"
  | "TOO_MANY_DIGESTS";

/** Edits a pending contribution; only its submitter, and only until the first vote. */
export async function editContribution(
  deps: Deps,
  actor: Actor,
  number: number,
  edit: ContributionEdit,
): Promise<Result<{ number: number }, EditRefusal>> {
  if (Object.values(edit).every((v) => v === undefined)) return refuse("NOTHING_TO_EDIT");
  return transact(deps, async (tx) => {
    const found = await lockOwnPendingContribution(tx, actor, number);
    if (!found.ok) return found;
    const contribution = found.value;
    if ((await tx.vote.count({ where: { contributionId: contribution.id } })) > 0) {
      return refuse("ALREADY_VOTED_ON", { number });
    }
    const checked = checkDraftText({
      categorySlug: edit.categorySlug ?? "",
      title: edit.title ?? contribution.title,
      description: edit.description ?? contribution.description,
      links: edit.links ?? contribution.links,
    });
    if (!checked.ok) return checked;
    let categoryId = contribution.categoryId;
    if (edit.categorySlug !== undefined) {
      const category = await activeCategory(tx, actor.communityId, edit.categorySlug);
      if (!category.ok) return category;
      categoryId = category.value.id;
    }
    if (edit.links !== undefined) {
      const links = checked.value.normalizedLinks;
      await lockEvidenceLinks(tx, actor.communityId, links);
      const duplicate = await findDuplicateEvidence(tx, actor.communityId, links, contribution.id);
      if (duplicate !== null) return refuse("DUPLICATE_LINK", { number: duplicate.number });
      // Only the links are replaced: the digests logged with it stay.
      await tx.evidenceLink.deleteMany({
        where: { contributionId: contribution.id, NOT: { normalizedUrl: { startsWith: "sha256:" } } },
      });
      await tx.evidenceLink.createMany({
        data: links.map((url) => ({
          communityId: actor.communityId,
          contributionId: contribution.id,
          normalizedUrl: url,
        })),
      });
    }
    await tx.contribution.update({
      where: { id: contribution.id },
      data: {
        title: checked.value.title,
        description: checked.value.description,
        links: [...(edit.links ?? contribution.links)],
        categoryId,
      },
    });
    await enqueueOutbox(tx, actor.communityId, { kind: "TALLY", contributionId: contribution.id });
    return ok({ number });
  });
}

/** Withdraws a pending contribution; only its submitter. */
export async function withdrawContribution(
  deps: Deps,
  actor: Actor,
  number: number,
): Promise<Result<{ number: number }, "UNKNOWN_CONTRIBUTION" | "NOT_SUBMITTER" | "NOT_PENDING">> {
  const now = deps.clock.now();
  return transact(deps, async (tx) => {
    const found = await lockOwnPendingContribution(tx, actor, number);
    if (!found.ok) return found;
    await changeStatus(
      tx,
      found.value.id,
      "PENDING",
      "WITHDRAWN",
      actor.memberId,
      "withdrawn by the submitter",
      now,
    );
    await tx.contribution.update({ where: { id: found.value.id }, data: { decidedAt: now } });
    await enqueueOutbox(tx, actor.communityId, { kind: "DECISION", contributionId: found.value.id });
    return ok({ number });
  });
}

// ---- shared by the contribution use cases -------------------------------------------------

interface CheckedText {
  readonly title: string;
  readonly description: string;
  readonly normalizedLinks: string[];
  readonly digests: string[];
}

function checkDraftText(
  draft: ContributionDraft,
): Result<
  CheckedText,
  "TITLE_LENGTH" | "DESCRIPTION_LENGTH" | "BAD_LINK" | "TOO_MANY_LINKS" | "BAD_DIGEST" | "TOO_MANY_DIGESTS"
> {
  const title = validateTitle(draft.title);
  if (!title.ok) return title;
  const description = validateDescription(draft.description ?? "");
  if (!description.ok) return description;
  const normalizedLinks: string[] = [];
  for (const link of draft.links) {
    const normalized = normalizeEvidenceUrl(link);
    if (!normalized.ok) return normalized;
    if (!normalizedLinks.includes(normalized.value)) normalizedLinks.push(normalized.value);
  }
  if (normalizedLinks.length > MAX_EVIDENCE_LINKS)
    return refuse("TOO_MANY_LINKS", { max: MAX_EVIDENCE_LINKS });
  const digests = parseDigests(draft.digests ?? []);
  if (!digests.ok) return digests;
  return ok({ title: title.value, description: description.value, normalizedLinks, digests: digests.value });
}

/**
 * Takes the community's next contribution number (its sequence, see
 * paths.takeContributionNumber), once every rule has let the contribution through:
 * no lock is held and no transaction waits for another's number. A number is
 * skipped only when the contribution's own transaction then fails.
 */
async function takeContributionNumber(tx: Tx, communityId: number): Promise<{ number: number }> {
  const [row] = await tx.$queryRawUnsafe<Array<{ number: number }>>(
    paths.takeContributionNumber.text,
    communityId,
  );
  if (row === undefined) throw new Error(`community ${communityId} does not exist`);
  return row;
}

async function lockSubmitter(
  tx: Tx,
  memberId: number,
): Promise<{ banned: boolean; config: unknown; kind: MemberKind }> {
  const rows = await tx.$queryRaw<Array<{ banned: boolean; config: unknown; kind: MemberKind }>>`
    SELECT m.banned, c.config, m.kind::text AS kind FROM member m JOIN community c ON c.id = m."communityId"
    WHERE m.id = ${memberId} FOR UPDATE OF m`;
  const row = rows[0];
  if (row === undefined) throw new Error(`member ${memberId} does not exist`);
  return row;
}

/** Serialises submissions that share an evidence link (in a fixed order, so they cannot deadlock). */
async function lockEvidenceLinks(
  tx: Tx,
  communityId: number,
  normalizedLinks: readonly string[],
): Promise<void> {
  for (const url of [...normalizedLinks].sort()) {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${communityId}, hashtext(${url}))`;
  }
}

async function activeCategory(
  tx: Tx,
  communityId: number,
  slug: string,
): Promise<Result<{ id: number; weight: number }, "UNKNOWN_CATEGORY">> {
  const category = await tx.category.findFirst({
    where: { communityId, slug: slug.toLowerCase(), active: true },
    select: { id: true, weight: true },
  });
  if (category !== null) return ok(category);
  const known = await tx.category.findMany({
    where: { communityId, active: true },
    select: { slug: true },
    orderBy: { id: "asc" },
  });
  return unknownCategory(slug, known);
}

async function resolveCredits(
  tx: Tx,
  actor: Actor,
  claims: readonly CoAuthorClaim[],
  now: Date,
): Promise<Result<Array<{ memberId: number; shareBp: number }>, LogRefusal>> {
  const coAuthors: Array<{ memberId: number; shareBp: number | null }> = [];
  for (const claim of claims) {
    const member = await findMember(tx, actor.communityId, claim.member, now);
    if (!member.ok) return member;
    coAuthors.push({ memberId: member.value.id, shareBp: claim.shareBp });
  }
  return resolveShares(actor.memberId, coAuthors);
}

/** A digest already used is refused as a duplicate digest, a link as a duplicate link. */
function duplicateRefusal(duplicate: {
  number: number;
  value: string;
}): Result<never, "DUPLICATE_LINK" | "DUPLICATE_DIGEST"> {
  return duplicate.value.startsWith("sha256:")
    ? refuse("DUPLICATE_DIGEST", { number: duplicate.number })
    : refuse("DUPLICATE_LINK", { number: duplicate.number });
}

/**
 * The number of a live contribution already using one of these evidence links or
 * digests (kept side by side: no URL starts with `sha256:`), and which one, or null.
 */
async function findDuplicateEvidence(
  tx: Tx,
  communityId: number,
  normalizedLinks: readonly string[],
  exceptContributionId: number | null,
): Promise<{ number: number; value: string } | null> {
  if (normalizedLinks.length === 0) return null;
  const earlier = await tx.evidenceLink.findFirst({
    where: {
      communityId,
      normalizedUrl: { in: [...normalizedLinks] },
      contribution: { status: { notIn: ["REJECTED", "WITHDRAWN"] } },
      ...(exceptContributionId === null ? {} : { contributionId: { not: exceptContributionId } }),
    },
    select: { normalizedUrl: true, contribution: { select: { number: true } } },
    orderBy: { contributionId: "asc" },
  });
  return earlier === null ? null : { number: earlier.contribution.number, value: earlier.normalizedUrl };
}

function closingTime(now: Date, config: CommunityConfig): Date {
  return new Date(now.getTime() + config.voteWindowHours * 3_600_000);
}

export interface LockedContribution {
  readonly id: number;
  readonly communityId: number;
  readonly number: number;
  readonly submitterId: number;
  readonly categoryId: number;
  readonly title: string;
  readonly description: string;
  readonly links: string[];
  readonly status: ContributionStatus;
  readonly closesAt: Date;
}

/**
 * Locks a contribution row for the rest of the transaction. Every path that can
 * decide a contribution (vote, deadline, moderator) takes this lock first, which
 * is what makes deciding happen exactly once.
 */
export async function lockContribution(
  tx: Tx,
  communityId: number,
  number: number,
): Promise<Result<LockedContribution, "UNKNOWN_CONTRIBUTION">> {
  // A number no contribution can have (not a whole number, or beyond the int column) is unknown, not a database error.
  if (!isContributionNumber(number)) return refuse("UNKNOWN_CONTRIBUTION", { number });
  const rows = await tx.$queryRaw<LockedContribution[]>`
    SELECT id, "communityId", number, "submitterId", "categoryId", title, description, links,
           status::text AS status, "closesAt"
    FROM contribution WHERE "communityId" = ${communityId} AND number = ${number} FOR UPDATE`;
  const row = rows[0];
  return row === undefined ? refuse("UNKNOWN_CONTRIBUTION", { number }) : ok(row);
}

async function lockOwnPendingContribution(
  tx: Tx,
  actor: Actor,
  number: number,
): Promise<Result<LockedContribution, "UNKNOWN_CONTRIBUTION" | "NOT_SUBMITTER" | "NOT_PENDING">> {
  const found = await lockContribution(tx, actor.communityId, number);
  if (!found.ok) return found;
  if (found.value.submitterId !== actor.memberId) return refuse("NOT_SUBMITTER", { number });
  if (found.value.status !== "PENDING") return refuse("NOT_PENDING", { number, status: found.value.status });
  return found;
}

/** Moves a contribution between statuses and records the transition. */
export async function changeStatus(
  tx: Tx,
  contributionId: number,
  from: ContributionStatus,
  to: ContributionStatus,
  actorId: number | null,
  reason: string,
  at: Date,
): Promise<void> {
  await tx.contribution.update({ where: { id: contributionId }, data: { status: to } });
  await tx.statusChange.create({
    data: { contributionId, fromStatus: from, toStatus: to, actorId, reason, at },
  });
}
