import type { Tx } from "../db/client.ts";
import { activeWeight } from "../core/activeScore.ts";
import { readCommunityConfig } from "../core/config.ts";
import {
  GENESIS_HASH,
  hashEntry,
  type HashedLedgerEntry,
  type LedgerEntryFacts,
  type LedgerKind,
} from "../core/ledger.ts";
import { periodKeys } from "../core/periods.ts";

export type { LedgerKind };

/** An entry to append; sequence, time and hashes are assigned by the ledger. */
export interface NewLedgerEntry {
  readonly kind: LedgerKind;
  readonly memberId: number;
  readonly points: number;
  readonly contributionId: number | null;
  readonly actorId: number | null;
  readonly reason: string;
  /** +1 for an award (one more verified contribution), −1 for its clawback. */
  readonly verifiedDelta?: number;
  /** The API token whose request wrote it; kept beside the entry, outside its hash. */
  readonly tokenId?: number | null;
}

interface BalanceDelta {
  points: number;
  verified: number;
  active: number;
}

/**
 * Appends entries to the community's hash chain and updates balances and period
 * buckets in the same transaction. Serialises on the community's ledger head, so
 * sequence numbers never gap or repeat. MERGE entries move only totals: the merge
 * itself moves buckets and the active accumulator (see linkIdentities).
 */
export async function appendLedgerEntries(
  tx: Tx,
  communityId: number,
  entries: readonly NewLedgerEntry[],
  at: Date,
): Promise<HashedLedgerEntry[]> {
  if (entries.length === 0) return [];
  const head = await lockLedgerHead(tx, communityId);
  const hashed: HashedLedgerEntry[] = [];
  const rows: Array<HashedLedgerEntry & { tokenId: number | null }> = [];
  let prevHash = head.hash;
  let seq = head.seq;
  for (const entry of entries) {
    seq += 1;
    const facts: LedgerEntryFacts = {
      communityId,
      seq,
      kind: entry.kind,
      memberId: entry.memberId,
      points: entry.points,
      contributionId: entry.contributionId,
      actorId: entry.actorId,
      reason: entry.reason,
      createdAt: at,
    };
    const hash = hashEntry(prevHash, facts);
    hashed.push({ ...facts, prevHash, hash });
    rows.push({ ...facts, prevHash, hash, tokenId: entry.tokenId ?? null });
    prevHash = hash;
  }
  await tx.ledgerEntry.createMany({ data: rows });
  await tx.ledgerHead.update({ where: { communityId }, data: { seq, hash: prevHash } });
  await applyToBalances(tx, communityId, entries, at);
  return hashed;
}

/** Locks the community's ledger head (creating it if missing) and returns it. */
export async function lockLedgerHead(tx: Tx, communityId: number): Promise<{ seq: number; hash: string }> {
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
  const weight = activeWeight(at, community.activeEpoch, halfLife);
  const deltas = new Map<number, BalanceDelta>();
  for (const entry of entries) {
    const delta = deltas.get(entry.memberId) ?? { points: 0, verified: 0, active: 0 };
    delta.points += entry.points;
    if (entry.kind !== "MERGE") {
      delta.verified += entry.verifiedDelta ?? 0;
      delta.active += entry.points * weight;
    }
    deltas.set(entry.memberId, delta);
  }
  const memberIds = [...deltas.keys()].sort((a, b) => a - b);
  const points = memberIds.map((id) => deltas.get(id)?.points ?? 0);
  const verified = memberIds.map((id) => deltas.get(id)?.verified ?? 0);
  const active = memberIds.map((id) => deltas.get(id)?.active ?? 0);
  await tx.$executeRaw`
    INSERT INTO balance ("memberId", "communityId", total, verified, "activeAcc")
    SELECT m, ${communityId}, p, v, a
    FROM unnest(${memberIds}::int[], ${points}::int[], ${verified}::int[], ${active}::float8[]) AS d(m, p, v, a)
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
  const keys = periodKeys(at);
  const buckets = new Map<string, { memberId: number; period: string; points: number; verified: number }>();
  for (const entry of entries) {
    if (entry.kind === "MERGE") continue;
    for (const period of [keys.day, keys.week, keys.month]) {
      const key = `${entry.memberId}|${period}`;
      const bucket = buckets.get(key) ?? { memberId: entry.memberId, period, points: 0, verified: 0 };
      bucket.points += entry.points;
      bucket.verified += entry.verifiedDelta ?? 0;
      buckets.set(key, bucket);
    }
  }
  if (buckets.size === 0) return;
  const rows = [...buckets.values()].sort(
    (a, b) => a.memberId - b.memberId || a.period.localeCompare(b.period),
  );
  await tx.$executeRaw`
    INSERT INTO period_balance ("memberId", "communityId", period, points, verified)
    SELECT m, ${communityId}, p, pts, v
    FROM unnest(${rows.map((r) => r.memberId)}::int[], ${rows.map((r) => r.period)}::text[],
                ${rows.map((r) => r.points)}::int[], ${rows.map((r) => r.verified)}::int[]) AS d(m, p, pts, v)
    ON CONFLICT ("memberId", period) DO UPDATE SET
      points = period_balance.points + EXCLUDED.points,
      verified = period_balance.verified + EXCLUDED.verified`;
}
