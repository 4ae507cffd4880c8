import { describe, expect, it, vi } from "vitest";
import {
  createSpaceLinkCode,
  joinCommunity,
  listSpaces,
  setConfig,
  unlinkSpace,
} from "../../src/app/community.ts";
import { ensureCommunityForChat, resolveActor } from "../../src/app/actors.ts";
import { verifyCommunityLedger } from "../../src/app/ledgerAudit.ts";
import { adjustPoints } from "../../src/app/moderation.ts";
import { activeScore } from "../../src/core/activeScore.ts";
import { useTestDatabase } from "../support/db.ts";
import { newCommunity, valueOf } from "../support/communities.ts";

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

const database = useTestDatabase();

describe("changing the active-score half-life", () => {
  it("rebuilds every active score so balances still agree with the ledger", async () => {
    const community = await newCommunity(database);
    const mod = await community.member("mod", { moderator: true });
    const ana = await community.member("ana");
    const adjust = (points: number) =>
      adjustPoints(community.deps, mod, {
        member: { kind: "user", user: community.user("ana") },
        points,
        reason: "work",
      });
    valueOf(await adjust(1000));
    community.clock.advanceMs(30 * 86_400_000);
    valueOf(await adjust(500));

    valueOf(await setConfig(community.deps, mod, { key: "decayHalfLifeDays", value: "30" }));

    const check = await verifyCommunityLedger(community.deps, community.communityId);
    expect(check.balancesAgree).toBe(true);
    const balance = await database.db.balance.findUniqueOrThrow({ where: { memberId: ana.memberId } });
    const { activeEpoch } = await database.db.community.findUniqueOrThrow({
      where: { id: community.communityId },
    });
    // 1000 points one half-life (30 days) ago count 500; the 500 points of today count fully.
    expect(activeScore(balance.activeAcc, community.clock.now(), activeEpoch, 30)).toBe(1000);
  });
});

describe("a moderator adjusting points", () => {
  it("a moderator adjusting their own points is refused and nothing is written", async () => {
    const community = await newCommunity(database);
    const mod = await community.member("mod", { moderator: true });
    const result = await adjustPoints(community.deps, mod, {
      member: { kind: "user", user: community.user("mod") },
      points: 10_000,
      reason: "for me",
    });
    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: "OWN_ADJUSTMENT" }) });
    expect(await database.db.ledgerEntry.count({ where: { communityId: community.communityId } })).toBe(0);
  });
});

describe("moderators managing linked chats", () => {
  it("lists the live chats and unlinks another one, audit-logged with the reason", async () => {
    const community = await newCommunity(database);
    const mod = await community.member("mod", { moderator: true });
    const code = valueOf(await createSpaceLinkCode(community.deps, mod)).code;
    const telegram = {
      platform: "TELEGRAM" as const,
      chatId: `tg-${community.communityId}`,
      title: "TG group",
    };
    valueOf(await joinCommunity(community.deps, { chat: telegram, isModerator: true, code }));
    const { spaces } = valueOf(await listSpaces(community.deps, mod));
    expect(spaces.map((s) => [s.platform, s.chatId, s.title])).toEqual([
      [community.chat.platform, community.chat.chatId, community.chat.title],
      ["TELEGRAM", telegram.chatId, "TG group"],
    ]);
    const other = spaces[1]?.id ?? 0;

    valueOf(await unlinkSpace(community.deps, mod, { spaceId: other, reason: "left the project" }));

    expect(valueOf(await listSpaces(community.deps, mod)).spaces.map((s) => s.id)).toEqual([mod.spaceId]);
    const audit = await database.db.auditLog.findFirstOrThrow({
      where: { communityId: community.communityId, action: "community.unlink" },
    });
    expect(audit).toMatchObject({ actorId: mod.memberId, reason: "left the project" });
  });

  it("an unlinked chat stays detached when the bot sees it again after a restart", async () => {
    const community = await newCommunity(database);
    const mod = await community.member("mod", { moderator: true });
    const code = valueOf(await createSpaceLinkCode(community.deps, mod)).code;
    const telegram = { platform: "TELEGRAM" as const, chatId: `tg-re-${community.communityId}`, title: "TG" };
    valueOf(await joinCommunity(community.deps, { chat: telegram, isModerator: true, code }));
    const other = valueOf(await listSpaces(community.deps, mod)).spaces[1]?.id ?? 0;
    valueOf(await unlinkSpace(community.deps, mod, { spaceId: other, reason: "left the project" }));

    const seenAgain = await ensureCommunityForChat(community.deps, telegram);

    expect(seenAgain.communityId).not.toBe(community.communityId);
    expect(seenAgain.created).toBe(false);
    const there = valueOf(
      await resolveActor(community.deps, telegram, {
        platform: "TELEGRAM",
        userId: "tg-u1",
        displayName: "u1",
      }),
    );
    expect(there.communityId).toBe(seenAgain.communityId);
    expect(valueOf(await listSpaces(community.deps, mod)).spaces.map((s) => s.id)).toEqual([mod.spaceId]);
  });

  it("unlinking the chat you are in, the last chat, another community's chat or without a reason is refused", async () => {
    const community = await newCommunity(database);
    const mod = await community.member("mod", { moderator: true });
    const member = await community.member("ana");
    const stranger = await newCommunity(database);
    const strangerMod = await stranger.member("mod", { moderator: true });
    const unlink = (actor: typeof mod, spaceId: number, reason = "why") =>
      unlinkSpace(community.deps, actor, { spaceId, reason });
    const code = (r: { ok: boolean; error?: { code: string } }) => (r.ok ? "ok" : r.error?.code);

    expect(code(await unlink(mod, mod.spaceId ?? 0))).toBe("THIS_SPACE");
    expect(code(await unlink({ ...mod, spaceId: null }, mod.spaceId ?? 0))).toBe("LAST_SPACE");
    expect(code(await unlink(mod, strangerMod.spaceId ?? 0))).toBe("UNKNOWN_SPACE");
    expect(code(await unlink({ ...mod, spaceId: null }, mod.spaceId ?? 0, " "))).toBe("REASON_REQUIRED");
    expect(code(await unlink(member, mod.spaceId ?? 0))).toBe("NOT_MODERATOR");
    expect(code(await listSpaces(community.deps, member))).toBe("NOT_MODERATOR");
    expect(await database.db.space.count({ where: { id: mod.spaceId ?? 0, active: true } })).toBe(1);
    expect(
      await database.db.auditLog.count({
        where: { communityId: community.communityId, action: "community.unlink" },
      }),
    ).toBe(0);
  });
});
