// What the Telegram adapter keeps of each person's guided /contribute: the
// dialogue, the group it belongs to, and one timer per dialogue. Apart from
// dialogue.ts, so the adapter's shared state does not import the handlers.
import type { User } from "telegraf/types";
import { DIALOGUE_TIMEOUT_MS, type ContributeDialogue } from "../../commands/contributeDialogue.ts";
import type { GroupChat } from "./homeGroup.ts";

/** A person's dialogue, the group whose community it logs into, and the people they named by text mention. */
export interface OpenDialogue {
  readonly dialogue: ContributeDialogue;
  readonly group: GroupChat;
  /** Lowercased handle → account, for co-authors named by a text mention. */
  readonly people: ReadonlyMap<string, User>;
}

/** Dialogues are forgotten a while after they time out (their timer has told the person by then). */
export const DIALOGUE_MEMORY_MS = 2 * DIALOGUE_TIMEOUT_MS;

/**
 * One timer per open dialogue, restarted by every answer and cleared when the
 * dialogue finishes, is cancelled or the bot stops. Unref'd: an open dialogue
 * never keeps the process alive.
 */
export class DialogueTimers {
  private readonly timers = new Map<number, NodeJS.Timeout>();

  constructor(readonly timeoutMs: number = DIALOGUE_TIMEOUT_MS) {}

  arm(userId: number, onTimeout: () => void): void {
    this.disarm(userId);
    const timer = setTimeout(() => {
      this.timers.delete(userId);
      onTimeout();
    }, this.timeoutMs);
    timer.unref();
    this.timers.set(userId, timer);
  }

  disarm(userId: number): void {
    clearTimeout(this.timers.get(userId));
    this.timers.delete(userId);
  }

  disarmAll(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  get armed(): number {
    return this.timers.size;
  }
}
