import { ok, refuse, type Result } from "./result.ts";

const MAX_URL_LENGTH = 2048;
/** At most this many evidence links per contribution. */
export const MAX_EVIDENCE_LINKS = 5;
const TRACKING_PARAMS = new Set(["fbclid", "gclid", "mc_cid", "mc_eid", "ref", "ref_src", "igshid", "si"]);

const isTrackingParam = (name: string): boolean => name.startsWith("utm_") || TRACKING_PARAMS.has(name);

/**
 * An evidence link in canonical form, so the same page submitted twice is
 * recognised: http(s) only; scheme and host lowercased; default port, fragment,
 * tracking parameters and trailing slashes dropped; other parameters sorted by
 * name (values kept exactly as typed). `www.` is kept: some sites serve different
 * pages there. Links carrying a user name or password are refused.
 */
export function normalizeEvidenceUrl(raw: string): Result<string, "BAD_LINK"> {
  const typed = raw.trim().replace(/^<(.*)>$/, "$1");
  if (typed.length > MAX_URL_LENGTH) return refuse("BAD_LINK", { problem: "too long", max: MAX_URL_LENGTH });
  if (!/^https?:\/\//i.test(typed) || !URL.canParse(typed))
    return refuse("BAD_LINK", { problem: "not an http(s) link" });
  const url = new URL(typed);
  if (url.hostname === "") return refuse("BAD_LINK", { problem: "no host" });
  if (url.username !== "" || url.password !== "")
    return refuse("BAD_LINK", { problem: "contains a password" });
  const path = url.pathname.replace(/\/+$/, "");
  const query = canonicalQuery(url.search);
  const canonical = `${url.protocol}//${url.host}${path}${query}`;
  if (canonical.length > MAX_URL_LENGTH)
    return refuse("BAD_LINK", { problem: "too long", max: MAX_URL_LENGTH });
  return ok(canonical);
}

/** Query parameters without tracking ones, sorted by name (stable, so repeated names keep their order). */
function canonicalQuery(search: string): string {
  const params = search
    .replace(/^\?/, "")
    .split("&")
    .filter((pair) => pair !== "")
    .map((pair) => ({ pair, name: paramName(pair) }))
    .filter(({ name }) => !isTrackingParam(name.toLowerCase()))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return params.length === 0 ? "" : `?${params.map(({ pair }) => pair).join("&")}`;
}

function paramName(pair: string): string {
  const raw = pair.split("=", 1)[0] ?? "";
  try {
    return decodeURIComponent(raw.replace(/\+/g, " "));
  } catch {
    return raw;
  }
}

/** Reads a contribution's evidence links: each normalised, repeats dropped, at most five. */
export function parseLinks(tokens: readonly string[]): Result<string[], "BAD_LINK" | "TOO_MANY_LINKS"> {
  const links: string[] = [];
  for (const [index, token] of tokens.entries()) {
    const link = normalizeEvidenceUrl(token);
    if (!link.ok) return refuse("BAD_LINK", { ...link.error.detail, position: index + 1 });
    if (!links.includes(link.value)) links.push(link.value);
  }
  if (links.length > MAX_EVIDENCE_LINKS) return refuse("TOO_MANY_LINKS", { max: MAX_EVIDENCE_LINKS });
  return ok(links);
}
