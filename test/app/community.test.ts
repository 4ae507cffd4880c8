import { describe, expect, it, vi } from "vitest";
import { setConfig } from "../../src/app/community.ts";
import { verifyCommunityLedger } from "../../src/app/ledgerAudit.ts";
import { adjustPoints } from "../../src/app/moderation.ts";
import { activeScore } from "../../src/core/activeScore.ts";
import { useTestDatabase } from "../support/db.ts";
import { newCommunity, valueOf } from "../support/communities.ts";

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

const database = useTestDatabase();

describe("changing the active-score half-life", () => {
  it("rebuilds every active score so balances still agree with the ledger", async () => {
    const community = await newCommunity(database.db);
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
