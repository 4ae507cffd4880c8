/**
 * How many times a post that was interrupted between reaching the platform and
 * being recorded (a crash, a lost worker) is made again. Whether the first one
 * reached the chat cannot be known where the platform neither de-duplicates nor
 * lets the bot look for it (Telegram), so a card may then show twice; a card
 * that never shows would silently keep the contribution from its reviewers,
 * which is worse. A second interruption stops the reposting: at most two.
 */
export const REPOSTS_AFTER_INTERRUPTION = 1;

/** What to do with a post, given how many earlier posts of it started and were never recorded. */
export type PostingDecision = "post" | "post_again" | "stop";

/**
 * Decides a post from the number of its earlier starts that left no record
 * (0 on a first attempt): post, post again after an interruption, or stop
 * because the allowance of reposts is used up.
 */
export function decidePosting(interruptedStarts: number): PostingDecision {
  if (interruptedStarts <= 0) return "post";
  return interruptedStarts <= REPOSTS_AFTER_INTERRUPTION ? "post_again" : "stop";
}
