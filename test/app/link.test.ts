import { describe, expect, it, vi } from "vitest";
import { verifyChain } from "../../src/core/ledger.ts";
import { resolveActor, type PlatformChat, type PlatformUser } from "../../src/app/actors.ts";
import { logContribution } from "../../src/app/contributions.ts";
import type { Actor, Deps } from "../../src/app/deps.ts";
import { createIdentityLinkCode, redeemIdentityLinkCode } from "../../src/app/link.ts";
import { adjustPoints, voidContribution } from "../../src/app/moderation.ts";
import { castVote } from "../../src/app/votes.ts";
import { LINK_ATTEMPT_WINDOW_MS, MAX_LINK_ATTEMPTS, MAX_OPEN_LINK_CODES } from "../../src/core/config.ts";
import { useTestDatabase } from "../support/db.ts";
import {
  FakeClock,
  balanceOf,
  contributionRow,
  discordAndTelegram,
  newCommunity,
  pointsByMember,
  readLedger,
  valueOf,
  type TestCommunity,
} from "../support/communities.ts";

// Each test drives many transactions against the real database; under a loaded
// machine that takes longer than vitest's 5 s default.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

const database = useTestDatabase();

/** One person, Ana, seen on a community's Discord server and on its Telegram group as two members. */
interface TwoPlatforms {
  community: TestCommunity;
  deps: Deps;
  telegramChat: PlatformChat;
  anaOnDiscord: Actor;
  anaOnTelegram: Actor;
  anaTelegramUser: PlatformUser;
  mod: Actor;
  pat: Actor;
  voters: Actor[];
}

async function twoPlatforms(): Promise<TwoPlatforms> {
  const { community, mod, telegramChat, telegramUser, onTelegram } = await discordAndTelegram(database);
  const anaTelegramUser = telegramUser("ana_tg");
  const anaOnTelegram = await onTelegram("ana_tg");
  const anaOnDiscord = await community.member("Ana");
  const pat = await community.member("pat");
  const voters = await Promise.all(["v1", "v2", "v3"].map((name) => community.member(name)));
  return {
    community,
    deps: community.deps,
    telegramChat,
    anaOnDiscord,
    anaOnTelegram,
    anaTelegramUser,
    mod,
    pat,
    voters,
  };
}

async function approveByAll(w: TwoPlatforms, number: number): Promise<void> {
  for (const voter of w.voters) valueOf(await castVote(w.deps, voter, { number, choice: "APPROVE" }));
}

/** Both of Ana's members build up history: submissions, a shared credit, votes (one on the same contribution), an adjustment. */
async function history(w: TwoPlatforms) {
  const discordOwn = valueOf(
    await logContribution(w.deps, w.anaOnDiscord, {
      categorySlug: "code",
      title: "Discord side work",
      links: [],
    }),
  ).number;
  await approveByAll(w, discordOwn);
  const telegramOwn = valueOf(
    await logContribution(w.deps, w.anaOnTelegram, {
      categorySlug: "docs",
      title: "Telegram side work",
      links: [],
    }),
  ).number;
  await approveByAll(w, telegramOwn);
  const shared = valueOf(
    await logContribution(w.deps, w.pat, {
      categorySlug: "code",
      title: "Pairing session",
      links: [],
      coAuthors: [
        { member: { kind: "user", user: w.community.user("Ana") }, shareBp: 3000 },
        { member: { kind: "user", user: w.anaTelegramUser }, shareBp: 3000 },
      ],
    }),
  ).number;
  await approveByAll(w, shared);
  const bothVoted = valueOf(
    await logContribution(w.deps, w.pat, { categorySlug: "docs", title: "Both voted", links: [] }),
  ).number;
  valueOf(await castVote(w.deps, w.anaOnDiscord, { number: bothVoted, choice: "REJECT" }));
  valueOf(await castVote(w.deps, w.anaOnTelegram, { number: bothVoted, choice: "APPROVE", impact: 5 }));
  const telegramVoted = valueOf(
    await logContribution(w.deps, w.pat, { categorySlug: "docs", title: "Telegram voted", links: [] }),
  ).number;
  valueOf(await castVote(w.deps, w.anaOnTelegram, { number: telegramVoted, choice: "APPROVE" }));
  const creditsTelegram = valueOf(
    await logContribution(w.deps, w.pat, {
      categorySlug: "docs",
      title: "Credits Ana on Telegram",
      links: [],
      coAuthors: [{ member: { kind: "user", user: w.anaTelegramUser }, shareBp: 5000 }],
    }),
  ).number;
  valueOf(
    await adjustPoints(w.deps, w.mod, {
      member: { kind: "user", user: w.anaTelegramUser },
      points: 123,
      reason: "event prize",
    }),
  );
  return { discordOwn, telegramOwn, shared, bothVoted, telegramVoted, creditsTelegram };
}

