import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "../../src/db/client.ts";
import { resolveActor, type PlatformChat } from "../../src/app/actors.ts";
import {
  addCategory,
  addSeason,
  createSpaceLinkCode,
  editCategory,
  endSeason,
  joinCommunity,
  removeCategory,
  setConfig,
} from "../../src/app/community.ts";
import {
  editContribution,
  logContribution,
  withdrawContribution,
  type ContributionDraft,
} from "../../src/app/contributions.ts";
import type { Actor, Deps } from "../../src/app/deps.ts";
import { createIdentityLinkCode, redeemIdentityLinkCode } from "../../src/app/link.ts";
import {
  adjustPoints,
  appealContribution,
  banMember,
  eraseMember,
  extendDeadline,
  moderatorDecide,
  reopenContribution,
  unbanMember,
  voidContribution,
} from "../../src/app/moderation.ts";
import { answerInfoRequest, askForInfo, castVote } from "../../src/app/votes.ts";
import { createTestDatabase } from "../support/db.ts";
import { MAX_LINK_ATTEMPTS, MAX_OPEN_LINK_CODES } from "../../src/core/config.ts";
import { FakeClock, newCommunity, valueOf, type TestCommunity } from "../support/communities.ts";

// Each test drives many transactions against the real database; under a loaded
// machine that takes longer than vitest's 5 s default.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

let database: Awaited<ReturnType<typeof createTestDatabase>>;

/**
 * Everything a refused call could touch: each table's rows (content, not just count), ledger heads included.
 * link_attempt is left out: counting a refused /link CODE attempt is the point of it.
 */
async function snapshot(db: Db): Promise<Record<string, string>> {
  const tables = await db.$queryRaw<Array<{ name: string }>>`
    SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'
      AND tablename <> 'link_attempt' ORDER BY 1`;
  const digest: Record<string, string> = {};
  for (const { name } of tables) {
    const rows = await db.$queryRawUnsafe<Array<{ n: number; digest: string }>>(
      `SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM "${name}" t`,
    );
    digest[name] = `${rows[0]?.n}:${rows[0]?.digest}`;
  }
  return digest;
}

/** A world with contributions in every state the refusals need, built once. */
interface Scene {
  main: TestCommunity;
  other: TestCommunity;
  strict: TestCommunity;
  roles: TestCommunity;
  mod: Actor;
  alice: Actor;
  bob: Actor;
  carol: Actor;
  dave: Actor;
  erin: Actor;
  mallory: Actor;
  newcomer: Actor;
  roleless: Actor;
  linker: Actor;
  merged: Actor;
  /** #1 pending (Alice with Bob 40%), #2 verified, #3 rejected and appealed, #4 pending with one vote. */
  pending: number;
  verified: number;
  rejected: number;
  votedOn: number;
  /** Pending in the strict and roles communities, by their own submitters. */
  strictPending: number;
  rolesPending: number;
  codes: {
    used: string;
    expiring: string;
    foreign: string;
    own: string;
    ofMergedMember: string;
    space: string;
  };
  otherChat: PlatformChat;
}

let scene: Scene;

function draft(overrides: Partial<ContributionDraft> = {}): ContributionDraft {
  return { categorySlug: "code", title: "Fix the parser", links: [], ...overrides };
}

