import { describe, expect, it, vi } from "vitest";
import { resolveActor } from "../../src/app/actors.ts";
import { eraseMember, requestErasure } from "../../src/app/moderation.ts";
import { useTestDatabase } from "../support/db.ts";
import { newCommunity, valueOf } from "../support/communities.ts";

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

const database = useTestDatabase();

describe("a member who asked to be forgotten", () => {
  it("stays erased when their account is seen again", async () => {
    const community = await newCommunity(database.db);
    const mod = await community.member("mod", { moderator: true });
    const ana = await community.member("Ana Real-Name");
    valueOf(await requestErasure(community.deps, ana));
    valueOf(
      await eraseMember(community.deps, mod, {
        member: { kind: "user", user: community.user("Ana Real-Name") },
      }),
    );

    valueOf(await resolveActor(community.deps, community.chat, community.user("Ana Real-Name")));

    const member = await database.db.member.findUniqueOrThrow({
      where: { id: ana.memberId },
      include: { identities: true },
    });
    expect(member.displayName).toBe(`erased member ${ana.memberId}`);
    expect(member.erasedAt).not.toBeNull();
    expect(member.identities.map((i) => i.displayName)).toEqual([`erased member ${ana.memberId}`]);
  });

  it("asking twice records one request, so the moderators are told once", async () => {
    const community = await newCommunity(database.db);
    const bo = await community.member("Bo");
    expect(valueOf(await requestErasure(community.deps, bo))).toEqual({ requested: true, before: false });
    expect(valueOf(await requestErasure(community.deps, bo))).toEqual({ requested: true, before: true });
    const requests = await database.db.auditLog.count({
      where: { communityId: community.communityId, action: "member.forget-request" },
    });
    const outbox = await database.db.outboxMessage.count({
      where: { communityId: community.communityId, kind: "MOD_LOG" },
    });
    expect(requests).toBe(1);
    expect(outbox).toBe(1);
  });
});
