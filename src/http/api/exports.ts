// Attribution exports: answered inline when small, else queued on the
// worker's export queue (the job /export runs for a large community) and
// followed by a status URL, then downloaded from the status's file link.
import { z } from "zod";
import { buildExport, exportRequestRefusal, exportRowCount } from "../../app/exports.ts";
import { parseWindow } from "../../core/periods.ts";
import type { ExportJobStatus } from "../../ports/exportJobs.ts";
import { WINDOW_HELP } from "./community.ts";
import { defineRoute, type ApiAnswer } from "./route.ts";

const EXPORT_PATH = "/api/v1/exports";

const exportStatusSchema = z
  .object({
    id: z.string(),
    status: z.enum(["queued", "running", "done", "failed"]),
    progress: z.number().int().min(0).max(100),
    format: z.enum(["csv", "json"]),
    file: z
      .string()
      .nullable()
      .meta({ description: "When done: where the file is downloaded (the same file /export sends)" }),
    refusal: z
      .object({ code: z.string(), detail: z.string() })
      .nullable()
      .meta({ description: "When the export was refused while being built" }),
  })
  .meta({ id: "ExportStatus" });

const exportIdParams = z.object({
  id: z
    .string()
    .regex(/^[\w-]{1,64}$/)
    .meta({ description: "The export's id, from the Location of POST /exports" }),
});

export const exportRoute = defineRoute({
  method: "POST",
  path: "/exports",
  operationId: "createExport",
  summary:
    "Attribution for a window as CSV or JSON, optionally with a payout split of a budget (recorded as paid with record); a large community's export is built in the background",
  scope: "export",
  body: z
    .object({
      window: z.string().optional().meta({ description: WINDOW_HELP }),
      format: z.enum(["csv", "json"]).optional().meta({ description: "Default csv" }),
      budget: z.number().int().optional().meta({ description: "Minor units (cents), whole" }),
      cap: z.number().int().optional().meta({ description: "Most one member is paid, minor units" }),
      record: z.boolean().optional().meta({ description: "Record the run as paid" }),
    })
    .meta({ id: "ExportRequest" }),
  responses: {
    200: {
      description: "The export file as /export makes it (text/csv or application/json)",
      contentType: "text/csv",
    },
    202: {
      description:
        "Too large to answer inline: queued; Location is its status URL (GET it until status is done)",
      schema: exportStatusSchema,
    },
  },
  refusals: [
    "BAD_WINDOW",
    "NOT_MODERATOR",
    "UNKNOWN_SEASON",
    "BAD_BUDGET",
    "BAD_CAP",
    "BUDGET_REQUIRED",
    "WINDOW_NOT_ENDED",
    "EXPORT_IN_PROGRESS",
  ],
  handle: async ({ deps, caller, body, exports }) => {
    const window = parseWindow(body.window);
    if (!window.ok) return window;
    const format = body.format ?? "csv";
    const request = {
      actor: caller.actor,
      ...(body.budget === undefined ? {} : { budget: body.budget }),
      ...(body.cap === undefined ? {} : { cap: body.cap }),
      ...(body.record === undefined ? {} : { record: body.record }),
    };
    const refused = exportRequestRefusal(request);
    if (refused !== null) return refused;
    if (
      exports !== undefined &&
      (await exportRowCount(deps, caller.actor.communityId)) > exports.inlineMembers
    ) {
      const { actor, ...rest } = request;
      const queued = await exports.jobs.request({
        communityId: actor.communityId,
        memberId: actor.memberId,
        window: body.window ?? "all",
        format,
        ...rest,
      });
      if (!queued.ok) return queued;
      const status = await exports.jobs.status(queued.value.id);
      return {
        ok: true,
        status: 202,
        location: `${EXPORT_PATH}/${queued.value.id}`,
        body: statusBody(
          status ?? {
            id: queued.value.id,
            communityId: actor.communityId,
            format,
            state: "queued",
            progress: 0,
            refusal: null,
          },
        ),
      };
    }
    const result = await buildExport(deps, { ...request, window: window.value, format });
    if (!result.ok) return result;
    return {
      ok: true,
      status: 200,
      body: result.value.content,
      contentType: format === "csv" ? "text/csv; charset=utf-8" : "application/json",
    };
  },
});

export const exportStatusRoute = defineRoute({
  method: "GET",
  path: "/exports/{id}",
  operationId: "getExport",
  summary:
    "Where a background export is: queued, running (with progress), done (with its file link) or failed",
  scope: "export",
  params: exportIdParams,
  responses: { 200: { description: "The export's status", schema: exportStatusSchema } },
  refusals: ["UNKNOWN_EXPORT"],
  handle: async ({ caller, params, exports }) => {
    const status = await exports?.jobs.status(params.id);
    if (status === undefined || status === null || status.communityId !== caller.actor.communityId)
      return unknownExport(params.id);
    return { ok: true, status: 200, body: statusBody(status) };
  },
});

export const exportFileRoute = defineRoute({
  method: "GET",
  path: "/exports/{id}/file",
  operationId: "getExportFile",
  summary: "The file of a done background export, streamed (text/csv or application/json)",
  scope: "export",
  params: exportIdParams,
  responses: { 200: { description: "The export file, as /export sends it", contentType: "text/csv" } },
  refusals: ["UNKNOWN_EXPORT", "EXPORT_NOT_READY"],
  handle: async ({ caller, params, exports }) => {
    const status = await exports?.jobs.status(params.id);
    if (status === undefined || status === null || status.communityId !== caller.actor.communityId)
      return unknownExport(params.id);
    if (status.state !== "done")
      return { ok: false, error: { code: "EXPORT_NOT_READY", detail: { id: params.id } } };
    const file = await exports?.jobs.file(params.id);
    if (file === undefined || file === null) return unknownExport(params.id);
    return {
      ok: true,
      status: 200,
      body: file.content,
      contentType: file.contentType,
      headers: { "content-disposition": `attachment; filename="${file.filename}"` },
    };
  },
});

function unknownExport(id: string): ApiAnswer {
  return { ok: false, error: { code: "UNKNOWN_EXPORT", detail: { id } } };
}

function statusBody(status: ExportJobStatus): z.infer<typeof exportStatusSchema> {
  return {
    id: status.id,
    status: status.state,
    progress: Math.max(0, Math.min(100, Math.round(status.progress))),
    format: status.format,
    file: status.state === "done" ? `${EXPORT_PATH}/${status.id}/file` : null,
    refusal: status.refusal,
  };
}
