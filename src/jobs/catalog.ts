import { voteDeadlineJob } from "./deadlines.ts";
import type { JobDefinition } from "./definition.ts";
import { deliverJob } from "./delivery.ts";
import { expireExportsJob, exportJob } from "./exports.ts";
import { ledgerVerifyJob } from "./ledgerVerify.ts";
import { reconcileJob } from "./reconciler.ts";
import { digestJob, leaderboardJob } from "./schedules.ts";

/** Every job Cairn runs: one typed list, no folder scanning. */
export const jobCatalog: ReadonlyArray<JobDefinition<unknown>> = [
  deliverJob,
  voteDeadlineJob,
  leaderboardJob,
  digestJob,
  exportJob,
  expireExportsJob,
  ledgerVerifyJob,
  reconcileJob,
];
