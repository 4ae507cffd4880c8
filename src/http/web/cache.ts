// Validators for public pages: a strong ETag from the bytes sent (or from what
// they are drawn from), 304 when the browser already has them, and how long
// shared caches may keep them.
import { createHash } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";

/** Pages change with every vote: caches keep them briefly and then revalidate with the ETag. */
export const PAGE_CACHE = "public, max-age=30, must-revalidate";
/** Pictures are addressed by what they show; a minute's staleness is harmless in a link preview. */
export const IMAGE_CACHE = "public, max-age=300";
/** The check script changes only with a release. */
export const ASSET_CACHE = "public, max-age=86400";

/** A strong entity tag of some bytes or text. */
export function etagOf(...parts: ReadonlyArray<string | Buffer>): string {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return `"${hash.digest("base64url").slice(0, 32)}"`;
}

/** Whether the request's If-None-Match names this tag (weak comparison, as RFC 9110 asks for GET). */
export function isFresh(request: FastifyRequest, etag: string): boolean {
  const header = request.headers["if-none-match"];
  if (header === undefined) return false;
  const bare = etag.replace(/^W\//, "");
  return header
    .split(",")
    .map((tag) => tag.trim())
    .some((tag) => tag === "*" || tag.replace(/^W\//, "") === bare);
}

/** Sends `body` with its ETag and caching headers, or 304 with no body when the browser has it. */
export function sendCached(
  request: FastifyRequest,
  reply: FastifyReply,
  body: string | Buffer,
  contentType: string,
  cacheControl: string,
  etag: string = etagOf(body),
): FastifyReply {
  reply.header("etag", etag).header("cache-control", cacheControl).header("vary", "accept-encoding");
  if (isFresh(request, etag)) return reply.code(304).send();
  return reply.header("content-type", contentType).send(body);
}
