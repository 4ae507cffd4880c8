// Moderators on the web: `/web login` makes a one-time sign-in link, following
// it opens a session (a cookie), and each request turns the session back into
// an actor whose moderator right is checked again. Only hashes of the link's
// and the cookie's secrets are stored.
import { readCommunityConfig } from "../core/config.ts";
import { ok, refuse, type Result } from "../core/result.ts";
import {
  SIGN_IN_TTL_MS,
  WEB_SESSION_TTL_MS,
  hashSecret,
  isWellFormedSecret,
  issueSecret,
  moderatorGrant,
  sessionUsable,
  signInUsable,
  stillModerator,
} from "../core/webSessions.ts";
import { transact, type Actor, type Deps } from "./deps.ts";

export interface SignInLink {
  /** The secret of the link `/login/<code>`, given to the moderator once. */
  readonly code: string;
  readonly expiresAt: Date;
}

/** How the platform saw the moderator asking for the link (roles and platform right are not stored). */
export interface PlatformStanding {
  readonly platformModerator: boolean;
  readonly roles: readonly string[];
}

/** `/web login`: a sign-in link bound to the moderator and the community, working once for 10 minutes. */
export async function requestSignInLink(
  deps: Deps,
  actor: Actor,
  standing: PlatformStanding,
): Promise<Result<SignInLink, "NOT_MODERATOR">> {
  if (!actor.isModerator) return refuse("NOT_MODERATOR");
  const [member, community] = await Promise.all([
    deps.db.member.findUniqueOrThrow({ where: { id: actor.memberId }, select: { isModerator: true } }),
    deps.db.community.findUniqueOrThrow({ where: { id: actor.communityId }, select: { config: true } }),
  ]);
  const grant = moderatorGrant({
    memberFlag: member.isModerator,
    roles: standing.roles,
    moderatorRole: readCommunityConfig(community.config).moderatorRole,
    platformModerator: standing.platformModerator,
  });
  if (grant === null) return refuse("NOT_MODERATOR");
  const { secret, hash } = issueSecret();
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + SIGN_IN_TTL_MS);
  // Spent links and ended sessions of the community go whenever a new link is made, so neither table grows.
  await Promise.all([
    deps.db.webSignIn.deleteMany({ where: { communityId: actor.communityId, expiresAt: { lt: now } } }),
    deps.db.webSession.deleteMany({ where: { communityId: actor.communityId, expiresAt: { lt: now } } }),
  ]);
  await deps.db.webSignIn.create({
    data: {
      codeHash: hash,
      communityId: actor.communityId,
      memberId: actor.memberId,
      grant,
      createdAt: now,
      expiresAt,
    },
  });
  return ok({ code: secret, expiresAt });
}

type SignInRefusal = "SIGN_IN_UNKNOWN" | "SIGN_IN_EXPIRED" | "SIGN_IN_USED";

export interface SignInPreview {
  readonly communityId: number;
  readonly communityName: string;
  readonly memberName: string;
}

/** What a sign-in link would open, without using it up (the page that asks to confirm). */
export async function previewSignIn(deps: Deps, code: string): Promise<Result<SignInPreview, SignInRefusal>> {
  const link = await findSignIn(deps, code);
  if (link === null) return refuse("SIGN_IN_UNKNOWN");
  const usable = signInUsable(link, deps.clock.now());
  if (!usable.ok) return usable;
  const member = await deps.db.member.findUnique({
    where: { id: link.memberId },
    select: { displayName: true },
  });
  return ok({
    communityId: link.communityId,
    communityName: link.community.name,
    memberName: member?.displayName ?? "a moderator",
  });
}

export interface OpenedSession {
  /** The cookie's secret, given to the browser once. */
  readonly secret: string;
  readonly communityId: number;
  readonly expiresAt: Date;
}

