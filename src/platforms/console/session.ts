import { ensureCommunityForChat, type PlatformChat, type PlatformUser } from "../../app/actors.ts";
import type { Clock, Deps } from "../../app/deps.ts";

/** The console's chat: one demo room standing for a community's group. */
export const consoleChat: PlatformChat = { platform: "CONSOLE", chatId: "demo", title: "Demo" };

/** The console's demo community (made on first use); the terminal is the moderator's own, so its log shows there too. */
export async function ensureDemoCommunity(deps: Deps, name: string): Promise<number> {
  const { communityId } = await ensureCommunityForChat(deps, consoleChat, {
    name,
    modLogChat: consoleChat.chatId,
  });
  return communityId;
}

/** A clock that `/wait` can move forward, so a console session can reach a vote deadline. */
export class ConsoleClock implements Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

/** Who is typing: `/as <name> [--mod]` switches it. */
export function consoleUser(name: string, moderator: boolean): PlatformUser {
  return {
    platform: "CONSOLE",
    userId: name.toLowerCase(),
    displayName: name,
    isPlatformModerator: moderator,
  };
}

export type SessionCommand =
  | { readonly kind: "as"; readonly name: string; readonly moderator: boolean }
  | { readonly kind: "wait"; readonly ms: number }
  | { readonly kind: "quit" }
  | { readonly kind: "invalid"; readonly message: string };

const NAME = /^[A-Za-z][A-Za-z0-9_.]{0,31}$/;
const DURATION = /^(\d{1,4})([mhd])$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Console-only commands that change the session rather than the ledger; null for everything else. */
export function parseSessionCommand(line: string): SessionCommand | null {
  const [head, ...args] = line.trim().split(/\s+/);
  if (head === "/quit" || head === "/exit") return { kind: "quit" };
  if (head === "/as") {
    const name = args.find((a) => !a.startsWith("--"));
    if (name === undefined || !NAME.test(name))
      return { kind: "invalid", message: "Usage: /as <name> [--mod] (letters, digits, _ and .)" };
    return { kind: "as", name, moderator: args.includes("--mod") };
  }
  if (head === "/wait") {
    const match = DURATION.exec(args[0] ?? "");
    if (match === null) return { kind: "invalid", message: "Usage: /wait <n>m|h|d, like /wait 73h" };
    return { kind: "wait", ms: Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] };
  }
  return null;
}
