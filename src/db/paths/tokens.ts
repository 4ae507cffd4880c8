// The API's per-request statements (src/app/tokens.ts): the bearer token's row
// by its public prefix, and the audit entry of a change made through a token.
import { statement } from "../sql.ts";

export interface TokenRow {
  readonly id: number;
  readonly name: string;
  readonly scopes: string[];
  readonly secretHash: string;
  readonly communityId: number;
  readonly memberId: number;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
  readonly communityDeleted: boolean;
}

/**
 * The token with this prefix and whether its community is deleted (no row when
 * there is none), and in the same statement its use recorded: only when the
 * secret's hash is the stored one (a prefix alone is not secret and writes
 * nothing), the token is live, and the stored last use is older than the
 * granularity. One statement, so authentication is one round trip.
 */
export const tokenByPrefixTouched = statement<
  [prefix: string, secretHash: string, now: Date, olderThan: Date],
  TokenRow
>(
  "cairn_token_by_prefix_touched",
  `WITH found AS (
     SELECT t.id, t.name, t.scopes, t."secretHash", t."communityId", t."memberId", t."lastUsedAt",
            t."revokedAt", (c."deletedAt" IS NOT NULL) AS "communityDeleted"
       FROM api_token t JOIN community c ON c.id = t."communityId"
      WHERE t.prefix = $1
   ), touched AS (
     UPDATE api_token t SET "lastUsedAt" = $3
       FROM found f
      WHERE t.id = f.id AND f."secretHash" = $2 AND f."revokedAt" IS NULL AND NOT f."communityDeleted"
        AND (t."lastUsedAt" IS NULL OR t."lastUsedAt" < $4)
   )
   SELECT * FROM found`,
);

/** One audit entry of a change made through a token, named in its details. */
export const tokenAudit = statement<
  [communityId: number, actorId: number, action: string, target: string, details: string, at: Date],
  never
>(
  "cairn_token_audit",
  `INSERT INTO audit_log ("communityId", "actorId", action, target, details, at)
   VALUES ($1, $2, $3, $4, $5::jsonb, $6)`,
);
