// A post of a delivery, with a "posting" marker around it (the outbox row's, or
// a background job's own): a retry after a crash between posting and recording
// posts again at most once (core/posting.ts). Discord also drops the repeated
// post by its nonce (idempotencyKey), so there the card shows once.
import type { PostingMarker } from "../app/outbox.ts";
import { decidePosting } from "../core/posting.ts";
import { PlatformError, type ChatTarget, type MessageRef, type PostOptions } from "../ports/chatPlatform.ts";
import type { View } from "../views/view.ts";
import type { JobContext, JobRun } from "./definition.ts";
import { PacingWait, postPaced } from "./send.ts";

/**
 * Posts `view` as the post `key` of a delivery, paced, unless its reposts
 * after interruptions are used up; without a marker, just paced.
 */
export async function postMarked(
  ctx: JobContext,
  target: ChatTarget,
  view: View,
  options: PostOptions,
  marker: PostingMarker | undefined,
  key: string,
  repostLine?: string,
): Promise<MessageRef> {
  if (marker === undefined) return postPaced(ctx, target, view, options);
  const decision = decidePosting(await marker.start(key));
  if (decision === "stop") {
    await marker.notPosted(key);
    throw new PlatformError(
      target.platform,
      { kind: "permanent", reason: "post_interrupted" },
      `${target.platform.toLowerCase()}: posting was interrupted twice; the message may be in the chat already`,
    );
  }
  if (decision === "post_again")
    ctx.log.warn(
      { platform: target.platform, target: target.label, key },
      "posting again after an interrupted post; where the platform cannot de-duplicate, it may show twice",
    );
  const posted =
    decision === "post_again" && repostLine !== undefined
      ? { ...view, lines: [...view.lines, repostLine] }
      : view;
  try {
    return await postPaced(ctx, target, posted, options);
  } catch (error) {
    // The platform answered (or pacing held the call back): nothing was posted.
    if (error instanceof PlatformError || error instanceof PacingWait) await marker.notPosted(key);
    throw error;
  }
}

/** What a background job's posting marker keeps in the job's data. */
interface JobPosting {
  readonly key: string;
  readonly starts: number;
}

/**
 * A background job's own posting marker (a file or a report it sends to a
 * member), kept in the job's data under `posting` beside what the job saved;
 * `scope` names which of the job's sends it marks.
 */
export function jobPostingMarker(run: JobRun, scope: string): PostingMarker {
  const current = (): JobPosting | undefined => (run.job.data as { posting?: JobPosting }).posting;
  const keep = async (posting: JobPosting | undefined): Promise<void> => {
    const { posting: _earlier, ...rest } = run.job.data as { posting?: JobPosting };
    await run.job.updateData(posting === undefined ? rest : { ...rest, posting });
  };
  return {
    async start(key) {
      const scoped = `${scope}:${key}`;
      const earlier = current();
      const starts = earlier?.key === scoped ? earlier.starts + 1 : 1;
      await keep({ key: scoped, starts });
      return starts - 1;
    },
    async notPosted(key) {
      const earlier = current();
      if (earlier?.key !== `${scope}:${key}`) return;
      await keep(earlier.starts <= 1 ? undefined : { key: earlier.key, starts: earlier.starts - 1 });
    },
    async recorded() {
      if (current() !== undefined) await keep(undefined);
    },
  };
}
