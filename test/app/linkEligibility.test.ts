import { describe, expect, it, vi } from "vitest";
import { logContribution } from "../../src/app/contributions.ts";
import { createIdentityLinkCode, redeemIdentityLinkCode } from "../../src/app/link.ts";
import { castVote } from "../../src/app/votes.ts";
import { useTestDatabase } from "../support/db.ts";
import { newCommunity, valueOf } from "../support/communities.ts";

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

const database = useTestDatabase();

describe("linking two accounts of one person", () => {
  it("drops the vote one account cast on the other's pending contribution", async () => {
    const community = await newCommunity(database);
    const anaOnDiscord = await community.member("ana-discord");
    const anaOnTelegram = await community.member("ana-telegram");
    const bob = await community.member("bob");
    const logged = valueOf(
      await logContribution(community.deps, anaOnDiscord, {
        categorySlug: "docs",
        title: "Guide",
        links: ["https://example.org/guide"],
      }),
    );
    valueOf(await castVote(community.deps, anaOnTelegram, { number: logged.number, choice: "APPROVE" }));
    valueOf(await castVote(community.deps, bob, { number: logged.number, choice: "APPROVE" }));

    const { code } = valueOf(await createIdentityLinkCode(community.deps, anaOnDiscord));
    valueOf(await redeemIdentityLinkCode(community.deps, anaOnTelegram, code));

    const votes = await database.db.vote.findMany({ where: { contributionId: logged.id } });
    expect(votes.map((v) => v.voterId)).toEqual([bob.memberId]);
    const again = await castVote(
      community.deps,
      { ...anaOnTelegram, memberId: anaOnDiscord.memberId },
      {
        number: logged.number,
        choice: "APPROVE",
      },
    );
    expect(again).toMatchObject({ ok: false, error: { code: "OWN_CONTRIBUTION" } });
  });
});
