// A command typed in private chat has no community of its own: it runs in the
// community of the person's group. That is the group where they last used the
// bot (remembered when they typed a command there or came from its deep link),
// or, when the bot does not remember, the one Telegram group of the only
// community they are known in. With several and none remembered, they are asked
// to start from their group.
import type { Deps } from "../../app/deps.ts";
import type { ExpiringMap } from "../memory.ts";
import { activeChatsOfAccount } from "../../app/actors.ts";

/** A Telegram group that is a community's space. */
export interface GroupChat {
  readonly chatId: string;
  readonly title: string;
}

export type HomeGroup =
  | { readonly kind: "found"; readonly group: GroupChat }
  | { readonly kind: "none" }
  | { readonly kind: "several" };

/** The group a person's private commands run in. */
export async function homeGroupOf(
  deps: Deps,
  remembered: ExpiringMap<number, GroupChat>,
  userId: number,
): Promise<HomeGroup> {
  const known = remembered.get(userId);
  if (known !== undefined) return { kind: "found", group: known };
  const groups = await telegramGroupsOf(deps, userId);
  const [only, another] = groups;
  if (only === undefined) return { kind: "none" };
  if (another !== undefined) return { kind: "several" };
  remembered.set(userId, only);
  return { kind: "found", group: only };
}

/** The active Telegram groups of the communities where this Telegram account has a member. */
function telegramGroupsOf(deps: Deps, userId: number): Promise<GroupChat[]> {
  return activeChatsOfAccount(deps, { platform: "TELEGRAM", userId: String(userId) });
}
