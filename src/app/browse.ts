import type { MemberKind } from "../core/agents.ts";
import type { Db } from "../db/client.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { AppealStatus, ContributionStatus, DecidedBy, VoteChoice } from "../generated/prisma/enums.ts";
import { visibleVotes, type TallyView } from "../core/blindVoting.ts";
import { isContributionNumber } from "../core/commandLine.ts";
import { readCommunityConfig } from "../core/config.ts";
import { ok, refuse, type Result } from "../core/result.ts";
import { findMember, type MemberRef } from "./actors.ts";
import { inTransaction, type Actor, type Deps } from "./deps.ts";
import { memberGroup } from "./profile.ts";

export interface VoteView {
  readonly voterId: number;
  readonly voter: string;
  /** An agent's vote is shown but never counts towards quorum. PERSON when absent. */
  readonly voterKind?: MemberKind;
  readonly choice: VoteChoice;
  readonly impact: number | null;
  /** Only on public pages: the voter is hidden from them (their name is not shown). */
  readonly hidden?: true;
}

// ---------------------------------------------------------------------------
// One contribution

export interface CreditView {
  readonly memberId: number;
  readonly name: string;
  /** PERSON when absent. */
  readonly kind?: MemberKind;
  readonly shareBp: number;
  /** Points awarded to this member for the contribution, net of clawbacks, hundredths. */
  readonly points: number;
  /** Only on public pages: the member is hidden from them (their name is not shown). */
  readonly hidden?: true;
}

/** How public pages name a member who hid themselves (`/profile hide`). */
export const HIDDEN_MEMBER_NAME = "a hidden member";

export interface ContributionDetail {
  readonly number: number;
  readonly title: string;
  readonly description: string;
  readonly links: readonly string[];
  /** Content digests of the evidence, `sha256:<hex>`. */
  readonly digests: readonly string[];
  readonly category: string;
  readonly submitter: string;
  readonly submitterKind: MemberKind;
  /** Only on public pages: the submitter is hidden from them. */
  readonly submitterHidden?: true;
  /** The name of the API token it was logged through, if any. */
  readonly loggedThrough: string | null;
  readonly credits: readonly CreditView[];
  readonly status: ContributionStatus;
  readonly createdAt: Date;
  readonly closesAt: Date;
  readonly decidedAt: Date | null;
  readonly decidedBy: DecidedBy | null;
  readonly award: number | null;
  readonly blind: boolean;
  readonly tally: TallyView;
  /** How many of the votes are agents' (shown, never counted towards quorum or ratio). */
  readonly agentVotes: number;
  readonly votes: readonly VoteView[];
  readonly ownVote: VoteView | null;
  readonly questions: ReadonlyArray<{
    readonly asker: string;
    readonly question: string;
    readonly answer: string | null;
    readonly askedAt: Date;
    readonly answeredAt: Date | null;
  }>;
  readonly history: ReadonlyArray<{
    readonly from: ContributionStatus | null;
    readonly to: ContributionStatus;
    readonly actor: string | null;
    readonly reason: string;
    readonly at: Date;
  }>;
  readonly appeal: {
    readonly appellant: string;
    readonly reason: string;
    readonly status: AppealStatus;
    readonly createdAt: Date;
    readonly resolvedAt: Date | null;
    readonly resolver: string | null;
  } | null;
}

/**
 * `/contribution #N`: one contribution with its credits, votes (as the viewer
 * may see them), questions and history. With `hideHidden` (public pages) every
 * member who hid themselves from public boards is named HIDDEN_MEMBER_NAME and
 * marked `hidden`, as boards leave them out.
 */
