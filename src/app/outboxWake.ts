// Which transactions wake the outbox's dispatcher once they commit (inTransaction in
// deps.ts sends the wake-up; enqueueOutbox in outbox.ts notes the rows written).
import type { Tx } from "../db/client.ts";

export { OUTBOX_CHANNEL } from "../db/paths/outbox.ts";

const wakingTransactions = new WeakSet<Tx>();

/** Whether the transaction wrote outbox rows worth waking the dispatcher for. */
export function wakesDispatcher(tx: Tx): boolean {
  return wakingTransactions.has(tx);
}

/**
 * Notes the kinds of outbox rows a transaction wrote. A tally change is delivered
 * after a deliberate delay (vote-card edits are coalesced), so the dispatcher's
 * poll finds it in time; every other row wakes it.
 */
export function noteOutboxRows(tx: Tx, kinds: readonly string[]): void {
  if (kinds.some((kind) => kind !== "TALLY")) wakingTransactions.add(tx);
}
