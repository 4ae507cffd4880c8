// API tokens: made, listed and revoked by moderators (in chat or by the
// operator on the command line), and turned back into an actor on each API
// request. The secret is shown once and never stored.
import {
  MAX_TOKENS_PER_COMMUNITY,
  grants,
  issueToken,
  parseScopes,
  tokenMatches,
  tokenPrefix,
  validateTokenName,
  type TokenScope,
} from "../core/tokens.ts";
import { ok, refuse, type Result } from "../core/result.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { tokenAudit, tokenByPrefix, touchToken } from "../db/paths/tokens.ts";
import { memberForUser } from "./actors.ts";
import { recordModeratorAction, type ChangeAudit } from "./audit.ts";
import { inTransaction, transact, type Actor, type Deps } from "./deps.ts";

export interface TokenDraft {
  readonly name: string;
  readonly scopes: readonly string[];
  /** Make the token act as a new agent member of this name, owned by its maker, instead of as its maker. */
  readonly agent?: boolean;
}

export interface CreatedToken {
  readonly name: string;
  readonly prefix: string;
  readonly scopes: readonly TokenScope[];
  /** The agent member the token acts as, or null when it acts as its maker. */
  readonly agentMemberId: number | null;
  /** The whole token, shown to its maker once. */
  readonly token: string;
}

export type TokenRefusal =
  "NOT_MODERATOR" | "BAD_TOKEN_NAME" | "BAD_SCOPE" | "TOKEN_EXISTS" | "TOO_MANY_TOKENS";

/**
 * Makes a token with the scopes given that acts as the moderator who asked for
 * it, or, made as an agent, as a new agent member with the token's name and the
 * moderator as its responsible owner.
 */