async function buildScene(): Promise<Scene> {
  const main = await newCommunity(database, { config: { maxSubmissionsPerDay: 4 } });
  const deps = main.deps;
  const mod = await main.member("mod", { moderator: true });
  const [alice, bob, carol, dave, erin, mallory] = await Promise.all(
    ["alice", "bob", "carol", "dave", "erin", "mallory"].map((name) => main.member(name)),
  );
  if (!alice || !bob || !carol || !dave || !erin || !mallory) throw new Error("members");
  valueOf(
    await banMember(deps, mod, { member: { kind: "user", user: main.user("mallory") }, reason: "spam" }),
  );
  valueOf(await addCategory(deps, mod, { slug: "retired", weight: 100 }));
  valueOf(await removeCategory(deps, mod, { slug: "retired" }));
  valueOf(
    await addSeason(deps, mod, { name: "Autumn", startsAt: new Date("2026-09-01T00:00:00Z"), endsAt: null }),
  );

  const pending = valueOf(
    await logContribution(
      deps,
      alice,
      draft({
        title: "Parser rewrite",
        links: ["https://github.com/org/repo/pull/7"],
        coAuthors: [{ member: { kind: "user", user: main.user("bob") }, shareBp: 4000 }],
      }),
    ),
  ).number;
  const verified = valueOf(
    await logContribution(deps, alice, draft({ title: "Docs", links: ["https://example.org/docs"] })),
  ).number;
  for (const voter of [carol, dave, erin])
    valueOf(await castVote(deps, voter, { number: verified, choice: "APPROVE" }));
  const rejected = valueOf(await logContribution(deps, alice, draft({ title: "Spam" }))).number;
  for (const voter of [carol, dave, erin])
    valueOf(await castVote(deps, voter, { number: rejected, choice: "REJECT" }));
  valueOf(await appealContribution(deps, alice, { number: rejected, reason: "please look again" }));
  const votedOn = valueOf(await logContribution(deps, alice, draft({ title: "Benchmarks" }))).number;
  valueOf(await castVote(deps, carol, { number: votedOn, choice: "APPROVE" }));
  valueOf(await askForInfo(deps, carol, pending, "Which tests cover it?"));
  valueOf(await answerInfoRequest(deps, alice, pending, "The parser suite"));
  // Dave floods votedOn with questions up to the cap (left open).
  for (const question of ["Why?", "How?", "When?"]) valueOf(await askForInfo(deps, dave, votedOn, question));

  // Twins share a display name, so "@twin" is ambiguous.
  for (const userId of ["twin-1", "twin-2"]) {
    valueOf(
      await resolveActor(deps, main.chat, { platform: main.chat.platform, userId, displayName: "twin" }),
    );
  }

  // Identity link codes: one used, one about to expire, one of another community, one of the caller,
  // and one asked for by a member who has since been merged into the caller.
  const linker = await main.member("linker");
  const merged = await main.member("linker-alt");
  const ofMergedMember = valueOf(await createIdentityLinkCode(deps, merged)).code;
  const linkerCode = valueOf(await createIdentityLinkCode(deps, linker)).code;
  valueOf(await redeemIdentityLinkCode(deps, merged, linkerCode));
  const other = await newCommunity(database);
  const stranger = await other.member("stranger");
  const foreign = valueOf(await createIdentityLinkCode(other.deps, stranger)).code;
  const expiring = valueOf(await createIdentityLinkCode(deps, dave)).code;
  const own = valueOf(await createIdentityLinkCode(deps, erin)).code;
  const space = valueOf(await createSpaceLinkCode(deps, mod)).code;
  // Bob holds as many live link codes as allowed; Alice has used up her link attempts.
  for (let i = 0; i < MAX_OPEN_LINK_CODES; i += 1) valueOf(await createIdentityLinkCode(deps, bob));
  for (let i = 0; i < MAX_LINK_ATTEMPTS; i += 1) await redeemIdentityLinkCode(deps, alice, "ZZZZ-ZZZZ");
  // The other community has history, so its chat cannot simply move.
  valueOf(await logContribution(other.deps, stranger, draft()));

  const strict = await newCommunity(database, { config: { minVoterAgeDays: 7 } });
  const strictSubmitter = await strict.member("old-timer");
  const strictPending = valueOf(await logContribution(strict.deps, strictSubmitter, draft())).number;
  const newcomer = await strict.member("newcomer");

  const roles = await newCommunity(database, { config: { voterRole: "verifier" } });
  const rolesSubmitter = await roles.member("author");
  const rolesPending = valueOf(await logContribution(roles.deps, rolesSubmitter, draft())).number;
  const roleless = await roles.member("no-role", { roles: ["member"] });

  return {
    main,
    other,
    strict,
    roles,
    mod,
    alice,
    bob,
    carol,
    dave,
    erin,
    mallory,
    newcomer,
    roleless,
    linker,
    merged,
    pending,
    verified,
    rejected,
    votedOn,
    strictPending,
    rolesPending,
    codes: { used: linkerCode, expiring, foreign, own, ofMergedMember, space },
    otherChat: other.chat,
  };
}

