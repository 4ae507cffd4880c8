import type { Tx } from "../db/client.ts";
import type { Platform } from "../generated/prisma/enums.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { readCommunityConfig } from "../core/config.ts";
import { GENESIS_HASH } from "../core/ledger.ts";
import { ok, refuse, type Result } from "../core/result.ts";
import { inTransaction, type Actor, type Deps } from "./deps.ts";

export type { Platform };

/** A person as a platform reports them on each command. */
export interface PlatformUser {
  readonly platform: Platform;
  readonly userId: string;
  readonly displayName: string;
  readonly roles?: readonly string[];
  /** Discord Manage Server / Telegram chat administrator, as checked by the adapter. */
  readonly isPlatformModerator?: boolean;
  /**
   * When the person joined the chat, where the platform says (Discord's member
   * joined_at): membership age (minVoterAgeDays) counts from it rather than
   * from the bot's first sight of them.
   */
  readonly joinedChatAt?: Date;
}

export interface PlatformChat {
  readonly platform: Platform;
  readonly chatId: string;
  readonly title: string;
}

/** A member named in a command: a platform account (a mention) or a display name typed as `@name`. */
export type MemberRef =
  | { readonly kind: "user"; readonly user: PlatformUser }
  | { readonly kind: "name"; readonly name: string }
  /** An @username, matched only against the usernames stored on identities of `platform`, never display names. */
  | { readonly kind: "username"; readonly platform: Platform; readonly username: string };

export interface DefaultCategory {
  readonly slug: string;
  readonly description: string;
  readonly weight: number;
}

/** The categories a new community starts with; moderators edit them with /category. */
export const defaultCategories: readonly DefaultCategory[] = [
  { slug: "code", description: "Code, pull requests and reviews of code", weight: 1000 },
  { slug: "data", description: "Datasets, labelling and evaluation", weight: 800 },
  { slug: "docs", description: "Documentation, tutorials and translations", weight: 500 },
  { slug: "community", description: "Support, events and moderation", weight: 300 },
];

/**
 * Creates the community of a chat the bot was added to (with its space, default
 * categories and an empty ledger), or returns the existing one. Re-adding an
 * inactive space reactivates it.
 */
export async function ensureCommunityForChat(
  deps: Deps,
  chat: PlatformChat,
  options: {
    readonly name?: string;
    readonly timezone?: string;
    /** Where moderator messages go from the start (the console's own terminal). */
    readonly modLogChat?: string;
  } = {},
): Promise<{ communityId: number; spaceId: number; created: boolean }> {
  return inTransaction(deps, async (tx) => {
    const existing = await tx.space.findUnique({
      where: { platform_platformChatId: { platform: chat.platform, platformChatId: chat.chatId } },
    });
    if (existing !== null) {
      if (!existing.active || existing.title !== chat.title) {
        await tx.space.update({ where: { id: existing.id }, data: { active: true, title: chat.title } });
      }
      return { communityId: existing.communityId, spaceId: existing.id, created: false };
    }
    const community = await createCommunity(tx, deps, { ...options, name: options.name ?? chat.title });
    const space = await tx.space.create({
      data: {
        communityId: community.id,
        platform: chat.platform,
        platformChatId: chat.chatId,
        title: chat.title,
      },
    });
    return { communityId: community.id, spaceId: space.id, created: true };
  });
}

/** A new community with the default categories and an empty ledger, and no space yet. */
export async function createCommunity(
  tx: Tx,
  deps: Pick<Deps, "clock">,
  options: { readonly name: string; readonly timezone?: string; readonly modLogChat?: string },
): Promise<{ id: number }> {
  return tx.community.create({
    data: {
      name: options.name,
      config: {
        timezone: options.timezone ?? "UTC",
        ...(options.modLogChat === undefined ? {} : { modLogChat: options.modLogChat }),
      },
      activeEpoch: deps.clock.now(),
      ledgerHead: { create: { seq: 0, hash: GENESIS_HASH } },
      categories: { create: defaultCategories.map((c) => ({ ...c })) },
    },
    select: { id: true },
  });
}

/** A chat's space as the bot knows it, or null for a chat that never became one. */
export async function spaceOf(
  deps: Deps,
  chat: Pick<PlatformChat, "platform" | "chatId">,
): Promise<{ communityId: number; title: string; active: boolean } | null> {
  return deps.db.space.findUnique({
    where: { platform_platformChatId: { platform: chat.platform, platformChatId: chat.chatId } },
    select: { communityId: true, title: true, active: true },
  });
}

/**
 * The active chats of the account's platform in the communities where the
 * account has a member (a private command belongs to one of them), at most `limit`.
 */
