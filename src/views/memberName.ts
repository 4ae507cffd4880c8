import type { MemberKind } from "../core/agents.ts";

/** How an agent member is marked wherever its name is shown (cards, boards, profiles). */
export const AGENT_MARK = "[agent]";

/** A member's name with the agent mark when they are one. */
export function memberName(name: string, kind: MemberKind | undefined): string {
  return kind === "AGENT" ? `${name} ${AGENT_MARK}` : name;
}
