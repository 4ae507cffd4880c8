// logContribution's statements (src/app/contributions.ts): reads under the submitter's
// row lock (three statements: each one's snapshot follows the lock the one before took),
// then the contribution with its credits, evidence, first status and vote card in one
// statement. No rule lives here; the use case decides between them.
import { statement } from "../sql.ts";
import { OUTBOX_CHANNEL } from "./outbox.ts";

/**
 * Locks the submitter's member row and reads what the rules need of them, their
 * community and the active category of `slug` (null when it has none).
 */
export const lockSubmitter = statement<
  [memberId: number, slug: string],
  { banned: boolean; config: unknown; kind: "PERSON" | "AGENT"; categoryId: number | null }
>(
  "cairn_log_lock_submitter",
  `SELECT m.banned, c.config, m.kind::text AS kind, cat.id AS "categoryId"
   FROM member m JOIN community c ON c.id = m."communityId"
   LEFT JOIN category cat ON cat."communityId" = m."communityId" AND cat.slug = $2::text AND cat.active
   WHERE m.id = $1::int FOR UPDATE OF m`,
);

export const activeCategorySlugs = statement<[communityId: number], { slug: string }>(
  "cairn_log_category_slugs",
  `SELECT slug FROM category WHERE "communityId" = $1::int AND active ORDER BY id`,
);

/**
 * Under the submitter's lock (a statement after it, so its snapshot sees what they
 * logged before): how many contributions they logged after `since`, then the
 * transaction's advisory lock of each evidence link in the order given (the caller
 * sorts them, as every path that takes these locks does, so none deadlock).
 */
export const submittedSinceLockingLinks = statement<
  [memberId: number, since: string, communityId: number, sortedUrls: string[]],
  { count: number }
>(
  "cairn_log_submitted_since",
  `SELECT (SELECT count(*)::int FROM contribution
           WHERE "submitterId" = $1::int AND "createdAt" > ($2::timestamptz AT TIME ZONE 'UTC')) AS count,
          (SELECT count(pg_advisory_xact_lock($3::int, hashtext(u.url)))
           FROM (SELECT url FROM unnest($4::text[]) WITH ORDINALITY AS l(url, i) ORDER BY i OFFSET 0) u) AS locked`,
);

/**
 * The number of the earliest live contribution already using one of the links or
 * digests, and which. The links are found by their own index, then each one's
 * contribution by its key (OFFSET 0 and LATERAL keep the prepared statement's
 * generic plan from walking every link or contribution of the community in order).
 */
export const earlierEvidence = statement<
  [communityId: number, urls: string[]],
  { number: number; value: string }
>(
  "cairn_log_earlier_evidence",
  `SELECT c.number, e.value FROM (
     SELECT "contributionId", "normalizedUrl" AS value FROM evidence_link
     WHERE "communityId" = $1::int AND "normalizedUrl" = ANY($2::text[]) OFFSET 0
   ) e CROSS JOIN LATERAL (
     SELECT number FROM contribution
     WHERE id = e."contributionId" AND status NOT IN ('REJECTED', 'WITHDRAWN') LIMIT 1
   ) c
   ORDER BY e."contributionId" LIMIT 1`,
);

/**
 * The community's contribution numbers: its sequence, which a trigger creates with
 * the community (migration 20261208014000). nextval takes no lock and a rollback
 * does not give the number back, so a number is taken only once every rule has let
 * the contribution through.
 */
/** The number sequence of the community that a statement's first parameter names. */
export const NUMBER_SEQUENCE = `('contribution_number_' || $1::int)::regclass`;
const NEXT_NUMBER = `nextval(${NUMBER_SEQUENCE})::int`;

/** Takes the community's next contribution number, for an insert that is not insertContribution. */
export const takeContributionNumber = statement<[communityId: number], { number: number }>(
  "cairn_log_take_number",
  `SELECT ${NEXT_NUMBER} AS number`,
);

export interface InsertedContribution {
  readonly id: number;
  readonly number: number;
}

/**
 * Writes the contribution under the community's next number, its credits, its
 * evidence links, its first status, its vote card row and, when given, the audit
 * entry that records it (an API change; its target is the prefix and the number).
 */
export const insertContribution = statement<
  [
    communityId: number,
    submitterId: number,
    categoryId: number,
    title: string,
    description: string,
    links: string[],
    createdAt: string,
    closesAt: string,
    creditMembers: number[],
    creditShares: number[],
    normalizedUrls: string[],
    digests: string[],
    tokenId: number | null,
    auditAction: string | null,
    auditTargetPrefix: string | null,
    auditDetails: string | null,
  ],
  InsertedContribution
>(
  "cairn_log_insert_contribution",
  `WITH c AS (
     INSERT INTO contribution ("communityId", number, "submitterId", "categoryId", title, description, links, "createdAt", "closesAt", digests, "tokenId")
     VALUES ($1::int, ${NEXT_NUMBER}, $2::int, $3::int, $4::text, $5::text, $6::text[],
            $7::timestamptz AT TIME ZONE 'UTC', $8::timestamptz AT TIME ZONE 'UTC', $12::text[], $13::int)
     RETURNING id, number
   ), credits AS (
     INSERT INTO credit ("contributionId", "memberId", "shareBp")
     SELECT c.id, s.member, s.share FROM c, unnest($9::int[], $10::int[]) AS s(member, share)
   ), evidence AS (
     INSERT INTO evidence_link ("communityId", "contributionId", "normalizedUrl")
     SELECT $1::int, c.id, u FROM c, unnest($11::text[]) AS u
   ), history AS (
     INSERT INTO status_change ("contributionId", "fromStatus", "toStatus", "actorId", reason, at)
     SELECT c.id, NULL, 'PENDING', $2::int, '', $7::timestamptz AT TIME ZONE 'UTC' FROM c
   ), card AS (
     INSERT INTO outbox_message ("communityId", kind, topic, payload, "createdAt")
     SELECT $1::int, 'VOTE_CARD', 'card:' || c.id, jsonb_build_object('kind', 'VOTE_CARD', 'contributionId', c.id),
            $7::timestamptz AT TIME ZONE 'UTC' FROM c
   ), audit AS (
     INSERT INTO audit_log ("communityId", "actorId", action, target, details, at)
     SELECT $1::int, $2::int, $14::text, $15::text || c.number, $16::jsonb, $7::timestamptz AT TIME ZONE 'UTC'
     FROM c WHERE $14::text IS NOT NULL
   )
   SELECT id, number FROM c`,
  { wakes: OUTBOX_CHANNEL },
);