export async function activeChatsOfAccount(
  deps: Deps,
  account: { readonly platform: Platform; readonly userId: string },
  limit = 10,
): Promise<Array<{ chatId: string; title: string }>> {
  const identities = await deps.db.identity.findMany({
    where: { platform: account.platform, platformUserId: account.userId },
    select: { communityId: true },
    take: limit,
  });
  if (identities.length === 0) return [];
  const spaces = await deps.db.space.findMany({
    where: {
      platform: account.platform,
      active: true,
      communityId: { in: [...new Set(identities.map((i) => i.communityId))] },
      community: { deletedAt: null },
    },
    select: { platformChatId: true, title: true },
    orderBy: { id: "asc" },
    take: limit,
  });
  return spaces.map((space) => ({ chatId: space.platformChatId, title: space.title }));
}

/** Marks a chat's space inactive when the bot leaves it; nothing is deleted. */
export async function deactivateSpace(
  deps: Deps,
  chat: Pick<PlatformChat, "platform" | "chatId">,
): Promise<void> {
  await deps.db.space.updateMany({
    where: { platform: chat.platform, platformChatId: chat.chatId },
    data: { active: false },
  });
}

/**
 * Moves a space to the chat's new id (a Telegram group upgraded to a
 * supergroup gets a new chat id); its community, members and ledger stay.
 * Returns false when no space had the old id or one has the new id already.
 */
export async function moveSpace(
  deps: Deps,
  move: { readonly platform: Platform; readonly fromChatId: string; readonly toChatId: string },
): Promise<boolean> {
  return inTransaction(deps, async (tx) => {
    const taken = await tx.space.findUnique({
      where: { platform_platformChatId: { platform: move.platform, platformChatId: move.toChatId } },
      select: { id: true },
    });
    if (taken !== null) return false;
    const moved = await tx.space.updateMany({
      where: { platform: move.platform, platformChatId: move.fromChatId },
      data: { platformChatId: move.toChatId },
    });
    return moved.count === 1;
  });
}

/**
 * Finds the member behind a platform account in a chat's community, creating the
 * member and identity on first sight and refreshing the display name. Roles
 * are not stored: each request's platform reports them (see Actor.roles).
 */
export async function resolveActor(
  deps: Deps,
  chat: Pick<PlatformChat, "platform" | "chatId">,
  user: PlatformUser,
): Promise<Result<Actor, "NO_COMMUNITY">> {
  const space = await deps.db.space.findUnique({
    where: { platform_platformChatId: { platform: chat.platform, platformChatId: chat.chatId } },
    include: { community: { select: { config: true } } },
  });
  if (space === null) return refuse("NO_COMMUNITY");
  const member = await withFirstSightRetry(() =>
    inTransaction(deps, (tx) => memberForUser(tx, space.communityId, user, deps.clock.now())),
  );
  const config = readCommunityConfig(space.community.config, deps.caches?.configs);
  // Roles count on the platform that reported them only: a linked member's
  // Discord roles give nothing on Telegram.
  const roles = user.roles ?? [];
  const hasModeratorRole = config.moderatorRole !== null && roles.includes(config.moderatorRole);
  return ok({
    communityId: space.communityId,
    memberId: member.id,
    isModerator: user.isPlatformModerator === true || member.isModerator || hasModeratorRole,
    spaceId: space.id,
    roles,
  });
}

interface MemberRow {
  readonly id: number;
  readonly isModerator: boolean;
}

/** The (merged-into) member of a platform account, created on first sight. */
export async function memberForUser(
  tx: Tx,
  communityId: number,
  user: PlatformUser,
  now: Date,
): Promise<MemberRow> {
  const identity = await tx.identity.findUnique({
    where: {
      communityId_platform_platformUserId: {
        communityId,
        platform: user.platform,
        platformUserId: user.userId,
      },
    },
    include: { member: true },
  });
  if (identity === null) return createMemberForUser(tx, communityId, user, now);
  const member = identity.member;
  // An erased member stays erased: names seen later are not written back.
  const renamed = member.erasedAt === null && identity.displayName !== user.displayName;
  if (renamed) {
    await tx.identity.update({ where: { id: identity.id }, data: { displayName: user.displayName } });
  }
  const joinedEarlier = joinedBefore(user, member.joinedAt);
  if (renamed || joinedEarlier !== null) {
    await tx.member.update({
      where: { id: member.id },
      data: {
        ...(renamed ? { displayName: user.displayName } : {}),
        ...(joinedEarlier === null ? {} : { joinedAt: joinedEarlier }),
      },
    });
  }
  return { id: member.id, isModerator: member.isModerator };
}