export async function showContribution(
  deps: Deps,
  input: { readonly actor: Actor; readonly number: number; readonly hideHidden?: boolean },
): Promise<Result<ContributionDetail, "UNKNOWN_CONTRIBUTION">> {
  const { actor } = input;
  const masked = input.hideHidden === true;
  if (!isContributionNumber(input.number)) return refuse("UNKNOWN_CONTRIBUTION", { number: input.number });
  const [contribution, community] = await Promise.all([
    deps.db.contribution.findUnique({
      where: { communityId_number: { communityId: actor.communityId, number: input.number } },
      include: {
        category: { select: { slug: true } },
        submitter: { select: { displayName: true, kind: true, hidden: true } },
        credits: {
          include: { member: { select: { displayName: true, kind: true, hidden: true } } },
          orderBy: [{ shareBp: "desc" }, { memberId: "asc" }],
        },
        votes: {
          include: { voter: { select: { displayName: true, kind: true, hidden: true } } },
          orderBy: { createdAt: "asc" },
        },
        questions: { orderBy: { askedAt: "asc" } },
        history: { orderBy: [{ at: "asc" }, { id: "asc" }] },
        appeal: true,
      },
    }),
    deps.db.community.findUniqueOrThrow({ where: { id: actor.communityId }, select: { config: true } }),
  ]);
  if (contribution === null) return refuse("UNKNOWN_CONTRIBUTION", { number: input.number });
  const named = [
    ...contribution.questions.map((q) => q.askerId),
    ...contribution.history.flatMap((h) => (h.actorId === null ? [] : [h.actorId])),
    ...(contribution.appeal === null ? [] : [contribution.appeal.appellantId]),
    ...(contribution.appeal?.resolverId == null ? [] : [contribution.appeal.resolverId]),
  ];
  const [names, earned, token] = await Promise.all([
    namesOf(deps.db, named),
    pointsByEffectiveMember(deps.db, contribution.id),
    contribution.tokenId === null
      ? null
      : deps.db.apiToken.findUnique({ where: { id: contribution.tokenId }, select: { name: true } }),
  ]);
  const hides = (hidden: boolean): boolean => masked && hidden;
  const shown = (name: string, hidden: boolean): string => (hides(hidden) ? HIDDEN_MEMBER_NAME : name);
  const nameOf = (id: number): string => {
    const member = names.get(id);
    return member === undefined ? `member ${id}` : shown(member.name, member.hidden);
  };
  const votes = visibleVotes(
    contribution.votes.map((v) => ({
      voterId: v.voterId,
      voter: shown(v.voter.displayName, v.voter.hidden),
      voterKind: v.voter.kind,
      choice: v.choice,
      impact: v.impact,
      ...(hides(v.voter.hidden) ? { hidden: true as const } : {}),
    })),
    {
      blindVoting: readCommunityConfig(community.config, deps.caches?.configs).blindVoting,
      status: contribution.status,
      viewerId: actor.memberId,
    },
  );
  const appeal = contribution.appeal;
  return ok({
    number: contribution.number,
    title: contribution.title,
    description: contribution.description,
    links: contribution.links,
    digests: contribution.digests,
    category: contribution.category.slug,
    submitter: shown(contribution.submitter.displayName, contribution.submitter.hidden),
    submitterKind: contribution.submitter.kind,
    ...(hides(contribution.submitter.hidden) ? { submitterHidden: true as const } : {}),
    loggedThrough: token?.name ?? null,
    credits: contribution.credits.map((c) => ({
      memberId: c.memberId,
      name: shown(c.member.displayName, c.member.hidden),
      kind: c.member.kind,
      shareBp: c.shareBp,
      points: earned.get(c.memberId) ?? 0,
      ...(hides(c.member.hidden) ? { hidden: true as const } : {}),
    })),
    status: contribution.status,
    createdAt: contribution.createdAt,
    closesAt: contribution.closesAt,
    decidedAt: contribution.decidedAt,
    decidedBy: contribution.decidedBy,
    award: contribution.award,
    blind: votes.blind,
    tally: votes.tally,
    agentVotes: contribution.votes.filter((v) => v.voter.kind === "AGENT").length,
    votes: votes.votes,
    ownVote: votes.own,
    questions: contribution.questions.map((q) => ({
      asker: nameOf(q.askerId),
      question: q.question,
      answer: q.answer,
      askedAt: q.askedAt,
      answeredAt: q.answeredAt,
    })),
    history: contribution.history.map((h) => ({
      from: h.fromStatus,
      to: h.toStatus,
      actor: h.actorId === null ? null : nameOf(h.actorId),
      reason: h.reason,
      at: h.at,
    })),
    appeal:
      appeal === null
        ? null
        : {
            appellant: nameOf(appeal.appellantId),
            reason: appeal.reason,
            status: appeal.status,
            createdAt: appeal.createdAt,
            resolvedAt: appeal.resolvedAt,
            resolver: appeal.resolverId === null ? null : nameOf(appeal.resolverId),
          },
  });
}

