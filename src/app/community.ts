import { randomInt } from "node:crypto";
import type { Tx } from "../db/client.ts";
import { Prisma } from "../generated/prisma/client.ts";
import {
  chatSettingValue,
  describeConfig,
  readCommunityConfig,
  setConfigValue,
  type CommunityConfig,
} from "../core/config.ts";
import { ok, refuse, type Result } from "../core/result.ts";
import { validateReason } from "../core/text.ts";
import { recordModeratorAction } from "./audit.ts";
import { lockLedgerHead } from "./ledger.ts";
import { activeWeightSql, effectiveMembersCte, effectiveOf } from "./ledgerAudit.ts";
import { createCommunity, type Platform, type PlatformChat } from "./actors.ts";
import { transact, type Actor, type Deps } from "./deps.ts";

const CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const CODE_LENGTH = 8;
export const LINK_CODE_TTL_MS = 10 * 60_000;

/** An 8-character one-time code without look-alike characters (no 0/O, 1/I). */
export function newLinkCode(): string {
  return Array.from({ length: CODE_LENGTH }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join("");
}

/** Normalises a typed code: case-insensitive, spaces and dashes ignored. */
export function normalizeLinkCode(raw: string): string {
  return raw.toUpperCase().replace(/[\s-]/g, "");
}

export async function showConfig(
  deps: Deps,
  actor: Actor,
): Promise<Result<{ entries: Array<[string, string]> }, "NOT_MODERATOR">> {
  if (!actor.isModerator) return refuse("NOT_MODERATOR");
  const community = await deps.db.community.findUniqueOrThrow({ where: { id: actor.communityId } });
  return ok({ entries: describeConfig(readCommunityConfig(community.config, deps.caches?.configs)) });
}

/**
 * The chat that owns the place a typed chat setting names (the Discord server
 * of a channel, the Telegram group of a topic or a group's own id), as the
 * platform of the request reports it; `undefined` when it names no place the
 * platform knows. A platform without places (the console) supplies none.
 */
export type ChatOwner = (chatRef: string) => Promise<string | undefined>;

/**
 * Changes one configuration value; the new configuration is validated as a whole.
 * Where the platform has places (`chatOwner` given), a chat setting must name
 * one owned by a live space of the community on the platform of the space the
 * command came from.
 */
export async function setConfig(
  deps: Deps,
  actor: Actor,
  input: { readonly key: string; readonly value: string },
  chatOwner?: ChatOwner,
): Promise<
  Result<
    { key: string; config: CommunityConfig },
    "NOT_MODERATOR" | "UNKNOWN_CONFIG_KEY" | "INVALID_CONFIG_VALUE" | "FOREIGN_CHAT"
  >
> {
  if (!actor.isModerator) return refuse("NOT_MODERATOR");
  const chatRef = chatOwner === undefined ? null : chatSettingValue(input.key, input.value);
  // Asked before the row is locked: the answer comes from the platform.
  if (chatRef !== null && chatOwner !== undefined && !(await ownChannel(deps, actor, chatRef, chatOwner)))
    return refuse("FOREIGN_CHAT");
  const now = deps.clock.now();
  return transact(deps, async (tx) => {
    const rows = await tx.$queryRaw<Array<{ config: unknown }>>`
      SELECT config FROM community WHERE id = ${actor.communityId} FOR UPDATE`;
    const current = readCommunityConfig(rows[0]?.config, deps.caches?.configs);
    const next = setConfigValue(current, input.key, input.value);
    if (!next.ok) return next;
    await tx.community.update({ where: { id: actor.communityId }, data: { config: next.value } });
    if (next.value.decayHalfLifeDays !== current.decayHalfLifeDays) {
      // Holding the ledger head keeps decisions from appending while the scores are rebuilt.
      await lockLedgerHead(tx, actor.communityId);
      await rebuildActiveScores(tx, actor.communityId, next.value.decayHalfLifeDays);
    }
    await recordModeratorAction(
      tx,
      {
        communityId: actor.communityId,
        actorId: actor.memberId,
        action: "config.set",
        target: input.key,
        details: { value: input.value },
      },
      now,
    );
    return ok({ key: input.key, config: next.value });
  });
}

/** Whether the chat that owns `chatRef` is a live space of the community, on the platform of the actor's space. */
async function ownChannel(deps: Deps, actor: Actor, chatRef: string, chatOwner: ChatOwner): Promise<boolean> {
  const owner = await chatOwner(chatRef);
  if (owner === undefined || actor.spaceId === null) return false;
  const here = await deps.db.space.findUnique({ where: { id: actor.spaceId }, select: { platform: true } });
  if (here === null) return false;
  const space = await deps.db.space.findFirst({
    where: { communityId: actor.communityId, platform: here.platform, platformChatId: owner, active: true },
    select: { id: true },
  });
  return space !== null;
}

/**
 * Recomputes every member's active-score accumulator from the ledger: the stored
 * Σ points·2^((t − epoch)/H) depends on the half-life, so changing it must not
 * leave old accumulators behind.
 */
async function rebuildActiveScores(tx: Tx, communityId: number, halfLifeDays: number): Promise<void> {
  const { activeEpoch } = await tx.community.findUniqueOrThrow({
    where: { id: communityId },
    select: { activeEpoch: true },
  });
  const member = effectiveOf(Prisma.sql`le."memberId"`);
  const weight = activeWeightSql(Prisma.sql`le."createdAt"`, activeEpoch, halfLifeDays);
  await tx.$executeRaw`
    WITH RECURSIVE ${effectiveMembersCte(communityId)},
    acc AS (
      SELECT ${member} AS member, sum(le.points * ${weight}) AS total
      FROM ledger_entry le WHERE le."communityId" = ${communityId} AND le.kind <> 'MERGE' GROUP BY 1
    )
    UPDATE balance b SET "activeAcc" = COALESCE((SELECT acc.total FROM acc WHERE acc.member = b."memberId"), 0)
    WHERE b."communityId" = ${communityId}`;
}

const SLUG = /^[a-z0-9][a-z0-9-]{0,31}$/;
const MAX_WEIGHT = 1_000_000;

type CategoryRefusal =
  "NOT_MODERATOR" | "BAD_CATEGORY_NAME" | "BAD_WEIGHT" | "CATEGORY_EXISTS" | "UNKNOWN_CATEGORY";

/** Adds a category with a weight in hundredths of a point (or reactivates a removed one). */
export async function addCategory(
  deps: Deps,
  actor: Actor,
  input: { readonly slug: string; readonly weight: number; readonly description?: string },
): Promise<Result<{ slug: string }, CategoryRefusal>> {
  const slug = input.slug.toLowerCase();
  if (!SLUG.test(slug)) return refuse("BAD_CATEGORY_NAME");
  if (!validWeight(input.weight)) return refuse("BAD_WEIGHT", { max: MAX_WEIGHT / 100 });
  if (!actor.isModerator) return refuse("NOT_MODERATOR");
  return transact(deps, async (tx) => {
    const existing = await tx.category.findUnique({
      where: { communityId_slug: { communityId: actor.communityId, slug } },
    });
    if (existing?.active === true) return refuse("CATEGORY_EXISTS", { category: slug });
    const data = { weight: input.weight, description: (input.description ?? "").slice(0, 200), active: true };
    if (existing === null)
      await tx.category.create({ data: { communityId: actor.communityId, slug, ...data } });
    else await tx.category.update({ where: { id: existing.id }, data });
    await categoryAudit(tx, actor, "category.add", slug, deps.clock.now(), { weight: input.weight });
    return ok({ slug });
  });
}

/** Changes a category's weight or description; decided contributions keep their awards. */
export async function editCategory(
  deps: Deps,
  actor: Actor,
  input: { readonly slug: string; readonly weight?: number; readonly description?: string },
): Promise<Result<{ slug: string }, CategoryRefusal>> {
  if (input.weight !== undefined && !validWeight(input.weight))
    return refuse("BAD_WEIGHT", { max: MAX_WEIGHT / 100 });
  if (!actor.isModerator) return refuse("NOT_MODERATOR");
  const slug = input.slug.toLowerCase();
  return transact(deps, async (tx) => {
    const existing = await findActiveCategory(tx, actor.communityId, slug);
    if (existing === null) return refuse("UNKNOWN_CATEGORY", { category: slug });
    await tx.category.update({
      where: { id: existing.id },
      data: {
        ...(input.weight === undefined ? {} : { weight: input.weight }),
        ...(input.description === undefined ? {} : { description: input.description.slice(0, 200) }),
      },
    });
    await categoryAudit(
      tx,
      actor,
      "category.edit",
      slug,
      deps.clock.now(),
      input.weight === undefined ? {} : { weight: input.weight },
    );
    return ok({ slug });
  });
}

/** Removes a category from new submissions; its contributions and points stay. */
export async function removeCategory(
  deps: Deps,
  actor: Actor,
  input: { readonly slug: string },
): Promise<Result<{ slug: string }, CategoryRefusal | "LAST_CATEGORY">> {
  if (!actor.isModerator) return refuse("NOT_MODERATOR");
  const slug = input.slug.toLowerCase();
  return transact(deps, async (tx) => {
    const existing = await findActiveCategory(tx, actor.communityId, slug);
    if (existing === null) return refuse("UNKNOWN_CATEGORY", { category: slug });
    if ((await tx.category.count({ where: { communityId: actor.communityId, active: true } })) <= 1) {
      return refuse("LAST_CATEGORY");
    }
    await tx.category.update({ where: { id: existing.id }, data: { active: false } });
    await categoryAudit(tx, actor, "category.remove", slug, deps.clock.now());
    return ok({ slug });
  });
}

export async function listCategories(
  deps: Deps,
  communityId: number,
): Promise<Array<{ slug: string; weight: number; description: string }>> {
  return deps.db.category.findMany({
    where: { communityId, active: true },
    select: { slug: true, weight: true, description: true },
    orderBy: { slug: "asc" },
  });
}

/** The community's seasons, latest start first. */
export async function listSeasons(
  deps: Deps,
  communityId: number,
): Promise<Array<{ name: string; startsAt: Date; endsAt: Date | null }>> {
  return deps.db.season.findMany({
    where: { communityId },
    select: { name: true, startsAt: true, endsAt: true },
    orderBy: [{ startsAt: "desc" }, { id: "desc" }],
  });
}

async function findActiveCategory(tx: Tx, communityId: number, slug: string): Promise<{ id: number } | null> {
  return tx.category.findFirst({ where: { communityId, slug, active: true }, select: { id: true } });
}

function validWeight(weight: number): boolean {
  return Number.isInteger(weight) && weight >= 0 && weight <= MAX_WEIGHT;
}

async function categoryAudit(
  tx: Tx,
  actor: Actor,
  action: string,
  slug: string,
  at: Date,
  details: Record<string, number> = {},
): Promise<void> {
  await recordModeratorAction(
    tx,
    { communityId: actor.communityId, actorId: actor.memberId, action, target: `category:${slug}`, details },
    at,
  );
}

const SEASON_NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,39}$/u;

