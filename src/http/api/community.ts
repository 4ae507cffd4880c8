// Read-only community resources: the leaderboard, the member list and profiles, categories
// and seasons, and attribution exports — the use cases behind /leaderboard,
// /profile, /help's categories, seasons and /export.
import { z } from "zod";
import { listCategories, listSeasons } from "../../app/community.ts";
import { BOARD_MEMBERS } from "../../core/agents.ts";
import { MAX_LEADERBOARD_SIZE, showLeaderboard, type LeaderboardRow } from "../../app/leaderboard.ts";
import { listMembers, MAX_MEMBER_PAGE_SIZE, MEMBER_PAGE_SIZE, showMemberProfile } from "../../app/profile.ts";
import { parseWindow } from "../../core/periods.ts";
import { answerWith, defineRoute } from "./route.ts";
import { contributionStatus, iso, isoOrNull, isoTime, memberKind, pageCursor, points } from "./schemas.ts";

export const WINDOW_HELP = "all (default), week, month, 7d, 30d, season:NAME or YYYY-MM-DD..YYYY-MM-DD";

const rowSchema = z.object({
  rank: z.number().int(),
  memberId: z.number().int(),
  name: z.string(),
  points,
  verified: z.number().int(),
  streak: z.number().int().meta({ description: "Consecutive ISO weeks with verified work" }),
  isCaller: z.boolean(),
  kind: memberKind,
});

const rowBody = (r: LeaderboardRow): z.infer<typeof rowSchema> => ({ ...r, kind: r.kind ?? "PERSON" });

export const leaderboardRoute = defineRoute({
  method: "GET",
  path: "/leaderboard",
  operationId: "getLeaderboard",
  summary:
    "A leaderboard: any window, category and score the chat's /leaderboard has (hidden members left out)",
  scope: "read",
  query: z.object({
    window: z.string().optional().meta({ description: WINDOW_HELP }),
    category: z.string().optional(),
    score: z
      .enum(["total", "active"])
      .optional()
      .meta({ description: "total (default) or active (decayed)" }),
    limit: z.coerce.number().int().min(1).max(MAX_LEADERBOARD_SIZE).optional(),
    members: z
      .enum(BOARD_MEMBERS)
      .optional()
      .meta({ description: "people (default), agents, or all (both)" }),
  }),
  responses: {
    200: {
      description: "The board, and the token member's own row when outside it",
      schema: z
        .object({
          window: z.string(),
          score: z.enum(["total", "active"]),
          category: z.string().nullable(),
          members: z.enum(BOARD_MEMBERS),
          rows: z.array(rowSchema),
          callerRow: rowSchema.nullable(),
        })
        .meta({ id: "Leaderboard" }),
    },
  },
  refusals: ["BAD_WINDOW", "UNKNOWN_SEASON", "UNKNOWN_CATEGORY"],
  handle: async ({ deps, caller, query }) => {
    const window = parseWindow(query.window);
    if (!window.ok) return window;
    const result = await showLeaderboard(deps, {
      actor: caller.actor,
      window: window.value,
      score: query.score ?? "total",
      members: query.members ?? "people",
      ...(query.category === undefined ? {} : { categorySlug: query.category }),
      ...(query.limit === undefined ? {} : { limit: query.limit }),
    });
    return answerWith(result, 200, (board) => ({
      window: board.windowLabel,
      score: board.score,
      category: board.category,
      members: board.members ?? "people",
      rows: board.rows.map(rowBody),
      callerRow: board.callerRow === null ? null : rowBody(board.callerRow),
    }));
  },
});

const memberItemSchema = z.object({
  memberId: z.number().int(),
  name: z.string(),
  kind: memberKind,
  ownerName: z.string().nullable().meta({ description: "For an agent: the person who answers for it" }),
  points: points.meta({ description: "All-time points, hundredths" }),
  joinedAt: isoTime,
});

