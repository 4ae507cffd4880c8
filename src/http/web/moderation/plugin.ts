// The moderator pages: `/login/:code` (the one-time link `/web login` sends),
// `/c/:id/review` (the review queue and its forms) and `/logout`. A thin
// adapter like a chat platform: the same use cases, refusals and audit log.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { reviewQueue } from "../../../app/browse.ts";
import type { Deps } from "../../../app/deps.ts";
import {
  endSession,
  previewSignIn,
  redeemSignIn,
  sessionCaller,
  type WebCaller,
} from "../../../app/webSessions.ts";
import type { Refusal } from "../../../core/result.ts";
import { csrfMatches, csrfToken, flashSeal, flashSealMatches } from "../../../core/webSessions.ts";
import { refusalText } from "../../../views/refusals.ts";
import { runReviewForm, type ReviewForm } from "./actions.ts";
import { clearSessionCookie, readSessionCookie, sessionCookie } from "./cookies.ts";
import { html, linePage, page } from "./html.ts";
import { reviewPage } from "./reviewPage.ts";

export interface ModerationOptions {
  readonly deps: Deps;
  /** PUBLIC_URL (or http://127.0.0.1:<port>): the origin forms must come from; https makes the cookie Secure. */
  readonly publicUrl: string;
}

/** Forms are short: an action, a number, a reason of at most 500 characters. */
const FORM_LIMIT_BYTES = 16_384;

const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  // The sign-in link carries a secret: never send it to another site as a Referer.
  // (Not no-referrer: Chromium then sends `Origin: null` on our own form posts.)
  "referrer-policy": "same-origin",
  "cache-control": "no-store",
} as const;

/** A status for each refusal the pages show; anything else is the form's own fault (422). */
const STATUS: Partial<Record<Refusal["code"], number>> = {
  SIGN_IN_UNKNOWN: 404,
  SIGN_IN_EXPIRED: 410,
  SIGN_IN_USED: 410,
  NOT_SIGNED_IN: 401,
  SESSION_EXPIRED: 401,
  OTHER_COMMUNITY: 403,
  NOT_MODERATOR: 403,
  FORGED_FORM: 403,
  UNKNOWN_CONTRIBUTION: 404,
  NOT_FOUND: 404,
};

