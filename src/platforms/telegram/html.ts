// A View as Telegram HTML (parse_mode "HTML"). Every string in a View is plain
// text as typed, so everything but the markup written here is escaped: a title
// of "<b>x</b>" shows those characters. Telegram turns any "@username" in a
// message into a mention that notifies that person, so an invisible word
// joiner is put after each "@" of a view's text: "@everyone" or "@ann" reads
// the same and pings nobody.
import type { View } from "../../views/view.ts";

/** Telegram's limit on one message's text. */
export const MESSAGE_LIMIT = 4096;
/** Telegram's limit on a document's caption. */
export const CAPTION_LIMIT = 1024;
/** How many messages one command reply may become before the rest is cut. */
export const MAX_REPLY_PARTS = 5;

const TRUNCATED = "… (cut: too long for Telegram)";

/** Keeps "@name" from becoming a mention; a person reads the same text. */
const WORD_JOINER = "\u2060";

/** Escapes the characters Telegram's HTML parse mode reads as markup (the quote too, for attributes). */
export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

/** Text with no "@name" in it that Telegram would turn into a mention. */
function quiet(text: string): string {
  return text.replace(/@(?=[A-Za-z0-9_])/g, `@${WORD_JOINER}`);
}

/** Text as typed, made inert: escaped, and no "@name" in it notifies anyone. */
export function quietHtml(text: string): string {
  return escapeHtml(quiet(text));
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

/**
 * The lines of a view: bold title, lines, bold field names with their values.
 * Buttons go to the keyboard. Text with line breaks becomes several lines, each
 * with its own markup, so no rendered line holds a break inside a tag.
 */
export function viewLines(view: View): HtmlLine[] {
  const mark = toneMark[view.tone];
  const lines: HtmlLine[] = [];
  if (view.title !== undefined) lines.push(...marked("<b>", `${mark}${view.title}`, "</b>"));
  view.lines.forEach((line, i) =>
    lines.push(...marked("", view.title === undefined && i === 0 ? `${mark}${line}` : line, "")),
  );
  for (const field of view.fields ?? []) {
    const [first = "", ...more] = field.value.split("\n");
    lines.push({ before: `<b>${quietHtml(field.name)}:</b> `, text: first, after: "" });
    lines.push(...more.map((line) => ({ before: "  ", text: line, after: "" })));
  }
  return lines;
}

function marked(before: string, text: string, after: string): HtmlLine[] {
  return text.split("\n").map((part) => ({ before, text: part, after }));
}

export function lineHtml(line: HtmlLine): string {
  return `${line.before}${quietHtml(line.text)}${line.after}`;
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
  for (const char of quiet(line.text)) {
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
 * of them. When it needs more, the view is split again leaving room for a note
 * saying it was cut, so what is kept is whole lines or pieces of a line cut
 * between characters, never inside a tag or an entity.
 */
export function renderMessages(view: View, maxParts = MAX_REPLY_PARTS, limit = MESSAGE_LIMIT): string[] {
  const lines = viewLines(view);
  const parts = splitLines(lines, limit);
  if (parts.length <= maxParts) return parts;
  const kept = splitLines(lines, limit - TRUNCATED.length - 1).slice(0, maxParts);
  return kept.map((part, i) => (i === kept.length - 1 ? `${part}\n${TRUNCATED}` : part));
}

/** A view as exactly one message (a vote card that is edited in place, a caption), cut to fit. */
export function renderSingle(view: View, limit = MESSAGE_LIMIT): string {
  return renderMessages(view, 1, limit)[0] ?? "";
}

/**
 * Plain text of Telegram HTML as a person reads it: tags removed, entities
 * decoded. Used for callback answers and alerts, which take no markup.
 */
export function htmlToText(html: string): string {
  return html
    .replaceAll(WORD_JOINER, "")
    .replace(/<[^>]*>/g, "")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&amp;", "&");
}