export const listMembersRoute = defineRoute({
  method: "GET",
  path: "/members",
  operationId: "listMembers",
  summary:
    "The community's members by id, a page at a time; hidden members (the caller included) and merged ones are left out",
  scope: "read",
  query: z.object({
    members: z
      .enum(BOARD_MEMBERS)
      .optional()
      .meta({ description: "people (default, as boards), agents, or all (both)" }),
    cursor: pageCursor,
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(MAX_MEMBER_PAGE_SIZE)
      .optional()
      .meta({ description: `Default ${MEMBER_PAGE_SIZE}` }),
  }),
  responses: {
    200: {
      description: "One page, lowest memberId first; nextCursor is null on the last",
      schema: z
        .object({
          members: z.enum(BOARD_MEMBERS),
          items: z.array(memberItemSchema),
          nextCursor: z.number().int().nullable(),
          total: z.number().int(),
        })
        .meta({ id: "MemberPage" }),
    },
  },
  refusals: [],
  handle: async ({ deps, caller, query }) => {
    const members = query.members ?? "people";
    const result = await listMembers(deps, {
      actor: caller.actor,
      members,
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      ...(query.limit === undefined ? {} : { limit: query.limit }),
    });
    return answerWith(result, 200, (page) => ({
      members,
      items: page.items.map((m) => ({ ...m, joinedAt: iso(m.joinedAt) })),
      nextCursor: page.nextCursor,
      total: page.total,
    }));
  },
});

const profileSchema = z
  .object({
    memberId: z.number().int(),
    name: z.string(),
    hidden: z.boolean(),
    kind: memberKind,
    ownerName: z.string().nullable().meta({ description: "For an agent: the person who answers for it" }),
    points: z.object({ total: points, active: points }),
    rank: z.number().int().nullable(),
    counts: z.record(contributionStatus, z.number().int()),
    streak: z.number().int(),
    recent: z.array(
      z.object({ number: z.number().int(), title: z.string(), status: contributionStatus, points }),
    ),
    categories: z.array(z.object({ slug: z.string(), verified: z.number().int() })),
    identities: z.array(
      z.object({ platform: z.enum(["DISCORD", "TELEGRAM", "CONSOLE"]), displayName: z.string() }),
    ),
  })
  .meta({ id: "Profile" });

export const memberProfileRoute = defineRoute({
  method: "GET",
  path: "/members/{memberId}",
  operationId: "getMemberProfile",
  summary: "A member's profile; a hidden member is not found except by their own token",
  scope: "read",
  params: z.object({ memberId: z.coerce.number().int().min(1) }),
  responses: { 200: { description: "The profile", schema: profileSchema } },
  refusals: ["UNKNOWN_MEMBER"],
  handle: async ({ deps, caller, params }) =>
    answerWith(await showMemberProfile(deps, caller.actor, params.memberId), 200, (p) => ({
      ...p,
      recent: [...p.recent],
      categories: [...p.categories],
      identities: [...p.identities],
    })),
});

export const ownProfileRoute = defineRoute({
  method: "GET",
  path: "/members/me",
  operationId: "getOwnProfile",
  summary: "The profile of the member the token acts as",
  scope: "read",
  responses: { 200: { description: "The profile", schema: profileSchema } },
  refusals: [],
  handle: async ({ deps, caller }) =>
    answerWith(await showMemberProfile(deps, caller.actor, caller.actor.memberId), 200, (p) => ({
      ...p,
      recent: [...p.recent],
      categories: [...p.categories],
      identities: [...p.identities],
    })),
});

export const categoriesRoute = defineRoute({
  method: "GET",
  path: "/categories",
  operationId: "listCategories",
  summary: "The community's active categories and their points per verified contribution",
  scope: "read",
  responses: {
    200: {
      description: "Categories by slug",
      schema: z.object({
        items: z.array(z.object({ slug: z.string(), weight: points, description: z.string() })),
      }),
    },
  },
  refusals: [],
  handle: async ({ deps, caller }) => ({
    ok: true,
    status: 200,
    body: { items: await listCategories(deps, caller.actor.communityId) },
  }),
});

export const seasonsRoute = defineRoute({
  method: "GET",
  path: "/seasons",
  operationId: "listSeasons",
  summary: "The community's seasons (leaderboard windows season:NAME), latest first",
  scope: "read",
  responses: {
    200: {
      description: "Seasons",
      schema: z.object({
        items: z.array(z.object({ name: z.string(), startsAt: isoTime, endsAt: isoTime.nullable() })),
      }),
    },
  },
  refusals: [],
  handle: async ({ deps, caller }) => ({
    ok: true,
    status: 200,
    body: {
      items: (await listSeasons(deps, caller.actor.communityId)).map((s) => ({
        name: s.name,
        startsAt: iso(s.startsAt),
        endsAt: isoOrNull(s.endsAt),
      })),
    },
  }),
});