/** Defines a named season (a leaderboard window) starting at `startsAt`, open-ended or until `endsAt`. */
export async function addSeason(
  deps: Deps,
  actor: Actor,
  input: { readonly name: string; readonly startsAt: Date; readonly endsAt: Date | null },
): Promise<
  Result<{ name: string }, "NOT_MODERATOR" | "BAD_SEASON_NAME" | "BAD_SEASON_DATES" | "SEASON_EXISTS">
> {
  const name = input.name.trim();
  if (!SEASON_NAME.test(name)) return refuse("BAD_SEASON_NAME");
  if (input.endsAt !== null && input.endsAt.getTime() <= input.startsAt.getTime())
    return refuse("BAD_SEASON_DATES");
  if (!actor.isModerator) return refuse("NOT_MODERATOR");
  return transact(deps, async (tx) => {
    const existing = await tx.season.findUnique({
      where: { communityId_name: { communityId: actor.communityId, name } },
    });
    if (existing !== null) return refuse("SEASON_EXISTS", { name });
    await tx.season.create({
      data: { communityId: actor.communityId, name, startsAt: input.startsAt, endsAt: input.endsAt },
    });
    await recordModeratorAction(
      tx,
      {
        communityId: actor.communityId,
        actorId: actor.memberId,
        action: "season.add",
        target: `season:${name}`,
      },
      deps.clock.now(),
    );
    return ok({ name });
  });
}

