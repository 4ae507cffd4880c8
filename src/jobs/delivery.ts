import { createHash, randomUUID } from "node:crypto";
import { DelayedError, RateLimitError } from "bullmq";
import { z } from "zod";
import { cardRefs, rememberCardRef } from "../app/cards.ts";
import {
  countDeliveryAttempt,
  giveUpOutboxRow,
  hasNewerOfTopic,
  isOutboxRowDelivered,
  outboxRowToDeliver,
  postingMarker,
  settleTopic,
  underDeliveryGuard,
  type OutboxDelivery,
  type OutboxPayload,
  type PostingMarker,
} from "../app/outbox.ts";
import { audienceTargets } from "../app/targets.ts";
import {
  PlatformError,
  describeFailure,
  targetKey,
  type ChatTarget,
  type MessageRef,
  type PermanentReason,
} from "../ports/chatPlatform.ts";
import type { View } from "../views/view.ts";
import { composeOutboxMessages, type OutgoingMessage } from "./compose.ts";
import { defineJob, type JobContext, type JobRun } from "./definition.ts";
import { jobPostingMarker, postMarked } from "./posting.ts";
import { PacingWait, editPaced } from "./send.ts";

/** The delivery job of an outbox row: its id is the row's, so a row becomes at most one job. */
export function deliveryJobId(outboxId: bigint | string): string {
  return `outbox-${outboxId}`;
}

/** Which targets of which messages a delivery already reached, kept on the job so a retry never posts twice. */
interface Progress {
  readonly done: Set<string>;
  /** Names the posts of one outbox row, so a platform that can de-duplicate drops a retried post. */
  readonly postKey?: string;
  /** The outbox row's "posting" marker, so a retry knows a post that was interrupted before it was recorded. */
  readonly posting?: PostingMarker;
  /** A line added to a post made again after an interruption, telling its reader it may show twice. */
  readonly repostLine?: string;
  save(): Promise<void>;
}

/** What a member reads under a file or a report sent again after an interrupted sending. */
export const SENT_AGAIN_LINE = "Sent again: the first sending was cut off, so you may see this twice.";

export type DeliveryOutcome = "delivered" | "superseded" | "skipped" | "given_up";

export const deliverJob = defineJob({
  queue: "delivery",
  name: "deliver",
  payload: z.object({ outboxId: z.string().regex(/^\d+$/), done: z.array(z.string()).optional() }),
  defaults: { removeOnComplete: { age: 3600, count: 20_000 }, removeOnFail: { age: 7 * 86_400 } },
  async handle(ctx, payload, run) {
    const done = new Set(payload.done ?? []);
    const progress: Progress = {
      done,
      save: () => run.job.updateData({ outboxId: payload.outboxId, done: [...done] }),
    };
    return later(ctx, run, () => deliverOutboxRow(ctx, BigInt(payload.outboxId), progress));
  },
});

/**
 * Turns a wait (the platform's pacing, a 429) into BullMQ's own: a chat's wait
 * moves this job to later without using an attempt; a platform-wide 429 pauses
 * the whole delivery queue for exactly retry_after.
 */
export async function later<T>(ctx: JobContext, run: JobRun, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof PacingWait) || run.token === null) throw error;
    if (error.scope === "global") {
      await ctx.queues.delivery.rateLimit(error.waitMs);
      throw new RateLimitError();
    }
    await run.job.moveToDelayed(Date.now() + error.waitMs, run.token);
    throw new DelayedError();
  }
}

/** Cards are serialised per contribution, everything else per topic. */
function leaseKey(topic: string, payload: OutboxPayload): string {
  return payload.kind === "MOD_LOG" ? topic : `card:${payload.contributionId}`;
}

/**
 * Delivers one outbox row: renders what it stands for from the current state,
 * sends it to every target, and marks it (and older rows of its topic) delivered
 * only once sent. Serialised per card by a lease, and by a guard in PostgreSQL
 * that a flushed Redis cannot lose, so two workers never edit one card out of
 * order and never post it twice.
 */
export async function deliverOutboxRow(
  ctx: JobContext,
  id: bigint,
  progress: Progress,
): Promise<DeliveryOutcome> {
  const row = await outboxRowToDeliver(ctx.deps, id);
  if (row === null) return "skipped";
  const payload = row.payload;
  if (payload === null) {
    await giveUpOutboxRow(ctx.deps, id, "unreadable payload");
    return "given_up";
  }
  const key = leaseKey(row.topic, payload);
  const owner = randomUUID();
  const leaseMs = ctx.settings.deliveryLeaseMs;
  if (!(await ctx.coordination.lease(key, owner, leaseMs))) throw new PacingWait(200);
  // A slow platform call must not outlive the lease: another worker would post the card again.
  const renewal = setInterval(
    () => {
      ctx.coordination.renew(key, owner, leaseMs).catch((error: unknown) => {
        ctx.log.warn({ key, error: String(error) }, "could not renew a delivery lease");
      });
    },
    Math.max(10, Math.floor(leaseMs / 3)),
  );
  try {
    // Held in PostgreSQL too: the lease's store may lose it (a Redis FLUSHALL) while this posts.
    const guarded = await underDeliveryGuard(ctx.deps, key, () => deliverLeased(ctx, row, payload, progress));
    if (guarded === null) throw new PacingWait(200);
    return guarded.value;
  } finally {
    clearInterval(renewal);
    await ctx.coordination.release(key, owner);
  }
}

