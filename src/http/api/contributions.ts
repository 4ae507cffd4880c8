// /contributions: log, list, show, withdraw, and vote — the same use cases the
// chat's /contribute, /contributions, /contribution, /withdraw and /vote call.
import { z } from "zod";
import {
  listContributions,
  showContribution,
  type ContributionDetail,
  type VoteView,
} from "../../app/browse.ts";
import { logContribution, withdrawContribution } from "../../app/contributions.ts";
import { castVote } from "../../app/votes.ts";
import { tokenUseAudit } from "../../app/tokens.ts";
import { MAX_CREDITED_MEMBERS } from "../../core/config.ts";
import { MAX_DESCRIPTION_LENGTH, MAX_TITLE_LENGTH } from "../../core/text.ts";
import { MAX_EVIDENCE_LINKS } from "../../core/urls.ts";
import { MAX_EVIDENCE_DIGESTS } from "../../core/digests.ts";
import { MAX_PAGE_SIZE } from "../../app/browse.ts";
import { answerWith, defineRoute } from "./route.ts";
import {
  contributionStatus,
  iso,
  isoOrNull,
  isoTime,
  memberKind,
  numberParams,
  pageCursor,
  points,
  tallySchema,
} from "./schemas.ts";

const LOG_REFUSALS = [
  "TITLE_LENGTH",
  "DESCRIPTION_LENGTH",
  "BAD_LINK",
  "TOO_MANY_LINKS",
  "UNKNOWN_CATEGORY",
  "BANNED",
  "SUBMISSION_LIMIT",
  "DUPLICATE_LINK",
  "BAD_DIGEST",
  "TOO_MANY_DIGESTS",
  "DUPLICATE_DIGEST",
  "UNKNOWN_MEMBER",
  "AMBIGUOUS_MEMBER",
  "SHARES_OVER_100",
  "DUPLICATE_CREDIT",
  "TOO_MANY_CREDITS",
  "BAD_SHARE",
  "IDEMPOTENCY_KEY_REUSED",
  "IDEMPOTENCY_IN_PROGRESS",
];

/** Structure only: lengths, links and shares are the use case's rules, refused with the chat's codes. */
const contributionDraft = z
  .object({
    category: z.string().meta({ description: "A category slug (GET /categories)" }),
    title: z.string().meta({ description: `1 to ${MAX_TITLE_LENGTH} characters` }),
    description: z
      .string()
      .optional()
      .meta({ description: `Up to ${MAX_DESCRIPTION_LENGTH} characters` }),
    links: z
      .array(z.string())
      .max(50)
      .optional()
      .meta({
        description: `Evidence links, http(s), at most ${MAX_EVIDENCE_LINKS} after duplicates are dropped`,
      }),
    digests: z
      .array(z.string())
      .max(50)
      .optional()
      .meta({
        description: `Content digests of the evidence artefacts, sha256:<64 hex>, at most ${MAX_EVIDENCE_DIGESTS}; one already used by another non-rejected contribution is refused (DUPLICATE_DIGEST)`,
      }),
    credits: z
      .array(
        z.object({
          member: z.string().meta({ description: "A co-author's display name in the community" }),
          shareBp: z
            .number()
            .int()
            .optional()
            .meta({ description: "Share in basis points (6000 is 60%); omitted shares split what is left" }),
        }),
      )
      .max(50)
      .optional()
      .meta({ description: `Co-authors; at most ${MAX_CREDITED_MEMBERS} members credited in all` }),
  })
  .meta({ id: "ContributionDraft" });

const loggedSchema = z
  .object({
    number: z.number().int(),
    status: z.literal("PENDING"),
    closesAt: isoTime,
    credits: z.array(z.object({ memberId: z.number().int(), shareBp: z.number().int() })),
  })
  .meta({ id: "LoggedContribution" });

const CREATE_CONTRIBUTION = "createContribution";

/** Where a contribution is read: its Location and the target of its audit entry. */
const CONTRIBUTIONS_PATH = "/api/v1/contributions/";
const contributionLocation = (number: number): string => `${CONTRIBUTIONS_PATH}${number}`;

