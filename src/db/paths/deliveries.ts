// The delivery's guard in PostgreSQL (src/jobs/delivery.ts): a transaction
// advisory lock per card or topic, held while its post is made. Its key space
// (one 64-bit key) is apart from the evidence links' (two 32-bit keys) and the
// migrations' fixed key, which is a number no hash of this prefix is likely to be.
import { statement } from "../sql.ts";

/** Takes the guard of `key` for this transaction, unless another transaction holds it. */
export const tryDeliveryGuard = statement<[key: string], { locked: boolean }>(
  "cairn_try_delivery_guard",
  `SELECT pg_try_advisory_xact_lock(hashtextextended('cairn.delivery:' || $1::text, 0)) AS locked`,
);
