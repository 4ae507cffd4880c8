import type { LedgerKind } from "./ledger.ts";
import type { PointsPart } from "./split.ts";

/** A ledger entry as far as clawing back is concerned. */
export interface ClawbackSource {
  kind: LedgerKind;
  memberId: number;
  points: number;
}

/** One CLAWBACK entry to append: negative points undoing what `of` gave. */
export interface Clawback extends PointsPart {
  of: "AWARD" | "VERIFIER_REWARD";
}

/**
 * What voiding a contribution takes back, given its ledger entries so far: every
 * award, and the verifier rewards of those who approved it (rejecters were right
 * and keep theirs). Clawbacks already made are subtracted (from the member's award
 * first, then reward), so voiding twice takes nothing twice. One row per member per
 * kind, zero rows dropped, in order of first appearance.
 */
export function clawbackFor(
  entries: readonly ClawbackSource[],
  approverIds: ReadonlySet<number>,
): Clawback[] {
  const owed = new Map<string, Clawback>();
  const alreadyClawed = new Map<number, number>();
  for (const entry of entries) {
    if (entry.kind === "CLAWBACK")
      alreadyClawed.set(entry.memberId, (alreadyClawed.get(entry.memberId) ?? 0) - entry.points);
    const of = clawedBackAs(entry, approverIds);
    if (of === null) continue;
    const key = `${entry.memberId}:${of}`;
    const row = owed.get(key) ?? { memberId: entry.memberId, points: 0, of };
    row.points -= entry.points;
    owed.set(key, row);
  }
  for (const row of owed.values()) {
    const already = alreadyClawed.get(row.memberId) ?? 0;
    const offset = row.points < 0 ? Math.min(already, -row.points) : 0;
    row.points += offset;
    alreadyClawed.set(row.memberId, already - offset);
  }
  return [...owed.values()].filter((row) => row.points !== 0);
}

function clawedBackAs(entry: ClawbackSource, approverIds: ReadonlySet<number>): Clawback["of"] | null {
  if (entry.kind === "AWARD") return "AWARD";
  return entry.kind === "VERIFIER_REWARD" && approverIds.has(entry.memberId) ? "VERIFIER_REWARD" : null;
}

/** The VERIFIER_REWARD parts for a contribution decided by vote: one reward per distinct voter. */
export function verifierRewards(voterIds: readonly number[], reward: number): PointsPart[] {
  if (reward === 0) return [];
  return [...new Set(voterIds)].map((memberId) => ({ memberId, points: reward }));
}
