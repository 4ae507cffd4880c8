// The timers of the Telegram guided /contribute, one per open dialogue. Apart
// from dialogue.ts, so the adapter's shared state does not import the handlers.
import { DIALOGUE_TIMEOUT_MS } from "../../commands/contributeDialogue.ts";

/**
 * One timer per open dialogue, restarted by every answer and cleared when the
 * dialogue finishes, is cancelled or the bot stops. Unref'd: an open dialogue
 * never keeps the process alive. Several processes may hold a timer for the
 * same dialogue: only the one whose version is still current tells the person.
 */
export class DialogueTimers {
  private readonly timers = new Map<number, NodeJS.Timeout>();

  constructor(readonly timeoutMs: number = DIALOGUE_TIMEOUT_MS) {}

  arm(userId: number, onTimeout: () => void, delayMs: number = this.timeoutMs): void {
    this.disarm(userId);
    const timer = setTimeout(() => {
      this.timers.delete(userId);
      onTimeout();
    }, delayMs);
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
