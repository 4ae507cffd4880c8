// The web session use cases on the real PostgreSQL: a link opens exactly one
// session even when followed twice at once, and a session's actor carries the
// moderator right as it stands now.
import { describe, expect, it } from "vitest";
import { redeemSignIn, requestSignInLink, sessionCaller } from "../../src/app/webSessions.ts";
import { newCommunity, valueOf } from "../support/communities.ts";
import { useTestDatabase } from "../support/db.ts";

const database = useTestDatabase();

describe("web sessions", () => {
  it("open once from a link followed twice at the same time", async () => {
    const community = await newCommunity(database);
    const mod = await community.member("mod", { moderator: true });
    const { code } = valueOf(
      await requestSignInLink(community.deps, mod, { platformModerator: true, roles: [] }),
    );
    const both = await Promise.all([redeemSignIn(community.deps, code), redeemSignIn(community.deps, code)]);
    expect(both.filter((r) => r.ok)).toHaveLength(1);
    expect(both.find((r) => !r.ok)).toEqual({ ok: false, error: { code: "SIGN_IN_USED" } });
    expect(await database.db.webSession.count({ where: { communityId: community.communityId } })).toBe(1);
  });

  it("act with the moderator right of a role only while the community's moderator role is that role", async () => {
    const community = await newCommunity(database, { config: { moderatorRole: "stewards" } });
    const mod = await community.member("mod", { roles: ["stewards"] });
    expect(mod.isModerator).toBe(true);
    const { code } = valueOf(
      await requestSignInLink(community.deps, mod, { platformModerator: false, roles: ["stewards"] }),
    );
    const { secret } = valueOf(await redeemSignIn(community.deps, code));
    expect(
      valueOf(await sessionCaller(community.deps, secret, community.communityId)).actor.isModerator,
    ).toBe(true);
    await database.db.community.update({
      where: { id: community.communityId },
      data: { config: { timezone: "UTC", moderatorRole: "admins" } },
    });
    expect(
      valueOf(await sessionCaller(community.deps, secret, community.communityId)).actor.isModerator,
    ).toBe(false);
  });

  it("refuse a link to a member the platform no longer reports as moderator", async () => {
    const community = await newCommunity(database);
    const member = await community.member("alice");
    const pretending = { ...member, isModerator: true };
    expect(
      await requestSignInLink(community.deps, pretending, { platformModerator: false, roles: [] }),
    ).toEqual({
      ok: false,
      error: { code: "NOT_MODERATOR" },
    });
  });

  it("are purged, with spent links, once expired, when the community's next link is made", async () => {
    const community = await newCommunity(database);
    const mod = await community.member("mod", { moderator: true });
    const standing = { platformModerator: true, roles: [] };
    const first = valueOf(await requestSignInLink(community.deps, mod, standing));
    valueOf(await redeemSignIn(community.deps, first.code));
    community.clock.advanceHours(13);
    valueOf(await requestSignInLink(community.deps, mod, standing));
    expect(await database.db.webSignIn.count({ where: { communityId: community.communityId } })).toBe(1);
    expect(await database.db.webSession.count({ where: { communityId: community.communityId } })).toBe(0);
  });
});