async function namesOf(
  db: Db,
  ids: readonly number[],
): Promise<Map<number, { name: string; hidden: boolean }>> {
  if (ids.length === 0) return new Map();
  const rows = await db.member.findMany({
    where: { id: { in: [...new Set(ids)] } },
    select: { id: true, displayName: true, hidden: true },
  });
  return new Map(rows.map((r) => [r.id, { name: r.displayName, hidden: r.hidden }]));
}

/**
 * Award and clawback points of a contribution per effective member: credits move
 * to the kept member on a merge, while ledger entries keep the member they were
 * written for.
 */
async function pointsByEffectiveMember(db: Db, contributionId: number): Promise<Map<number, number>> {
  const rows = await db.$queryRaw<Array<{ id: number; points: number }>>`
    WITH RECURSIVE up AS (
      SELECT le."memberId" AS origin, m.id, m."mergedIntoId", 0 AS depth
      FROM (SELECT DISTINCT "memberId" FROM ledger_entry WHERE "contributionId" = ${contributionId}) le
      JOIN member m ON m.id = le."memberId"
      UNION ALL
      SELECT up.origin, m.id, m."mergedIntoId", up.depth + 1 FROM up JOIN member m ON m.id = up."mergedIntoId" WHERE up.depth < 32
    ),
    eff AS (SELECT origin, id FROM up WHERE "mergedIntoId" IS NULL)
    SELECT eff.id, sum(le.points)::int AS points
    FROM ledger_entry le JOIN eff ON eff.origin = le."memberId"
    WHERE le."contributionId" = ${contributionId} AND le.kind IN ('AWARD', 'CLAWBACK')
    GROUP BY eff.id`;
  return new Map(rows.map((r) => [r.id, r.points]));
}

// ---------------------------------------------------------------------------
// Lists

export const PAGE_SIZE = 10;

export interface ContributionSummary {
  readonly number: number;
  readonly title: string;
  readonly status: ContributionStatus;
  readonly category: string;
  readonly submitter: string;
  /** PERSON when absent. */
  readonly submitterKind?: MemberKind;
  /** Only on public pages: the submitter is hidden from them. */
  readonly submitterHidden?: true;
  readonly createdAt: Date;
  readonly award: number | null;
}

export interface ContributionPage {
  readonly items: readonly ContributionSummary[];
  /** 1-based; pages past the last come back empty. */
  readonly page: number;
  readonly pages: number;
  readonly total: number;
  /** With a cursor: the number to pass as the next cursor, or null on the last page. */
  readonly nextCursor: number | null;
}

/** Most contributions one page of a cursor listing holds. */
export const MAX_PAGE_SIZE = 100;

