// The outbox's wake-up: the channel the dispatcher (src/jobs/dispatcher.ts) LISTENs
// on, which the store NOTIFYs after a transaction that wrote something to deliver
// commits (SqlStore.wake). Without a wake-up the dispatcher finds rows at its poll.
export const OUTBOX_CHANNEL = "cairn_outbox";