export const createContribution = defineRoute({
  method: "POST",
  path: "/contributions",
  operationId: CREATE_CONTRIBUTION,
  summary: "Log a contribution for peers to verify (as the token's member)",
  scope: "contribute",
  body: contributionDraft,
  idempotent: true,
  responses: {
    201: { description: "Logged; its vote card is posted to the verification chat", schema: loggedSchema },
  },
  refusals: LOG_REFUSALS,
  handle: async ({ deps, caller, body }) => {
    const draft = {
      categorySlug: body.category,
      title: body.title,
      ...(body.description === undefined ? {} : { description: body.description }),
      links: body.links ?? [],
      digests: body.digests ?? [],
      coAuthors: (body.credits ?? []).map((c) => ({
        member: { kind: "name" as const, name: c.member },
        shareBp: c.shareBp ?? null,
      })),
    };
    // The audit entry goes in the contribution's own statement: one commit per request.
    const audit = tokenUseAudit(caller, CREATE_CONTRIBUTION, CONTRIBUTIONS_PATH);
    const result = await logContribution(deps, caller.actor, draft, audit);
    if (!result.ok) return result;
    return {
      ok: true,
      status: 201,
      audited: true,
      location: contributionLocation(result.value.number),
      body: {
        number: result.value.number,
        status: "PENDING",
        closesAt: iso(result.value.closesAt),
        credits: result.value.credits.map((c) => ({ memberId: c.memberId, shareBp: c.shareBp })),
      },
    };
  },
});

const summarySchema = z.object({
  number: z.number().int(),
  title: z.string(),
  status: contributionStatus,
  category: z.string(),
  submitter: z.string(),
  submitterKind: memberKind,
  createdAt: isoTime,
  award: points.nullable(),
});

export const listContributionsRoute = defineRoute({
  method: "GET",
  path: "/contributions",
  operationId: "listContributions",
  summary: "Contributions, newest number first, a page at a time",
  scope: "read",
  query: z.object({
    status: contributionStatus.optional(),
    member: z.string().optional().meta({ description: "Submitted by or credited to this display name" }),
    cursor: pageCursor,
    limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).optional().meta({ description: "Default 10" }),
  }),
  responses: {
    200: {
      description: "One page; nextCursor is null on the last",
      schema: z
        .object({
          items: z.array(summarySchema),
          nextCursor: z.number().int().nullable(),
          total: z.number().int(),
        })
        .meta({ id: "ContributionPage" }),
    },
  },
  refusals: ["UNKNOWN_MEMBER", "AMBIGUOUS_MEMBER"],
  handle: async ({ deps, caller, query }) => {
    const result = await listContributions(deps, {
      actor: caller.actor,
      page: 1,
      cursor: query.cursor ?? 0,
      ...(query.limit === undefined ? {} : { limit: query.limit }),
      ...(query.status === undefined ? {} : { status: query.status }),
      ...(query.member === undefined ? {} : { member: { kind: "name", name: query.member } }),
    });
    return answerWith(result, 200, (page) => ({
      items: page.items.map((c) => ({
        ...c,
        submitterKind: c.submitterKind ?? "PERSON",
        createdAt: iso(c.createdAt),
      })),
      nextCursor: page.nextCursor,
      total: page.total,
    }));
  },
});

const voteViewSchema = z.object({
  voterId: z.number().int(),
  voter: z.string(),
  voterKind: memberKind.meta({ description: "An agent's vote never counts towards quorum" }),
  choice: z.enum(["APPROVE", "REJECT"]),
  impact: z.number().int().nullable(),
});

const detailSchema = z
  .object({
    number: z.number().int(),
    title: z.string(),
    description: z.string(),
    links: z.array(z.string()),
    digests: z.array(z.string()).meta({ description: "Content digests of the evidence, sha256:<hex>" }),
    category: z.string(),
    submitter: z.string(),
    submitterKind: memberKind,
    loggedThrough: z.string().nullable().meta({ description: "The API token it was logged through" }),
    credits: z.array(
      z.object({
        memberId: z.number().int(),
        name: z.string(),
        kind: memberKind,
        shareBp: z.number().int(),
        points,
      }),
    ),
    status: contributionStatus,
    createdAt: isoTime,
    closesAt: isoTime,
    decidedAt: isoTime.nullable(),
    decidedBy: z.enum(["VOTES", "DEADLINE", "MODERATOR"]).nullable(),
    award: points.nullable(),
    blind: z.boolean().meta({ description: "Blind voting: directions are hidden until decided" }),
    tally: z.object({
      approvals: z.number().int().nullable(),
      rejections: z.number().int().nullable(),
      voters: z.number().int(),
    }),
    agentVotes: z
      .number()
      .int()
      .meta({ description: "Votes by agents among the tally's: shown, never counted towards quorum" }),
    votes: z.array(voteViewSchema),
    ownVote: voteViewSchema.nullable(),
    questions: z.array(
      z.object({
        asker: z.string(),
        question: z.string(),
        answer: z.string().nullable(),
        askedAt: isoTime,
        answeredAt: isoTime.nullable(),
      }),
    ),
    history: z.array(
      z.object({
        from: contributionStatus.nullable(),
        to: contributionStatus,
        actor: z.string().nullable(),
        reason: z.string(),
        at: isoTime,
      }),
    ),
    appeal: z
      .object({
        appellant: z.string(),
        reason: z.string(),
        status: z.enum(["OPEN", "ACCEPTED", "DENIED"]),
        createdAt: isoTime,
        resolvedAt: isoTime.nullable(),
        resolver: z.string().nullable(),
      })
      .nullable(),
  })
  .meta({ id: "Contribution" });