/** Ends a running season now. */
export async function endSeason(
  deps: Deps,
  actor: Actor,
  input: { readonly name: string },
): Promise<Result<{ name: string; endsAt: Date }, "NOT_MODERATOR" | "UNKNOWN_SEASON" | "SEASON_ENDED">> {
  if (!actor.isModerator) return refuse("NOT_MODERATOR");
  const now = deps.clock.now();
  return transact(deps, async (tx) => {
    const season = await tx.season.findUnique({
      where: { communityId_name: { communityId: actor.communityId, name: input.name.trim() } },
    });
    if (season === null) return refuse("UNKNOWN_SEASON", { name: input.name });
    if (season.endsAt !== null && season.endsAt.getTime() <= now.getTime())
      return refuse("SEASON_ENDED", { name: season.name });
    await tx.season.update({ where: { id: season.id }, data: { endsAt: now } });
    await recordModeratorAction(
      tx,
      {
        communityId: actor.communityId,
        actorId: actor.memberId,
        action: "season.end",
        target: `season:${season.name}`,
      },
      now,
    );
    return ok({ name: season.name, endsAt: now });
  });
}

/** A moderator asks for a one-time code to attach another chat to this community. */
export async function createSpaceLinkCode(
  deps: Deps,
  actor: Actor,
): Promise<Result<{ code: string; expiresAt: Date }, "NOT_MODERATOR">> {
  if (!actor.isModerator) return refuse("NOT_MODERATOR");
  const now = deps.clock.now();
  return transact(deps, async (tx) => {
    const code = newLinkCode();
    const expiresAt = new Date(now.getTime() + LINK_CODE_TTL_MS);
    await tx.linkCode.create({
      data: { code, communityId: actor.communityId, kind: "SPACE", createdAt: now, expiresAt },
    });
    await recordModeratorAction(
      tx,
      { communityId: actor.communityId, actorId: actor.memberId, action: "community.link" },
      now,
    );
    return ok({ code, expiresAt });
  });
}