/** The platform's join date when it is earlier than `known` (and not in the future), else null. */
function joinedBefore(user: PlatformUser, known: Date): Date | null {
  const joined = user.joinedChatAt;
  return joined !== undefined && !Number.isNaN(joined.getTime()) && joined.getTime() < known.getTime()
    ? joined
    : null;
}

async function createMemberForUser(
  tx: Tx,
  communityId: number,
  user: PlatformUser,
  now: Date,
): Promise<MemberRow> {
  try {
    const member = await tx.member.create({
      data: {
        communityId,
        displayName: user.displayName,
        joinedAt: joinedBefore(user, now) ?? now,
        identities: {
          create: {
            communityId,
            platform: user.platform,
            platformUserId: user.userId,
            displayName: user.displayName,
          },
        },
      },
    });
    return { id: member.id, isModerator: member.isModerator };
  } catch (error) {
    // Another command of the same new person created them first: use theirs.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new ConcurrentFirstSight();
    }
    throw error;
  }
}

/** Thrown when two first commands of one new person race; the transaction is retried by the caller. */
export class ConcurrentFirstSight extends Error {
  constructor() {
    super("member created concurrently");
  }
}

/** Runs `work` again once when it lost a first-sight race (the other command's member then exists). */
export async function withFirstSightRetry<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ConcurrentFirstSight) return work();
    throw error;
  }
}

/**
 * The account whose stored username is `ref.username` (any case), in this
 * community. Usernames are unique on a platform at any time, and a name taken
 * over is cleared from its former account (recordUsername), so there is one.
 */
async function memberByUsername(
  tx: Tx,
  communityId: number,
  ref: { readonly platform: Platform; readonly username: string },
): Promise<Result<{ id: number; displayName: string }, "UNKNOWN_MEMBER">> {
  const username = ref.username.replace(/^@/, "");
  const identity = await tx.identity.findFirst({
    where: {
      communityId,
      platform: ref.platform,
      username: username.toLowerCase(),
      member: { mergedIntoId: null },
    },
    select: { member: { select: { id: true, displayName: true } } },
    orderBy: { id: "desc" },
  });
  return identity === null ? refuse("UNKNOWN_MEMBER", { name: `@${username}` }) : ok(identity.member);
}

/**
 * Stores an account's current username (lowercased) on its identities in every
 * community, and takes it off any other account of the platform that had it
 * (a username given up and claimed by someone else). null clears it. Erased
 * members get none.
 */
export async function recordUsername(
  deps: Deps,
  account: { readonly platform: Platform; readonly userId: string },
  username: string | null,
): Promise<void> {
  const stored = username === null || username === "" ? null : username.toLowerCase();
  const { platform, userId } = account;
  await deps.db.$transaction([
    ...(stored === null
      ? []
      : [
          deps.db.identity.updateMany({
            where: { platform, username: stored, platformUserId: { not: userId } },
            data: { username: null },
          }),
        ]),
    deps.db.identity.updateMany({
      where: {
        platform,
        platformUserId: userId,
        // An erased member stays erased: a username seen later is not written back.
        member: { erasedAt: null },
        ...(stored === null
          ? { username: { not: null } }
          : { OR: [{ username: null }, { username: { not: stored } }] }),
      },
      data: { username: stored },
    }),
  ]);
}

/**
 * Resolves a member named in a command. A platform account is created on first
 * sight (a co-author need not have used the bot); a name must match exactly one
 * member's display name, case-insensitively.
 */
export async function findMember(
  tx: Tx,
  communityId: number,
  ref: MemberRef,
  now: Date,
): Promise<Result<{ id: number; displayName: string }, "UNKNOWN_MEMBER" | "AMBIGUOUS_MEMBER">> {
  if (ref.kind === "user") {
    const row = await memberForUser(tx, communityId, ref.user, now);
    const member = await tx.member.findUniqueOrThrow({ where: { id: row.id } });
    return ok({ id: member.id, displayName: member.displayName });
  }
  if (ref.kind === "username") return memberByUsername(tx, communityId, ref);
  const name = ref.name.replace(/^@/, "");
  const matches = await tx.member.findMany({
    where: { communityId, mergedIntoId: null, displayName: { equals: name, mode: "insensitive" } },
    select: { id: true, displayName: true },
    take: 2,
  });
  const [first, second] = matches;
  if (first === undefined) return refuse("UNKNOWN_MEMBER", { name });
  if (second !== undefined) return refuse("AMBIGUOUS_MEMBER", { name });
  return ok(first);
}