async function expectLedgerAgreesWithBalances(w: TwoPlatforms): Promise<void> {
  const entries = await readLedger(database.db, w.community.communityId);
  expect(verifyChain(entries)).toMatchObject({ ok: true, count: entries.length });
  for (const [memberId, points] of pointsByMember(entries))
    expect(await balanceOf(database.db, memberId)).toBe(points);
}

describe("linking two identities of one person", () => {
  it("moves the redeemer's points to the member who asked for the code, recorded as a pair of MERGE entries", async () => {
    const w = await twoPlatforms();
    await history(w);
    const keep = w.anaOnDiscord.memberId;
    const gone = w.anaOnTelegram.memberId;
    const keepBefore = await balanceOf(database.db, keep);
    const goneBefore = await balanceOf(database.db, gone);
    // Telegram Ana: 5.00 for her docs, 30% of the 10.00 pairing session, 1.23 adjusted (her votes are undecided).
    expect(goneBefore).toBe(500 + 300 + 123);
    const ledgerBefore = await readLedger(database.db, w.community.communityId);

    const code = valueOf(await createIdentityLinkCode(w.deps, w.anaOnDiscord)).code;
    const linked = valueOf(await redeemIdentityLinkCode(w.deps, w.anaOnTelegram, code));
    expect(linked).toEqual({ memberId: keep, movedPoints: goneBefore });

    expect(await balanceOf(database.db, keep)).toBe(keepBefore + goneBefore);
    expect(await balanceOf(database.db, gone)).toBe(0);
    const ledgerAfter = await readLedger(database.db, w.community.communityId);
    expect(ledgerAfter.slice(0, ledgerBefore.length)).toEqual(ledgerBefore);
    expect(
      ledgerAfter
        .slice(ledgerBefore.length)
        .map((e) => ({ kind: e.kind, memberId: e.memberId, points: e.points })),
    ).toEqual([
      { kind: "MERGE", memberId: gone, points: -goneBefore },
      { kind: "MERGE", memberId: keep, points: goneBefore },
    ]);
    await expectLedgerAgreesWithBalances(w);
  });

  it("moves verified counts and period buckets with the points", async () => {
    const w = await twoPlatforms();
    await history(w);
    const keep = w.anaOnDiscord.memberId;
    const gone = w.anaOnTelegram.memberId;
    const verified = async (memberId: number) =>
      (await database.db.balance.findUnique({ where: { memberId } }))?.verified ?? 0;
    const periods = async (memberId: number) =>
      database.db.periodBalance.findMany({
        where: { memberId },
        select: { period: true, points: true, verified: true },
        orderBy: { period: "asc" },
      });
    const keepVerified = await verified(keep);
    const goneVerified = await verified(gone);
    const keepPeriods = await periods(keep);
    const gonePeriods = await periods(gone);

    const code = valueOf(await createIdentityLinkCode(w.deps, w.anaOnDiscord)).code;
    valueOf(await redeemIdentityLinkCode(w.deps, w.anaOnTelegram, code));

    expect(await verified(keep)).toBe(keepVerified + goneVerified);
    expect(await periods(gone)).toEqual([]);
    expect(await periods(keep)).toEqual(
      keepPeriods.map((p) => {
        const other = gonePeriods.find((g) => g.period === p.period);
        return {
          period: p.period,
          points: p.points + (other?.points ?? 0),
          verified: p.verified + (other?.verified ?? 0),
        };
      }),
    );
  });

  it("moves submissions, credits and votes; a shared credit becomes one and the kept member's vote stands", async () => {
    const w = await twoPlatforms();
    const numbers = await history(w);
    const keep = w.anaOnDiscord.memberId;
    const gone = w.anaOnTelegram.memberId;
    const code = valueOf(await createIdentityLinkCode(w.deps, w.anaOnDiscord)).code;
    valueOf(await redeemIdentityLinkCode(w.deps, w.anaOnTelegram, code));

    const row = (n: number) => contributionRow(database.db, w.community.communityId, n);
    expect((await row(numbers.telegramOwn)).submitterId).toBe(keep);
    const shared = await row(numbers.shared);
    expect(
      await database.db.credit.findMany({
        where: { contributionId: shared.id },
        select: { memberId: true, shareBp: true },
        orderBy: { memberId: "asc" },
      }),
    ).toEqual(
      [
        { memberId: keep, shareBp: 6000 },
        { memberId: w.pat.memberId, shareBp: 4000 },
      ].sort((a, b) => a.memberId - b.memberId),
    );
    const bothVoted = await row(numbers.bothVoted);
    expect(
      await database.db.vote.findMany({
        where: { contributionId: bothVoted.id },
        select: { voterId: true, choice: true },
      }),
    ).toEqual([{ voterId: keep, choice: "REJECT" }]);
    const telegramVoted = await row(numbers.telegramVoted);
    expect(
      await database.db.vote.findMany({
        where: { contributionId: telegramVoted.id },
        select: { voterId: true },
      }),
    ).toEqual([{ voterId: keep }]);
    expect(await database.db.credit.count({ where: { memberId: gone } })).toBe(0);
    expect(await database.db.vote.count({ where: { voterId: gone } })).toBe(0);
    expect(await database.db.contribution.count({ where: { submitterId: gone } })).toBe(0);

    // Now credited through the Telegram identity, Ana cannot verify that contribution from Discord.
    const vote = await castVote(w.deps, w.anaOnDiscord, {
      number: numbers.creditsTelegram,
      choice: "APPROVE",
    });
    expect(vote).toMatchObject({ ok: false, error: { code: "CREDITED" } });
  });

  it("makes both identities resolve to the kept member, and records the link in the audit log", async () => {
    const w = await twoPlatforms();
    const code = valueOf(await createIdentityLinkCode(w.deps, w.anaOnDiscord)).code;
    valueOf(await redeemIdentityLinkCode(w.deps, w.anaOnTelegram, code));
    const keep = w.anaOnDiscord.memberId;
    expect(valueOf(await resolveActor(w.deps, w.telegramChat, w.anaTelegramUser)).memberId).toBe(keep);
    expect(
      await database.db.identity.findMany({
        where: { memberId: keep },
        select: { platform: true },
        orderBy: { platform: "asc" },
      }),
    ).toEqual([{ platform: "DISCORD" }, { platform: "TELEGRAM" }]);
    expect(await database.db.member.findUnique({ where: { id: w.anaOnTelegram.memberId } })).toMatchObject({
      mergedIntoId: keep,
    });
    expect(
      await database.db.auditLog.findMany({
        where: { communityId: w.community.communityId, action: "member.link" },
      }),
    ).toMatchObject([
      {
        actorId: w.anaOnTelegram.memberId,
        target: `member:${keep}`,
        details: { merged: w.anaOnTelegram.memberId },
      },
    ]);
  });

  it("records a merge of a member without points as MERGE entries of zero", async () => {
    const w = await twoPlatforms();
    const code = valueOf(await createIdentityLinkCode(w.deps, w.anaOnDiscord)).code;
    expect(valueOf(await redeemIdentityLinkCode(w.deps, w.anaOnTelegram, code)).movedPoints).toBe(0);
    const ledger = await readLedger(database.db, w.community.communityId);
    expect(ledger.map((e) => ({ kind: e.kind, points: e.points }))).toEqual([
      { kind: "MERGE", points: 0 },
      { kind: "MERGE", points: 0 },
    ]);
    await expectLedgerAgreesWithBalances(w);
  });
});

