// Who a person is in a group, from the Bot API's getChatMember: administrators
// (and the creator) are the group's moderators; anyone who has not left or
// been removed is a member. Kept briefly in the process's chat-role cache
// (deps.caches, made by the composition root), so a burst of commands costs
// one request, and a demoted administrator loses the right within its age.
import type { Telegram } from "telegraf";
import type { ChatMember } from "telegraf/types";
import type { ChatRole, Memo } from "../../ports/caches.ts";

export type GroupRole = ChatRole;

export interface MembershipCheck {
  /** null when Telegram could not say; callers then assume the least right. */
  roleIn(chatId: string, userId: number): Promise<GroupRole | null>;
}

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

/** Asks Telegram, through `roles` when given (without it every check is a request). */
export function membershipCheck(
  telegram: Telegram,
  options: { readonly roles?: Memo<string, GroupRole>; readonly onError?: (error: unknown) => void } = {},
): MembershipCheck {
  const roles = options.roles;
  return {
    async roleIn(chatId, userId) {
      const key = `${chatId}:${userId}`;
      const cached = roles?.get(key);
      if (cached !== undefined) return cached;
      let role: GroupRole;
      try {
        role = roleOf(await telegram.getChatMember(chatId, userId));
      } catch (error) {
        options.onError?.(error);
        return null;
      }
      roles?.set(key, role);
      return role;
    },
  };
}