beforeAll(async () => {
  database = await createTestDatabase();
  scene = await buildScene();
}, 60_000);

afterAll(async () => {
  await database.drop();
});

type Call = () => Promise<{ ok: boolean; error?: { code: string } }>;

/** Runs a call that must be refused with `code`, and checks that the database is exactly as before. */
async function expectRefusedWithoutChange(call: Call, code: string): Promise<void> {
  const before = await snapshot(database.db);
  const result = await call();
  expect(result).toMatchObject({ ok: false, error: { code } });
  expect(await snapshot(database.db)).toEqual(before);
}

const deps = (): Deps => scene.main.deps;
const at = (hoursLater: number): Deps => ({
  db: database.db,
  store: database.store,
  clock: new FakeClock(new Date(scene.main.clock.now().getTime() + hoursLater * 3_600_000)),
});
const long = (n: number): string => "x".repeat(n);
const NONE = 999;

interface Case {
  readonly when: string;
  readonly code: string;
  readonly call: Call;
}

const contributionCases: Case[] = [
  {
    when: "a title of 121 characters",
    code: "TITLE_LENGTH",
    call: () => logContribution(deps(), scene.bob, draft({ title: long(121) })),
  },
  {
    when: "a title of only spaces and control characters",
    code: "TITLE_LENGTH",
    call: () => logContribution(deps(), scene.bob, draft({ title: "  \u0007\t " })),
  },
  {
    when: "a description of 2001 characters",
    code: "DESCRIPTION_LENGTH",
    call: () => logContribution(deps(), scene.bob, draft({ description: long(2001) })),
  },
  {
    when: "a javascript: link",
    code: "BAD_LINK",
    call: () => logContribution(deps(), scene.bob, draft({ links: ["javascript:alert(1)"] })),
  },
  {
    when: "an ftp link",
    code: "BAD_LINK",
    call: () => logContribution(deps(), scene.bob, draft({ links: ["ftp://example.org/file"] })),
  },
  {
    when: "a link carrying a password",
    code: "BAD_LINK",
    call: () => logContribution(deps(), scene.bob, draft({ links: ["https://user:pw@example.org/"] })),
  },
  {
    when: "six evidence links",
    code: "TOO_MANY_LINKS",
    call: () =>
      logContribution(
        deps(),
        scene.bob,
        draft({ links: [1, 2, 3, 4, 5, 6].map((i) => `https://example.org/evidence/${i}`) }),
      ),
  },
  {
    when: "an evidence link already used, differing only in case, trailing slash and tracking parameters",
    code: "DUPLICATE_LINK",
    call: () =>
      logContribution(
        deps(),
        scene.bob,
        draft({ links: ["HTTPS://GitHub.com/org/repo/pull/7/?utm_source=chat&utm_medium=bot"] }),
      ),
  },
  {
    when: "an unknown category",
    code: "UNKNOWN_CATEGORY",
    call: () => logContribution(deps(), scene.bob, draft({ categorySlug: "poetry" })),
  },
  {
    when: "a removed category",
    code: "UNKNOWN_CATEGORY",
    call: () => logContribution(deps(), scene.bob, draft({ categorySlug: "retired" })),
  },
  {
    when: "a fifth submission within 24 hours where four a day are allowed",
    code: "SUBMISSION_LIMIT",
    call: () => logContribution(deps(), scene.alice, draft()),
  },
  { when: "a banned submitter", code: "BANNED", call: () => logContribution(deps(), scene.mallory, draft()) },
  {
    when: "co-author shares over 100% (naming a member never seen before)",
    code: "SHARES_OVER_100",
    call: () =>
      logContribution(
        deps(),
        scene.bob,
        draft({
          coAuthors: [
            { member: { kind: "user", user: scene.main.user("brand-new") }, shareBp: 6000 },
            { member: { kind: "user", user: scene.main.user("carol") }, shareBp: 5000 },
          ],
        }),
      ),
  },
  {
    when: "the same co-author twice",
    code: "DUPLICATE_CREDIT",
    call: () =>
      logContribution(
        deps(),
        scene.bob,
        draft({
          coAuthors: [
            { member: { kind: "name", name: "@carol" }, shareBp: 1000 },
            { member: { kind: "user", user: scene.main.user("carol") }, shareBp: 1000 },
          ],
        }),
      ),
  },
  {
    when: "an unknown co-author name",
    code: "UNKNOWN_MEMBER",
    call: () =>
      logContribution(
        deps(),
        scene.bob,
        draft({ coAuthors: [{ member: { kind: "name", name: "@nobody" }, shareBp: null }] }),
      ),
  },
  {
    when: "an ambiguous co-author name",
    code: "AMBIGUOUS_MEMBER",
    call: () =>
      logContribution(
        deps(),
        scene.bob,
        draft({ coAuthors: [{ member: { kind: "name", name: "@twin" }, shareBp: null }] }),
      ),
  },
  {
    when: "an edit of an unknown contribution",
    code: "UNKNOWN_CONTRIBUTION",
    call: () => editContribution(deps(), scene.alice, NONE, { title: "New" }),
  },
  {
    when: "an edit by someone else",
    code: "NOT_SUBMITTER",
    call: () => editContribution(deps(), scene.bob, scene.pending, { title: "Mine now" }),
  },
  {
    when: "an edit after the first vote",
    code: "ALREADY_VOTED_ON",
    call: () => editContribution(deps(), scene.alice, scene.votedOn, { title: "Changed" }),
  },
  {
    when: "an edit of a verified contribution",
    code: "NOT_PENDING",
    call: () => editContribution(deps(), scene.alice, scene.verified, { title: "Changed" }),
  },
  {
    when: "an edit that changes nothing",
    code: "NOTHING_TO_EDIT",
    call: () => editContribution(deps(), scene.alice, scene.pending, {}),
  },
  {
    when: "an edit to an oversized title",
    code: "TITLE_LENGTH",
    call: () => editContribution(deps(), scene.alice, scene.pending, { title: long(121) }),
  },
  {
    when: "an edit to a bad link",
    code: "BAD_LINK",
    call: () => editContribution(deps(), scene.alice, scene.pending, { links: ["javascript:void(0)"] }),
  },
  {
    when: "an edit to six evidence links",
    code: "TOO_MANY_LINKS",
    call: () =>
      editContribution(deps(), scene.alice, scene.pending, {
        links: [1, 2, 3, 4, 5, 6].map((i) => `https://example.org/more/${i}`),
      }),
  },
  {
    when: "an edit to another contribution's link",
    code: "DUPLICATE_LINK",
    call: () =>
      editContribution(deps(), scene.alice, scene.pending, { links: ["https://example.org/docs/"] }),
  },
  {
    when: "an edit to an unknown category",
    code: "UNKNOWN_CATEGORY",
    call: () => editContribution(deps(), scene.alice, scene.pending, { categorySlug: "poetry" }),
  },
  {
    when: "a withdrawal of an unknown contribution",
    code: "UNKNOWN_CONTRIBUTION",
    call: () => withdrawContribution(deps(), scene.alice, NONE),
  },
  {
    when: "a withdrawal by someone else",
    code: "NOT_SUBMITTER",
    call: () => withdrawContribution(deps(), scene.bob, scene.pending),
  },
  {
    when: "a withdrawal of a verified contribution",
    code: "NOT_PENDING",
    call: () => withdrawContribution(deps(), scene.alice, scene.verified),
  },
];

