// The rules of moderator sessions on the web: links work once before they
// expire, sessions until they expire or are ended, CSRF tokens belong to one
// session, and the moderator right is re-checked from what it was granted by.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  SIGN_IN_TTL_MS,
  csrfMatches,
  csrfToken,
  flashSeal,
  flashSealMatches,
  hashSecret,
  isWellFormedSecret,
  issueSecret,
  moderatorGrant,
  sessionUsable,
  signInUsable,
  stillModerator,
} from "../../src/core/webSessions.ts";

const now = new Date("2026-12-04T10:00:00Z");
const later = (ms: number): Date => new Date(now.getTime() + ms);

describe("secrets", () => {
  it("are 256 random bits in base64url, kept only as their sha256", () => {
    const issued = issueSecret();
    expect(isWellFormedSecret(issued.secret)).toBe(true);
    expect(issued.hash).toBe(hashSecret(issued.secret));
    expect(issued.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(issueSecret().secret).not.toBe(issued.secret);
    expect(isWellFormedSecret("short")).toBe(false);
    expect(isWellFormedSecret(`${issued.secret}'`)).toBe(false);
  });
});

describe("sign-in links", () => {
  it("work once, until ten minutes have passed", () => {
    const expiresAt = later(SIGN_IN_TTL_MS);
    expect(signInUsable({ expiresAt, usedAt: null }, later(SIGN_IN_TTL_MS - 1)).ok).toBe(true);
    expect(signInUsable({ expiresAt, usedAt: null }, expiresAt)).toEqual({
      ok: false,
      error: { code: "SIGN_IN_EXPIRED" },
    });
    expect(signInUsable({ expiresAt, usedAt: now }, now)).toEqual({
      ok: false,
      error: { code: "SIGN_IN_USED" },
    });
  });
});

describe("sessions", () => {
  it("end when they expire or are signed out", () => {
    expect(sessionUsable({ expiresAt: later(1), revokedAt: null }, now).ok).toBe(true);
    expect(sessionUsable({ expiresAt: now, revokedAt: null }, now).ok).toBe(false);
    expect(sessionUsable({ expiresAt: later(1), revokedAt: now }, now).ok).toBe(false);
  });

  it("have a CSRF token of their own, which no other session's token matches", () => {
    const one = issueSecret().secret;
    const two = issueSecret().secret;
    expect(csrfMatches(csrfToken(one), one)).toBe(true);
    expect(csrfMatches(csrfToken(two), one)).toBe(false);
    expect(csrfMatches("", one)).toBe(false);
    expect(csrfToken(one)).not.toContain(one);
  });
});

describe("the moderator right of a session", () => {
  const facts = { memberFlag: false, roles: [] as string[], moderatorRole: null, platformModerator: false };

  it("is granted by the member flag first, then the community's role, then the platform", () => {
    expect(moderatorGrant({ ...facts, memberFlag: true, platformModerator: true })).toBe("member");
    expect(
      moderatorGrant({ ...facts, roles: ["mods"], moderatorRole: "mods", platformModerator: true }),
    ).toBe("role:mods");
    expect(moderatorGrant({ ...facts, platformModerator: true })).toBe("platform");
    expect(moderatorGrant({ ...facts, roles: ["mods"], moderatorRole: "other" })).toBeNull();
  });

  it("lapses when the flag is taken away, the role changes or the member is banned", () => {
    const standing = { memberFlag: false, moderatorRole: "mods", gone: false };
    expect(stillModerator("member", standing)).toBe(false);
    expect(stillModerator("member", { ...standing, memberFlag: true })).toBe(true);
    expect(stillModerator("role:mods", standing)).toBe(true);
    expect(stillModerator("role:mods", { ...standing, moderatorRole: "admins" })).toBe(false);
    expect(stillModerator("platform", standing)).toBe(true);
    expect(stillModerator("platform", { ...standing, gone: true })).toBe(false);
    expect(stillModerator("member", { ...standing, memberFlag: true, gone: true })).toBe(false);
    expect(stillModerator("anything", standing)).toBe(false);
  });
});

describe("the seal of a redirect's line", () => {
  it("matches only the line it sealed, for the session that sealed it", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), fc.string(), (secret, other, line, changed) => {
        expect(flashSealMatches(flashSeal(secret, line), line, secret)).toBe(true);
        if (changed !== line) expect(flashSealMatches(flashSeal(secret, line), changed, secret)).toBe(false);
        if (other !== secret) expect(flashSealMatches(flashSeal(other, line), line, secret)).toBe(false);
      }),
    );
  });
});
