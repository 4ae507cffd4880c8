import { z } from "zod";
import { verifyCommunityLedger } from "../app/ledgerAudit.ts";
import { ledgerVerificationView } from "../views/ledger.ts";
import type { View } from "../views/view.ts";
import { addJob, defineJob } from "./definition.ts";
import { deliverPrivately } from "./delivery.ts";
import type { Queues } from "./queues.ts";

const verifyPayload = z.object({
  communityId: z.number().int().positive(),
  /** The moderator who asked; the verdict is sent to them. */
  memberId: z.number().int().positive(),
});

export type LedgerVerifyRequest = z.infer<typeof verifyPayload>;

/** What a started or running verification tells the moderator who asks. */
export type LedgerVerifyStart =
  | { readonly state: "started"; readonly id: string }
  | { readonly state: "running"; readonly percent: number };

/** One verification per community at a time: the job id names the community. */
export function ledgerVerifyJobId(communityId: number): string {
  return `ledger-verify-${communityId}`;
}

/**
 * `/ledger verify` of a large community: the chain and balances checked in the
 * background (reporting progress as the parts finish), and the verdict sent to
 * the moderator who asked, privately, the way background exports are. The verdict
 * is kept in the job's data once reached, so a delivery moved to later does not
 * verify again.
 */
export const ledgerVerifyJob = defineJob({
  queue: "exports",
  name: "ledger-verify",
  payload: verifyPayload,
  defaults: {
    attempts: 3,
    backoff: { type: "exponential", delay: 2000 },
    removeOnComplete: { age: 86_400 },
    removeOnFail: { age: 7 * 86_400 },
  },
  async handle(ctx, request, run): Promise<{ intact: boolean }> {
    const data = run.job.data as LedgerVerifyRequest & { verdict?: View; done?: string[] };
    let verdict = data.verdict;
    if (verdict === undefined) {
      const check = await verifyCommunityLedger(ctx.deps, request.communityId, {
        onProgress: (percent) => run.job.updateProgress(Math.min(percent, 99)),
      });
      verdict = ledgerVerificationView(check);
      await run.job.updateData({ ...data, verdict });
    }
    const done = new Set(data.done ?? []);
    const view = verdict;
    await deliverPrivately(ctx, run, request, view, {
      done,
      save: () => run.job.updateData({ ...data, verdict: view, done: [...done] }),
    });
    await run.job.updateProgress(100);
    return { intact: view.tone === "success" };
  },
});

const UNFINISHED = new Set(["active", "waiting", "delayed", "prioritized", "waiting-children"]);

/**
 * Starts the community's background verification, or tells how far the one
 * already queued or running is. A finished one (kept a while for its result)
 * is removed first, since a job id is taken while its job exists.
 */
export async function requestLedgerVerify(
  queues: Queues,
  request: LedgerVerifyRequest,
): Promise<LedgerVerifyStart> {
  const id = ledgerVerifyJobId(request.communityId);
  const existing = await queues.exports.getJob(id);
  if (existing !== undefined) {
    if (UNFINISHED.has(await existing.getState())) {
      return { state: "running", percent: typeof existing.progress === "number" ? existing.progress : 0 };
    }
    await existing.remove();
  }
  await addJob(queues, ledgerVerifyJob, request, { jobId: id });
  return { state: "started", id };
}
