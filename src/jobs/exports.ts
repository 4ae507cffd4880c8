import { createReadStream } from "node:fs";
import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { ok, refuse, type Refusal, type Result } from "../core/result.ts";
import { buildExport } from "../app/exports.ts";
import { parseWindow } from "../core/periods.ts";
import { refusalText } from "../views/refusals.ts";
import { privateView, refusalView, type View } from "../views/view.ts";
import { addJob, defineJob, type JobContext } from "./definition.ts";
import { deliverPrivately } from "./delivery.ts";
import { requestLedgerVerify } from "./ledgerVerify.ts";
import type { Queues } from "./queues.ts";
import { audienceTargets } from "../app/targets.ts";
import type { CommandJobs } from "../commands/types.ts";
import type { ExportFile, ExportJobs, ExportJobState, ExportJobStatus } from "../ports/exportJobs.ts";

const exportPayload = z.object({
  communityId: z.number().int().positive(),
  /** The moderator who asked; the file is sent to them. */
  memberId: z.number().int().positive(),
  window: z.string().max(64),
  format: z.enum(["csv", "json"]),
  budget: z.number().int().nonnegative().optional(),
  cap: z.number().int().nonnegative().optional(),
  record: z.boolean().optional(),
  /** Who takes the file: the moderator in chat (default), or the API client from its status URL. */
  via: z.enum(["chat", "api"]).optional(),
});

export type ExportJobRequest = z.infer<typeof exportPayload>;

export interface ExportJobResult {
  readonly file: string | null;
  readonly refusal: string | null;
  /** The refusal's one-line text, for the API's status (absent on jobs queued before it was kept). */
  readonly refusalText?: string | null;
}

/**
 * A large export: built in the background, written under the export folder,
 * and sent to the moderator who asked (by name, never its path; platforms
 * attach it). A file the platform refuses for good is reported to them. Reports progress as it goes.
 */
export const exportJob = defineJob({
  queue: "exports",
  name: "export",
  payload: exportPayload,
  defaults: {
    attempts: 3,
    backoff: { type: "exponential", delay: 2000 },
    removeOnComplete: { age: 86_400 },
    removeOnFail: { age: 7 * 86_400 },
  },
  async handle(ctx, request, run): Promise<ExportJobResult> {
    const data = run.job.data as ExportJobRequest & { file?: string; done?: string[]; reported?: string[] };
    let file = data.file ?? null;
    let refusal: Refusal | null = null;
    if (file === null) {
      await run.job.updateProgress(5);
      const built = await buildOne(
        ctx,
        request,
        run.job.id === undefined ? undefined : `export-job:${run.job.id}`,
      );
      if (built.ok) {
        await run.job.updateProgress(70);
        file = path.resolve(ctx.settings.exportDir, built.filename);
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, built.content);
        await run.job.updateData({ ...data, file });
        await run.job.updateProgress(90);
      } else refusal = built.refusal;
    }
    if (request.via === "api") {
      await run.job.updateProgress(100);
      return {
        file,
        refusal: refusal?.code ?? null,
        refusalText: refusal === null ? null : refusalText(refusal),
      };
    }
    const done = new Set(data.done ?? []);
    const progress = {
      done,
      save: () => run.job.updateData({ ...data, ...(file === null ? {} : { file }), done: [...done] }),
    };
    const view =
      refusal !== null || file === null
        ? refusalView(refusal === null ? "That did not work (export)." : refusalText(refusal))
        : await readyView(file, request);
    const delivery = await deliverPrivately(ctx, run, request, view, progress, "file");
    const refused = delivery.reasons.some((reason) => reason !== "post_interrupted");
    if (file !== null && delivery.sent === 0 && refused) {
      // The platform refused the file for good (most often: over its upload limit): say so, once.
      const reported = new Set(data.reported ?? []);
      const note = await tooLargeView(ctx, request, file);
      await deliverPrivately(
        ctx,
        run,
        request,
        note,
        {
          done: reported,
          save: () => run.job.updateData({ ...data, file, done: [...done], reported: [...reported] }),
        },
        "note",
      );
    }
    await run.job.updateProgress(100);
    return { file, refusal: refusal?.code ?? null };
  },
});

/** The message that brings the file: its name (never a server path) and the file itself. */
async function readyView(file: string, request: ExportJobRequest): Promise<View> {
  return privateView([`Your export is ready: ${path.basename(file)}`], {
    title: "Export",
    attachment: {
      filename: path.basename(file),
      contentType: request.format === "json" ? "application/json" : "text/csv",
      content: await readFile(file, "utf8"),
    },
  });
}

/** One line for a file the moderator's platform would not take: its size, the limit, and how to make it smaller. */
async function tooLargeView(ctx: JobContext, request: ExportJobRequest, file: string): Promise<View> {
  const size = (await stat(file)).size;
  const targets = await audienceTargets(ctx.deps, request.communityId, {
    kind: "member",
    memberId: request.memberId,
  });
  const limits = targets.flatMap((t) => {
    const limit = ctx.platforms.get(t.platform)?.uploadLimitBytes;
    return limit === undefined ? [] : [limit];
  });
  const limit = limits.length === 0 ? "" : ` (the upload limit is ${megabytes(Math.min(...limits))})`;
  return refusalView(
    `Your export (${megabytes(size)}) could not be sent${limit}; ask for a shorter window, e.g. /export month or /export season:NAME.`,
  );
}

const megabytes = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