const voteCases: Case[] = [
  {
    when: "a vote on an unknown contribution",
    code: "UNKNOWN_CONTRIBUTION",
    call: () => castVote(deps(), scene.carol, { number: NONE, choice: "APPROVE" }),
  },
  ...[0, -1, 1.5, 2 ** 31, Number.NaN].map((number) => ({
    when: `a vote on the malformed number ${number}`,
    code: "UNKNOWN_CONTRIBUTION",
    call: () => castVote(deps(), scene.carol, { number, choice: "APPROVE" }),
  })),
  {
    when: "a vote on a verified contribution",
    code: "VOTE_CLOSED",
    call: () => castVote(deps(), scene.bob, { number: scene.verified, choice: "REJECT" }),
  },
  {
    when: "a vote on a rejected contribution",
    code: "VOTE_CLOSED",
    call: () => castVote(deps(), scene.bob, { number: scene.rejected, choice: "APPROVE" }),
  },
  {
    when: "a vote after the deadline, before the deadline job ran",
    code: "VOTE_CLOSED",
    call: () => castVote(at(72), scene.carol, { number: scene.pending, choice: "APPROVE" }),
  },
  {
    when: "a vote on one's own contribution",
    code: "OWN_CONTRIBUTION",
    call: () => castVote(deps(), scene.alice, { number: scene.pending, choice: "APPROVE" }),
  },
  {
    when: "a vote by a credited co-author",
    code: "CREDITED",
    call: () => castVote(deps(), scene.bob, { number: scene.pending, choice: "APPROVE" }),
  },
  {
    when: "a vote by a banned member",
    code: "BANNED",
    call: () => castVote(deps(), scene.mallory, { number: scene.pending, choice: "APPROVE" }),
  },
  {
    when: "a vote by a member younger than minVoterAgeDays",
    code: "TOO_NEW",
    call: () =>
      castVote(scene.strict.deps, scene.newcomer, { number: scene.strictPending, choice: "APPROVE" }),
  },
  {
    when: "a vote without the configured voter role",
    code: "MISSING_VOTER_ROLE",
    call: () => castVote(scene.roles.deps, scene.roleless, { number: scene.rolesPending, choice: "APPROVE" }),
  },
  ...[0, 6, 2.5, Number.NaN].map((impact) => ({
    when: `an impact rating of ${impact}`,
    code: "BAD_IMPACT",
    call: () => castVote(deps(), scene.carol, { number: scene.pending, choice: "APPROVE", impact }),
  })),
  {
    when: "an impact rating on a rejection",
    code: "IMPACT_ON_REJECT",
    call: () => castVote(deps(), scene.carol, { number: scene.pending, choice: "REJECT", impact: 3 }),
  },
  {
    when: "a question on one's own contribution",
    code: "OWN_CONTRIBUTION",
    call: () => askForInfo(deps(), scene.alice, scene.pending, "Why?"),
  },
  {
    when: "a question on a decided contribution",
    code: "VOTE_CLOSED",
    call: () => askForInfo(deps(), scene.carol, scene.verified, "Why?"),
  },
  {
    when: "an empty question",
    code: "REASON_REQUIRED",
    call: () => askForInfo(deps(), scene.carol, scene.pending, "   "),
  },
  {
    when: "a question of 501 characters",
    code: "REASON_LENGTH",
    call: () => askForInfo(deps(), scene.carol, scene.pending, long(501)),
  },
  {
    when: "an answer by someone other than the submitter",
    code: "NOT_SUBMITTER",
    call: () => answerInfoRequest(deps(), scene.bob, scene.pending, "Because"),
  },
  {
    when: "an answer with no open question",
    code: "NO_OPEN_QUESTION",
    call: () => answerInfoRequest(deps(), scene.alice, scene.pending, "Because"),
  },
  {
    when: "a flood of questions: a fourth open question from one voter on one contribution",
    code: "TOO_MANY_QUESTIONS",
    call: () => askForInfo(deps(), scene.dave, scene.votedOn, "And now?"),
  },
];

