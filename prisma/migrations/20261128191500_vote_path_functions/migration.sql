-- The vote path's two server-side steps (src/app/votePath.ts), so a vote that
-- does not decide its contribution costs two round trips with cached plans:
--   1. "BEGIN; SELECT * FROM cairn_vote_context(...)" locks the contribution
--      row, then reads (in a new statement, so under READ COMMITTED it sees
--      every vote committed by whoever held the lock before) what the rules need;
--   2. "SELECT cairn_record_vote(...); COMMIT" writes the vote and its tally
--      row for the outbox.
-- No rule lives here: the core decides eligibility and outcome from step 1.
-- Not part of schema.prisma: Prisma models no functions; the drift check ignores them.
CREATE FUNCTION cairn_vote_context(p_community integer, p_number integer, p_voter integer)
RETURNS TABLE (
  id integer, status text, "closesAt" timestamptz, "submitterId" integer, config jsonb,
  "voterFound" boolean, banned boolean, "joinedAt" timestamptz, roles text[], credited integer[],
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
         v.id IS NOT NULL, v.banned, v."joinedAt" AT TIME ZONE 'UTC', v.roles,
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

CREATE FUNCTION cairn_record_vote(
  p_community integer, p_contribution integer, p_voter integer, p_choice text, p_impact integer, p_at timestamptz
) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  at_utc timestamp := p_at AT TIME ZONE 'UTC';
BEGIN
  INSERT INTO vote ("contributionId", "voterId", choice, impact, "createdAt", "updatedAt")
  VALUES (p_contribution, p_voter, p_choice::"VoteChoice", p_impact, at_utc, at_utc)
  ON CONFLICT ("contributionId", "voterId")
  DO UPDATE SET choice = EXCLUDED.choice, impact = EXCLUDED.impact, "updatedAt" = EXCLUDED."updatedAt";
  INSERT INTO outbox_message ("communityId", kind, topic, payload, "createdAt")
  VALUES (p_community, 'TALLY', 'card:' || p_contribution,
          jsonb_build_object('kind', 'TALLY', 'contributionId', p_contribution), at_utc);
END
$$;
