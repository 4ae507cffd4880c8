import { readCommunityConfig } from "../core/config.ts";
import type { ChatTarget } from "../ports/chatPlatform.ts";
import type { Deps } from "./deps.ts";

/** Where a message goes in a community: its verification chat, its moderator log, or one member privately. */
export type Audience =
  | { readonly kind: "verification" }
  | { readonly kind: "modlog" }
  | { readonly kind: "leaderboard" }
  | { readonly kind: "member"; readonly memberId: number };

/** The configured channels a community's messages go to. */
export type Channel = "verification" | "modlog" | "leaderboard";

const LABELS: Record<Channel, string> = {
  verification: "#verification",
  modlog: "#mod-log",
  leaderboard: "#leaderboard",
};

/** Where a message for a community's audience goes: one target per active space (or the member's account). */
export async function audienceTargets(
  deps: Deps,
  communityId: number,
  audience: Audience,
): Promise<ChatTarget[]> {
  const spaces = await deps.db.space.findMany({
    where: { communityId, active: true },
    select: { platform: true, platformChatId: true },
    orderBy: { id: "asc" },
  });
  if (audience.kind === "member") {
    const identities = await deps.db.identity.findMany({
      where: { memberId: audience.memberId, platform: { in: spaces.map((s) => s.platform) } },
      select: { platform: true, platformUserId: true, member: { select: { displayName: true } } },
      orderBy: { id: "asc" },
    });
    const first = identities[0];
    return first === undefined
      ? []
      : [
          {
            kind: "direct",
            platform: first.platform,
            userId: first.platformUserId,
            label: `to ${first.member.displayName}`,
          },
        ];
  }
  const community = await deps.db.community.findUnique({
    where: { id: communityId },
    select: { config: true },
  });
  if (community === null) return [];
  const config = readCommunityConfig(community.config, deps.caches?.configs);
  const channel: Channel = audience.kind;
  const channelRef =
    channel === "verification"
      ? config.verificationChat
      : channel === "modlog"
        ? config.modLogChat
        : config.leaderboardChat;
  // Moderators' messages (the log, the digest) go only to a configured
  // moderator chat, never to the community's public chat.
  if (channel === "modlog" && channelRef === null) return [];
  return spaces.map((space) => ({
    kind: "chat",
    platform: space.platform,
    chatId: space.platformChatId,
    channel,
    channelRef,
    label: LABELS[channel],
  }));
}
