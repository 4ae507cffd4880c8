// One API route as data: method, path, scope, zod schemas for what comes in
// and goes out, and a handler over the app's use cases. The server and the
// OpenAPI document are both built from the same list.
import type { z } from "zod";
import type { Deps } from "../../app/deps.ts";
import type { TokenCaller } from "../../app/tokens.ts";
import type { Refusal } from "../../core/result.ts";
import type { TokenScope } from "../../core/tokens.ts";
import type { ExportJobs } from "../../ports/exportJobs.ts";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

export interface ApiResponseSpec {
  readonly description: string;
  /** JSON body schema; absent for a body of another content type. */
  readonly schema?: z.ZodType;
  /** Default application/json. */
  readonly contentType?: string;
}

/** What a handler answers: a status and a JSON-ready body (or text of another type), or a refusal. */
export type ApiAnswer =
  | {
      readonly ok: true;
      readonly status: number;
      readonly body: unknown;
      readonly contentType?: string;
      readonly location?: string;
      /** Further response headers (Content-Disposition, Retry-After…). */
      readonly headers?: Readonly<Record<string, string>>;
      /** The use case wrote the change's audit entry with the change itself (none is written after). */
      readonly audited?: true;
    }
  | { readonly ok: false; readonly error: Refusal };

/** Large exports as jobs: given where a worker's export queue is reachable (not over MCP). */
export interface ApiExports {
  readonly jobs: ExportJobs;
  /** An export of more members with a balance than this is queued rather than answered inline. */
  readonly inlineMembers: number;
}

export interface ApiCall<P, Q, B> {
  readonly deps: Deps;
  readonly exports?: ApiExports;
  readonly caller: TokenCaller;
  readonly params: P;
  readonly query: Q;
  readonly body: B;
}

export interface ApiRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  readonly method: HttpMethod;
  /** OpenAPI style, under /api/v1: `/contributions/{number}`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly scope: TokenScope;
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  /** Takes an Idempotency-Key header: a retry returns the first answer. */
  readonly idempotent?: boolean;
  /** Success responses by status. */
  readonly responses: Readonly<Record<number, ApiResponseSpec>>;
  /** Refusal codes the route can answer (documented as problem responses). */
  readonly refusals: readonly string[];
  readonly handle: (call: ApiCall<z.infer<P>, z.infer<Q>, z.infer<B>>) => Promise<ApiAnswer>;
}

export type AnyApiRoute = ApiRoute<z.ZodType, z.ZodType, z.ZodType>;

/** Keeps each handler typed from its schemas while the route list holds them together. */
export function defineRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
  route: ApiRoute<P, Q, B>,
): AnyApiRoute {
  return route as unknown as AnyApiRoute;
}

/** A use case's result as an answer: its value mapped to the response body, or its refusal. */
export function answerWith<T>(
  result: { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: Refusal },
  status: number,
  body: (value: T) => unknown,
): ApiAnswer {
  return result.ok ? { ok: true, status, body: body(result.value) } : result;
}

/** Refusals every authenticated route can answer. */
export const COMMON_REFUSALS = [
  "BAD_REQUEST",
  "UNAUTHENTICATED",
  "TOKEN_REVOKED",
  "MISSING_SCOPE",
  "RATE_LIMITED",
];
