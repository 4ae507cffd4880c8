import { z } from "zod";
import type { Tx } from "../db/client.ts";
import { tryDeliveryGuard } from "../db/paths/deliveries.ts";
import { noteOutboxRows } from "./outboxWake.ts";
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
  noteOutboxRows(tx, [payload.kind]);
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
  noteOutboxRows(
    tx,
    payloads.map((p) => p.kind),
  );
  await tx.outboxMessage.createMany({
    data: payloads.map((payload) => ({
      communityId,
      kind: payload.kind,
      topic: outboxTopic(payload),
      payload,
    })),
  });
}

const outboxPayloadSchema: z.ZodType<OutboxPayload> = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("VOTE_CARD"), contributionId: z.number().int() }),
  z.object({ kind: z.literal("TALLY"), contributionId: z.number().int() }),
  z.object({ kind: z.literal("DECISION"), contributionId: z.number().int() }),
  z.object({ kind: z.literal("NEEDS_INFO"), contributionId: z.number().int(), questionId: z.number().int() }),
  z.object({
    kind: z.literal("INFO_ANSWERED"),
    contributionId: z.number().int(),
    questionId: z.number().int(),
  }),
  z.object({ kind: z.literal("MOD_LOG"), auditId: z.number().int() }),
]);

export function readOutboxPayload(json: unknown): OutboxPayload | null {
  const parsed = outboxPayloadSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

/** lastError of an outbox row that will never be delivered (every target failed permanently). */
export const GIVEN_UP = "permanent:";

/** Rows still worth delivering (a NOT on a nullable column alone would drop rows without an error). */
export const notGivenUp = { OR: [{ lastError: null }, { NOT: { lastError: { startsWith: GIVEN_UP } } }] };

/** An undelivered outbox row, as the dispatcher turns it into a delivery job. */
export interface OutboxRow {
  readonly id: bigint;
  readonly communityId: number;
  readonly kind: string;
  readonly payload: unknown;
}

/** Undelivered rows not given up, with ids above `after`, oldest first. */
export function undeliveredOutboxRows(
  deps: Deps,
  page: { readonly after: bigint; readonly limit: number },
): Promise<OutboxRow[]> {
  return deps.db.outboxMessage.findMany({
    where: { deliveredAt: null, id: { gt: page.after }, ...notGivenUp },
    select: { id: true, communityId: true, kind: true, payload: true },
    orderBy: { id: "asc" },
    take: page.limit,
  });
}

/** How many rows still wait for delivery (given-up rows are not waiting). */
export function countUndeliveredOutbox(deps: Deps): Promise<number> {
  return deps.db.outboxMessage.count({ where: { deliveredAt: null, ...notGivenUp } });
}

/** An outbox row a delivery job works on. */
export interface OutboxDelivery {
  readonly id: bigint;
  readonly communityId: number;
  readonly topic: string;
  /** Null when the stored payload is unreadable. */
  readonly payload: OutboxPayload | null;
}

/** The row when it is still to be delivered; null when delivered, given up or gone. */
export async function outboxRowToDeliver(deps: Deps, id: bigint): Promise<OutboxDelivery | null> {
  const row = await deps.db.outboxMessage.findUnique({ where: { id } });
  if (row === null || row.deliveredAt !== null || row.lastError?.startsWith(GIVEN_UP) === true) return null;
  return { id, communityId: row.communityId, topic: row.topic, payload: readOutboxPayload(row.payload) };
}

/** True once the row is delivered (or gone), read afresh. */
export async function isOutboxRowDelivered(deps: Deps, id: bigint): Promise<boolean> {
  const fresh = await deps.db.outboxMessage.findUnique({ where: { id }, select: { deliveredAt: true } });
  return fresh === null || fresh.deliveredAt !== null;
}

/** True when a newer undelivered row of the same topic will render the latest state instead. */
export async function hasNewerOfTopic(
  deps: Deps,
  row: Pick<OutboxDelivery, "id" | "topic">,
): Promise<boolean> {
  const newer = await deps.db.outboxMessage.findFirst({
    where: { topic: row.topic, deliveredAt: null, id: { gt: row.id }, ...notGivenUp },
    select: { id: true },
  });
  return newer !== null;
}

export async function countDeliveryAttempt(deps: Deps, id: bigint): Promise<void> {
  await deps.db.outboxMessage.update({ where: { id }, data: { attempts: { increment: 1 } } });
}

/** Marks one row never to be delivered. */
export async function giveUpOutboxRow(deps: Deps, id: bigint, reason: string): Promise<void> {
  await deps.db.outboxMessage.update({ where: { id }, data: { lastError: `${GIVEN_UP} ${reason}` } });
}

/**
 * Ends the row and the older undelivered rows of its topic: delivered (noting
 * the targets that failed for good), or given up when every target failed for good.
 */
export async function settleTopic(
  deps: Deps,
  row: Pick<OutboxDelivery, "id" | "topic">,
  outcome: "delivered" | "given_up",
  failures: readonly string[],
): Promise<void> {
  const failed = failures.join("; ");
  await deps.db.outboxMessage.updateMany({
    where: { topic: row.topic, deliveredAt: null, id: { lte: row.id } },
    data:
      outcome === "given_up"
        ? { lastError: `${GIVEN_UP} ${failed}` }
        : { deliveredAt: deps.clock.now(), lastError: failures.length === 0 ? null : failed },
  });
}

/** Notes why the last delivery attempt of a row failed, unless it is delivered or given up. */
export async function noteDeliveryError(deps: Deps, id: bigint, message: string): Promise<void> {
  await deps.db.outboxMessage.updateMany({
    where: { id, deliveredAt: null, ...notGivenUp },
    data: { lastError: message.slice(0, 500) },
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

/**
 * Runs `work` holding the delivery guard of `key` (a card or a topic) in
 * PostgreSQL, for as long as a transaction on one of the store's connections
 * stays open around it; null, without running it, while another delivery holds
 * it. The delivery's lease lives in the queue backend's store, and a Redis that
 * lost its keys (FLUSHALL) lets a second worker take it while the first is still
 * posting: the guard makes that one wait, and then find the row delivered. It
 * goes with its connection, so a worker that dies holds nothing.
 */
export async function underDeliveryGuard<T>(
  deps: Pick<Deps, "store">,
  key: string,
  work: () => Promise<T>,
): Promise<{ readonly value: T } | null> {
  return deps.store.transaction(async (tx) => {
    const [guard] = await tx.rows(tryDeliveryGuard, [key]);
    if (guard?.locked !== true) return { commit: false, value: null };
    return { commit: true, value: { value: await work() } };
  });
}
