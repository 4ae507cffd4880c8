/**
 * Text as a picture draws it: one line, nothing invisible, cut to a width.
 * Widths are counted in columns (a Latin letter is one, a CJK character or
 * an emoji two), so a cut never depends on the font files.
 */

/** Controls, bidirectional overrides and marks, and lone surrogates: nothing a picture can draw as a glyph. */
const UNDRAWABLE = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]|\p{Cs}/gu;

/** Characters that take two columns: East Asian wide and fullwidth forms, and emoji. */
const WIDE =
  /[\p{Extended_Pictographic}\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{1F1E6}-\u{1F1FF}\u{20000}-\u{3FFFD}]/u;

const ELLIPSIS = "…";

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** The graphemes of `text`, as a reader counts letters (a flag or a family emoji is one). */
export function graphemesOf(text: string): string[] {
  return Array.from(graphemes.segment(text), (s) => s.segment);
}

/** How many columns a grapheme takes: two when any of its characters is wide. */
export function columnsOf(grapheme: string): number {
  return WIDE.test(grapheme) ? 2 : 1;
}

/** `text` on one line: whitespace runs become one space, undrawable characters go, ends trimmed. */
export function drawableText(text: string): string {
  return text.replace(/\s+/gu, " ").replace(UNDRAWABLE, "").replace(/ {2,}/g, " ").trim();
}

/**
 * `text` made drawable and cut to at most `maxColumns` columns, ending in "…"
 * when it was cut. The cut falls between graphemes, so an accent, a flag or
 * a family emoji is kept whole or left out whole.
 */
export function fitText(text: string, maxColumns: number): string {
  return spacedAfterEmoji(cutText(drawableText(text), maxColumns));
}

/**
 * The graphemes of `text` that fit, and "…" when some did not. Reads only as
 * far as the cut: segmenting a whole 100,000-character name takes seconds.
 */
function cutText(text: string, maxColumns: number): string[] {
  const kept: string[] = [];
  let used = 0;
  let fits = 0;
  for (const { segment } of graphemes.segment(text)) {
    used += columnsOf(segment);
    if (used > maxColumns) return maxColumns < 1 ? [] : withEllipsis(kept.slice(0, fits));
    kept.push(segment);
    if (used + columnsOf(ELLIPSIS) <= maxColumns) fits = kept.length;
  }
  return kept;
}

function withEllipsis(kept: string[]): string[] {
  while (kept.at(-1) === " ") kept.pop();
  return [...kept, ELLIPSIS];
}

const EMOJI = /\p{Extended_Pictographic}|[\u{1F1E6}-\u{1F1FF}]/u;

/**
 * A space after an emoji as a no-break space: shaped with the emoji font, a
 * plain space would take that font's much wider advance.
 */
function spacedAfterEmoji(graphemes: readonly string[]): string {
  return graphemes.map((g, i) => (g === " " && EMOJI.test(graphemes[i - 1] ?? "") ? "\u00A0" : g)).join("");
}