/** Builds the export; `requestKey` (the job's id) records its payout run once, however often the job is retried. */
async function buildOne(
  ctx: JobContext,
  request: ExportJobRequest,
  requestKey: string | undefined,
): Promise<{ ok: true; filename: string; content: string } | { ok: false; refusal: Refusal }> {
  const window = parseWindow(request.window);
  if (!window.ok) return { ok: false, refusal: window.error };
  const result = await buildExport(ctx.deps, {
    actor: { communityId: request.communityId, memberId: request.memberId, isModerator: true, spaceId: null },
    window: window.value,
    format: request.format,
    ...(request.budget === undefined ? {} : { budget: request.budget }),
    ...(request.cap === undefined ? {} : { cap: request.cap }),
    ...(request.record === undefined ? {} : { record: request.record }),
    ...(requestKey === undefined ? {} : { requestKey }),
  });
  if (!result.ok) return { ok: false, refusal: result.error };
  const stamp = ctx.deps.clock.now().toISOString().replace(/[:.]/g, "-");
  return {
    ok: true,
    filename: `${exportFilePrefix(request.communityId)}${stamp}.${request.format}`,
    content: result.value.content,
  };
}

/** The start of every export file of a community, background-built or saved by the console. */
function exportFilePrefix(communityId: number): string {
  return `export-${communityId}-`;
}

/**
 * Deletes the community's export files in `exportDir` (after an erasure they
 * may name the erased member); returns the names deleted. A missing folder is no file.
 */
export async function expireExportFiles(exportDir: string, communityId: number): Promise<string[]> {
  const names = await readdir(exportDir).catch((error: unknown) => {
    if (error instanceof Error && "code" in error && error.code === "ENOENT") return [];
    throw error;
  });
  const expired = names.filter((name) => name.startsWith(exportFilePrefix(communityId)));
  for (const name of expired) await rm(path.join(exportDir, name), { force: true });
  return expired;
}

/** After an erasure: the worker, which owns the export folder, deletes the community's export files. */
export const expireExportsJob = defineJob({
  queue: "exports",
  name: "expire-exports",
  payload: z.object({ communityId: z.number().int().positive() }),
  defaults: { attempts: 5, backoff: { type: "exponential", delay: 2000 }, removeOnComplete: { age: 86_400 } },
  async handle(ctx, request): Promise<{ expired: number }> {
    const expired = await expireExportFiles(ctx.settings.exportDir, request.communityId);
    return { expired: expired.length };
  },
});

/**
 * Queues an export; the caller answers at once with "your export is being built".
 * A moderator has at most one background export queued or running at a time.
 */
export async function requestExport(
  queues: Queues,
  request: ExportJobRequest,
): Promise<Result<{ id: string | undefined }>> {
  const unfinished = await queues.exports.getJobs(["active", "waiting", "delayed", "prioritized"]);
  const mine = unfinished.some((job) => {
    const data = job.data as Partial<ExportJobRequest>;
    return data.communityId === request.communityId && data.memberId === request.memberId;
  });
  if (mine) return refuse("EXPORT_IN_PROGRESS");
  const job = await addJob(queues, exportJob, request);
  return ok({ id: job.id });
}

/** What commands may start in the background, on these queues. */
export function commandJobs(queues: Queues): CommandJobs {
  return {
    requestExport: (request) => requestExport(queues, request),
    expireExports: async (communityId) => {
      await addJob(queues, expireExportsJob, { communityId });
    },
    requestLedgerVerify: (request) => requestLedgerVerify(queues, request),
  };
}

/** Large exports for the API: the same job, its file kept for the client's status URL. */
export function apiExportJobs(queues: Queues): ExportJobs {
  const exportOf = async (id: string) => {
    const job = await queues.exports.getJob(id);
    return job?.name === exportJob.name ? job : undefined;
  };
  return {
    async request(request) {
      const queued = await requestExport(queues, { ...request, via: "api" });
      if (!queued.ok) return queued;
      return ok({ id: queued.value.id ?? "" });
    },
    async status(id) {
      // The state before the job: a job read while active and found completed a moment
      // later would be "done" with no result read (a refusal shown as a success).
      const state = await queues.exports.getJobState(id);
      const job = await exportOf(id);
      if (job === undefined) return null;
      return statusOf(id, job.data as ExportJobRequest, state, job);
    },
    async file(id): Promise<ExportFile | null> {
      const job = await exportOf(id);
      const result = job?.returnvalue as ExportJobResult | null | undefined;
      if (job === undefined || typeof result?.file !== "string") return null;
      const { format } = job.data as ExportJobRequest;
      const file = result.file;
      const exists = await stat(file).then(
        () => true,
        () => false,
      );
      if (!exists) return null;
      return {
        filename: path.basename(file),
        contentType: format === "json" ? "application/json" : "text/csv; charset=utf-8",
        content: createReadStream(file),
      };
    },
  };
}

function statusOf(
  id: string,
  request: ExportJobRequest,
  bullState: string,
  job: { readonly progress: unknown; readonly returnvalue: unknown },
): ExportJobStatus {
  const result = job.returnvalue as ExportJobResult | null | undefined;
  const code = bullState === "completed" ? (result?.refusal ?? null) : null;
  const refusal =
    code === null ? null : { code, detail: result?.refusalText ?? `That did not work (${code}).` };
  const state: ExportJobState =
    bullState === "completed"
      ? refusal === null
        ? "done"
        : "failed"
      : bullState === "failed"
        ? "failed"
        : bullState === "active"
          ? "running"
          : "queued";
  return {
    id,
    communityId: request.communityId,
    format: request.format,
    state,
    progress: typeof job.progress === "number" ? job.progress : 0,
    refusal,
  };
}