describe("voiding after a link", () => {
  it("takes an award back from the person's kept member, not from the merged-away one", async () => {
    const w = await twoPlatforms();
    const telegramOwn = valueOf(
      await logContribution(w.deps, w.anaOnTelegram, {
        categorySlug: "docs",
        title: "Telegram side work",
        links: [],
      }),
    ).number;
    await approveByAll(w, telegramOwn);
    const code = valueOf(await createIdentityLinkCode(w.deps, w.anaOnDiscord)).code;
    valueOf(await redeemIdentityLinkCode(w.deps, w.anaOnTelegram, code));
    expect(await balanceOf(database.db, w.anaOnDiscord.memberId)).toBe(500);

    valueOf(await voidContribution(w.deps, w.mod, { number: telegramOwn, reason: "not original work" }));

    expect(await balanceOf(database.db, w.anaOnDiscord.memberId)).toBe(0);
    expect(await balanceOf(database.db, w.anaOnTelegram.memberId)).toBe(0);
    expect(
      (await database.db.balance.findUnique({ where: { memberId: w.anaOnDiscord.memberId } }))?.verified,
    ).toBe(0);
    for (const voter of w.voters) expect(await balanceOf(database.db, voter.memberId)).toBe(0);
    await expectLedgerAgreesWithBalances(w);
  });

  it("takes back the verifier reward a merged-away member earned by approving", async () => {
    const w = await twoPlatforms();
    const patsWork = valueOf(
      await logContribution(w.deps, w.pat, { categorySlug: "docs", title: "Pat's work", links: [] }),
    ).number;
    valueOf(await castVote(w.deps, w.anaOnTelegram, { number: patsWork, choice: "APPROVE" }));
    const [v1, v2] = w.voters;
    if (v1 === undefined || v2 === undefined) throw new Error("voters");
    valueOf(await castVote(w.deps, v1, { number: patsWork, choice: "APPROVE" }));
    valueOf(await castVote(w.deps, v2, { number: patsWork, choice: "APPROVE" }));
    const code = valueOf(await createIdentityLinkCode(w.deps, w.anaOnDiscord)).code;
    valueOf(await redeemIdentityLinkCode(w.deps, w.anaOnTelegram, code));
    expect(await balanceOf(database.db, w.anaOnDiscord.memberId)).toBe(25);

    valueOf(await voidContribution(w.deps, w.mod, { number: patsWork, reason: "not original work" }));

    expect(await balanceOf(database.db, w.anaOnDiscord.memberId)).toBe(0);
    expect(await balanceOf(database.db, w.anaOnTelegram.memberId)).toBe(0);
    await expectLedgerAgreesWithBalances(w);
  });
});