export function moderationPlugin(options: ModerationOptions): (app: FastifyInstance) => Promise<void> {
  const { deps } = options;
  const origin = new URL(options.publicUrl).origin;
  const secure = origin.startsWith("https:");
  return async (app) => {
    app.addContentTypeParser(
      "application/x-www-form-urlencoded",
      { parseAs: "string", bodyLimit: FORM_LIMIT_BYTES },
      (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
    );
    app.addHook("onSend", async (_request, reply) => {
      reply.headers(SECURITY_HEADERS);
    });

    app.get<{ Params: { code: string } }>("/login/:code", async (request, reply) => {
      const preview = await previewSignIn(deps, request.params.code);
      if (!preview.ok) return refusalPage(reply, "Sign in", preview.error);
      const { communityName, memberName } = preview.value;
      const body = html`<p>
          Sign in to the review queue of ${communityName} as ${memberName}? The link works once.
        </p>
        <form method="post" action="/login/${request.params.code}">
          <button type="submit">Sign in</button>
        </form>`;
      return sendPage(reply, 200, page({ title: "Sign in", body }));
    });

    app.post<{ Params: { code: string } }>("/login/:code", async (request, reply) => {
      if (!sameOrigin(request, origin)) return refusalPage(reply, "Sign in", { code: "FORGED_FORM" });
      const opened = await redeemSignIn(deps, request.params.code);
      if (!opened.ok) return refusalPage(reply, "Sign in", opened.error);
      const maxAge = (opened.value.expiresAt.getTime() - deps.clock.now().getTime()) / 1000;
      return reply
        .header("set-cookie", sessionCookie(opened.value.secret, maxAge, secure))
        .redirect(`/c/${opened.value.communityId}/review`, 303);
    });

    app.get<{ Params: { id: string }; Querystring: FlashQuery }>("/c/:id/review", async (request, reply) => {
      const signedIn = await signedInCaller(request);
      if (!signedIn.ok) return refusalPage(reply, "Review queue", signedIn.error);
      const line = flashOf(request.query, signedIn.value.secret);
      return queuePage(reply, signedIn.value, 200, line === null ? undefined : { tone: "notice", line });
    });

    app.post<{ Params: { id: string }; Body: ReviewForm & { csrf?: string } }>(
      "/c/:id/review",
      async (request, reply) => {
        const forged = formForgery(request);
        if (forged !== null) return refusalPage(reply, "Review queue", forged);
        const signedIn = await signedInCaller(request);
        if (!signedIn.ok) return refusalPage(reply, "Review queue", signedIn.error);
        const done = await runReviewForm(deps, signedIn.value.caller.actor, formOf(request.body));
        // A refused form changed nothing, so it may stay a POST answer; a done one redirects,
        // so reloading the page it lands on cannot run the action again.
        if (!done.ok) return queuePage(reply, signedIn.value, STATUS[done.error.code] ?? 422, done.error);
        const search = new URLSearchParams({
          done: done.value,
          seal: flashSeal(signedIn.value.secret, done.value),
        });
        return reply.redirect(`/c/${signedIn.value.caller.actor.communityId}/review?${search}`, 303);
      },
    );

    app.post<{ Body: { csrf?: string } }>("/logout", async (request, reply) => {
      const forged = formForgery(request);
      if (forged !== null) return refusalPage(reply, "Sign out", forged);
      await endSession(deps, readSessionCookie(request.headers.cookie));
      return reply.header("set-cookie", clearSessionCookie(secure)).redirect("/logout", 303);
    });

    app.get("/logout", async (request, reply) => {
      const ended = readSessionCookie(request.headers.cookie) === undefined;
      return ended
        ? sendPage(reply, 200, linePage("Signed out", "You are signed out.", "notice"))
        : sendPage(
            reply,
            200,
            linePage("Sign out", "Sign out with the button on the review queue.", "notice"),
          );
    });
  };

  interface SignedIn {
    readonly caller: WebCaller;
    readonly secret: string;
  }

  async function signedInCaller(
    request: FastifyRequest<{ Params: { id: string } }>,
  ): Promise<{ ok: true; value: SignedIn } | { ok: false; error: Refusal }> {
    const communityId = /^\d{1,9}$/.test(request.params.id) ? Number(request.params.id) : null;
    if (communityId === null) return { ok: false, error: { code: "NOT_FOUND" } };
    const secret = readSessionCookie(request.headers.cookie);
    const caller = await sessionCaller(deps, secret, communityId);
    if (!caller.ok) return caller;
    return { ok: true, value: { caller: caller.value, secret: secret ?? "" } };
  }

  /** A form is forged unless it comes from our origin and carries its session's CSRF token. */
  function formForgery(request: FastifyRequest<{ Body: { csrf?: string } }>): Refusal | null {
    if (!sameOrigin(request, origin)) return { code: "FORGED_FORM" };
    const secret = readSessionCookie(request.headers.cookie);
    if (secret === undefined) return { code: "NOT_SIGNED_IN" };
    const given = typeof request.body?.csrf === "string" ? request.body.csrf : "";
    return csrfMatches(given, secret) ? null : { code: "FORGED_FORM" };
  }

  async function queuePage(
    reply: FastifyReply,
    signedIn: SignedIn,
    status: number,
    message?: Refusal | { tone: "notice"; line: string },
  ): Promise<FastifyReply> {
    const { caller } = signedIn;
    const queue = await reviewQueue(deps, caller.actor);
    if (!queue.ok) return refusalPage(reply, "Review queue", queue.error);
    const shown =
      message === undefined || "tone" in message
        ? message
        : { tone: "refusal" as const, line: refusalText(message) };
    const model = {
      communityId: caller.actor.communityId,
      communityName: caller.communityName,
      memberName: caller.memberName,
      csrf: csrfToken(signedIn.secret),
      queue: queue.value,
      ...(shown === undefined ? {} : { message: shown }),
    };
    return sendPage(reply, status, reviewPage(model));
  }
}

interface FlashQuery {
  readonly done?: string | string[];
  readonly seal?: string | string[];
}

/** The line a form's redirect carried, when this session's own post sealed it; null otherwise. */
function flashOf(query: FlashQuery, secret: string): string | null {
  const { done, seal } = query;
  if (typeof done !== "string" || typeof seal !== "string" || done.length > 500) return null;
  return flashSealMatches(seal, done, secret) ? done : null;
}

function refusalPage(reply: FastifyReply, title: string, refusal: Refusal): FastifyReply {
  return sendPage(reply, STATUS[refusal.code] ?? 422, linePage(title, refusalText(refusal), "refusal"));
}

function sendPage(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).header("content-type", "text/html; charset=utf-8").send(body);
}

/**
 * Whether a form post comes from our own pages: a browser always sends Origin
 * on a POST, so a different one (or "null") is refused; a client sending none
 * is no browser being tricked, and still needs the CSRF token.
 */
function sameOrigin(request: FastifyRequest, origin: string): boolean {
  const given = request.headers.origin;
  return given === undefined || given === origin;
}

function formOf(body: ReviewForm | undefined): ReviewForm {
  const field = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
  const form = body ?? {};
  const pick = (key: keyof ReviewForm) => {
    const value = field(form[key]);
    return value === undefined ? {} : { [key]: value };
  };
  return { ...pick("action"), ...pick("number"), ...pick("reason"), ...pick("hours") };
}
