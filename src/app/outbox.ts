import type { Tx } from "../db/client.ts";
import type { Deps } from "./deps.ts";

/**
 * What the bot must say after a use case commits. Payloads name rows, not text:
 * the delivery renders the current state, so a late delivery never shows an
 * older tally than an earlier one.
 */
export type OutboxPayload =
  | { readonly kind: "VOTE_CARD"; readonly contributionId: number }
  | { readonly kind: "TALLY"; readonly contributionId: number }
  | { readonly kind: "DECISION"; readonly contributionId: number }
  | { readonly kind: "NEEDS_INFO"; readonly contributionId: number; readonly questionId: number }
  | { readonly kind: "INFO_ANSWERED"; readonly contributionId: number; readonly questionId: number }
  | { readonly kind: "MOD_LOG"; readonly auditId: number };

export type OutboxKind = OutboxPayload["kind"];

/** The coalescing topic: rows of one topic supersede older undelivered ones. */
export function outboxTopic(payload: OutboxPayload): string {
  switch (payload.kind) {
    case "VOTE_CARD":
    case "TALLY":
      return `card:${payload.contributionId}`;
    case "DECISION":
      return `decision:${payload.contributionId}`;
    case "NEEDS_INFO":
    case "INFO_ANSWERED":
      return `question:${payload.questionId}:${payload.kind}`;
    case "MOD_LOG":
      return `audit:${payload.auditId}`;
  }
}

/** Writes an outbox row inside the caller's transaction. */
export async function enqueueOutbox(tx: Tx, communityId: number, payload: OutboxPayload): Promise<void> {
  await tx.outboxMessage.create({
    data: { communityId, kind: payload.kind, topic: outboxTopic(payload), payload },
  });
}

/** Writes several outbox rows inside the caller's transaction, in one statement. */
export async function enqueueOutboxMany(
  tx: Tx,
  communityId: number,
  payloads: readonly OutboxPayload[],
): Promise<void> {
  if (payloads.length === 0) return;
  await tx.outboxMessage.createMany({
    data: payloads.map((payload) => ({
      communityId,
      kind: payload.kind,
      topic: outboxTopic(payload),
      payload,
    })),
  });
}

/**
 * The "posting" marker of an outbox row, written before each post to a
 * platform and cleared once the post is recorded. A retry that finds it set
 * for the post it is about to make knows an earlier attempt was interrupted
 * between posting and recording: the message may be in the chat already.
 */
export interface PostingMarker {
  /** Marks the post `key` as started; answers how many earlier starts of it left no record. */
  start(key: string): Promise<number>;
  /** The post just started did not reach the platform (it answered with an error): it does not count. */
  notPosted(key: string): Promise<void>;
  /** What this delivery started is recorded (or given up): the marker is cleared. */
  recorded(): Promise<void>;
}

export function postingMarker(deps: Pick<Deps, "db">, outboxId: bigint): PostingMarker {
  let started = false;
  return {
    async start(key) {
      started = true;
      const rows = await deps.db.$queryRaw<Array<{ starts: number }>>`
        UPDATE outbox_message
        SET "postingStarts" = CASE WHEN "postingKey" = ${key} THEN "postingStarts" + 1 ELSE 1 END,
            "postingKey" = ${key}
        WHERE id = ${outboxId}
        RETURNING "postingStarts" AS starts`;
      return Math.max(0, (rows[0]?.starts ?? 1) - 1);
    },
    async notPosted(key) {
      await deps.db.$executeRaw`
        UPDATE outbox_message
        SET "postingKey" = CASE WHEN "postingStarts" <= 1 THEN NULL ELSE "postingKey" END,
            "postingStarts" = GREATEST("postingStarts" - 1, 0)
        WHERE id = ${outboxId} AND "postingKey" = ${key}`;
    },
    async recorded() {
      if (!started) return;
      started = false;
      await deps.db.outboxMessage.updateMany({
        where: { id: outboxId, postingKey: { not: null } },
        data: { postingKey: null, postingStarts: 0 },
      });
    },
  };
}
