import type pg from "pg";
import { MAX_CONTRIBUTION_NUMBER } from "../core/commandLine.ts";
import { readCommunityConfig } from "../core/config.ts";
import { decideByVotes, type Tally } from "../core/decision.ts";
import { voterEligibility } from "../core/eligibility.ts";
import { ok, refuse, type Result } from "../core/result.ts";
import type { Actor } from "./deps.ts";
import type { VoteChoice, VoteInput, VoteRecorded, VoteRefusal } from "./votes.ts";

/**
 * The common vote — one that does not decide the contribution — in three round
 * trips on the pg pool Prisma also uses: open the transaction with the row lock,
 * read everything the rules need (a prepared statement), write the vote and its
 * tally update and commit.
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
  if (!Number.isInteger(input.number) || input.number < 1 || input.number > MAX_CONTRIBUTION_NUMBER)
    return null;
  const client = await pool.connect();
  try {
    const outcome = await voteInTransaction(client, actor, input, now);
    // A written vote committed with its write; anything else leaves nothing behind.
    if (outcome === null || !outcome.ok) await client.query("ROLLBACK");
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
//
// Round trips are what this path costs, so the transaction opens with the lock
// and commits with the write, each as one simple-protocol message. Only integers
// and values this code makes (an enum, an ISO time) are spliced into them.
function beginAndLock(communityId: number, number: number): string {
  return `BEGIN; SELECT id FROM contribution WHERE "communityId" = ${sqlInteger(communityId)} AND number = ${sqlInteger(number)} FOR UPDATE`;
}

function writeAndCommit(values: {
  contributionId: number;
  voterId: number;
  choice: VoteChoice;
  impact: number | null;
  at: string;
  communityId: number;
}): string {
  const at = `'${sqlInstant(values.at)}'::timestamptz AT TIME ZONE 'UTC'`;
  const choice = values.choice === "APPROVE" ? "'APPROVE'" : "'REJECT'";
  const impact = values.impact === null ? "NULL" : sqlInteger(values.impact);
  const id = sqlInteger(values.contributionId);
  const payload = JSON.stringify({ kind: "TALLY", contributionId: values.contributionId });
  return `WITH cast_vote AS (
      INSERT INTO vote ("contributionId", "voterId", choice, impact, "createdAt", "updatedAt")
      VALUES (${id}, ${sqlInteger(values.voterId)}, ${choice}::"VoteChoice", ${impact}, ${at}, ${at})
      ON CONFLICT ("contributionId", "voterId")
      DO UPDATE SET choice = EXCLUDED.choice, impact = EXCLUDED.impact, "updatedAt" = EXCLUDED."updatedAt"
    )
    INSERT INTO outbox_message ("communityId", kind, topic, payload, "createdAt")
    VALUES (${sqlInteger(values.communityId)}, 'TALLY', 'card:${id}', '${payload}'::jsonb, ${at});
    COMMIT`;
}

function sqlInteger(n: number): string {
  if (!Number.isSafeInteger(n)) throw new Error(`not an integer: ${n}`);
  return String(n);
}

function sqlInstant(iso: string): string {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(iso)) throw new Error(`not an ISO instant: ${iso}`);
  return iso;
}

async function voteInTransaction(
  client: pg.PoolClient,
  actor: Actor,
  input: VoteInput,
  now: Date,
): Promise<Result<VoteRecorded, VoteRefusal> | null> {
  const opened = (await client.query(
    beginAndLock(actor.communityId, input.number),
  )) as unknown as pg.QueryResult[];
  const contributionId = (opened[1]?.rows[0] as { id: number } | undefined)?.id;
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
  await client.query(
    writeAndCommit({
      contributionId: row.id,
      voterId: actor.memberId,
      choice: input.choice,
      impact: input.impact ?? null,
      at: now.toISOString(),
      communityId: actor.communityId,
    }),
  );
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