const moderatorOnly: Array<[string, () => Call]> = [
  [
    "approving",
    () => () =>
      moderatorDecide(deps(), scene.carol, { number: scene.pending, outcome: "VERIFIED", reason: "ok" }),
  ],
  ["voiding", () => () => voidContribution(deps(), scene.carol, { number: scene.verified, reason: "no" })],
  [
    "extending a deadline",
    () => () =>
      extendDeadline(deps(), scene.carol, { number: scene.pending, hours: 24, reason: "more time" }),
  ],
  [
    "reopening",
    () => () => reopenContribution(deps(), scene.carol, { number: scene.rejected, reason: "appeal" }),
  ],
  [
    "banning",
    () => () => banMember(deps(), scene.carol, { member: { kind: "name", name: "dave" }, reason: "spam" }),
  ],
  [
    "unbanning",
    () => () =>
      unbanMember(deps(), scene.carol, { member: { kind: "name", name: "mallory" }, reason: "sorry" }),
  ],
  [
    "adjusting points",
    () => () =>
      adjustPoints(deps(), scene.carol, {
        member: { kind: "name", name: "carol" },
        points: 10_000,
        reason: "me",
      }),
  ],
  [
    "erasing a member",
    () => () => eraseMember(deps(), scene.carol, { member: { kind: "name", name: "dave" } }),
  ],
  ["setting configuration", () => () => setConfig(deps(), scene.carol, { key: "quorum", value: "1" })],
  ["adding a category", () => () => addCategory(deps(), scene.carol, { slug: "art", weight: 100 })],
  ["editing a category", () => () => editCategory(deps(), scene.carol, { slug: "code", weight: 1 })],
  ["removing a category", () => () => removeCategory(deps(), scene.carol, { slug: "code" })],
  [
    "adding a season",
    () => () =>
      addSeason(deps(), scene.carol, {
        name: "Winter",
        startsAt: new Date("2026-12-01T00:00:00Z"),
        endsAt: null,
      }),
  ],
  ["ending a season", () => () => endSeason(deps(), scene.carol, { name: "Autumn" })],
  ["asking for a space link code", () => () => createSpaceLinkCode(deps(), scene.carol)],
  [
    "joining a community",
    () => () => joinCommunity(deps(), { chat: scene.otherChat, isModerator: false, code: scene.codes.space }),
  ],
];

