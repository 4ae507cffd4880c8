import { MAX_CREDITED_MEMBERS } from "./config.ts";
import { ok, refuse, type Result } from "./result.ts";
import type { Share } from "./split.ts";

/** A co-author named after `with`: a handle and an explicit share, or null for an even split of the rest. */
export interface CreditClaim {
  handle: string;
  shareBp: number | null;
}

/** A credited member before shares are settled: null shares split what the listed ones leave. */
export interface CoAuthor {
  memberId: number;
  shareBp: number | null;
}

const CREDIT = /^@([A-Za-z0-9_.]{1,32})(?::(\d{1,3})(?:\.(\d{1,2}))?%?)?$/;

/**
 * Parses the co-authors of `/contribute … with @alice:60 @bob:33.5 @carol`: a
 * percent with up to two decimals, or a bare handle for an even split of what
 * remains. Commas between credits are allowed.
 */
export function parseCredits(tokens: readonly string[]): Result<CreditClaim[], "BAD_CREDIT"> {
  const claims: CreditClaim[] = [];
  for (const token of tokens.flatMap((t) => t.split(",")).filter((t) => t !== "")) {
    const match = CREDIT.exec(token);
    if (match === null) return refuse("BAD_CREDIT", { token });
    const [, handle = "", whole, fraction = ""] = match;
    const shareBp = whole === undefined ? null : Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
    if (shareBp !== null && (shareBp <= 0 || shareBp > 10_000)) return refuse("BAD_CREDIT", { token });
    claims.push({ handle, shareBp });
  }
  return ok(claims);
}

/**
 * Settles who is credited with what, always summing to 10000 bp:
 * listed shares are kept; what they leave is split evenly between the co-authors
 * listed without a share and the submitter (unless the submitter listed themselves
 * with a share, in which case they get any rest on top). With no co-authors the
 * submitter holds 100%. Members left with 0 are dropped. The submitter comes first.
 */
export function resolveShares(
  submitterId: number,
  coAuthors: readonly CoAuthor[],
): Result<Share[], "SHARES_OVER_100" | "DUPLICATE_CREDIT" | "BAD_SHARE" | "TOO_MANY_CREDITS"> {
  const ids = coAuthors.map((c) => c.memberId);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate !== undefined) return refuse("DUPLICATE_CREDIT", { memberId: duplicate });
  const bad = coAuthors.find((c) => c.shareBp !== null && !(Number.isInteger(c.shareBp) && c.shareBp >= 0));
  if (bad !== undefined) return refuse("BAD_SHARE", { memberId: bad.memberId });
  const listed = coAuthors.reduce((sum, c) => sum + (c.shareBp ?? 0), 0);
  if (listed > 10_000) return refuse("SHARES_OVER_100", { percent: listed / 100 });

  const submitter = coAuthors.find((c) => c.memberId === submitterId);
  const credits: CoAuthor[] =
    submitter === undefined ? [{ memberId: submitterId, shareBp: null }, ...coAuthors] : [...coAuthors];
  if (credits.length > MAX_CREDITED_MEMBERS) return refuse("TOO_MANY_CREDITS", { max: MAX_CREDITED_MEMBERS });
  const evenSplit = credits.filter((c) => c.shareBp === null);
  const takers = evenSplit.length > 0 ? evenSplit : credits.filter((c) => c.memberId === submitterId);
  const rest = evenSplitOf(10_000 - listed, takers.length);
  const shares = credits.map((c) => {
    const index = takers.indexOf(c);
    return { memberId: c.memberId, shareBp: (c.shareBp ?? 0) + (index >= 0 ? (rest[index] ?? 0) : 0) };
  });
  const ordered = [
    ...shares.filter((s) => s.memberId === submitterId),
    ...shares.filter((s) => s.memberId !== submitterId),
  ];
  return ok(ordered.filter((s) => s.shareBp > 0));
}

/** `total` basis points in `count` near-equal whole parts, the larger ones first. */
function evenSplitOf(total: number, count: number): number[] {
  if (count === 0) return [];
  const base = Math.floor(total / count);
  return Array.from({ length: count }, (_, i) => base + (i < total % count ? 1 : 0));
}
