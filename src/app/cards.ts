// A contribution's vote card: where it was posted on each target, so tally
// edits change that message rather than post a new one.
import type { Deps } from "./deps.ts";

/** What a card's messages need of its contribution; null when it is gone. */
export function cardContribution(
  deps: Deps,
  contributionId: number,
): Promise<{ readonly number: number; readonly submitterId: number } | null> {
  return deps.db.contribution.findUnique({
    where: { id: contributionId },
    select: { number: true, submitterId: true },
  });
}

/** The card's posted message id per target key (see targetKey). */
export async function cardRefs(deps: Deps, contributionId: number): Promise<Record<string, unknown>> {
  const card = await deps.db.contribution.findUnique({
    where: { id: contributionId },
    select: { cardRefs: true },
  });
  return (card?.cardRefs ?? {}) as Record<string, unknown>;
}

/** Remembers where the card was posted on one target, leaving the other targets' refs alone. */
export async function rememberCardRef(
  deps: Deps,
  contributionId: number,
  targetKey: string,
  messageId: string,
): Promise<void> {
  await deps.db.$executeRaw`
    UPDATE contribution SET "cardRefs" = "cardRefs" || jsonb_build_object(${targetKey}::text, ${messageId}::text)
    WHERE id = ${contributionId}`;
}
