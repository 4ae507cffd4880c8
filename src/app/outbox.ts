import type { Tx } from "../db/client.ts";

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
