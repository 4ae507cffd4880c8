// Refusals over HTTP: RFC 9457 problem details whose `type` ends in the
// refusal code and whose `detail` is the same one-line text the chat shows.
import type { FastifyReply } from "fastify";
import { z } from "zod";
import type { Refusal } from "../../core/result.ts";
import { refusalText } from "../../views/refusals.ts";

export const PROBLEM_TYPE_BASE = "https://cairn.example/problems/";
export const PROBLEM_CONTENT_TYPE = "application/problem+json";

export const problemSchema = z
  .object({
    type: z.string().meta({ description: `${PROBLEM_TYPE_BASE}<REFUSAL_CODE>` }),
    title: z.string().meta({ description: "The refusal code" }),
    status: z.number().int(),
    detail: z.string().meta({ description: "The one-line text the chat shows for the same refusal" }),
    code: z.string(),
  })
  .meta({ id: "Problem" });

export type Problem = z.infer<typeof problemSchema>;

const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  BAD_REQUEST: 400,
  USAGE: 400,
  BAD_CONTRIBUTION_ID: 400,
  BAD_WINDOW: 400,
  BAD_DATE: 400,
  UNAUTHENTICATED: 401,
  TOKEN_REVOKED: 401,
  MISSING_SCOPE: 403,
  NOT_MODERATOR: 403,
  BANNED: 403,
  NOT_SUBMITTER: 403,
  OWN_CONTRIBUTION: 403,
  CREDITED: 403,
  AGENT_OWNER_CONFLICT: 403,
  AGENT_VOTING_OFF: 403,
  TOO_NEW: 403,
  MISSING_VOTER_ROLE: 403,
  NOT_FOUND: 404,
  UNKNOWN_CONTRIBUTION: 404,
  UNKNOWN_MEMBER: 404,
  UNKNOWN_SEASON: 404,
  UNKNOWN_EXPORT: 404,
  DUPLICATE_LINK: 409,
  DUPLICATE_DIGEST: 409,
  NOT_PENDING: 409,
  VOTE_CLOSED: 409,
  ALREADY_DECIDED: 409,
  ALREADY_VOTED_ON: 409,
  EXPORT_IN_PROGRESS: 409,
  EXPORT_NOT_READY: 409,
  IDEMPOTENCY_IN_PROGRESS: 409,
  BODY_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  SUBMISSION_LIMIT: 429,
  DATABASE_UNAVAILABLE: 503,
};

/** The HTTP status of a refusal: 422 for a request understood but refused by a rule, unless listed. */
export function refusalStatus(code: string): number {
  return STATUS_BY_CODE[code] ?? 422;
}

/** Seconds a client should wait before a 429 is worth retrying. */
const RETRY_AFTER_SECONDS: Readonly<Record<string, number>> = {
  // The daily limit counts the last 24 hours: the earliest an hour can free a slot is unknown here, so an hour.
  SUBMISSION_LIMIT: 3600,
  RATE_LIMITED: 60,
};

export function problemOf(refusal: Refusal): Problem {
  const status = refusalStatus(refusal.code);
  return {
    type: `${PROBLEM_TYPE_BASE}${refusal.code}`,
    title: refusal.code,
    status,
    detail: refusalText(refusal),
    code: refusal.code,
  };
}

/** Sends a refusal as problem+json; a 429 carries Retry-After (kept when the rate limiter set one). */
export function sendProblem(reply: FastifyReply, refusal: Refusal): FastifyReply {
  const problem = problemOf(refusal);
  if (problem.status === 429 && !reply.hasHeader("retry-after"))
    reply.header("retry-after", String(RETRY_AFTER_SECONDS[refusal.code] ?? 60));
  if (problem.status === 409 && refusal.code === "IDEMPOTENCY_IN_PROGRESS") reply.header("retry-after", "1");
  return reply
    .code(problem.status)
    .header("content-type", PROBLEM_CONTENT_TYPE)
    .header("cache-control", "no-store")
    .send(JSON.stringify(problem));
}
