// API tokens as plain data: their scopes, names, the text form
// `cairn_<prefix>_<secret>` and the hash that is all the database keeps.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { ok, refuse, type Result } from "./result.ts";

/** What a token may do: read anything public, log contributions, vote, moderate, export attribution. */
export const TOKEN_SCOPES = ["read", "contribute", "vote", "moderate", "export"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** Most tokens a community keeps, revoked ones included (they stay for the audit trail). */
export const MAX_TOKENS_PER_COMMUNITY = 100;

const NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const PREFIX_BYTES = 6;
const SECRET_BYTES = 24;
const TOKEN = /^cairn_([0-9a-f]{12})_([A-Za-z0-9_-]{32})$/;

export const isTokenScope = (word: string): word is TokenScope =>
  (TOKEN_SCOPES as readonly string[]).includes(word);

/** A token's name: 1-32 lowercase letters, digits, dashes or underscores, as it is typed in /token revoke. */
export function validateTokenName(name: string): Result<string, "BAD_TOKEN_NAME"> {
  const lower = name.trim().toLowerCase();
  return NAME.test(lower) ? ok(lower) : refuse("BAD_TOKEN_NAME");
}

/** The scopes of a new token: at least one, each a known scope, duplicates dropped, in catalog order. */
export function parseScopes(words: readonly string[]): Result<TokenScope[], "BAD_SCOPE"> {
  const lower = words.map((w) => w.trim().toLowerCase()).filter((w) => w !== "");
  const unknown = lower.find((w) => !isTokenScope(w));
  if (unknown !== undefined) return refuse("BAD_SCOPE", { scope: unknown, known: TOKEN_SCOPES.join(", ") });
  if (lower.length === 0) return refuse("BAD_SCOPE", { known: TOKEN_SCOPES.join(", ") });
  return ok(TOKEN_SCOPES.filter((scope) => lower.includes(scope)));
}

export interface IssuedToken {
  /** Shown once to its maker, never stored. */
  readonly token: string;
  readonly prefix: string;
  readonly secretHash: string;
}

/** A fresh token: a random public prefix for lookup and a random secret, 192 bits. */
export function issueToken(random: (bytes: number) => Buffer = randomBytes): IssuedToken {
  const prefix = random(PREFIX_BYTES).toString("hex");
  const secret = random(SECRET_BYTES).toString("base64url");
  const token = `cairn_${prefix}_${secret}`;
  return { token, prefix, secretHash: hashToken(token) };
}

/** sha256 hex of the whole token text. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** The prefix of a well-formed token, or null for anything else (which then matches no row). */
export function tokenPrefix(token: string): string | null {
  return TOKEN.exec(token)?.[1] ?? null;
}

/** Whether `token` hashes to `secretHash`, compared in constant time. */
export function tokenMatches(token: string, secretHash: string): boolean {
  const given = Buffer.from(hashToken(token), "hex");
  const kept = Buffer.from(secretHash, "hex");
  return given.length === kept.length && timingSafeEqual(given, kept);
}

/** Whether a token with `scopes` may do what needs `needed`. */
export function grants(scopes: readonly string[], needed: TokenScope): boolean {
  return scopes.includes(needed);
}

/**
 * Whether a token acts with moderator right for a route needing `needed`: the
 * `moderate` scope always; `export` for exports (which chat keeps to
 * moderators), since a moderator made the token to export.
 */
export function actsAsModerator(scopes: readonly string[], needed: TokenScope): boolean {
  return grants(scopes, "moderate") || (needed === "export" && grants(scopes, "export"));
}