/** deliverOutboxRow's work once its card is leased and guarded. */
async function deliverLeased(
  ctx: JobContext,
  row: OutboxDelivery,
  payload: OutboxPayload,
  progress: Progress,
): Promise<DeliveryOutcome> {
  const id = row.id;
  if (await isOutboxRowDelivered(ctx.deps, id)) return "skipped";
  // The newest row of a busy card renders the latest state and marks this one.
  if (row.topic.startsWith("card:") && (await hasNewerOfTopic(ctx.deps, row))) return "superseded";
  await countDeliveryAttempt(ctx.deps, id);
  const messages = await composeOutboxMessages(ctx.deps, row.communityId, payload);
  const { sent, failures } = await deliverMessages(ctx, messages, {
    done: progress.done,
    save: progress.save,
    postKey: deliveryJobId(id),
    posting: postingMarker(ctx.deps, id),
  });
  if (sent === 0 && failures.length > 0) {
    await settleTopic(ctx.deps, row, "given_up", failures);
    return "given_up";
  }
  await settleTopic(ctx.deps, row, "delivered", failures);
  return "delivered";
}

/**
 * Sends a background job's result to the member who asked for it, privately;
 * a send the pacing holds back moves the job to later. The job's own posting
 * marker (named `scope`) makes a retry after a crash between sending and
 * saving send it at most once more, saying so.
 */
export function deliverPrivately(
  ctx: JobContext,
  run: JobRun,
  to: { readonly communityId: number; readonly memberId: number },
  view: View,
  progress: Pick<Progress, "done" | "save">,
  scope = "result",
): Promise<Delivered> {
  return later(ctx, run, () =>
    deliverMessages(
      ctx,
      [
        {
          communityId: to.communityId,
          audience: { kind: "member", memberId: to.memberId },
          replaces: null,
          view,
        },
      ],
      { ...progress, posting: jobPostingMarker(run, scope), repostLine: SENT_AGAIN_LINE },
    ),
  );
}

/** How many targets a delivery reached, and why the others failed for good (described, and by reason). */
export interface Delivered {
  readonly sent: number;
  readonly failures: string[];
  readonly reasons: PermanentReason[];
}

/**
 * Sends messages to every target of their audience. A permanent failure (chat
 * gone, bot removed) ends that target only and is returned; pacing, 429s and
 * transient failures throw, and the retry skips the targets already reached.
 */
export async function deliverMessages(
  ctx: JobContext,
  messages: readonly OutgoingMessage[],
  progress: Progress,
): Promise<Delivered> {
  let sent = 0;
  const failures: string[] = [];
  const reasons: PermanentReason[] = [];
  for (const [index, message] of messages.entries()) {
    for (const target of await audienceTargets(ctx.deps, message.communityId, message.audience)) {
      const key = `${index}@${targetKey(target)}`;
      if (progress.done.has(key)) {
        sent += 1;
        continue;
      }
      try {
        const idempotencyKey =
          progress.postKey === undefined
            ? undefined
            : createHash("sha256").update(`${progress.postKey}:${key}`).digest("hex").slice(0, 25);
        const options = idempotencyKey === undefined ? {} : { idempotencyKey };
        await sendMessage(ctx, message, target, () =>
          postMarked(ctx, target, message.view, options, progress.posting, key, progress.repostLine),
        );
        sent += 1;
      } catch (error) {
        if (!(error instanceof PlatformError) || error.failure.kind !== "permanent") {
          if (error instanceof PlatformError)
            ctx.observer?.deliveryFailed(target.platform, error.failure.kind);
          throw error;
        }
        ctx.observer?.deliveryFailed(target.platform, error.failure.reason);
        ctx.log.warn(
          // Member ids, not names: the log outlives an erasure.
          {
            ...(message.audience.kind === "member"
              ? { memberId: message.audience.memberId }
              : { target: target.label }),
            platform: target.platform,
            reason: error.failure.reason,
          },
          "delivery failed for good",
        );
        failures.push(`${describeFailure(error.failure)} (${targetKey(target)})`);
        reasons.push(error.failure.reason);
      }
      progress.done.add(key);
      await progress.save();
      await progress.posting?.recorded();
    }
  }
  return { sent, failures, reasons };
}

/** Posts a message, or edits the card it replaces where the card was posted before. */
async function sendMessage(
  ctx: JobContext,
  message: OutgoingMessage,
  target: ChatTarget,
  post: () => Promise<MessageRef>,
): Promise<void> {
  const contributionId = message.replaces === null ? null : cardContributionId(message.replaces);
  if (contributionId === null) {
    await post();
    return;
  }
  const key = targetKey(target);
  const existing = (await cardRefs(ctx.deps, contributionId))[key];
  if (typeof existing === "string") {
    try {
      await editPaced(ctx, target, { messageId: existing }, message.view);
      return;
    } catch (error) {
      // Someone deleted the card: post it again rather than lose it.
      if (!(
        error instanceof PlatformError &&
        error.failure.kind === "permanent" &&
        error.failure.reason === "message_deleted"
      ))
        throw error;
    }
  }
  const ref = await post();
  await rememberCardRef(ctx.deps, contributionId, key, ref.messageId);
}

function cardContributionId(replaces: string): number | null {
  const match = /^card:(\d+)$/.exec(replaces);
  return match === null ? null : Number(match[1]);
}