export async function createToken(
  deps: Deps,
  actor: Actor,
  draft: TokenDraft,
): Promise<Result<CreatedToken, TokenRefusal>> {
  if (!actor.isModerator) return refuse("NOT_MODERATOR");
  const name = validateTokenName(draft.name);
  if (!name.ok) return name;
  const scopes = parseScopes(draft.scopes);
  if (!scopes.ok) return scopes;
  const issued = issueToken();
  const now = deps.clock.now();
  try {
    return await transact(deps, async (tx) => {
      // The community row lock counts tokens one maker at a time.
      await tx.$queryRaw`SELECT id FROM community WHERE id = ${actor.communityId} FOR UPDATE`;
      const count = await tx.apiToken.count({ where: { communityId: actor.communityId } });
      if (count >= MAX_TOKENS_PER_COMMUNITY)
        return refuse("TOO_MANY_TOKENS", { max: MAX_TOKENS_PER_COMMUNITY });
      const agent =
        draft.agent === true
          ? await tx.member.create({
              data: {
                communityId: actor.communityId,
                displayName: name.value,
                kind: "AGENT",
                ownerId: actor.memberId,
                joinedAt: now,
              },
              select: { id: true },
            })
          : null;
      await tx.apiToken.create({
        data: {
          communityId: actor.communityId,
          name: name.value,
          prefix: issued.prefix,
          secretHash: issued.secretHash,
          scopes: scopes.value,
          ownerId: actor.memberId,
          memberId: agent?.id ?? actor.memberId,
          createdAt: now,
        },
      });
      await recordModeratorAction(
        tx,
        {
          communityId: actor.communityId,
          actorId: actor.memberId,
          action: "token.create",
          target: name.value,
          details: { prefix: issued.prefix, scopes: scopes.value, agent: agent?.id ?? null },
        },
        now,
      );
      return ok({
        name: name.value,
        prefix: issued.prefix,
        scopes: scopes.value,
        agentMemberId: agent?.id ?? null,
        token: issued.token,
      });
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")
      return refuse("TOKEN_EXISTS", { name: name.value });
    throw error;
  }
}

/** The console account the operator's command-line tokens belong to. */
export const operatorUser = {
  platform: "CONSOLE",
  userId: "operator",
  displayName: "operator",
} as const;

/** `cairn token create`: a token of the operator (a console member of the community, created on first sight). */
export async function createOperatorToken(
  deps: Deps,
  communityId: number,
  draft: TokenDraft,
): Promise<Result<CreatedToken, TokenRefusal | "NO_COMMUNITY">> {
  const community = await deps.db.community.findFirst({ where: { id: communityId, deletedAt: null } });
  if (community === null) return refuse("NO_COMMUNITY");
  const member = await inTransaction(deps, (tx) =>
    memberForUser(tx, communityId, operatorUser, deps.clock.now()),
  );
  return createToken(deps, { communityId, memberId: member.id, isModerator: true, spaceId: null }, draft);
}

export interface TokenSummary {
  readonly name: string;
  readonly prefix: string;
  readonly scopes: readonly string[];
  /** Whether the token acts as an agent member. */
  readonly agent: boolean;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
}

/** The community's tokens, newest first, without anything secret. */
export async function listTokens(deps: Deps, actor: Actor): Promise<Result<TokenSummary[], "NOT_MODERATOR">> {
  if (!actor.isModerator) return refuse("NOT_MODERATOR");
  const rows = await deps.db.apiToken.findMany({
    where: { communityId: actor.communityId },
    select: {
      name: true,
      prefix: true,
      scopes: true,
      memberId: true,
      ownerId: true,
      createdAt: true,
      lastUsedAt: true,
      revokedAt: true,
    },
    orderBy: { id: "desc" },
  });
  return ok(rows.map(({ memberId, ownerId, ...row }) => ({ ...row, agent: memberId !== ownerId })));
}

/** Revokes a token by name: its next request is refused. */
export async function revokeToken(
  deps: Deps,
  actor: Actor,
  name: string,
): Promise<Result<{ name: string }, "NOT_MODERATOR" | "UNKNOWN_TOKEN" | "TOKEN_REVOKED">> {
  if (!actor.isModerator) return refuse("NOT_MODERATOR");
  const wanted = name.trim().toLowerCase();
  const now = deps.clock.now();
  return transact(deps, async (tx) => {
    const token = await tx.apiToken.findUnique({
      where: { communityId_name: { communityId: actor.communityId, name: wanted } },
    });
    if (token === null) return refuse("UNKNOWN_TOKEN", { name: wanted });
    if (token.revokedAt !== null) return refuse("TOKEN_REVOKED", { name: wanted });
    await tx.apiToken.update({ where: { id: token.id }, data: { revokedAt: now } });
    await recordModeratorAction(
      tx,
      { communityId: actor.communityId, actorId: actor.memberId, action: "token.revoke", target: wanted },
      now,
    );
    return ok({ name: wanted });
  });
}

/** Who is calling the API: the token and the member it acts as. */
export interface TokenCaller {
  readonly tokenId: number;
  readonly tokenName: string;
  readonly scopes: readonly string[];
  /** Moderator right comes from the `moderate` scope, given by the moderator who made the token. */
  readonly actor: Actor;
}

/** Last use is written at most this often, so a busy token does not write on every request. */
const LAST_USED_GRANULARITY_MS = 60_000;

/**
 * The caller behind a bearer token: UNAUTHENTICATED for anything that is not a
 * live token of a live community, TOKEN_REVOKED for a revoked one.
 */
export async function authenticateToken(
  deps: Deps,
  token: string,
): Promise<Result<TokenCaller, "UNAUTHENTICATED" | "TOKEN_REVOKED">> {
  const prefix = tokenPrefix(token);
  if (prefix === null) return refuse("UNAUTHENTICATED");
  const now = deps.clock.now();
  // Every API request passes here: one statement on the typed store, and a last-use
  // write only once a granularity.
  const [row] = await deps.store.read(tokenByPrefix, [prefix]);
  if (row === undefined || !tokenMatches(token, row.secretHash) || row.communityDeleted)
    return refuse("UNAUTHENTICATED");
  if (row.revokedAt !== null) return refuse("TOKEN_REVOKED", { name: row.name });
  // Only the whole token counts as a use: a prefix alone (it is not secret) writes nothing.
  // A use is bookkeeping: its write need not wait for the disk, and the update's own
  // condition keeps two requests that both saw an old last use from going back in time.
  const olderThan = new Date(now.getTime() - LAST_USED_GRANULARITY_MS);
  if (row.lastUsedAt === null || row.lastUsedAt < olderThan)
    await deps.store.unflushed(touchToken, [row.id, now, olderThan]);
  return ok({
    tokenId: row.id,
    tokenName: row.name,
    scopes: row.scopes,
    actor: {
      communityId: row.communityId,
      memberId: row.memberId,
      isModerator: grants(row.scopes, "moderate"),
      spaceId: null,
      tokenId: row.id,
    },
  });
}

/** The audit entry of an API change under the token's name, for recordTokenUse or a use case that writes it with its change. */
export function tokenUseAudit(caller: TokenCaller, action: string, targetPrefix: string): ChangeAudit {
  return { action: `api.${action}`, details: { token: caller.tokenName }, targetPrefix };
}

/** Writes an API change to the audit log under the token's name (not posted to the moderator log chat). */
export async function recordTokenUse(
  deps: Deps,
  caller: TokenCaller,
  action: string,
  target: string,
): Promise<void> {
  const audit = tokenUseAudit(caller, action, target);
  await deps.store.transaction(async (tx) => {
    void tx.rows(tokenAudit, [
      caller.actor.communityId,
      caller.actor.memberId,
      audit.action,
      target,
      JSON.stringify(audit.details),
      deps.clock.now(),
    ]);
    return { commit: true, value: undefined };
  });
}
