import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  TOKEN_SCOPES,
  grants,
  hashToken,
  issueToken,
  parseScopes,
  tokenMatches,
  tokenPrefix,
  validateTokenName,
} from "../../src/core/tokens.ts";

describe("token scopes", () => {
  it("keep known scopes once, in catalog order, whatever the case and order typed", () => {
    expect(parseScopes(["VOTE", "read", "vote"])).toEqual({ ok: true, value: ["read", "vote"] });
  });

  it("refuse an unknown scope by name and an empty list", () => {
    expect(parseScopes(["read", "admin"])).toMatchObject({
      ok: false,
      error: { code: "BAD_SCOPE", detail: { scope: "admin" } },
    });
    expect(parseScopes([" "])).toMatchObject({ ok: false, error: { code: "BAD_SCOPE" } });
  });

  it("grant exactly what they name", () => {
    fc.assert(
      fc.property(fc.subarray([...TOKEN_SCOPES]), fc.constantFrom(...TOKEN_SCOPES), (scopes, needed) => {
        expect(grants(scopes, needed)).toBe(scopes.includes(needed));
      }),
    );
  });
});

describe("token names", () => {
  it("are lowercased and limited to 32 letters, digits, dashes or underscores", () => {
    expect(validateTokenName("CI-Bot")).toEqual({ ok: true, value: "ci-bot" });
    for (const bad of ["", "-x", "a b", "x".repeat(33), "ünï"])
      expect(validateTokenName(bad)).toMatchObject({ ok: false, error: { code: "BAD_TOKEN_NAME" } });
  });
});

describe("issued tokens", () => {
  it("match their own hash and carry their prefix, and no other text matches", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 30, maxLength: 30 }), fc.string(), (bytes, other) => {
        let offset = 0;
        const random = (n: number): Buffer => {
          const part = Buffer.from(bytes.subarray(offset, offset + n));
          offset += n;
          return part;
        };
        const issued = issueToken(random);
        expect(issued.token).toMatch(/^cairn_[0-9a-f]{12}_[A-Za-z0-9_-]{32}$/);
        expect(tokenPrefix(issued.token)).toBe(issued.prefix);
        expect(tokenMatches(issued.token, issued.secretHash)).toBe(true);
        expect(issued.secretHash).not.toContain(issued.token.slice(-32));
        if (other !== issued.token) expect(tokenMatches(other, issued.secretHash)).toBe(false);
      }),
    );
  });

  it("have no prefix when malformed, and a hash is a sha256 hex", () => {
    expect(tokenPrefix("cairn_abc_def")).toBeNull();
    expect(tokenPrefix(`Bearer ${issueToken().token}`)).toBeNull();
    expect(hashToken("x")).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenMatches("x", "not-hex")).toBe(false);
  });
});
