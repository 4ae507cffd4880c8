import type pg from "pg";
import { readCommunityConfig } from "../core/config.ts";
import { decideByVotes, type Tally } from "../core/decision.ts";
import { voterEligibility } from "../core/eligibility.ts";
import { ok, refuse, type Result } from "../core/result.ts";
import type { Actor } from "./deps.ts";
import type { VoteChoice, VoteInput, VoteRecorded, VoteRefusal } from "./votes.ts";

/**
 * The common vote — one that does not decide the contribution — as three prepared
 * statements in one transaction on the pg pool Prisma also uses: the row lock, a
 * read of everything the rules need, then the vote and its tally update together.
 * Prisma's per-statement overhead made the vote path a fraction of what the
 * database can do; this path is what the benchmark measures. A vote that decides
 * returns null and is redone by the full path, which re-reads under the same lock.
 */
export async function castUndecidingVote(
  pool: pg.Pool,
  actor: Actor,
  input: VoteInput,
  now: Date,
): Promise<Result<VoteRecorded, VoteRefusal> | null> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const outcome = await voteInTransaction(client, actor, input, now);
    await client.query(outcome !== null && outcome.ok ? "COMMIT" : "ROLLBACK");
    return outcome;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

interface VoteContext {
  id: number;
  status: string;
  closesAt: Date;
  submitterId: number;
  config: unknown;
  banned: boolean;
  joinedAt: Date;
  roles: string[];
  credited: number[];
  previousChoice: VoteChoice | null;
  previousImpact: number | null;
  approvals: number;
  rejections: number;
}

// Timestamps are stored as UTC without a zone (Prisma's mapping); read and write them as UTC explicitly.
const READ_VOTE_CONTEXT = `
  SELECT c.id, c.status::text AS status, c."closesAt" AT TIME ZONE 'UTC' AS "closesAt", c."submitterId",
         cm.config, v.banned, v."joinedAt" AT TIME ZONE 'UTC' AS "joinedAt", v.roles,
         ARRAY(SELECT cr."memberId" FROM credit cr WHERE cr."contributionId" = c.id) AS credited,
         pv.choice::text AS "previousChoice", pv.impact AS "previousImpact",
         (SELECT count(*) FROM vote x WHERE x."contributionId" = c.id AND x.choice = 'APPROVE')::int AS approvals,
         (SELECT count(*) FROM vote x WHERE x."contributionId" = c.id AND x.choice = 'REJECT')::int AS rejections
  FROM contribution c
  JOIN community cm ON cm.id = c."communityId"
  JOIN member v ON v.id = $2 AND v."communityId" = c."communityId"
  LEFT JOIN vote pv ON pv."contributionId" = c.id AND pv."voterId" = $2
  WHERE c.id = $1`;

// Locked in a statement of its own: under READ COMMITTED the context read that
// follows then sees every vote committed by whoever held the lock before.
const LOCK_CONTRIBUTION = `SELECT id FROM contribution WHERE "communityId" = $1 AND number = $2 FOR UPDATE`;

const WRITE_VOTE = `
  WITH cast_vote AS (
    INSERT INTO vote ("contributionId", "voterId", choice, impact, "createdAt", "updatedAt")
    VALUES ($1, $2, $3::"VoteChoice", $4::int, $5::timestamptz AT TIME ZONE 'UTC', $5::timestamptz AT TIME ZONE 'UTC')
    ON CONFLICT ("contributionId", "voterId")
    DO UPDATE SET choice = EXCLUDED.choice, impact = EXCLUDED.impact, "updatedAt" = EXCLUDED."updatedAt"
  )
  INSERT INTO outbox_message ("communityId", kind, topic, payload, "createdAt")
  VALUES ($6, 'TALLY', $7, $8::jsonb, $5::timestamptz AT TIME ZONE 'UTC')`;

const MAX_NUMBER = 2 ** 31 - 1;

async function voteInTransaction(
  client: pg.PoolClient,
  actor: Actor,
  input: VoteInput,
  now: Date,
): Promise<Result<VoteRecorded, VoteRefusal> | null> {
  if (!Number.isInteger(input.number) || input.number < 1 || input.number > MAX_NUMBER) return null;
  const locked = await client.query<{ id: number }>({
    name: "cairn-vote-lock",
    text: LOCK_CONTRIBUTION,
    values: [actor.communityId, input.number],
  });
  const contributionId = locked.rows[0]?.id;
  if (contributionId === undefined) return refuse("UNKNOWN_CONTRIBUTION", { number: input.number });
  const read = await client.query<VoteContext>({
    name: "cairn-vote-context",
    text: READ_VOTE_CONTEXT,
    values: [contributionId, actor.memberId],
  });
  const row = read.rows[0];
  if (row === undefined) return null;
  if (row.status !== "PENDING" || row.closesAt.getTime() <= now.getTime()) {
    return refuse("VOTE_CLOSED", { number: input.number, status: row.status });
  }
  const config = readCommunityConfig(row.config);
  const eligible = voterEligibility({
    voter: { memberId: actor.memberId, banned: row.banned, joinedAt: row.joinedAt, roles: row.roles },
    submitterId: row.submitterId,
    creditedMemberIds: row.credited,
    now,
    config,
  });
  if (!eligible.ok) return eligible;
  const tally = tallyAfter(row, input.choice);
  if (decideByVotes(tally, config) !== null) return null;
  const at = now.toISOString();
  await client.query({
    name: "cairn-vote-write",
    text: WRITE_VOTE,
    values: [
      row.id,
      actor.memberId,
      input.choice,
      input.impact ?? null,
      at,
      actor.communityId,
      `card:${row.id}`,
      JSON.stringify({ kind: "TALLY", contributionId: row.id }),
    ],
  });
  const previous =
    row.previousChoice === null ? null : { choice: row.previousChoice, impact: row.previousImpact };
  return ok({ number: input.number, tally, previous, decision: null, blind: config.blindVoting });
}

/** The tally once this voter's vote replaces their previous one (the row lock keeps it exact). */
function tallyAfter(row: VoteContext, choice: VoteChoice): Tally {
  const approvals =
    row.approvals - (row.previousChoice === "APPROVE" ? 1 : 0) + (choice === "APPROVE" ? 1 : 0);
  const rejections =
    row.rejections - (row.previousChoice === "REJECT" ? 1 : 0) + (choice === "REJECT" ? 1 : 0);
  return { approvals, rejections };
}
