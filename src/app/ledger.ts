import type { Tx } from "../db/client.ts";
import { activeWeight } from "../core/activeScore.ts";
import { readCommunityConfig } from "../core/config.ts";
import { GENESIS_HASH, type HashedLedgerEntry, type LedgerKind } from "../core/ledger.ts";
import {
  balanceDeltas,
  bucketDeltas,
  chainEntries,
  type ChainedEntry,
  type LedgerHead,
  type NewLedgerEntry,
} from "../core/ledgerAppend.ts";

export type { LedgerKind, NewLedgerEntry };

/**
 * Appends entries to the community's hash chain and updates balances and period
 * buckets in the same transaction. Serialises on the community's ledger head, so
 * sequence numbers never gap or repeat. MERGE entries move only totals: the merge
 * itself moves buckets and the active accumulator (see linkIdentities). The
 * chain, balance and bucket arithmetic is the core's (core/ledgerAppend), shared
 * with the typed store's deciding path (app/decidingVote).
 */
export async function appendLedgerEntries(
  tx: Tx,
  communityId: number,
  entries: readonly NewLedgerEntry[],
  at: Date,
): Promise<HashedLedgerEntry[]> {
  if (entries.length === 0) return [];
  const head = await lockLedgerHead(tx, communityId);
  const chained = chainEntries(head, communityId, entries, at);
  await insertLedgerEntries(tx, communityId, chained.entries, at);
  await tx.ledgerHead.update({ where: { communityId }, data: chained.head });
  await applyToBalances(tx, communityId, entries, at);
  return chained.entries;
}

/**
 * The chained entries in one statement of arrays, however many there are (a
 * createMany of 20,000 entries comes to 240,000 parameters, which Prisma splits
 * into chunks sent at once on the transaction's connection).
 */
async function insertLedgerEntries(
  tx: Tx,
  communityId: number,
  entries: readonly ChainedEntry[],
  at: Date,
): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO ledger_entry ("communityId", seq, kind, "memberId", points, "contributionId", "actorId", reason,
                              "createdAt", "prevHash", hash, "tokenId")
    SELECT ${communityId}::int, e.seq, e.kind::"LedgerKind", e.member, e.points, e.contribution, e.actor, e.reason,
           ${at.toISOString()}::timestamptz AT TIME ZONE 'UTC', e.prev, e.hash, e.token
    FROM unnest(${entries.map((e) => e.seq)}::int[], ${entries.map((e) => e.kind)}::text[],
                ${entries.map((e) => e.memberId)}::int[], ${entries.map((e) => e.points)}::int[],
                ${entries.map((e) => e.contributionId)}::int[], ${entries.map((e) => e.actorId)}::int[],
                ${entries.map((e) => e.reason)}::text[], ${entries.map((e) => e.prevHash)}::text[],
                ${entries.map((e) => e.hash)}::text[], ${entries.map((e) => e.tokenId)}::int[])
         AS e(seq, kind, member, points, contribution, actor, reason, prev, hash, token)`;
}

/** Locks the community's ledger head (creating it if missing) and returns it. */
export async function lockLedgerHead(tx: Tx, communityId: number): Promise<LedgerHead> {
  const rows = await tx.$queryRaw<Array<{ seq: number; hash: string }>>`
    SELECT seq, hash FROM ledger_head WHERE "communityId" = ${communityId} FOR UPDATE`;
  const row = rows[0];
  if (row !== undefined) return row;
  await tx.$executeRaw`
    INSERT INTO ledger_head ("communityId", seq, hash) VALUES (${communityId}, 0, ${GENESIS_HASH})
    ON CONFLICT DO NOTHING`;
  return lockLedgerHead(tx, communityId);
}

async function applyToBalances(
  tx: Tx,
  communityId: number,
  entries: readonly NewLedgerEntry[],
  at: Date,
): Promise<void> {
  const community = await tx.community.findUniqueOrThrow({
    where: { id: communityId },
    select: { activeEpoch: true, config: true },
  });
  const halfLife = readCommunityConfig(community.config).decayHalfLifeDays;
  const deltas = balanceDeltas(entries, activeWeight(at, community.activeEpoch, halfLife));
  await tx.$executeRaw`
    INSERT INTO balance ("memberId", "communityId", total, verified, "activeAcc")
    SELECT m, ${communityId}, p, v, a
    FROM unnest(${deltas.map((d) => d.memberId)}::int[], ${deltas.map((d) => d.points)}::int[],
                ${deltas.map((d) => d.verified)}::int[], ${deltas.map((d) => d.active)}::float8[]) AS d(m, p, v, a)
    ON CONFLICT ("memberId") DO UPDATE SET
      total = balance.total + EXCLUDED.total,
      verified = balance.verified + EXCLUDED.verified,
      "activeAcc" = balance."activeAcc" + EXCLUDED."activeAcc"`;
  await applyToPeriodBuckets(tx, communityId, entries, at);
}

async function applyToPeriodBuckets(
  tx: Tx,
  communityId: number,
  entries: readonly NewLedgerEntry[],
  at: Date,
): Promise<void> {
  const rows = bucketDeltas(entries, at);
  if (rows.length === 0) return;
  await tx.$executeRaw`
    INSERT INTO period_balance ("memberId", "communityId", period, points, verified)
    SELECT m, ${communityId}, p, pts, v
    FROM unnest(${rows.map((r) => r.memberId)}::int[], ${rows.map((r) => r.period)}::text[],
                ${rows.map((r) => r.points)}::int[], ${rows.map((r) => r.verified)}::int[]) AS d(m, p, pts, v)
    ON CONFLICT ("memberId", period) DO UPDATE SET
      points = period_balance.points + EXCLUDED.points,
      verified = period_balance.verified + EXCLUDED.verified`;
}
