// A post of a delivery, with the outbox row's "posting" marker around it: a
// retry after a crash between posting and recording posts again at most once
// (core/posting.ts). Discord also drops the repeated post by its nonce
// (idempotencyKey), so there the card shows once.
import type { PostingMarker } from "../app/outbox.ts";
import { decidePosting } from "../core/posting.ts";
import { PlatformError, type ChatTarget, type MessageRef, type PostOptions } from "../ports/chatPlatform.ts";
import type { View } from "../views/view.ts";
import type { JobContext } from "./definition.ts";
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
  try {
    return await postPaced(ctx, target, view, options);
  } catch (error) {
    // The platform answered (or pacing held the call back): nothing was posted.
    if (error instanceof PlatformError || error instanceof PacingWait) await marker.notPosted(key);
    throw error;
  }
}
