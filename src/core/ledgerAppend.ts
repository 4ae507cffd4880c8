import { hashEntry, type HashedLedgerEntry, type LedgerKind } from "./ledger.ts";
import { periodKeys } from "./periods.ts";

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

/** Where a community's chain ends: the last sequence number and its hash. */
export interface LedgerHead {
  readonly seq: number;
  readonly hash: string;
}

/** A chained entry with the token it was written through (stored beside it, not hashed). */
export interface ChainedEntry extends HashedLedgerEntry {
  readonly tokenId: number | null;
}

/**
 * Links entries onto the chain after `head`: each gets the next sequence number,
 * the time `at`, the previous entry's hash and its own hash over the canonical
 * JSON (core/ledger hashEntry). Returns the entries and the new head.
 */
export function chainEntries(
  head: LedgerHead,
  communityId: number,
  entries: readonly NewLedgerEntry[],
  at: Date,
): { entries: ChainedEntry[]; head: LedgerHead } {
  const chained: ChainedEntry[] = [];
  let prevHash = head.hash;
  let seq = head.seq;
  for (const entry of entries) {
    seq += 1;
    const facts = {
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
    chained.push({ ...facts, prevHash, hash, tokenId: entry.tokenId ?? null });
    prevHash = hash;
  }
  return { entries: chained, head: { seq, hash: prevHash } };
}

/** What appending moves on one member's balance. */
export interface BalanceDelta {
  readonly memberId: number;
  readonly points: number;
  readonly verified: number;
  /** Added to the active accumulator: points × the weight of the time they were written. */
  readonly active: number;
}

/**
 * The balance change of each member the entries touch, in member order (the
 * order rows are locked in, so concurrent appends never deadlock). MERGE
 * entries move only totals: the merge itself moves the active accumulator.
 */
export function balanceDeltas(entries: readonly NewLedgerEntry[], activeWeight: number): BalanceDelta[] {
  const deltas = new Map<number, { memberId: number; points: number; verified: number; active: number }>();
  for (const entry of entries) {
    const delta = deltas.get(entry.memberId) ?? {
      memberId: entry.memberId,
      points: 0,
      verified: 0,
      active: 0,
    };
    delta.points += entry.points;
    if (entry.kind !== "MERGE") {
      delta.verified += entry.verifiedDelta ?? 0;
      delta.active += entry.points * activeWeight;
    }
    deltas.set(entry.memberId, delta);
  }
  return [...deltas.values()].sort((a, b) => a.memberId - b.memberId);
}

/** What appending moves in one member's day, week or month bucket. */
export interface BucketDelta {
  readonly memberId: number;
  readonly period: string;
  readonly points: number;
  readonly verified: number;
}

/**
 * The period-bucket changes (day, week and month of `at`) of the entries, in
 * (member, period) order; MERGE entries move no bucket.
 */
export function bucketDeltas(entries: readonly NewLedgerEntry[], at: Date): BucketDelta[] {
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
  return [...buckets.values()].sort((a, b) => a.memberId - b.memberId || a.period.localeCompare(b.period));
}