/** `/contributions [status] [@member]`: newest first, 10 per page; a member filter matches submitter or credit. */
export async function listContributions(
  deps: Deps,
  input: {
    readonly actor: Actor;
    readonly status?: ContributionStatus;
    readonly member?: MemberRef;
    readonly page: number;
    /**
     * Keyset paging (the API): contributions numbered below this, newest
     * number first; `page` is then ignored. 0 starts at the newest.
     */
    readonly cursor?: number;
    readonly limit?: number;
    /** Public pages: a submitter hidden from public boards is named HIDDEN_MEMBER_NAME. */
    readonly hideHidden?: boolean;
    /** False skips counting every match (a board page's few recent ones need no total); total is then the items'. */
    readonly counted?: boolean;
  },
): Promise<Result<ContributionPage, "UNKNOWN_MEMBER" | "AMBIGUOUS_MEMBER">> {
  const { actor } = input;
  const where: Prisma.ContributionWhereInput = { communityId: actor.communityId };
  if (input.status !== undefined) where.status = input.status;
  if (input.member !== undefined) {
    const ref = input.member;
    const found = await inTransaction(deps, (tx) => findMember(tx, actor.communityId, ref, deps.clock.now()));
    if (!found.ok) return found;
    const { ids } = await memberGroup(deps.db, found.value.id);
    where.OR = [{ submitterId: { in: ids } }, { credits: { some: { memberId: { in: ids } } } }];
  }
  const page = Number.isFinite(input.page) ? Math.max(1, Math.trunc(input.page)) : 1;
  const size = Math.min(MAX_PAGE_SIZE, Math.max(1, Math.trunc(input.limit ?? PAGE_SIZE)));
  const keyset = input.cursor !== undefined;
  const [rows, total] = await Promise.all([
    deps.db.contribution.findMany({
      where: keyset && input.cursor !== 0 ? { ...where, number: { lt: input.cursor } } : where,
      orderBy: keyset ? [{ number: "desc" }] : [{ createdAt: "desc" }, { number: "desc" }],
      ...(keyset ? {} : { skip: (page - 1) * size }),
      take: size,
      select: {
        number: true,
        title: true,
        status: true,
        createdAt: true,
        award: true,
        category: { select: { slug: true } },
        submitter: { select: { displayName: true, kind: true, hidden: true } },
      },
    }),
    input.counted === false ? Promise.resolve(-1) : deps.db.contribution.count({ where }),
  ]);
  const withheld = (hidden: boolean): boolean => input.hideHidden === true && hidden;
  return ok({
    items: rows.map((r) => ({
      number: r.number,
      title: r.title,
      status: r.status,
      category: r.category.slug,
      submitter: withheld(r.submitter.hidden) ? HIDDEN_MEMBER_NAME : r.submitter.displayName,
      submitterKind: r.submitter.kind,
      ...(withheld(r.submitter.hidden) ? { submitterHidden: true as const } : {}),
      createdAt: r.createdAt,
      award: r.award,
    })),
    page,
    pages: total < 0 ? 1 : Math.max(1, Math.ceil(total / size)),
    total: total < 0 ? rows.length : total,
    nextCursor: keyset && rows.length === size ? (rows.at(-1)?.number ?? null) : null,
  });
}

// ---------------------------------------------------------------------------
// Review queue

export interface QueuedContribution {
  readonly number: number;
  readonly title: string;
  readonly submitter: string;
  readonly category: string;
  readonly createdAt: Date;
  readonly closesAt: Date;
  readonly decidedAt: Date | null;
  /** Whole hours since it was logged. */
  readonly ageHours: number;
  readonly tally: TallyView;
}

export interface ReviewQueue {
  /** Pending, oldest first. */
  readonly pending: readonly QueuedContribution[];
  /** Expired without quorum, waiting for a moderator, oldest first. */
  readonly expired: readonly QueuedContribution[];
  readonly appeals: ReadonlyArray<{
    readonly number: number;
    readonly title: string;
    readonly status: ContributionStatus;
    readonly appellant: string;
    readonly reason: string;
    readonly createdAt: Date;
  }>;
  /** Needs-info questions on pending contributions that the submitter has not answered. */
  readonly questions: ReadonlyArray<{
    readonly number: number;
    readonly title: string;
    readonly asker: string;
    readonly question: string;
    readonly askedAt: Date;
  }>;
  /** Full counts; each list holds at most QUEUE_LIST_SIZE items. */
  readonly counts: {
    readonly pending: number;
    readonly expired: number;
    readonly appeals: number;
    readonly questions: number;
  };
}

export const QUEUE_LIST_SIZE = 25;
const HOUR_MS = 3_600_000;

