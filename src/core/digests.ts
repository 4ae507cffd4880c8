// Content digests of evidence artefacts (a dataset file, a model, a release):
// `sha256:<64 hex>`. The same artefact shipped under two URLs has one digest.
import { ok, refuse, type Result } from "./result.ts";
import { parseLinks } from "./urls.ts";

/** At most this many digests per contribution. */
export const MAX_EVIDENCE_DIGESTS = 5;

const DIGEST = /^sha256:([0-9a-f]{64})$/i;

/** Whether a typed word is meant as a digest (whether or not it is a valid one). */
export const looksLikeDigest = (word: string): boolean => /^sha256:/i.test(word.trim());

/** A digest in canonical form (lowercase), or BAD_DIGEST for anything but `sha256:` and 64 hex digits. */
export function normalizeDigest(raw: string): Result<string, "BAD_DIGEST"> {
  const match = DIGEST.exec(raw.trim());
  return match === null ? refuse("BAD_DIGEST") : ok(`sha256:${(match[1] ?? "").toLowerCase()}`);
}

/** A contribution's digests: each checked and lowercased, repeats dropped, at most five. */
export function parseDigests(words: readonly string[]): Result<string[], "BAD_DIGEST" | "TOO_MANY_DIGESTS"> {
  const digests: string[] = [];
  for (const [index, word] of words.entries()) {
    const digest = normalizeDigest(word);
    if (!digest.ok) return refuse("BAD_DIGEST", { position: index + 1 });
    if (!digests.includes(digest.value)) digests.push(digest.value);
  }
  if (digests.length > MAX_EVIDENCE_DIGESTS) return refuse("TOO_MANY_DIGESTS", { max: MAX_EVIDENCE_DIGESTS });
  return ok(digests);
}

/** Evidence as typed in chat: links and `sha256:` digests in one list of words, told apart by their form. */
export function parseEvidence(
  words: readonly string[],
): Result<
  { links: string[]; digests: string[] },
  "BAD_LINK" | "TOO_MANY_LINKS" | "BAD_DIGEST" | "TOO_MANY_DIGESTS"
> {
  const digests = parseDigests(words.filter(looksLikeDigest));
  if (!digests.ok) return digests;
  const links = parseLinks(words.filter((word) => !looksLikeDigest(word)));
  if (!links.ok) return links;
  return ok({ links: links.value, digests: digests.value });
}
