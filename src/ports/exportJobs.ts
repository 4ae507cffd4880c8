import type { BackgroundExport } from "../commands/types.ts";
import type { Result } from "../core/result.ts";

/** Where a background export is: waiting for a worker, being built, built, or given up. */
export type ExportJobState = "queued" | "running" | "done" | "failed";

export interface ExportJobStatus {
  readonly id: string;
  readonly communityId: number;
  readonly format: "csv" | "json";
  readonly state: ExportJobState;
  /** 0–100, as the job reports it. */
  readonly progress: number;
  /** The refusal (code and its one-line text) when the export was refused while being built (state failed). */
  readonly refusal: { readonly code: string; readonly detail: string } | null;
}

export interface ExportFile {
  readonly filename: string;
  readonly contentType: string;
  readonly content: AsyncIterable<Uint8Array>;
}

/**
 * Large exports asked for over the API: queued on the worker's export queue
 * (the same job /export runs), looked up by id, and their file read once built.
 * Handed to the HTTP layer by the composition root, so it never imports the jobs folder.
 */
export interface ExportJobs {
  /** Queues an export built for the API (no chat message), or refuses with EXPORT_IN_PROGRESS. */
  request(request: BackgroundExport): Promise<Result<{ readonly id: string }>>;
  /** The export's status, or null for an id that is no export (or one removed after a day). */
  status(id: string): Promise<ExportJobStatus | null>;
  /** The built file of a done export, or null when there is none. */
  file(id: string): Promise<ExportFile | null>;
}