describe("an identity link code", () => {
  it("is accepted typed in lower case with a dash", async () => {
    const w = await twoPlatforms();
    const { code } = valueOf(await createIdentityLinkCode(w.deps, w.anaOnDiscord));
    const typed = `${code.slice(0, 4)}-${code.slice(4)}`.toLowerCase();
    expect(valueOf(await redeemIdentityLinkCode(w.deps, w.anaOnTelegram, typed)).memberId).toBe(
      w.anaOnDiscord.memberId,
    );
  });

  it("expires 10 minutes after it was made", async () => {
    const w = await twoPlatforms();
    const { code, expiresAt } = valueOf(await createIdentityLinkCode(w.deps, w.anaOnDiscord));
    expect(expiresAt.getTime() - w.community.clock.now().getTime()).toBe(10 * 60_000);
    const late: Deps = { db: database.db, store: database.store, clock: new FakeClock(expiresAt) };
    expect(await redeemIdentityLinkCode(late, w.anaOnTelegram, code)).toMatchObject({
      ok: false,
      error: { code: "BAD_CODE" },
    });
    const inTime: Deps = {
      db: database.db,
      store: database.store,
      clock: new FakeClock(new Date(expiresAt.getTime() - 1)),
    };
    expect(valueOf(await redeemIdentityLinkCode(inTime, w.anaOnTelegram, code)).memberId).toBe(
      w.anaOnDiscord.memberId,
    );
  });

  it("can be used once", async () => {
    const w = await twoPlatforms();
    const { code } = valueOf(await createIdentityLinkCode(w.deps, w.anaOnDiscord));
    valueOf(await redeemIdentityLinkCode(w.deps, w.anaOnTelegram, code));
    const again = await redeemIdentityLinkCode(w.deps, w.pat, code);
    expect(again).toMatchObject({ ok: false, error: { code: "BAD_CODE" } });
    expect(await database.db.member.findUnique({ where: { id: w.pat.memberId } })).toMatchObject({
      mergedIntoId: null,
    });
  });
});

