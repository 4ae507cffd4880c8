-- Members' roles are no longer stored: each request's platform reports them
-- (roles per platform, security item 3), so the column nobody reads goes. The
-- vote path's context function selected it: recreated without it first (a
-- function's result type cannot be changed in place).
DROP FUNCTION cairn_vote_context(integer, integer, integer);

CREATE FUNCTION cairn_vote_context(p_community integer, p_number integer, p_voter integer)
RETURNS TABLE (
  id integer, status text, "closesAt" timestamptz, "submitterId" integer, config jsonb,
  "voterFound" boolean, banned boolean, "joinedAt" timestamptz, credited integer[],
  "previousChoice" text, "previousImpact" integer, approvals integer, rejections integer
)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
  locked integer;
BEGIN
  SELECT c.id INTO locked FROM contribution c
  WHERE c."communityId" = p_community AND c.number = p_number FOR UPDATE;
  IF locked IS NULL THEN
    RETURN;
  END IF;
  RETURN QUERY
  SELECT c.id, c.status::text, c."closesAt" AT TIME ZONE 'UTC', c."submitterId", cm.config,
         v.id IS NOT NULL, v.banned, v."joinedAt" AT TIME ZONE 'UTC',
         ARRAY(SELECT cr."memberId" FROM credit cr WHERE cr."contributionId" = c.id),
         pv.choice::text, pv.impact, t.approvals, t.rejections
  FROM contribution c
  JOIN community cm ON cm.id = c."communityId"
  CROSS JOIN LATERAL (
    SELECT (count(*) FILTER (WHERE x.choice = 'APPROVE'))::integer AS approvals,
           (count(*) FILTER (WHERE x.choice = 'REJECT'))::integer AS rejections
    FROM vote x WHERE x."contributionId" = c.id
  ) t
  LEFT JOIN member v ON v.id = p_voter AND v."communityId" = c."communityId"
  LEFT JOIN vote pv ON pv."contributionId" = c.id AND pv."voterId" = p_voter
  WHERE c.id = locked;
END
$$;

-- AlterTable
ALTER TABLE "member" DROP COLUMN "roles";

-- Attempts of members that no longer exist cannot be kept under the new key.
DELETE FROM "link_attempt" WHERE "memberId" NOT IN (SELECT "id" FROM "member");

-- AddForeignKey
ALTER TABLE "link_attempt" ADD CONSTRAINT "link_attempt_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "member"("id") ON DELETE CASCADE ON UPDATE CASCADE;