const moderationCases: Case[] = [
  ...moderatorOnly.map(([action, call]) => ({
    when: `${action} by a non-moderator`,
    code: "NOT_MODERATOR",
    call: () => call()(),
  })),
  {
    when: "a moderator decision on an unknown contribution",
    code: "UNKNOWN_CONTRIBUTION",
    call: () => moderatorDecide(deps(), scene.mod, { number: NONE, outcome: "VERIFIED", reason: "ok" }),
  },
  {
    when: "a moderator decision on a verified contribution",
    code: "ALREADY_DECIDED",
    call: () =>
      moderatorDecide(deps(), scene.mod, { number: scene.verified, outcome: "REJECTED", reason: "no" }),
  },
  {
    when: "a moderator decision without a reason",
    code: "REASON_REQUIRED",
    call: () =>
      moderatorDecide(deps(), scene.mod, { number: scene.pending, outcome: "VERIFIED", reason: "" }),
  },
  {
    when: "voiding a pending contribution",
    code: "NOT_VERIFIED",
    call: () => voidContribution(deps(), scene.mod, { number: scene.pending, reason: "no" }),
  },
  {
    when: "voiding a rejected contribution",
    code: "NOT_VERIFIED",
    call: () => voidContribution(deps(), scene.mod, { number: scene.rejected, reason: "no" }),
  },
  {
    when: "voiding with a reason of 501 characters",
    code: "REASON_LENGTH",
    call: () => voidContribution(deps(), scene.mod, { number: scene.verified, reason: long(501) }),
  },
  ...[0, 721, 1.5].map((hours) => ({
    when: `extending a deadline by ${hours} hours`,
    code: "BAD_HOURS",
    call: () => extendDeadline(deps(), scene.mod, { number: scene.pending, hours, reason: "more time" }),
  })),
  {
    when: "extending the deadline of a verified contribution",
    code: "NOT_PENDING",
    call: () => extendDeadline(deps(), scene.mod, { number: scene.verified, hours: 1, reason: "more" }),
  },
  {
    when: "reopening a pending contribution",
    code: "NOT_REOPENABLE",
    call: () => reopenContribution(deps(), scene.mod, { number: scene.pending, reason: "again" }),
  },
  {
    when: "reopening a verified contribution",
    code: "NOT_REOPENABLE",
    call: () => reopenContribution(deps(), scene.mod, { number: scene.verified, reason: "again" }),
  },
  {
    when: "a moderator banning themselves",
    code: "CANNOT_BAN_SELF",
    call: () => banMember(deps(), scene.mod, { member: { kind: "name", name: "mod" }, reason: "oops" }),
  },
  {
    when: "banning a banned member",
    code: "ALREADY_BANNED",
    call: () => banMember(deps(), scene.mod, { member: { kind: "name", name: "mallory" }, reason: "again" }),
  },
  {
    when: "unbanning a member who is not banned",
    code: "NOT_BANNED",
    call: () => unbanMember(deps(), scene.mod, { member: { kind: "name", name: "carol" }, reason: "why" }),
  },
  {
    when: "banning an unknown name",
    code: "UNKNOWN_MEMBER",
    call: () => banMember(deps(), scene.mod, { member: { kind: "name", name: "@nobody" }, reason: "spam" }),
  },
  ...[0, 1.5, 100_000_001].map((points) => ({
    when: `adjusting by ${points} hundredths`,
    code: "BAD_POINTS",
    call: () =>
      adjustPoints(deps(), scene.mod, { member: { kind: "name", name: "carol" }, points, reason: "fix" }),
  })),
  {
    when: "adjusting an ambiguous name",
    code: "AMBIGUOUS_MEMBER",
    call: () =>
      adjustPoints(deps(), scene.mod, { member: { kind: "name", name: "twin" }, points: 100, reason: "fix" }),
  },
  {
    when: "erasing a member who did not ask",
    code: "NO_ERASURE_REQUEST",
    call: () => eraseMember(deps(), scene.mod, { member: { kind: "name", name: "dave" } }),
  },
  {
    when: "an unknown configuration key",
    code: "UNKNOWN_CONFIG_KEY",
    call: () => setConfig(deps(), scene.mod, { key: "colour", value: "red" }),
  },
  {
    when: "an invalid configuration value",
    code: "INVALID_CONFIG_VALUE",
    call: () => setConfig(deps(), scene.mod, { key: "quorum", value: "0" }),
  },
  {
    when: "adding an existing category",
    code: "CATEGORY_EXISTS",
    call: () => addCategory(deps(), scene.mod, { slug: "code", weight: 100 }),
  },
  {
    when: "adding a category with a bad name",
    code: "BAD_CATEGORY_NAME",
    call: () => addCategory(deps(), scene.mod, { slug: "<b>bold</b>", weight: 100 }),
  },
  {
    when: "adding a category with a negative weight",
    code: "BAD_WEIGHT",
    call: () => addCategory(deps(), scene.mod, { slug: "art", weight: -1 }),
  },
  {
    when: "removing an unknown category",
    code: "UNKNOWN_CATEGORY",
    call: () => removeCategory(deps(), scene.mod, { slug: "poetry" }),
  },
  {
    when: "adding a season that exists",
    code: "SEASON_EXISTS",
    call: () =>
      addSeason(deps(), scene.mod, {
        name: "Autumn",
        startsAt: new Date("2026-09-01T00:00:00Z"),
        endsAt: null,
      }),
  },
  {
    when: "adding a season that ends before it starts",
    code: "BAD_SEASON_DATES",
    call: () =>
      addSeason(deps(), scene.mod, {
        name: "Backwards",
        startsAt: new Date("2026-12-01T00:00:00Z"),
        endsAt: new Date("2026-11-01T00:00:00Z"),
      }),
  },
  {
    when: "ending an unknown season",
    code: "UNKNOWN_SEASON",
    call: () => endSeason(deps(), scene.mod, { name: "Spring" }),
  },
];

