// What the Telegram update handlers share, and how a person in a group becomes
// an invocation of the command catalog.
import type { Telegram } from "telegraf";
import type { User } from "telegraf/types";
import type { PlatformChat, PlatformUser } from "../../app/actors.ts";
import type { Invocation } from "../../commands/dispatch.ts";
import type { CommandWindow } from "../../core/rateLimit.ts";
import type { BotServices } from "../bot.ts";
import type { DialogueTimers, OpenDialogue } from "./dialogueState.ts";
import { loggableError } from "./errors.ts";
import type { GroupChat } from "./homeGroup.ts";
import type { MembershipCheck } from "./membership.ts";
import type { ExpiringMap } from "../memory.ts";
import type { SeenPeople } from "./mentions.ts";
import { telegramChatOwner } from "./outgoing.ts";
import { displayNameOf } from "./replies.ts";

/** A needs-info press waiting for the presser's question. */
export interface PendingQuestion {
  readonly number: number;
  readonly group: GroupChat;
  /** The bot's prompt: in a group, only a reply to it is taken as the question. */
  readonly promptMessageId: number;
}

/** Everything the update handlers share for the life of the bot. */
export interface TelegramAdapter {
  readonly services: BotServices;
  readonly telegram: Telegram;
  readonly botUsername: () => string;
  /** Telegram command name → catalog name. */
  readonly names: ReadonlyMap<string, string>;
  readonly membership: MembershipCheck;
  /** The group a person's private commands run in. */
  readonly homes: ExpiringMap<number, GroupChat>;
  readonly dialogues: ExpiringMap<number, OpenDialogue>;
  readonly dialogueTimers: DialogueTimers;
  /** Keyed by `chatId:userId`. */
  readonly questions: ExpiringMap<string, PendingQuestion>;
  /** Groups whose space this process has made sure of. */
  readonly knownGroups: Set<string>;
  /** Who an @username is, from the people seen in each group. */
  readonly seen: SeenPeople;
  /** Each account's typed-command window (the per-member command rate limit). */
  readonly commandWindows: ExpiringMap<string, CommandWindow>;
}

export function platformChat(group: GroupChat): PlatformChat {
  return { platform: "TELEGRAM", chatId: group.chatId, title: group.title };
}

/** The person behind an update, with the moderator right of a group administrator. */
export async function platformUser(
  adapter: TelegramAdapter,
  from: User,
  group: GroupChat,
): Promise<PlatformUser> {
  const role = await adapter.membership.roleIn(group.chatId, from.id);
  return {
    platform: "TELEGRAM",
    userId: String(from.id),
    displayName: displayNameOf(from),
    isPlatformModerator: role === "administrator",
  };
}

export async function invocationFor(
  adapter: TelegramAdapter,
  from: User,
  group: GroupChat,
): Promise<Invocation> {
  const { services } = adapter;
  const token = adapter.telegram.token;
  return {
    deps: services.deps,
    chat: platformChat(group),
    user: await platformUser(adapter, from, group),
    onError: (error, command) =>
      services.log.error({ err: loggableError(error, token), command }, "telegram command failed"),
    observe: (command, seconds) => services.observeCommand?.(command, "telegram", seconds),
    jobs: services.jobs.commands,
    commandWindows: adapter.commandWindows,
    chatOwner: (chatRef) => Promise.resolve(telegramChatOwner(chatRef, group.chatId)),
  };
}
