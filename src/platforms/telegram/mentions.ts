// People named in a command. On Telegram a person is named either by
// `@username` (a "mention" entity, which carries only the name) or, when they
// have no username, by a "text_mention" entity, which carries their account.
// Text mentions are written back as `@Name` handles the command parser reads;
// a handle is then tied to the account where the bot can (the text mention
// itself, or someone it has seen in the group with that username), so the
// credit goes to that person rather than to whoever's display name matches.
// Any other @handle is a username, matched only against the usernames stored
// on identities (never display names).
import type { MessageEntity, User } from "telegraf/types";
import type { MemberRef, PlatformUser } from "../../app/actors.ts";
import type { CoAuthorClaim } from "../../app/contributions.ts";
import type { AnyCommandSpec } from "../../commands/types.ts";
import { parseCredits } from "../../core/credits.ts";
import { expiringMap, type ExpiringMap } from "../memory.ts";
import { displayNameOf } from "./replies.ts";

const DAY_MS = 24 * 3_600_000;
/** Room left in a 32-character credit handle for `_<user id>`. */
const HANDLE_BASE_LIMIT = 20;

/** Who an `@handle` of one message stands for. */
export type PersonLookup = (handle: string) => User | undefined;

/**
 * The people the bot has seen in each group (the sender of every update), by
 * username: Telegram offers no way to look a username up. Bounded, forgotten
 * after a week and on restart.
 */
export class SeenPeople {
  private readonly byUsername: ExpiringMap<string, User>;

  constructor(ttlMs = 7 * DAY_MS, capacity = 10_000, now?: () => number) {
    this.byUsername = expiringMap(ttlMs, capacity, now);
  }

  remember(chatId: string, user: User): void {
    if (user.is_bot || user.username === undefined) return;
    this.byUsername.set(seenKey(chatId, user.username), user);
  }

  find(chatId: string, username: string): User | undefined {
    return this.byUsername.get(seenKey(chatId, username));
  }
}

function seenKey(chatId: string, username: string): string {
  return `${chatId}:${username.toLowerCase()}`;
}

/** A message's text with each text mention written as an `@handle`, and the account behind each handle. */
export interface MentionedText {
  readonly text: string;
  /** Lowercased handle (without `@`) → the mentioned account. */
  readonly people: ReadonlyMap<string, User>;
}

/** Writes the text mentions of a message as `@handles` (a typed `@` before one is kept single). */
export function withMentionHandles(text: string, entities: readonly MessageEntity[] = []): MentionedText {
  const people = new Map<string, User>();
  const mentions = entities
    .flatMap((entity) => (entity.type === "text_mention" ? [entity] : []))
    .sort((a, b) => b.offset - a.offset);
  let written = text;
  for (const mention of mentions) {
    const handle = handleFor(mention.user, text, people);
    people.set(handle.toLowerCase(), mention.user);
    const start = written.charAt(mention.offset - 1) === "@" ? mention.offset - 1 : mention.offset;
    written = `${written.slice(0, start)}@${handle}${written.slice(mention.offset + mention.length)}`;
  }
  return { text: written, people };
}

/** A readable handle for a mentioned person (`Hal_Jordan`), made unique with their id when it would clash. */
function handleFor(user: User, text: string, taken: ReadonlyMap<string, User>): string {
  const base = displayNameOf(user)
    .replace(/[^A-Za-z0-9_]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, HANDLE_BASE_LIMIT);
  if (base === "") return `user${user.id}`;
  const typed = new RegExp(`@${base}(?![A-Za-z0-9_.])`, "i").test(text);
  const used = taken.get(base.toLowerCase());
  return typed || (used !== undefined && used.id !== user.id) ? `${base}_${user.id}` : base;
}

/** Looks a handle up in the message's own text mentions, then among the people seen in the group. */
export function personLookup(
  people: ReadonlyMap<string, User>,
  seen: SeenPeople,
  chatId: string,
): PersonLookup {
  return (handle) => {
    const name = handle.replace(/^@/, "");
    return people.get(name.toLowerCase()) ?? seen.find(chatId, name);
  };
}

/** A Telegram account as the core names a member. */
export function telegramPerson(user: User): PlatformUser {
  return { platform: "TELEGRAM", userId: String(user.id), displayName: displayNameOf(user) };
}

/**
 * An `@handle` as a member: the account behind it when known, else a Telegram
 * username looked up among the stored usernames (never display names, which
 * anyone can set to someone else's username).
 */
function memberRefOf(handle: string, lookup: PersonLookup): MemberRef {
  const user = lookup(handle);
  return user === undefined
    ? { kind: "username", platform: "TELEGRAM", username: handle.replace(/^@/, "") }
    : { kind: "user", user: telegramPerson(user) };
}

/** Co-author tokens (`@a:60 @b`) as claims naming accounts where known; null when they do not parse (the command refuses them). */
export function creditClaims(tokens: readonly string[], lookup: PersonLookup): CoAuthorClaim[] | null {
  const parsed = parseCredits(tokens);
  if (!parsed.ok) return null;
  return parsed.value.map((claim) => ({ member: memberRefOf(claim.handle, lookup), shareBp: claim.shareBp }));
}

/** A command's raw options with every member and co-author the bot can tie to an account given as that account. */
export function withNamedPeople(
  spec: AnyCommandSpec,
  raw: Readonly<Record<string, unknown>>,
  lookup: PersonLookup,
): Record<string, unknown> {
  const resolved: Record<string, unknown> = { ...raw };
  for (const option of spec.options) {
    const value = raw[option.name];
    if (option.kind === "member" && typeof value === "string" && value.startsWith("@")) {
      resolved[option.name] = memberRefOf(value, lookup);
    } else if (option.kind === "credits" && isTokenList(value)) {
      resolved[option.name] = creditClaims(value, lookup) ?? value;
    }
  }
  return resolved;
}

function isTokenList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}
