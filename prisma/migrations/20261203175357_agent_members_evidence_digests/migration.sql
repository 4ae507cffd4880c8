-- CreateEnum
CREATE TYPE "MemberKind" AS ENUM ('PERSON', 'AGENT');

-- AlterTable
ALTER TABLE "contribution" ADD COLUMN     "digests" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "tokenId" INTEGER;

-- AlterTable
ALTER TABLE "ledger_entry" ADD COLUMN     "tokenId" INTEGER;

-- AlterTable
ALTER TABLE "member" ADD COLUMN     "kind" "MemberKind" NOT NULL DEFAULT 'PERSON',
ADD COLUMN     "ownerId" INTEGER;

-- AlterTable
ALTER TABLE "vote" ADD COLUMN     "tokenId" INTEGER;

-- CreateIndex
CREATE INDEX "member_communityId_kind_idx" ON "member"("communityId", "kind");

-- The vote path's functions (see vote_path_functions) learn about agents: the
-- context brings the voter's kind and owner, the owners of the agents on the
-- work, and the agents' share of the counts (the core decides on people's
-- votes only); the write records the token a vote came through. Recreated:
-- a function's result type and arguments cannot be changed in place.
DROP FUNCTION cairn_vote_context(integer, integer, integer);

CREATE FUNCTION cairn_vote_context(p_community integer, p_number integer, p_voter integer)
RETURNS TABLE (
  id integer, status text, "closesAt" timestamptz, "submitterId" integer, config jsonb,
  "voterFound" boolean, banned boolean, "joinedAt" timestamptz, credited integer[],
  "previousChoice" text, "previousImpact" integer, approvals integer, rejections integer,
  "voterKind" text, "voterOwner" integer, "ownedMembers" integer[], "memberOwners" integer[],
  "agentApprovals" integer, "agentRejections" integer
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
         pv.choice::text, pv.impact, t.approvals, t.rejections,
         v.kind::text, v."ownerId", o.members, o.owners, t.agent_approvals, t.agent_rejections
  FROM contribution c
  JOIN community cm ON cm.id = c."communityId"
  CROSS JOIN LATERAL (
    SELECT (count(*) FILTER (WHERE x.choice = 'APPROVE'))::integer AS approvals,
           (count(*) FILTER (WHERE x.choice = 'REJECT'))::integer AS rejections,
           (count(*) FILTER (WHERE x.choice = 'APPROVE' AND xm.kind = 'AGENT'))::integer AS agent_approvals,
           (count(*) FILTER (WHERE x.choice = 'REJECT' AND xm.kind = 'AGENT'))::integer AS agent_rejections
    FROM vote x JOIN member xm ON xm.id = x."voterId" WHERE x."contributionId" = c.id
  ) t
  CROSS JOIN LATERAL (
    -- By primary key: the submitter and the credited members only.
    SELECT coalesce(array_agg(w.id ORDER BY w.id), '{}') AS members,
           coalesce(array_agg(w."ownerId" ORDER BY w.id), '{}') AS owners
    FROM member w
    WHERE w.id = ANY(c."submitterId" || ARRAY(SELECT cr."memberId" FROM credit cr WHERE cr."contributionId" = c.id))
      AND w."ownerId" IS NOT NULL
  ) o
  LEFT JOIN member v ON v.id = p_voter AND v."communityId" = c."communityId"
  LEFT JOIN vote pv ON pv."contributionId" = c.id AND pv."voterId" = p_voter
  WHERE c.id = locked;
END
$$;

DROP FUNCTION cairn_record_vote(integer, integer, integer, text, integer, timestamptz);

CREATE FUNCTION cairn_record_vote(
  p_community integer, p_contribution integer, p_voter integer, p_choice text, p_impact integer,
  p_at timestamptz, p_token integer
) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  at_utc timestamp := p_at AT TIME ZONE 'UTC';
BEGIN
  INSERT INTO vote ("contributionId", "voterId", choice, impact, "createdAt", "updatedAt", "tokenId")
  VALUES (p_contribution, p_voter, p_choice::"VoteChoice", p_impact, at_utc, at_utc, p_token)
  ON CONFLICT ("contributionId", "voterId")
  DO UPDATE SET choice = EXCLUDED.choice, impact = EXCLUDED.impact, "updatedAt" = EXCLUDED."updatedAt",
                "tokenId" = EXCLUDED."tokenId";
  INSERT INTO outbox_message ("communityId", kind, topic, payload, "createdAt")
  VALUES (p_community, 'TALLY', 'card:' || p_contribution,
          jsonb_build_object('kind', 'TALLY', 'contributionId', p_contribution), at_utc);
END
$$;