const appealCases: Case[] = [
  {
    when: "a second appeal",
    code: "ALREADY_APPEALED",
    call: () => appealContribution(deps(), scene.alice, { number: scene.rejected, reason: "once more" }),
  },
  {
    when: "an appeal of a pending contribution",
    code: "NOT_APPEALABLE",
    call: () => appealContribution(deps(), scene.alice, { number: scene.pending, reason: "why" }),
  },
  {
    when: "an appeal of a verified contribution",
    code: "NOT_APPEALABLE",
    call: () => appealContribution(deps(), scene.alice, { number: scene.verified, reason: "why" }),
  },
  {
    when: "an appeal by someone other than the submitter",
    code: "NOT_SUBMITTER",
    call: () => appealContribution(deps(), scene.carol, { number: scene.rejected, reason: "why" }),
  },
  {
    when: "an appeal without a reason",
    code: "REASON_REQUIRED",
    call: () => appealContribution(deps(), scene.alice, { number: scene.rejected, reason: " " }),
  },
  {
    when: "an appeal of an unknown contribution",
    code: "UNKNOWN_CONTRIBUTION",
    call: () => appealContribution(deps(), scene.alice, { number: NONE, reason: "why" }),
  },
];

const linkCases: Case[] = [
  {
    when: "an identity link code 10 minutes old",
    code: "BAD_CODE",
    call: () =>
      redeemIdentityLinkCode(
        {
          db: database.db,
          store: database.store,
          clock: new FakeClock(new Date(scene.main.clock.now().getTime() + 10 * 60_000)),
        },
        scene.carol,
        scene.codes.expiring,
      ),
  },
  {
    when: "an identity link code already used",
    code: "BAD_CODE",
    call: () => redeemIdentityLinkCode(deps(), scene.carol, scene.codes.used),
  },
  {
    when: "an identity link code of another community",
    code: "BAD_CODE",
    call: () => redeemIdentityLinkCode(deps(), scene.carol, scene.codes.foreign),
  },
  {
    when: "one's own identity link code",
    code: "OWN_CODE",
    call: () => redeemIdentityLinkCode(deps(), scene.erin, scene.codes.own),
  },
  {
    when: "the code of a member already merged into the caller",
    code: "ALREADY_LINKED",
    call: () => redeemIdentityLinkCode(deps(), scene.linker, scene.codes.ofMergedMember),
  },
  {
    when: "a space code used to link identities",
    code: "BAD_CODE",
    call: () => redeemIdentityLinkCode(deps(), scene.carol, scene.codes.space),
  },
  {
    when: "an identity link code used to join a community",
    code: "BAD_CODE",
    call: () =>
      joinCommunity(deps(), { chat: scene.otherChat, isModerator: true, code: scene.codes.expiring }),
  },
  {
    when: "a made-up code",
    code: "BAD_CODE",
    call: () => redeemIdentityLinkCode(deps(), scene.carol, "ZZZZ-ZZZZ"),
  },
  {
    when: "a flood of link codes: one more than the live codes allowed",
    code: "TOO_MANY_LINK_CODES",
    call: () => createIdentityLinkCode(deps(), scene.bob),
  },
  {
    when: "guessing link codes: one attempt more than allowed in 10 minutes",
    code: "LINK_ATTEMPTS",
    call: () => redeemIdentityLinkCode(deps(), scene.alice, scene.codes.own),
  },
  {
    when: "a space code in a chat that is already a space of the community",
    code: "ALREADY_IN_COMMUNITY",
    call: () => joinCommunity(deps(), { chat: scene.main.chat, isModerator: true, code: scene.codes.space }),
  },
  {
    when: "a space code in a chat whose own community has history",
    code: "SPACE_HAS_HISTORY",
    call: () => joinCommunity(deps(), { chat: scene.otherChat, isModerator: true, code: scene.codes.space }),
  },
];