const voteBody = (v: VoteView): z.infer<typeof voteViewSchema> => ({
  ...v,
  voterKind: v.voterKind ?? "PERSON",
});

function detailBody(d: ContributionDetail): z.infer<typeof detailSchema> {
  return {
    ...d,
    links: [...d.links],
    digests: [...d.digests],
    credits: d.credits.map((c) => ({ ...c, kind: c.kind ?? "PERSON" })),
    votes: d.votes.map(voteBody),
    ownVote: d.ownVote === null ? null : voteBody(d.ownVote),
    createdAt: iso(d.createdAt),
    closesAt: iso(d.closesAt),
    decidedAt: isoOrNull(d.decidedAt),
    questions: d.questions.map((q) => ({
      ...q,
      askedAt: iso(q.askedAt),
      answeredAt: isoOrNull(q.answeredAt),
    })),
    history: d.history.map((h) => ({ ...h, at: iso(h.at) })),
    appeal:
      d.appeal === null
        ? null
        : { ...d.appeal, createdAt: iso(d.appeal.createdAt), resolvedAt: isoOrNull(d.appeal.resolvedAt) },
  };
}

export const getContribution = defineRoute({
  method: "GET",
  path: "/contributions/{number}",
  operationId: "getContribution",
  summary: "One contribution with its credits, votes (as blind voting allows), questions and history",
  scope: "read",
  params: numberParams,
  responses: { 200: { description: "The contribution", schema: detailSchema } },
  refusals: ["UNKNOWN_CONTRIBUTION"],
  handle: async ({ deps, caller, params }) =>
    answerWith(await showContribution(deps, { actor: caller.actor, number: params.number }), 200, detailBody),
});

export const withdrawContributionRoute = defineRoute({
  method: "POST",
  path: "/contributions/{number}/withdraw",
  operationId: "withdrawContribution",
  summary: "Withdraw a pending contribution the token's member submitted",
  scope: "contribute",
  params: numberParams,
  responses: {
    200: {
      description: "Withdrawn",
      schema: z.object({ number: z.number().int(), status: z.literal("WITHDRAWN") }),
    },
  },
  refusals: ["UNKNOWN_CONTRIBUTION", "NOT_SUBMITTER", "NOT_PENDING"],
  handle: async ({ deps, caller, params }) =>
    answerWith(await withdrawContribution(deps, caller.actor, params.number), 200, (v) => ({
      number: v.number,
      status: "WITHDRAWN",
    })),
});

export const castVoteRoute = defineRoute({
  method: "PUT",
  path: "/contributions/{number}/vote",
  operationId: "castVote",
  summary: "Cast or change the token's member's vote",
  scope: "vote",
  params: numberParams,
  body: z
    .object({
      choice: z.enum(["approve", "reject"]),
      impact: z.number().int().optional().meta({ description: "1-5, with an approval" }),
    })
    .meta({ id: "VoteDraft" }),
  responses: {
    200: {
      description: "Recorded; decision is set when this vote decided the contribution",
      schema: z
        .object({
          number: z.number().int(),
          tally: tallySchema.nullable().meta({ description: "null under blind voting while pending" }),
          changed: z.boolean().meta({ description: "It replaced an earlier vote of the member" }),
          decision: z.object({ outcome: z.enum(["VERIFIED", "REJECTED"]), award: points }).nullable(),
        })
        .meta({ id: "VoteRecorded" }),
    },
  },
  refusals: [
    "UNKNOWN_CONTRIBUTION",
    "VOTE_CLOSED",
    "BAD_IMPACT",
    "IMPACT_ON_REJECT",
    "OWN_CONTRIBUTION",
    "CREDITED",
    "AGENT_OWNER_CONFLICT",
    "AGENT_VOTING_OFF",
    "BANNED",
    "TOO_NEW",
    "MISSING_VOTER_ROLE",
  ],
  handle: async ({ deps, caller, params, body }) => {
    const result = await castVote(deps, caller.actor, {
      number: params.number,
      choice: body.choice === "approve" ? "APPROVE" : "REJECT",
      ...(body.impact === undefined ? {} : { impact: body.impact }),
    });
    return answerWith(result, 200, (v) => ({
      number: v.number,
      tally: v.blind && v.decision === null ? null : v.tally,
      changed: v.previous !== null,
      decision:
        v.decision === null || v.decision.outcome === "EXPIRED"
          ? null
          : { outcome: v.decision.outcome, award: v.decision.award },
    }));
  },
});
