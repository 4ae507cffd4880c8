// The moderator session cookie: HttpOnly (no script reads it), SameSite=Lax
// (sent when a moderator follows a link to the queue, never with another
// site's form post), Secure when the pages are served over https.

export const SESSION_COOKIE = "cairn_session";

/**
 * The Set-Cookie value that signs the browser in for `maxAgeSeconds` (relative,
 * so a browser whose clock is off still keeps it as long as the session lasts).
 */
export function sessionCookie(secret: string, maxAgeSeconds: number, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${secret}`,
    "Path=/",
    `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`,
    "HttpOnly",
    "SameSite=Lax",
    ...(secure ? ["Secure"] : []),
  ].join("; ");
}

/** The Set-Cookie value that removes the session cookie. */
export function clearSessionCookie(secure: boolean): string {
  return [
    `${SESSION_COOKIE}=`,
    "Path=/",
    "Max-Age=0",
    "HttpOnly",
    "SameSite=Lax",
    ...(secure ? ["Secure"] : []),
  ].join("; ");
}

/** The value of cookie `name` in a Cookie header, if present. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const pair of header.split(";")) {
    const at = pair.indexOf("=");
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}

export const readSessionCookie = (header: string | undefined): string | undefined =>
  readCookie(header, SESSION_COOKIE);
