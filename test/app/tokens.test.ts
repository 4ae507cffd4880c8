// API tokens against the real database: made by moderators only, stored as a
// hash, listed without secrets, revoked, and turned back into their member.
import { describe, expect, it } from "vitest";
import {
  authenticateToken,
  createOperatorToken,
  createToken,
  listTokens,
  recordTokenUse,
  revokeToken,
} from "../../src/app/tokens.ts";
import { newCommunity, valueOf } from "../support/communities.ts";
import { useTestDatabase } from "../support/db.ts";

const database = useTestDatabase();

describe("api tokens", () => {
  it("are made by a moderator, kept only as a hash, and authenticate as their maker with their scopes", async () => {
    const community = await newCommunity(database);
    const mod = await community.member("mod", { moderator: true });
    const made = valueOf(
      await createToken(community.deps, mod, { name: "CI", scopes: ["contribute", "read"] }),
    );
    expect(made).toMatchObject({ name: "ci", scopes: ["read", "contribute"] });
    const row = await database.db.apiToken.findFirstOrThrow({
      where: { communityId: community.communityId },
    });
    // The secret is base64url, which may itself hold "_": it is everything after the prefix.
    expect(made.token.startsWith(`cairn_${row.prefix}_`)).toBe(true);
    expect(JSON.stringify(row)).not.toContain(made.token.slice(`cairn_${row.prefix}_`.length));
    const audit = await database.db.auditLog.findMany({ where: { communityId: community.communityId } });
    expect(audit.map((a) => [a.action, a.target])).toEqual([["token.create", "ci"]]);
    expect(JSON.stringify(audit)).not.toContain(made.token);

    const caller = valueOf(await authenticateToken(community.deps, made.token));
    expect(caller).toMatchObject({
      tokenName: "ci",
      scopes: ["read", "contribute"],
      actor: { communityId: community.communityId, memberId: mod.memberId, isModerator: false },
    });
    const used = await database.db.apiToken.findUniqueOrThrow({ where: { id: row.id } });
    expect(used.lastUsedAt).toEqual(community.clock.now());
    // Recorded at most once a minute, and never for the public prefix with a wrong secret.
    const lastUse = async (): Promise<Date | null> =>
      (await database.db.apiToken.findUniqueOrThrow({ where: { id: row.id } })).lastUsedAt;
    const firstUse = community.clock.now();
    community.clock.advanceMs(30_000);
    valueOf(await authenticateToken(community.deps, made.token));
    expect(await lastUse()).toEqual(firstUse);
    community.clock.advanceMs(60_000);
    const forged = `${made.token.slice(0, -4)}${made.token.endsWith("AAAA") ? "BBBB" : "AAAA"}`;
    expect(await authenticateToken(community.deps, forged)).toMatchObject({
      error: { code: "UNAUTHENTICATED" },
    });
    expect(await lastUse()).toEqual(firstUse);
    valueOf(await authenticateToken(community.deps, made.token));
    expect(await lastUse()).toEqual(community.clock.now());
    await recordTokenUse(community.deps, caller, "contribution.create", "#1");
    const uses = await database.db.auditLog.findMany({
      where: { action: "api.contribution.create", communityId: community.communityId },
    });
    expect(uses.map((u) => u.details)).toEqual([{ token: "ci" }]);
  });

  it("refuse a non-moderator, a bad name or scope and a name already taken, changing nothing", async () => {
    const community = await newCommunity(database);
    const alice = await community.member("alice");
    const mod = await community.member("mod", { moderator: true });
    expect(await createToken(community.deps, alice, { name: "x", scopes: ["read"] })).toMatchObject({
      error: { code: "NOT_MODERATOR" },
    });
    expect(await createToken(community.deps, mod, { name: "bad name", scopes: ["read"] })).toMatchObject({
      error: { code: "BAD_TOKEN_NAME" },
    });
    expect(await createToken(community.deps, mod, { name: "x", scopes: ["root"] })).toMatchObject({
      error: { code: "BAD_SCOPE" },
    });
    valueOf(await createToken(community.deps, mod, { name: "x", scopes: ["read"] }));
    expect(await createToken(community.deps, mod, { name: "X", scopes: ["vote"] })).toMatchObject({
      error: { code: "TOKEN_EXISTS" },
    });
    expect(await database.db.apiToken.count({ where: { communityId: community.communityId } })).toBe(1);
    expect(await listTokens(community.deps, alice)).toMatchObject({ error: { code: "NOT_MODERATOR" } });
    expect(await revokeToken(community.deps, alice, "x")).toMatchObject({ error: { code: "NOT_MODERATOR" } });
  });

  it("once revoked are refused, listed as revoked, and cannot be revoked twice; a wrong secret is unauthenticated", async () => {
    const community = await newCommunity(database);
    const mod = await community.member("mod", { moderator: true });
    const made = valueOf(
      await createToken(community.deps, mod, { name: "bot", scopes: ["read", "moderate"] }),
    );
    expect(valueOf(await authenticateToken(community.deps, made.token)).actor.isModerator).toBe(true);
    const forged = `${made.token.slice(0, -4)}AAAA`;
    expect(await authenticateToken(community.deps, forged)).toMatchObject({
      error: { code: "UNAUTHENTICATED" },
    });
    expect(await authenticateToken(community.deps, "nonsense")).toMatchObject({
      error: { code: "UNAUTHENTICATED" },
    });
    community.clock.advanceHours(1);
    valueOf(await revokeToken(community.deps, mod, "BOT"));
    expect(await authenticateToken(community.deps, made.token)).toMatchObject({
      error: { code: "TOKEN_REVOKED" },
    });
    expect(await revokeToken(community.deps, mod, "bot")).toMatchObject({ error: { code: "TOKEN_REVOKED" } });
    expect(await revokeToken(community.deps, mod, "nope")).toMatchObject({
      error: { code: "UNKNOWN_TOKEN" },
    });
    const [listed] = valueOf(await listTokens(community.deps, mod));
    expect(listed).toMatchObject({
      name: "bot",
      scopes: ["read", "moderate"],
      revokedAt: community.clock.now(),
    });
    expect(JSON.stringify(listed)).not.toContain(made.token);
  });

  it("record their last use and their audit entries at the true instant whatever the process's time zone", async () => {
    const community = await newCommunity(database);
    const mod = await community.member("mod", { moderator: true });
    const made = valueOf(await createToken(community.deps, mod, { name: "tz", scopes: ["contribute"] }));
    const zone = process.env["TZ"];
    // Five hours behind UTC: a time written or read as local wall time would be five hours off.
    process.env["TZ"] = "America/New_York";
    try {
      const caller = valueOf(await authenticateToken(community.deps, made.token));
      await recordTokenUse(community.deps, caller, "contribution.create", "#7");
      const token = await database.db.apiToken.findFirstOrThrow({
        where: { communityId: community.communityId },
      });
      expect(token.lastUsedAt).toEqual(community.clock.now());
      const entry = await database.db.auditLog.findFirstOrThrow({
        where: { communityId: community.communityId, action: "api.contribution.create" },
      });
      expect(entry.at).toEqual(community.clock.now());
      // Read back by the next request: 30 s later is within the granularity, so nothing is written.
      community.clock.advanceMs(30_000);
      valueOf(await authenticateToken(community.deps, made.token));
      expect(
        (await database.db.apiToken.findFirstOrThrow({ where: { communityId: community.communityId } }))
          .lastUsedAt,
      ).toEqual(token.lastUsedAt);
    } finally {
      if (zone === undefined) delete process.env["TZ"];
      else process.env["TZ"] = zone;
    }
  });

  it("made by the operator belong to a console member of the community; an unknown community is refused", async () => {
    const community = await newCommunity(database);
    const made = valueOf(
      await createOperatorToken(community.deps, community.communityId, { name: "ops", scopes: ["export"] }),
    );
    const caller = valueOf(await authenticateToken(community.deps, made.token));
    const member = await database.db.member.findUniqueOrThrow({
      where: { id: caller.actor.memberId },
      include: { identities: true },
    });
    expect(member.identities.map((i) => [i.platform, i.platformUserId])).toEqual([["CONSOLE", "operator"]]);
    expect(
      await createOperatorToken(community.deps, 2_000_000_000, { name: "ops", scopes: ["read"] }),
    ).toMatchObject({ error: { code: "NO_COMMUNITY" } });
  });
});
