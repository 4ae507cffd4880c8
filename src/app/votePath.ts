import type pg from "pg";
import { MAX_CONTRIBUTION_NUMBER } from "../core/commandLine.ts";
import { readCommunityConfig } from "../core/config.ts";
import { decideByVotes, type Tally } from "../core/decision.ts";
import { voterEligibility } from "../core/eligibility.ts";
import { ok, refuse, type Result } from "../core/result.ts";
import type { Actor } from "./deps.ts";
import type { VoteChoice, VoteInput, VoteRecorded, VoteRefusal } from "./votes.ts";

/**
 * The common vote — one that does not decide the contribution — in two round
 * trips on the pg pool Prisma also uses, through two server-side functions
 * (migration vote_path_functions): open the transaction, lock the row and read
 * everything the rules need; then write the vote and its tally row and commit.
 * The rules themselves run here, in the core. Prisma's per-statement overhead
 * made the vote path a fraction of what the database can do; this path is what
 * the benchmark measures. A vote that decides returns null and is redone by the
 * full path, which re-reads under the same lock.
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
  voterFound: boolean;
  banned: boolean;
  joinedAt: Date;
  credited: number[];
  previousChoice: VoteChoice | null;
  previousImpact: number | null;
  approvals: number;
  rejections: number;
}

// Each step is one simple-protocol message, so the transaction opens with the
// read and commits with the write. Only integers and values this code makes
// (an enum, an ISO time) are spliced into them.
function beginAndReadContext(communityId: number, number: number, voterId: number): string {
  return `BEGIN; SELECT * FROM cairn_vote_context(${sqlInteger(communityId)}, ${sqlInteger(number)}, ${sqlInteger(voterId)})`;
}

function writeAndCommit(values: {
  contributionId: number;
  voterId: number;
  choice: VoteChoice;
  impact: number | null;
  at: string;
  communityId: number;
}): string {
  const choice = values.choice === "APPROVE" ? "'APPROVE'" : "'REJECT'";
  const impact = values.impact === null ? "NULL" : sqlInteger(values.impact);
  return `SELECT cairn_record_vote(${sqlInteger(values.communityId)}, ${sqlInteger(values.contributionId)}, ${sqlInteger(values.voterId)}, ${choice}, ${impact}, '${sqlInstant(values.at)}'::timestamptz); COMMIT`;
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
    beginAndReadContext(actor.communityId, input.number, actor.memberId),
  )) as unknown as pg.QueryResult[];
  const row = opened[1]?.rows[0] as VoteContext | undefined;
  if (row === undefined) return refuse("UNKNOWN_CONTRIBUTION", { number: input.number });
  if (!row.voterFound) return null;
  if (row.status !== "PENDING" || row.closesAt.getTime() <= now.getTime()) {
    return refuse("VOTE_CLOSED", { number: input.number, status: row.status });
  }
  const config = readCommunityConfig(row.config);
  const eligible = voterEligibility({
    voter: { memberId: actor.memberId, banned: row.banned, joinedAt: row.joinedAt, roles: actor.roles ?? [] },
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
