import { createHash } from "node:crypto";
import { z } from "zod";
import { ok, refuse, type Result } from "./result.ts";

/** The previous hash of a community's first ledger entry. */
export const GENESIS_HASH = "0".repeat(64);

export const ledgerKinds = ["AWARD", "VERIFIER_REWARD", "CLAWBACK", "ADJUSTMENT", "MERGE"] as const;
export type LedgerKind = (typeof ledgerKinds)[number];

/** What a ledger entry says, exactly the facts its hash covers (no display names). */
export interface LedgerEntryFacts {
  communityId: number;
  seq: number;
  kind: LedgerKind;
  memberId: number;
  points: number;
  contributionId: number | null;
  actorId: number | null;
  reason: string;
  createdAt: Date;
}

/** A ledger entry linked into its community's chain. */
export interface HashedLedgerEntry extends LedgerEntryFacts {
  prevHash: string;
  hash: string;
}

export type ChainCheck =
  | { ok: true; count: number; headHash: string; headSeq: number }
  | {
      ok: false;
      count: number;
      brokenAtSeq: number;
      reason: "PREV_HASH_MISMATCH" | "HASH_MISMATCH" | "SEQ_GAP";
    };

/**
 * The entry as canonical JSON: keys in sorted order, time as an ISO string, no
 * names. Anyone can rebuild it from an export, so anyone can check the chain.
 *
 * Written out by hand (only the reason goes through JSON.stringify): it is byte
 * for byte `JSON.stringify` of the object with these nine keys in this order,
 * and it runs once per entry whenever a chain is checked in Node. The database
 * builds the same text in SQL (app/ledgerAudit `canonicalEntryJsonSql`).
 */
export function canonicalEntryJson(e: LedgerEntryFacts): string {
  return (
    `{"actorId":${jsonNumber(e.actorId)},"communityId":${jsonNumber(e.communityId)},` +
    `"contributionId":${jsonNumber(e.contributionId)},"createdAt":"${e.createdAt.toISOString()}",` +
    `"kind":${JSON.stringify(e.kind)},"memberId":${jsonNumber(e.memberId)},"points":${jsonNumber(e.points)},` +
    `"reason":${JSON.stringify(e.reason)},"seq":${jsonNumber(e.seq)}}`
  );
}

/** A number (or null) as JSON.stringify writes it: non-finite numbers become null. */
function jsonNumber(n: number | null): string {
  return n !== null && Number.isFinite(n) ? String(n) : "null";
}

/** sha256 (hex) of the previous entry's hash followed by this entry's canonical JSON. */
export function hashEntry(prevHash: string, e: LedgerEntryFacts): string {
  return createHash("sha256").update(prevHash).update(canonicalEntryJson(e)).digest("hex");
}

/**
 * Checks a chain fed one entry at a time, so a chain read line by line from a
 * file (or page by page from anywhere) is checked in constant memory. Reports
 * the sequence number of the first entry that is missing, out of place,
 * relinked or altered; later entries are ignored.
 */
export class ChainChecker {
  private count = 0;
  private headHash = GENESIS_HASH;
  private broken: ChainCheck | null = null;

  /** Feeds the next entry; false once the chain is broken (later entries are ignored). */
  add(entry: HashedLedgerEntry): boolean {
    if (this.broken !== null) return false;
    const expectedSeq = this.count + 1;
    const reason =
      entry.seq !== expectedSeq
        ? "SEQ_GAP"
        : entry.prevHash !== this.headHash
          ? "PREV_HASH_MISMATCH"
          : entry.hash !== hashEntry(entry.prevHash, entry)
            ? "HASH_MISMATCH"
            : null;
    if (reason !== null) {
      this.broken = { ok: false, count: this.count, brokenAtSeq: expectedSeq, reason };
      return false;
    }
    this.headHash = entry.hash;
    this.count = expectedSeq;
    return true;
  }

  result(): ChainCheck {
    return this.broken ?? { ok: true, count: this.count, headHash: this.headHash, headSeq: this.count };
  }
}

/**
 * Checks a community's ledger from its first entry, one entry at a time (so an
 * export of any size is checked in constant memory), and reports the sequence
 * number of the first entry that is missing, out of place, relinked or altered.
 */
export function verifyChain(entries: Iterable<HashedLedgerEntry>): ChainCheck {
  const checker = new ChainChecker();
  for (const entry of entries) if (!checker.add(entry)) break;
  return checker.result();
}

const id = z.number().int();
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

const ledgerLineSchema = z.object({
  communityId: id,
  seq: id.min(1),
  kind: z.enum(ledgerKinds),
  memberId: id,
  points: id,
  contributionId: id.nullable(),
  actorId: id.nullable(),
  reason: z.string(),
  createdAt: z.iso.datetime({ offset: true }).transform((text) => new Date(text)),
  prevHash: sha256Hex,
  hash: sha256Hex,
});

/** Reads one line of a ledger export (JSON lines). Extra fields, like names, are ignored. */
export function ledgerLineToEntry(line: string): Result<HashedLedgerEntry, "BAD_LEDGER_LINE"> {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return refuse("BAD_LEDGER_LINE", { problem: "not JSON" });
  }
  const parsed = ledgerLineSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return refuse("BAD_LEDGER_LINE", { problem: `bad ${issue?.path.join(".") || "entry"}` });
  }
  return ok(parsed.data);
}

/** What an export line carries beside the hashed facts (not hashed, ignored when read back). */
export interface LedgerLineNotes {
  /** The API token whose request wrote the entry. */
  readonly tokenId?: number | null;
  /** Content digests of the evidence of the entry's contribution. */
  readonly digests?: readonly string[];
}

/** One line of the ledger export, in the shape `ledgerLineToEntry` reads back. */
export function entryToLedgerLine(e: HashedLedgerEntry, notes: LedgerLineNotes = {}): string {
  return JSON.stringify({
    seq: e.seq,
    communityId: e.communityId,
    kind: e.kind,
    memberId: e.memberId,
    points: e.points,
    contributionId: e.contributionId,
    actorId: e.actorId,
    reason: e.reason,
    createdAt: e.createdAt.toISOString(),
    prevHash: e.prevHash,
    hash: e.hash,
    ...(notes.tokenId == null ? {} : { tokenId: notes.tokenId }),
    ...(notes.digests === undefined || notes.digests.length === 0 ? {} : { digests: notes.digests }),
  });
}
