// Vote deadlines as the deadline jobs and the reconciler read them: pending
// contributions and when their voting closes.
import type { Deps } from "./deps.ts";

export interface PendingDeadline {
  readonly id: number;
  readonly closesAt: Date;
}

const deadlineFields = { id: true, closesAt: true } as const;

/** Pending contributions with ids above `after`, in id order: the reconciler's pages. */
export function pendingDeadlinePage(
  deps: Deps,
  page: { readonly after: number; readonly limit: number },
): Promise<PendingDeadline[]> {
  return deps.db.contribution.findMany({
    where: { status: "PENDING", id: { gt: page.after } },
    select: deadlineFields,
    orderBy: { id: "asc" },
    take: page.limit,
  });
}

/** Those of `contributionIds` still pending. */
export function pendingDeadlinesOf(
  deps: Deps,
  contributionIds: readonly number[],
): Promise<PendingDeadline[]> {
  return deps.db.contribution.findMany({
    where: { id: { in: [...contributionIds] }, status: "PENDING" },
    select: deadlineFields,
  });
}

/** Pending contributions whose voting has closed by the deps' clock. */
export function dueDeadlines(deps: Deps): Promise<PendingDeadline[]> {
  return deps.db.contribution.findMany({
    where: { status: "PENDING", closesAt: { lte: deps.clock.now() } },
    select: deadlineFields,
  });
}

/** The contribution's community and deadline while it is pending; null once decided or gone. */
export function pendingContribution(
  deps: Deps,
  contributionId: number,
): Promise<{ readonly communityId: number; readonly closesAt: Date } | null> {
  return deps.db.contribution.findFirst({
    where: { id: contributionId, status: "PENDING" },
    select: { communityId: true, closesAt: true },
  });
}
