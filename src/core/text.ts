import { ok, refuse, type Result } from "./result.ts";

export const MAX_TITLE_LENGTH = 120;
export const MAX_DESCRIPTION_LENGTH = 2000;
export const MAX_REASON_LENGTH = 500;

/** Control characters and the bidirectional overrides that can make text render as something else. */
const INVISIBLE = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/gu;
/** The same, minus the line breaks and tabs a description may keep. */
const INVISIBLE_EXCEPT_LINES = /[^\P{Cc}\n\t]|[\u202A-\u202E\u2066-\u2069]/gu;

/**
 * Every string inside a command's raw input with its invisible characters
 * removed (line breaks and tabs kept): a NUL or an escape sequence typed into
 * any option, not only a title, must never reach the database or a chat.
 * Arrays and plain objects are walked; anything else is returned as it is.
 */
export function withoutInvisibleCharacters<T>(value: T): T {
  if (typeof value === "string") return value.replace(INVISIBLE_EXCEPT_LINES, "") as T;
  if (Array.isArray(value)) return value.map((item: unknown) => withoutInvisibleCharacters(item)) as T;
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, withoutInvisibleCharacters(item)]),
    ) as T;
  }
  return value;
}

/** Length as people count it: code points, so an emoji is one character, not two. */
const lengthOf = (s: string): number => [...s].length;

/** `s` cut to at most `max` characters, ending in "…" when it was cut. */
export function limitText(s: string, max: number): string {
  const chars = [...s];
  if (chars.length <= max) return s;
  return max < 1 ? "" : `${chars.slice(0, max - 1).join("")}…`;
}

/** One line: whitespace runs become one space, invisible characters go, ends trimmed. */
function oneLine(s: string): string {
  return s.replace(/\s+/gu, " ").replace(INVISIBLE, "").trim();
}

/** A contribution title: one line of 1–120 characters. */
export function validateTitle(s: string): Result<string, "TITLE_LENGTH"> {
  const title = oneLine(s);
  const length = lengthOf(title);
  if (length < 1 || length > MAX_TITLE_LENGTH)
    return refuse("TITLE_LENGTH", { min: 1, max: MAX_TITLE_LENGTH, length });
  return ok(title);
}

/** A contribution description: up to 2000 characters; line breaks are kept, invisible characters dropped. */
export function validateDescription(s: string): Result<string, "DESCRIPTION_LENGTH"> {
  const description = s.replace(/\r\n?/g, "\n").replace(INVISIBLE_EXCEPT_LINES, "").trim();
  const length = lengthOf(description);
  if (length > MAX_DESCRIPTION_LENGTH)
    return refuse("DESCRIPTION_LENGTH", { max: MAX_DESCRIPTION_LENGTH, length });
  return ok(description);
}

/** The reason a moderator or appellant gives: one line of 1–500 characters. */
export function validateReason(s: string): Result<string, "REASON_REQUIRED" | "REASON_LENGTH"> {
  const reason = oneLine(s);
  const length = lengthOf(reason);
  if (length === 0) return refuse("REASON_REQUIRED");
  if (length > MAX_REASON_LENGTH) return refuse("REASON_LENGTH", { max: MAX_REASON_LENGTH, length });
  return ok(reason);
}