export interface LinkedSpace {
  readonly id: number;
  readonly platform: Platform;
  readonly chatId: string;
  readonly title: string;
}

const spaceColumns = { id: true, platform: true, platformChatId: true, title: true } as const;

function linkedSpace(row: {
  id: number;
  platform: Platform;
  platformChatId: string;
  title: string;
}): LinkedSpace {
  return { id: row.id, platform: row.platform, chatId: row.platformChatId, title: row.title };
}

/** `/community chats`: the community's live chats (spaces), oldest first. */
export async function listSpaces(
  deps: Deps,
  actor: Actor,
): Promise<Result<{ spaces: LinkedSpace[] }, "NOT_MODERATOR">> {
  if (!actor.isModerator) return refuse("NOT_MODERATOR");
  const rows = await deps.db.space.findMany({
    where: { communityId: actor.communityId, active: true },
    select: spaceColumns,
    orderBy: { id: "asc" },
  });
  return ok({ spaces: rows.map(linkedSpace) });
}

/**
 * `/community unlink <id> <reason>`: detaches one of the community's live chats
 * into a new community of its own (its history stays here), audit-logged. The chat the command is typed in and the last live
 * chat are refused: a community never loses the chat its moderators stand in.
 */
export async function unlinkSpace(
  deps: Deps,
  actor: Actor,
  input: { readonly spaceId: number; readonly reason: string },
): Promise<
  Result<
    { space: LinkedSpace },
    "NOT_MODERATOR" | "REASON_REQUIRED" | "REASON_LENGTH" | "UNKNOWN_SPACE" | "THIS_SPACE" | "LAST_SPACE"
  >