/** Uses up a sign-in link and opens a session for its moderator; a second use of the link is refused. */
export async function redeemSignIn(deps: Deps, code: string): Promise<Result<OpenedSession, SignInRefusal>> {
  const link = await findSignIn(deps, code);
  if (link === null) return refuse("SIGN_IN_UNKNOWN");
  const now = deps.clock.now();
  const usable = signInUsable(link, now);
  if (!usable.ok) return usable;
  return transact(deps, async (tx) => {
    // Two tabs following the same link at once: the conditional update lets one through.
    const claimed = await tx.webSignIn.updateMany({
      where: { id: link.id, usedAt: null },
      data: { usedAt: now },
    });
    if (claimed.count !== 1) return refuse("SIGN_IN_USED");
    const { secret, hash } = issueSecret();
    const expiresAt = new Date(now.getTime() + WEB_SESSION_TTL_MS);
    await tx.webSession.create({
      data: {
        secretHash: hash,
        communityId: link.communityId,
        memberId: link.memberId,
        grant: link.grant,
        createdAt: now,
        expiresAt,
      },
    });
    return ok({ secret, communityId: link.communityId, expiresAt });
  });
}

async function findSignIn(deps: Deps, code: string) {
  if (!isWellFormedSecret(code)) return null;
  const link = await deps.db.webSignIn.findUnique({
    where: { codeHash: hashSecret(code) },
    include: { community: { select: { name: true, deletedAt: true } } },
  });
  return link === null || link.community.deletedAt !== null ? null : link;
}

export interface WebCaller {
  /** Moderator right as checked now (stillModerator); the use cases refuse a non-moderator. */
  readonly actor: Actor;
  readonly memberName: string;
  readonly communityName: string;
}

type SessionRefusal = "NOT_SIGNED_IN" | "SESSION_EXPIRED" | "OTHER_COMMUNITY";

/** The member behind a session cookie, acting in `communityId`. */
export async function sessionCaller(
  deps: Deps,
  secret: string | undefined,
  communityId: number,
): Promise<Result<WebCaller, SessionRefusal>> {
  if (secret === undefined || !isWellFormedSecret(secret)) return refuse("NOT_SIGNED_IN");
  const session = await deps.db.webSession.findUnique({
    where: { secretHash: hashSecret(secret) },
    include: { community: { select: { name: true, config: true, deletedAt: true } } },
  });
  if (session === null || session.community.deletedAt !== null) return refuse("NOT_SIGNED_IN");
  const usable = sessionUsable(session, deps.clock.now());
  if (!usable.ok) return usable;
  if (session.communityId !== communityId) return refuse("OTHER_COMMUNITY");
  const member = await deps.db.member.findUniqueOrThrow({
    where: { id: session.memberId },
    select: { displayName: true, isModerator: true, banned: true, erasedAt: true, mergedIntoId: true },
  });
  const isModerator = stillModerator(session.grant, {
    memberFlag: member.isModerator,
    moderatorRole: readCommunityConfig(session.community.config).moderatorRole,
    gone: member.banned || member.erasedAt !== null || member.mergedIntoId !== null,
  });
  return ok({
    actor: { communityId, memberId: session.memberId, isModerator, spaceId: null },
    memberName: member.displayName,
    communityName: session.community.name,
  });
}

/** `/logout`: the session's cookie no longer signs anyone in. */
export async function endSession(deps: Deps, secret: string | undefined): Promise<void> {
  if (secret === undefined || !isWellFormedSecret(secret)) return;
  await deps.db.webSession.updateMany({
    where: { secretHash: hashSecret(secret), revokedAt: null },
    data: { revokedAt: deps.clock.now() },
  });
}

/** Whether the community's public pages are on (`/config set publicPages on`). */
export async function publicPagesOn(deps: Deps, communityId: number): Promise<boolean> {
  const community = await deps.db.community.findUniqueOrThrow({
    where: { id: communityId },
    select: { config: true },
  });
  return readCommunityConfig(community.config).publicPages;
}
