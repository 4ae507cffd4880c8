import { GENESIS_HASH, hashEntry, type ChainCheck, type HashedLedgerEntry } from "./ledger.ts";

/** Entries one chain range holds: small enough to check several side by side, large enough that a range is cheap to start. */
export const CHAIN_RANGE_ENTRIES = 250_000;

/** A community with more ledger entries than this is verified by a background job, not while the moderator waits. */
export const BACKGROUND_VERIFY_ENTRIES = 100_000;

/** The entries seq `first` … `last` of one community's chain. */
export interface ChainRange {
  readonly first: number;
  readonly last: number;
}

export type ChainProblem = Extract<ChainCheck, { ok: false }>["reason"];

/** What checking one range found, on its own: a range links to the entry before it (its anchor). */
export interface RangeVerdict {
  readonly range: ChainRange;
  /** The hash the range's first entry had to link to, as the range's check read it; null when that entry is missing. */
  readonly anchorHash: string | null;
  /** Entries found with a seq in the range. */
  readonly entries: number;
  /** The hash of the range's last entry found; null when it has none. */
  readonly lastHash: string | null;
  /** The range's first missing, relinked or altered entry; null when there is none. */
  readonly problem: { readonly at: number; readonly reason: ChainProblem } | null;
}

/**
 * Seq 1 … `headSeq` cut into consecutive ranges of at most `size` entries, in
 * order; none for an empty ledger.
 */
export function chainRanges(headSeq: number, size = CHAIN_RANGE_ENTRIES): ChainRange[] {
  const step = Math.max(1, Math.trunc(size));
  const ranges: ChainRange[] = [];
  for (let first = 1; first <= headSeq; first += step) {
    ranges.push({ first, last: Math.min(headSeq, first + step - 1) });
  }
  return ranges;
}

/**
 * Checks one range from its anchor (the hash of entry `range.first − 1`, the
 * genesis hash for the first range): `entries` are the stored entries with a seq
 * in the range, in seq order. The same checks as ChainChecker, from the range's
 * first seq on.
 */
export function checkChainRange(
  range: ChainRange,
  anchorHash: string | null,
  entries: readonly HashedLedgerEntry[],
): RangeVerdict {
  let expected = range.first;
  let head = anchorHash;
  let problem: RangeVerdict["problem"] = null;
  for (const entry of entries) {
    const reason =
      entry.seq !== expected
        ? "SEQ_GAP"
        : entry.prevHash !== head
          ? "PREV_HASH_MISMATCH"
          : entry.hash !== hashEntry(entry.prevHash, entry)
            ? "HASH_MISMATCH"
            : null;
    if (reason !== null) {
      problem = { at: expected, reason };
      break;
    }
    head = entry.hash;
    expected += 1;
  }
  return { range, anchorHash, entries: entries.length, lastHash: entries.at(-1)?.hash ?? null, problem };
}

/**
 * The whole chain's check from its ranges' verdicts, given in range order. The
 * first broken entry wins. A range that ends short ends the chain there, so an
 * entry in a later range means the ones between are missing (SEQ_GAP); a range
 * whose anchor is not the previous range's last hash (read at another moment)
 * is relinked at its first entry. Equal to checking the whole chain at once.
 */
export function joinRangeVerdicts(verdicts: readonly RangeVerdict[]): ChainCheck {
  let count = 0;
  let headHash = GENESIS_HASH;
  let ended = false;
  for (const verdict of verdicts) {
    if (ended) {
      if (verdict.entries > 0) return broken(count + 1, "SEQ_GAP");
      continue;
    }
    if (verdict.problem !== null) return broken(verdict.problem.at, verdict.problem.reason);
    if (verdict.entries > 0 && verdict.anchorHash !== headHash)
      return broken(count + 1, "PREV_HASH_MISMATCH");
    count += verdict.entries;
    headHash = verdict.lastHash ?? headHash;
    ended = verdict.entries < verdict.range.last - verdict.range.first + 1;
  }
  return { ok: true, count, headHash, headSeq: count };
}

function broken(at: number, reason: ChainProblem): ChainCheck {
  return { ok: false, count: at - 1, brokenAtSeq: at, reason };
}

/** Whether a ledger of `entries` entries is verified in the background. */
export function verifiesInBackground(entries: number, threshold = BACKGROUND_VERIFY_ENTRIES): boolean {
  return entries > threshold;
}

/**
 * How far a verification is, in whole percent: the chain ranges and the balance
 * recomputation count alike (they take about as long as one another). 100 only
 * when everything is done.
 */
export function verifyProgress(rangesDone: number, ranges: number, balancesDone: boolean): number {
  const parts = ranges + 1;
  const done = Math.min(rangesDone, ranges) + (balancesDone ? 1 : 0);
  return done >= parts ? 100 : Math.min(99, Math.floor((100 * done) / parts));
}
