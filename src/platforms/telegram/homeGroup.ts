// A command typed in private chat has no community of its own: it runs in the
// community of the person's group. That is the group where they last used the
// bot (remembered when they typed a command there or came from its deep link),
// or, when the bot does not remember, the one Telegram group of the only
// community they are known in. With several and none remembered, they are asked
// to start from their group. Either way Telegram is asked (through the brief
// membership cache) whether they are still in that group, and the group must
// still be a live space: someone removed from it, or a group the bot left, no
// longer acts in the community from private chat.
import { z } from "zod";
import type { Deps } from "../../app/deps.ts";
import type { ExpiringMap } from "../memory.ts";
import { activeChatsOfAccount, spaceOf } from "../../app/actors.ts";
import type { MembershipCheck } from "./membership.ts";

/** A Telegram group that is a community's space. */
export interface GroupChat {
  readonly chatId: string;
  readonly title: string;
}

/** A group as it reads back from where a bot keeps what it waits for. */
export const groupChatSchema: z.ZodType<GroupChat> = z.object({ chatId: z.string(), title: z.string() });

export type HomeGroup =
  | { readonly kind: "found"; readonly group: GroupChat }
  | { readonly kind: "none" }
  | { readonly kind: "several" }
  | { readonly kind: "outsider" };

/** The group a person's private commands run in, once Telegram confirms they are still in it. */
export async function homeGroupOf(
  deps: Deps,
  membership: MembershipCheck,
  remembered: ExpiringMap<number, GroupChat>,
  userId: number,
): Promise<HomeGroup> {
  let group = remembered.get(userId);
  if (group === undefined) {
    const [only, another] = await telegramGroupsOf(deps, userId);
    if (only === undefined) return { kind: "none" };
    if (another !== undefined) return { kind: "several" };
    group = only;
  }
  const verified = await verifiedGroup(deps, membership, group.chatId, userId);
  if (verified === null) {
    remembered.delete(userId);
    return { kind: "outsider" };
  }
  remembered.set(userId, verified);
  return { kind: "found", group: verified };
}

/**
 * The group `chatId`, when it is a live space of a community and Telegram
 * confirms the person is in it (a member or an administrator; left, kicked, or
 * an unanswered check are not).
 */
export async function verifiedGroup(
  deps: Deps,
  membership: MembershipCheck,
  chatId: string,
  userId: number,
): Promise<GroupChat | null> {
  const space = await spaceOf(deps, { platform: "TELEGRAM", chatId });
  if (space === null || !space.active) return null;
  const role = await membership.roleIn(chatId, userId);
  return role === "administrator" || role === "member" ? { chatId, title: space.title } : null;
}

/** The active Telegram groups of the communities where this Telegram account has a member. */
function telegramGroupsOf(deps: Deps, userId: number): Promise<GroupChat[]> {
  return activeChatsOfAccount(deps, { platform: "TELEGRAM", userId: String(userId) });
}
