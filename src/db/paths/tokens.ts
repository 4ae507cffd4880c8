// The API's per-request statements (src/app/tokens.ts): the bearer token's row
// by its public prefix, and the audit entry of a change made through a token.
// Times are stored as UTC (as Prisma stores them) whatever the process's time zone.
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

/** The token with this prefix and whether its community is deleted; no row when there is none. */
export const tokenByPrefix = statement<[prefix: string], TokenRow>(
  "cairn_token_by_prefix",
  `SELECT t.id, t.name, t.scopes, t."secretHash", t."communityId", t."memberId",
          t."lastUsedAt" AT TIME ZONE 'UTC' AS "lastUsedAt", t."revokedAt" AT TIME ZONE 'UTC' AS "revokedAt",
          (c."deletedAt" IS NOT NULL) AS "communityDeleted"
     FROM api_token t JOIN community c ON c.id = t."communityId"
    WHERE t.prefix = $1`,
);

/** Records the token's use at most once a granularity: only when the stored last use is older. */
export const touchToken = statement<[id: number, now: Date, olderThan: Date], never>(
  "cairn_touch_token",
  `UPDATE api_token SET "lastUsedAt" = $2::timestamptz AT TIME ZONE 'UTC'
    WHERE id = $1::int AND ("lastUsedAt" IS NULL OR "lastUsedAt" < $3::timestamptz AT TIME ZONE 'UTC')`,
);

/** One audit entry of a change made through a token, named in its details. */
export const tokenAudit = statement<
  [communityId: number, actorId: number, action: string, target: string, details: string, at: Date],
  never
>(
  "cairn_token_audit",
  `INSERT INTO audit_log ("communityId", "actorId", action, target, details, at)
   VALUES ($1::int, $2::int, $3::text, $4::text, $5::jsonb, $6::timestamptz AT TIME ZONE 'UTC')`,
);
