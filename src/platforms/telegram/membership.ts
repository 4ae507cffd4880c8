// Who a person is in a group, from the Bot API's getChatMember: administrators
// (and the creator) are the group's moderators; anyone who has not left or
// been removed is a member. Cached briefly, so a burst of commands costs one
// request, and a demoted administrator loses the right within a minute.
import type { Telegram } from "telegraf";
import type { ChatMember } from "telegraf/types";

export type GroupRole = "administrator" | "member" | "outsider";

export interface MembershipCheck {
  /** null when Telegram could not say; callers then assume the least right. */
  roleIn(chatId: string, userId: number): Promise<GroupRole | null>;
}

const MAX_ENTRIES = 10_000;

export function roleOf(member: ChatMember): GroupRole {
  switch (member.status) {
    case "creator":
    case "administrator":
      return "administrator";
    case "member":
      return "member";
    case "restricted":
      return member.is_member ? "member" : "outsider";
    case "left":
    case "kicked":
      return "outsider";
  }
}

export function membershipCheck(
  telegram: Telegram,
  options: {
    readonly ttlMs?: number;
    readonly now?: () => number;
    readonly onError?: (error: unknown) => void;
  } = {},
): MembershipCheck {
  const ttlMs = options.ttlMs ?? 60_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { role: GroupRole; at: number }>();
  return {
    async roleIn(chatId, userId) {
      const key = `${chatId}:${userId}`;
      const cached = cache.get(key);
      if (cached !== undefined && now() - cached.at < ttlMs) return cached.role;
      let role: GroupRole;
      try {
        role = roleOf(await telegram.getChatMember(chatId, userId));
      } catch (error) {
        options.onError?.(error);
        return null;
      }
      if (cache.size >= MAX_ENTRIES) cache.clear();
      cache.set(key, { role, at: now() });
      return role;
    },
  };
}
