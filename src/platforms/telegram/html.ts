// A View as Telegram HTML (parse_mode "HTML"). Every string in a View is plain
// text as typed, so everything but the markup written here is escaped: a title
// of "<b>x</b>" shows those characters, and "@everyone" stays plain text
// (Telegram has no @everyone; a typed @username is a link, never a ping of a
// group, and the escaping keeps it from becoming markup).
import type { View } from "../../views/view.ts";

/** Telegram's limit on one message's text. */
export const MESSAGE_LIMIT = 4096;
/** Telegram's limit on a document's caption. */
export const CAPTION_LIMIT = 1024;
/** How many messages one command reply may become before the rest is cut. */
export const MAX_REPLY_PARTS = 5;

const TRUNCATED = "… (cut: too long for Telegram)";

/** Escapes the three characters Telegram's HTML parse mode reads as markup. */
export function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/**
 * One rendered line: markup written here around text a person typed. Kept apart
 * so a line too long for one message is cut in its text, never inside a tag or
 * an entity.
 */
export interface HtmlLine {
  readonly before: string;
  readonly text: string;
  readonly after: string;
}

const toneMark: Record<View["tone"], string> = { info: "", success: "✓ ", refusal: "✗ " };

/** The lines of a view: bold title, lines, bold field names with their values. Buttons go to the keyboard. */
export function viewLines(view: View): HtmlLine[] {
  const mark = toneMark[view.tone];
  const lines: HtmlLine[] = [];
  if (view.title !== undefined) lines.push({ before: "<b>", text: `${mark}${view.title}`, after: "</b>" });
  view.lines.forEach((line, i) =>
    lines.push(plain(view.title === undefined && i === 0 ? `${mark}${line}` : line)),
  );
  for (const field of view.fields ?? []) {
    const [first = "", ...more] = field.value.split("\n");
    lines.push({ before: `<b>${escapeHtml(field.name)}:</b> `, text: first, after: "" });
    lines.push(...more.map((line) => ({ before: "  ", text: line, after: "" })));
  }
  return lines;
}

function plain(text: string): HtmlLine {
  return { before: "", text, after: "" };
}

export function lineHtml(line: HtmlLine): string {
  return `${line.before}${escapeHtml(line.text)}${line.after}`;
}

/** A view as one HTML string, unsplit. */
export function renderHtml(view: View): string {
  return viewLines(view).map(lineHtml).join("\n");
}

/**
 * Packs lines into messages of at most `limit` characters (counted on the HTML,
 * which is never shorter than what Telegram counts). A line longer than a
 * message is cut into pieces between characters, never within a tag, an entity
 * or a surrogate pair.
 */
export function splitLines(lines: readonly HtmlLine[], limit = MESSAGE_LIMIT): string[] {
  const parts: string[] = [];
  let current = "";
  for (const piece of lines.flatMap((line) => cutLine(line, limit))) {
    if (current === "") current = piece;
    else if (current.length + 1 + piece.length <= limit) current = `${current}\n${piece}`;
    else {
      parts.push(current);
      current = piece;
    }
  }
  if (current !== "" || parts.length === 0) parts.push(current);
  return parts;
}

function cutLine(line: HtmlLine, limit: number): string[] {
  const whole = lineHtml(line);
  if (whole.length <= limit) return [whole];
  // Markup that leaves no room for text (never written here) is dropped rather than cut.
  const { before, after } =
    limit - line.before.length - line.after.length < 8 ? { before: "", after: "" } : line;
  const room = limit - before.length - after.length;
  const pieces: string[] = [];
  let chunk = "";
  for (const char of line.text) {
    const escaped = escapeHtml(char);
    if (chunk.length + escaped.length > room) {
      pieces.push(`${before}${chunk}${after}`);
      chunk = "";
    }
    chunk += escaped;
  }
  if (chunk !== "") pieces.push(`${before}${chunk}${after}`);
  return pieces;
}

/**
 * A view as the messages of a command reply: split to fit, at most `maxParts`
 * of them; what does not fit is cut with a note saying so.
 */
export function renderMessages(view: View, maxParts = MAX_REPLY_PARTS, limit = MESSAGE_LIMIT): string[] {
  const parts = splitLines(viewLines(view), limit);
  if (parts.length <= maxParts) return parts;
  const kept = parts.slice(0, maxParts);
  const last = kept[maxParts - 1] ?? "";
  kept[maxParts - 1] = withNote(last, limit);
  return kept;
}

/** A view as exactly one message (a vote card that is edited in place, a caption), cut to fit. */
export function renderSingle(view: View, limit = MESSAGE_LIMIT): string {
  const parts = splitLines(viewLines(view), limit);
  const [first = ""] = parts;
  return parts.length === 1 ? first : withNote(first, limit);
}

/** Ends a message with the truncation note, dropping whole lines (so no tag is cut) until it fits. */
function withNote(html: string, limit: number): string {
  const lines = html.split("\n");
  while (lines.length > 1 && lines.join("\n").length + 1 + TRUNCATED.length > limit) lines.pop();
  const kept = lines.join("\n");
  if (kept.length + 1 + TRUNCATED.length <= limit) return `${kept}\n${TRUNCATED}`;
  return TRUNCATED;
}

/**
 * Plain text of Telegram HTML as a person reads it: tags removed, entities
 * decoded. Used for callback answers and alerts, which take no markup.
 */
export function htmlToText(html: string): string {
  return html
    .replace(/<[^>]*>/g, "")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&amp;", "&");
}
