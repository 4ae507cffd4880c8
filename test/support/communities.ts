// Builders for the use-case integration tests in test/app: a community on its own
// chat, members seen through the same path a platform adapter takes, a clock the
// test moves, and the ledger read back the way an export would.
import { randomUUID } from "node:crypto";
import type { Db } from "../../src/db/client.ts";
import type { CommunityConfig } from "../../src/core/config.ts";
import type { HashedLedgerEntry } from "../../src/core/ledger.ts";
import {
  ensureCommunityForChat,
  resolveActor,
  type PlatformChat,
  type PlatformUser,
} from "../../src/app/actors.ts";
import { createSpaceLinkCode, joinCommunity } from "../../src/app/community.ts";
import type { Actor, Clock, Deps } from "../../src/app/deps.ts";
import type { NewLedgerEntry } from "../../src/app/ledger.ts";

/** A clock that stands still until the test moves it. */
export class FakeClock implements Clock {
  private at: number;
  constructor(start: Date | string = "2026-11-02T10:00:00.000Z") {
    this.at = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.at);
  }
  set(at: Date | string): void {
    this.at = new Date(at).getTime();
  }
  advanceHours(hours: number): void {
    this.at += hours * 3_600_000;
  }
  advanceMs(ms: number): void {
    this.at += ms;
  }
}

export interface TestCommunity {
  readonly deps: Deps;
  readonly clock: FakeClock;
  readonly communityId: number;
  readonly spaceId: number;
  readonly chat: PlatformChat;
  /** A member seen for the first time in the community's chat (created on first sight). */
  member(name: string, options?: { moderator?: boolean; roles?: readonly string[] }): Promise<Actor>;
  /** A platform account in the community's chat, for commands that name a member. */
  user(name: string): PlatformUser;
}

/** Prisma and the typed store of one test database (a TestDatabase, or a process's own connections). */
export type DatabaseDeps = Pick<Deps, "db" | "store">;

/** A new community on a chat of its own, with its configuration overridden where given. */
export async function newCommunity(
  database: DatabaseDeps,
  options: { config?: Partial<CommunityConfig>; clock?: FakeClock; platform?: PlatformChat["platform"] } = {},
): Promise<TestCommunity> {
  const clock = options.clock ?? new FakeClock();
  const { db, store } = database;
  const deps: Deps = { db, store, clock };
  const platform = options.platform ?? "CONSOLE";
  const chat: PlatformChat = { platform, chatId: `chat-${randomUUID()}`, title: "Test community" };
  const { communityId, spaceId } = await ensureCommunityForChat(deps, chat);
  if (options.config !== undefined) {
    await db.community.update({
      where: { id: communityId },
      data: { config: { timezone: "UTC", ...options.config } },
    });
  }
  const user = (name: string): PlatformUser => ({
    platform,
    userId: `user-${communityId}-${name}`,
    displayName: name,
  });
  return {
    deps,
    clock,
    communityId,
    spaceId,
    chat,
    user,
    async member(name, memberOptions = {}) {
      const resolved = await resolveActor(deps, chat, {
        ...user(name),
        isPlatformModerator: memberOptions.moderator === true,
        ...(memberOptions.roles === undefined ? {} : { roles: memberOptions.roles }),
      });
      if (!resolved.ok) throw new Error(`could not resolve ${name}: ${resolved.error.code}`);
      return resolved.value;
    },
  };
}

/** A community on a Discord server with a Telegram group attached to it, as linking two accounts needs. */
export interface TwoPlatformCommunity {
  /** The Discord side: `member` is someone seen on the server. */
  readonly community: TestCommunity;
  /** A moderator on the server, who attached the group. */
  readonly mod: Actor;
  readonly telegramChat: PlatformChat;
  /** A Telegram account in the group; its id does not carry the name (erasure tests look for names). */
  telegramUser(name: string): PlatformUser;
  /** A member seen for the first time in the Telegram group. */
  onTelegram(name: string): Promise<Actor>;
}

/** A Discord community whose moderator attaches a Telegram group with a space link code. */
export async function discordAndTelegram(
  db: DatabaseDeps,
  options: { config?: Partial<CommunityConfig> } = {},
): Promise<TwoPlatformCommunity> {
  const community = await newCommunity(db, { ...options, platform: "DISCORD" });
  const { deps, communityId } = community;
  const mod = await community.member("mod", { moderator: true });
  const telegramChat: PlatformChat = {
    platform: "TELEGRAM",
    chatId: `tg-${communityId}`,
    title: "Telegram group",
  };
  const code = valueOf(await createSpaceLinkCode(deps, mod)).code;
  valueOf(await joinCommunity(deps, { chat: telegramChat, isModerator: true, code }));
  const ids = new Map<string, string>();
  const telegramUser = (name: string): PlatformUser => {
    const userId = ids.get(name) ?? `tg-${communityId}-${ids.size + 1}`;
    ids.set(name, userId);
    return { platform: "TELEGRAM", userId, displayName: name };
  };
  return {
    community,
    mod,
    telegramChat,
    telegramUser,
    async onTelegram(name) {
      return valueOf(await resolveActor(deps, telegramChat, telegramUser(name)));
    },
  };
}

/** A use case's success value, or a failed test naming the refusal. */
export function valueOf<T>(result: { ok: true; value: T } | { ok: false; error: { code: string } }): T {
  if (!result.ok) throw new Error(`expected success, got refusal ${JSON.stringify(result.error)}`);
  return result.value;
}

/** The community's ledger as an export has it: every entry, in sequence order. */
export async function readLedger(db: Db, communityId: number): Promise<HashedLedgerEntry[]> {
  const rows = await db.ledgerEntry.findMany({ where: { communityId }, orderBy: { seq: "asc" } });
  return rows.map((row) => ({
    communityId: row.communityId,
    seq: row.seq,
    kind: row.kind,
    memberId: row.memberId,
    points: row.points,
    contributionId: row.contributionId,
    actorId: row.actorId,
    reason: row.reason,
    createdAt: row.createdAt,
    prevHash: row.prevHash,
    hash: row.hash,
  }));
}

/** Σ ledger points per member id, as recorded (no merges followed). */
export function pointsByMember(entries: readonly HashedLedgerEntry[]): Map<number, number> {
  const sums = new Map<number, number>();
  for (const entry of entries) sums.set(entry.memberId, (sums.get(entry.memberId) ?? 0) + entry.points);
  return sums;
}

/** balance.total of a member, 0 when they have no balance row yet. */
export async function balanceOf(db: Db, memberId: number): Promise<number> {
  const row = await db.balance.findUnique({ where: { memberId } });
  return row?.total ?? 0;
}

/** The contribution row of a community's `#number`. */
export async function contributionRow(db: Db, communityId: number, number: number) {
  return db.contribution.findUniqueOrThrow({ where: { communityId_number: { communityId, number } } });
}

/** A ledger entry to append in a test: no contribution, no actor, the kind as its reason. */
export const ledgerEntry = (
  kind: NewLedgerEntry["kind"],
  memberId: number,
  points: number,
  extra: Partial<NewLedgerEntry> = {},
): NewLedgerEntry => ({
  kind,
  memberId,
  points,
  contributionId: null,
  actorId: null,
  reason: kind.toLowerCase(),
  ...extra,
});
