// Moderators on the web, as plain data: the one-time sign-in link and the
// session it opens (random secrets of which the database keeps only a hash),
// when each may still be used, the CSRF token of a session's forms, and
// whether the member a session belongs to is still a moderator.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { ok, refuse, type Result } from "./result.ts";

/** How long a sign-in link works: 10 minutes, once. */
export const SIGN_IN_TTL_MS = 10 * 60_000;
/** How long a web session lasts; a moderator right seen only on the platform is trusted no longer. */
export const WEB_SESSION_TTL_MS = 12 * 3_600_000;

const SECRET_BYTES = 32;
/** base64url of 32 random bytes. */
const SECRET = /^[A-Za-z0-9_-]{43}$/;

export interface IssuedSecret {
  /** Given out once (in the link or the cookie), never stored. */
  readonly secret: string;
  readonly hash: string;
}

/** A fresh 256-bit secret and the hash the database keeps of it. */
export function issueSecret(random: (bytes: number) => Buffer = randomBytes): IssuedSecret {
  const secret = random(SECRET_BYTES).toString("base64url");
  return { secret, hash: hashSecret(secret) };
}

/** sha256 hex of a secret. */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** Whether text has the shape of a secret issueSecret makes (anything else is looked up nowhere). */
export function isWellFormedSecret(text: string): boolean {
  return SECRET.test(text);
}

export interface SignInState {
  readonly expiresAt: Date;
  readonly usedAt: Date | null;
}

/** A sign-in link works once, before it expires. */
export function signInUsable(link: SignInState, now: Date): Result<true, "SIGN_IN_EXPIRED" | "SIGN_IN_USED"> {
  if (link.usedAt !== null) return refuse("SIGN_IN_USED");
  if (now.getTime() >= link.expiresAt.getTime()) return refuse("SIGN_IN_EXPIRED");
  return ok(true);
}

export interface SessionState {
  readonly expiresAt: Date;
  readonly revokedAt: Date | null;
}

/** A session works until it expires or is signed out. */
export function sessionUsable(session: SessionState, now: Date): Result<true, "SESSION_EXPIRED"> {
  if (session.revokedAt !== null || now.getTime() >= session.expiresAt.getTime())
    return refuse("SESSION_EXPIRED");
  return ok(true);
}

/**
 * Where a moderator's right came from when they asked for the link: the
 * member's own moderator flag, the community's moderator role (on the
 * platform that reported it), or the platform itself (Discord Manage Server,
 * Telegram chat administrator), which the web cannot ask again.
 */
export type ModeratorGrant = "member" | `role:${string}` | "platform";

export interface ModeratorFacts {
  readonly memberFlag: boolean;
  readonly roles: readonly string[];
  readonly moderatorRole: string | null;
  readonly platformModerator: boolean;
}

/** The grant behind a moderator's right as chat decided it (see resolveActor), or null for a non-moderator. */
export function moderatorGrant(facts: ModeratorFacts): ModeratorGrant | null {
  if (facts.memberFlag) return "member";
  if (facts.moderatorRole !== null && facts.roles.includes(facts.moderatorRole))
    return `role:${facts.moderatorRole}`;
  return facts.platformModerator ? "platform" : null;
}

export interface MemberStanding {
  readonly memberFlag: boolean;
  readonly moderatorRole: string | null;
  /** Banned, erased or merged into another member. */
  readonly gone: boolean;
}

/**
 * Whether the member of a session is still a moderator, checked on every
 * request: their flag counts whenever it is set; a role grant holds while the
 * community's moderator role is still that role; a platform grant holds for the
 * session's lifetime (the platform is not asked from the web). A banned,
 * erased or merged member is no moderator.
 */
export function stillModerator(grant: string, standing: MemberStanding): boolean {
  if (standing.gone) return false;
  if (standing.memberFlag) return true;
  if (grant.startsWith("role:")) return standing.moderatorRole === grant.slice("role:".length);
  return grant === "platform";
}

/** The CSRF token of a session's forms: derived from its secret, so it is per session and needs no storage. */
export function csrfToken(sessionSecret: string): string {
  return createHash("sha256").update(`cairn-csrf\0${sessionSecret}`, "utf8").digest("base64url");
}

/** Whether a form's CSRF token is its session's, compared in constant time. */
export function csrfMatches(given: string, sessionSecret: string): boolean {
  const digest = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest();
  return timingSafeEqual(digest(given), digest(csrfToken(sessionSecret)));
}

/**
 * The seal of a line a form's redirect carries to the page it lands on
 * (Post/Redirect/Get): only a line this session's own post produced has it,
 * so a crafted link cannot make the queue say something that did not happen.
 */
export function flashSeal(sessionSecret: string, line: string): string {
  return createHash("sha256").update(`cairn-flash\0${sessionSecret}\0${line}`, "utf8").digest("base64url");
}

/** Whether `seal` is the seal of `line` for this session, compared in constant time. */
export function flashSealMatches(seal: string, line: string, sessionSecret: string): boolean {
  const digest = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest();
  return timingSafeEqual(digest(seal), digest(flashSeal(sessionSecret, line)));
}
