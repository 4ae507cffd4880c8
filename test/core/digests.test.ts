import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizeDigest, parseDigests, parseEvidence } from "../../src/core/digests.ts";

const hex = "ab".repeat(32);

describe("evidence digests", () => {
  it("read sha256: and 64 hex digits in any case, kept lowercase", () => {
    expect(normalizeDigest(`SHA256:${hex.toUpperCase()}`)).toEqual({ ok: true, value: `sha256:${hex}` });
  });

  it("refuse other algorithms, short or non-hex digests", () => {
    for (const bad of [`md5:${hex}`, `sha256:${hex.slice(1)}`, `sha256:${"g".repeat(64)}`, "sha256:"])
      expect(normalizeDigest(bad).ok).toBe(false);
    expect(parseDigests(["sha256:12"])).toEqual({
      ok: false,
      error: { code: "BAD_DIGEST", detail: { position: 1 } },
    });
  });

  it("drop repeats and refuse more than five", () => {
    expect(parseDigests([`sha256:${hex}`, `sha256:${hex.toUpperCase()}`])).toEqual({
      ok: true,
      value: [`sha256:${hex}`],
    });
    const six = Array.from({ length: 6 }, (_, i) => `sha256:${String(i).repeat(64)}`);
    expect(parseDigests(six)).toEqual({ ok: false, error: { code: "TOO_MANY_DIGESTS", detail: { max: 5 } } });
  });

  it("tell links and digests apart in one list of words", () => {
    expect(parseEvidence(["https://example.org/ds", `sha256:${hex}`])).toEqual({
      ok: true,
      value: { links: ["https://example.org/ds"], digests: [`sha256:${hex}`] },
    });
  });

  it("accept every well-formed digest and canonicalise it idempotently", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9a-fA-F]{64}$/), (digits) => {
        const once = normalizeDigest(`sha256:${digits}`);
        expect(once.ok).toBe(true);
        if (once.ok) expect(normalizeDigest(once.value)).toEqual(once);
      }),
    );
  });
});