describe.each([
  ["logging and managing contributions", contributionCases],
  ["voting and needs-info", voteCases],
  ["moderation", moderationCases],
  ["appeals", appealCases],
  ["link codes", linkCases],
] as const)("refusals in %s", (_, cases) => {
  it.each(cases)("refuses $when with $code and changes nothing", async ({ code, call }) => {
    await expectRefusedWithoutChange(call, code);
  });
});

describe("what a refusal leaves usable", () => {
  it("keeps a space code usable after it was refused in a chat with history", async () => {
    const fresh: PlatformChat = { platform: "TELEGRAM", chatId: "fresh-chat", title: "Fresh" };
    const joined = valueOf(
      await joinCommunity(deps(), { chat: fresh, isModerator: true, code: scene.codes.space }),
    );
    expect(joined.communityId).toBe(scene.main.communityId);
  });

  it("still accepts the identity link code a minute before it expires", async () => {
    const clock = new FakeClock(new Date(scene.main.clock.now().getTime() + 9 * 60_000));
    // Dave, not Carol: Carol spent her link attempts on the refused codes above.
    const linked = valueOf(
      await redeemIdentityLinkCode(
        { db: database.db, store: database.store, clock },
        scene.dave,
        scene.codes.own,
      ),
    );
    expect(linked.memberId).toBe(scene.erin.memberId);
  });
});
