// Calling one API route's use case as the holder of a bearer token: the token
// checked, the route's scope enforced, its input parsed by the route's own zod
// schemas, the use case run and a change audited under the token's name. The
// HTTP API and the MCP server both call through here, so no scope check or
// input rule exists twice.
import type { z } from "zod";
import type { Deps } from "../../app/deps.ts";
import { authenticateToken, recordTokenUse, type TokenCaller } from "../../app/tokens.ts";
import type { Refusal } from "../../core/result.ts";
import { actsAsModerator, grants } from "../../core/tokens.ts";
import type { AnyApiRoute, ApiAnswer } from "./route.ts";

type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: Refusal };

/** What a caller sent, before the route's schemas read it. */
export interface RouteInput {
  readonly params?: unknown;
  readonly query?: unknown;
  readonly body?: unknown;
}

/** What the route's schemas made of it. */
export interface ParsedInput {
  readonly params: unknown;
  readonly query: unknown;
  readonly body: unknown;
}

/** The token behind `bearer`, with the route's scope checked and its moderator right for this route. */
export async function callerFor(
  deps: Deps,
  bearer: string | null,
  route: AnyApiRoute,
): Promise<Checked<TokenCaller>> {
  if (bearer === null) return { ok: false, error: { code: "UNAUTHENTICATED" } };
  const caller = await authenticateToken(deps, bearer);
  if (!caller.ok) return caller;
  if (!grants(caller.value.scopes, route.scope))
    return { ok: false, error: { code: "MISSING_SCOPE", detail: { scope: route.scope } } };
  const isModerator = actsAsModerator(caller.value.scopes, route.scope);
  return { ok: true, value: { ...caller.value, actor: { ...caller.value.actor, isModerator } } };
}

/** The input read by the route's schemas; the first problem as a BAD_REQUEST naming where it is. */
export function parseRouteInput(route: AnyApiRoute, given: RouteInput): Checked<ParsedInput> {
  const parts = { params: route.params, query: route.query, body: route.body } as const;
  const value: Record<string, unknown> = {};
  for (const part of ["params", "query", "body"] as const) {
    const schema: z.ZodType | undefined = parts[part];
    if (schema === undefined) continue;
    const parsed = schema.safeParse(given[part] ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = [part, ...(issue?.path ?? []).map(String)].join(".");
      return {
        ok: false,
        error: { code: "BAD_REQUEST", detail: { problem: `${where}: ${issue?.message ?? "invalid"}` } },
      };
    }
    value[part] = parsed.data;
  }
  return { ok: true, value: { params: value["params"], query: value["query"], body: value["body"] } };
}

/** Runs the route's use case and, when it changed something, writes the audit entry naming the token. */
export async function answerAndAudit(
  route: AnyApiRoute,
  call: Parameters<AnyApiRoute["handle"]>[0],
): Promise<ApiAnswer> {
  const answer = await route.handle(call);
  if (
    answer.ok &&
    answer.audited !== true &&
    route.method !== "GET" &&
    route.operationId !== "verifyLedger"
  ) {
    const target =
      answer.location ??
      (typeof call.params === "object" && call.params !== null && "number" in call.params
        ? `#${String(call.params.number)}`
        : route.path);
    await recordTokenUse(call.deps, call.caller, route.operationId, target);
  }
  return answer;
}

/** The whole call as the token's holder: who, what, then the use case. */
export async function callRouteAs(
  deps: Deps,
  bearer: string | null,
  route: AnyApiRoute,
  given: RouteInput,
): Promise<ApiAnswer> {
  const caller = await callerFor(deps, bearer, route);
  if (!caller.ok) return caller;
  const input = parseRouteInput(route, given);
  if (!input.ok) return input;
  return answerAndAudit(route, { deps, caller: caller.value, ...input.value });
}