> {
  if (!actor.isModerator) return refuse("NOT_MODERATOR");
  const reason = validateReason(input.reason);
  if (!reason.ok) return reason;
  const now = deps.clock.now();
  return transact(deps, async (tx) => {
    // Locks the community's live spaces so two unlinks cannot leave none.
    const live = await tx.$queryRaw<Array<{ id: number }>>`
      SELECT id FROM space WHERE "communityId" = ${actor.communityId} AND active ORDER BY id FOR UPDATE`;
    const row = await tx.space.findFirst({
      where: { id: input.spaceId, communityId: actor.communityId, active: true },
      select: spaceColumns,
    });
    if (row === null) return refuse("UNKNOWN_SPACE", { id: input.spaceId });
    if (row.id === actor.spaceId) return refuse("THIS_SPACE");
    if (live.length <= 1) return refuse("LAST_SPACE");
    // The chat leaves with a fresh community of its own (as when the bot is first
    // added), so a restart or the bot's next sight of it cannot re-attach it here.
    const own = await createCommunity(tx, deps, {
      name: row.title,
      timezone: readCommunityTimezone(
        await tx.community.findUniqueOrThrow({ where: { id: actor.communityId }, select: { config: true } }),
      ),
    });
    await tx.space.update({ where: { id: row.id }, data: { communityId: own.id } });
    await recordModeratorAction(
      tx,
      {
        communityId: actor.communityId,
        actorId: actor.memberId,
        action: "community.unlink",
        target: `${row.platform.toLowerCase()}:${row.platformChatId}`,
        reason: reason.value,
        details: { space: row.id },
      },
      now,
    );
    return ok({ space: linkedSpace(row) });
  });
}

/**
 * A moderator of another chat redeems the code: the chat becomes a space of the
 * code's community. A chat whose own community already has history is refused
 * rather than silently abandoning that ledger.
 */
export async function joinCommunity(
  deps: Deps,
  input: { readonly chat: PlatformChat; readonly isModerator: boolean; readonly code: string },
): Promise<
  Result<
    { communityId: number; name: string },
    "NOT_MODERATOR" | "BAD_CODE" | "ALREADY_IN_COMMUNITY" | "SPACE_HAS_HISTORY"
  >
> {
  if (!input.isModerator) return refuse("NOT_MODERATOR");
  const now = deps.clock.now();
  const code = normalizeLinkCode(input.code);
  return transact(deps, async (tx) => {
    const claimed = await claimCode(tx, code, "SPACE", now);
    if (claimed === null) return refuse("BAD_CODE");
    const target = await tx.community.findUniqueOrThrow({ where: { id: claimed.communityId } });
    const where = {
      platform_platformChatId: { platform: input.chat.platform, platformChatId: input.chat.chatId },
    };
    const space = await tx.space.findUnique({ where });
    if (space?.communityId === target.id) return refuse("ALREADY_IN_COMMUNITY", { name: target.name });
    if (space !== null) {
      const history = await tx.contribution.count({ where: { communityId: space.communityId } });
      const entries = await tx.ledgerEntry.count({ where: { communityId: space.communityId } });
      if (history + entries > 0) return refuse("SPACE_HAS_HISTORY");
      await tx.space.update({ where: { id: space.id }, data: { communityId: target.id, active: true } });
      const others = await tx.space.count({ where: { communityId: space.communityId } });
      if (others === 0)
        await tx.community.update({ where: { id: space.communityId }, data: { deletedAt: now } });
    } else {
      await tx.space.create({
        data: {
          communityId: target.id,
          platform: input.chat.platform,
          platformChatId: input.chat.chatId,
          title: input.chat.title,
        },
      });
    }
    await recordModeratorAction(
      tx,
      {
        communityId: target.id,
        actorId: null,
        action: "community.join",
        target: `${input.chat.platform.toLowerCase()}:${input.chat.chatId}`,
      },
      now,
    );
    return ok({ communityId: target.id, name: target.name });
  });
}

/** Marks an unexpired, unused code of `kind` used, returning it; null when no such code. */
export async function claimCode(
  tx: Tx,
  code: string,
  kind: "SPACE" | "IDENTITY",
  now: Date,
): Promise<{ communityId: number; memberId: number | null } | null> {
  const rows = await tx.$queryRaw<Array<{ communityId: number; memberId: number | null }>>`
    UPDATE link_code SET "usedAt" = ${now}
    WHERE code = ${code} AND kind = ${kind}::"LinkCodeKind" AND "usedAt" IS NULL AND "expiresAt" > ${now}
    RETURNING "communityId", "memberId"`;
  return rows[0] ?? null;
}

function readCommunityTimezone(community: { readonly config: Prisma.JsonValue }): string {
  return readCommunityConfig(community.config).timezone;
}