describe("link code limits", () => {
  it("a flood of link codes: expired codes are deleted when a new one is made, and live ones are capped", async () => {
    const community = await newCommunity(database);
    const ana = await community.member("ana");
    const old = valueOf(await createIdentityLinkCode(community.deps, ana)).code;
    community.clock.advanceHours(1);
    for (let i = 0; i < MAX_OPEN_LINK_CODES; i += 1)
      valueOf(await createIdentityLinkCode(community.deps, ana));
    expect(await database.db.linkCode.findUnique({ where: { code: old } })).toBeNull();
    const refused = await createIdentityLinkCode(community.deps, ana);
    expect(refused.ok ? null : refused.error.code).toBe("TOO_MANY_LINK_CODES");
  });

  it("guessing link codes: attempts are limited per member and allowed again after the window", async () => {
    const community = await newCommunity(database);
    const ana = await community.member("ana");
    const codes: string[] = [];
    for (let i = 0; i < MAX_LINK_ATTEMPTS; i += 1) {
      const tried = await redeemIdentityLinkCode(community.deps, ana, "ZZZZ-ZZZZ");
      codes.push(tried.ok ? "" : tried.error.code);
    }
    expect(codes).toEqual(Array.from({ length: MAX_LINK_ATTEMPTS }, () => "BAD_CODE"));
    const limited = await redeemIdentityLinkCode(community.deps, ana, "ZZZZ-ZZZZ");
    expect(limited.ok ? null : limited.error.code).toBe("LINK_ATTEMPTS");
    community.clock.set(new Date(community.clock.now().getTime() + LINK_ATTEMPT_WINDOW_MS + 1));
    const again = await redeemIdentityLinkCode(community.deps, ana, "ZZZZ-ZZZZ");
    expect(again.ok ? null : again.error.code).toBe("BAD_CODE");
  });

  it("an attempt belongs to a member: none can be recorded for a member that does not exist", async () => {
    const community = await newCommunity(database);
    const ana = await community.member("ana");
    await redeemIdentityLinkCode(community.deps, ana, "ZZZZ-ZZZZ");
    expect(await database.db.linkAttempt.count({ where: { memberId: ana.memberId } })).toBe(1);
    await expect(database.db.linkAttempt.create({ data: { memberId: 2_000_000_000 } })).rejects.toThrow(
      /foreign key/i,
    );
  });
});

describe("roles after linking", () => {
  it("a linked member's Discord moderator and voter roles give nothing on Telegram", async () => {
    const { community, telegramChat, telegramUser, onTelegram } = await discordAndTelegram(database, {
      config: { moderatorRole: "role-mod", voterRole: "role-voter", minVoterAgeDays: 0 },
    });
    const deps = community.deps;
    const anaOnDiscord = await community.member("Ana", { roles: ["role-mod", "role-voter"] });
    expect(anaOnDiscord.isModerator).toBe(true);
    const anaTelegramUser = telegramUser("ana_tg");
    const anaOnTelegram = await onTelegram("ana_tg");
    const code = valueOf(await createIdentityLinkCode(deps, anaOnDiscord)).code;
    valueOf(await redeemIdentityLinkCode(deps, anaOnTelegram, code));
    const pat = await community.member("pat");
    const number = valueOf(
      await logContribution(deps, pat, { categorySlug: "code", title: "Pat's work", links: [] }),
    ).number;

    const linked = valueOf(await resolveActor(deps, telegramChat, anaTelegramUser));

    expect(linked.memberId).toBe(anaOnDiscord.memberId);
    expect(linked.isModerator).toBe(false);
    expect(
      await adjustPoints(deps, linked, {
        member: { kind: "name", name: "pat" },
        points: 5,
        reason: "checking the role",
      }),
    ).toMatchObject({
      ok: false,
      error: { code: "NOT_MODERATOR" },
    });
    expect(await castVote(deps, linked, { number, choice: "APPROVE" })).toMatchObject({
      ok: false,
      error: { code: "MISSING_VOTER_ROLE" },
    });
    // On Discord, where the roles come from, they still count.
    const again = await community.member("Ana", { roles: ["role-mod", "role-voter"] });
    expect(again.isModerator).toBe(true);
    valueOf(await castVote(deps, again, { number, choice: "APPROVE" }));
  });
});