/** `/review queue`: what waits for moderators. Under blind voting pending tallies show only the vote count. */
export async function reviewQueue(deps: Deps, actor: Actor): Promise<Result<ReviewQueue, "NOT_MODERATOR">> {
  if (!actor.isModerator) return refuse("NOT_MODERATOR");
  const now = deps.clock.now();
  const communityId = actor.communityId;
  const queued = {
    number: true,
    id: true,
    title: true,
    status: true,
    createdAt: true,
    closesAt: true,
    decidedAt: true,
    category: { select: { slug: true } },
    submitter: { select: { displayName: true } },
  } as const;
  const openAppeal = { status: "OPEN", contribution: { communityId } } as const;
  const unanswered = { answer: null, contribution: { communityId, status: "PENDING" } } as const;
  const [community, pending, expired, appeals, questions, counts] = await Promise.all([
    deps.db.community.findUniqueOrThrow({ where: { id: communityId }, select: { config: true } }),
    deps.db.contribution.findMany({
      where: { communityId, status: "PENDING" },
      orderBy: [{ createdAt: "asc" }, { number: "asc" }],
      take: QUEUE_LIST_SIZE,
      select: queued,
    }),
    deps.db.contribution.findMany({
      where: { communityId, status: "EXPIRED" },
      orderBy: [{ decidedAt: "asc" }, { number: "asc" }],
      take: QUEUE_LIST_SIZE,
      select: queued,
    }),
    deps.db.appeal.findMany({
      where: openAppeal,
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      take: QUEUE_LIST_SIZE,
      select: {
        reason: true,
        createdAt: true,
        appellantId: true,
        contribution: { select: { number: true, title: true, status: true } },
      },
    }),
    deps.db.question.findMany({
      where: unanswered,
      orderBy: [{ askedAt: "asc" }, { id: "asc" }],
      take: QUEUE_LIST_SIZE,
      select: {
        question: true,
        askedAt: true,
        askerId: true,
        contribution: { select: { number: true, title: true } },
      },
    }),
    Promise.all([
      deps.db.contribution.count({ where: { communityId, status: "PENDING" } }),
      deps.db.contribution.count({ where: { communityId, status: "EXPIRED" } }),
      deps.db.appeal.count({ where: openAppeal }),
      deps.db.question.count({ where: unanswered }),
    ]),
  ]);
  const listed = [...pending, ...expired];
  const [votes, names] = await Promise.all([
    deps.db.vote.findMany({
      where: { contributionId: { in: listed.map((c) => c.id) } },
      select: { contributionId: true, voterId: true, choice: true },
    }),
    namesOf(deps.db, [...appeals.map((a) => a.appellantId), ...questions.map((q) => q.askerId)]),
  ]);
  const blindVoting = readCommunityConfig(community.config, deps.caches?.configs).blindVoting;
  const toQueued = (c: (typeof listed)[number]): QueuedContribution => ({
    number: c.number,
    title: c.title,
    submitter: c.submitter.displayName,
    category: c.category.slug,
    createdAt: c.createdAt,
    closesAt: c.closesAt,
    decidedAt: c.decidedAt,
    ageHours: Math.max(0, Math.floor((now.getTime() - c.createdAt.getTime()) / HOUR_MS)),
    tally: visibleVotes(
      votes.filter((v) => v.contributionId === c.id),
      { blindVoting, status: c.status, viewerId: actor.memberId },
    ).tally,
  });
  const nameOf = (id: number): string => names.get(id)?.name ?? `member ${id}`;
  return ok({
    pending: pending.map(toQueued),
    expired: expired.map(toQueued),
    appeals: appeals.map((a) => ({
      number: a.contribution.number,
      title: a.contribution.title,
      status: a.contribution.status,
      appellant: nameOf(a.appellantId),
      reason: a.reason,
      createdAt: a.createdAt,
    })),
    questions: questions.map((q) => ({
      number: q.contribution.number,
      title: q.contribution.title,
      asker: nameOf(q.askerId),
      question: q.question,
      askedAt: q.askedAt,
    })),
    counts: { pending: counts[0], expired: counts[1], appeals: counts[2], questions: counts[3] },
  });
}
