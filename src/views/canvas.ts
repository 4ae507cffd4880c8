import { GLYPH_HEIGHT, GLYPH_WIDTH, glyphColumns, hasGlyph } from "./pixelFont.ts";
import type { PaletteImage } from "./png.ts";

/** Text is drawn at twice the font's size, one blank column between characters. */
export const TEXT_SCALE = 2;
export const CHAR_WIDTH = (GLYPH_WIDTH + 1) * TEXT_SCALE;
export const CHAR_HEIGHT = GLYPH_HEIGHT * TEXT_SCALE;

/** Longer text is cut before it is split into characters, so a huge name costs no more than a short one. */
const TEXT_SCAN_LIMIT = 200;

/** Punctuation the views print that the font has an ASCII stand-in for. */
const STAND_INS: Readonly<Record<string, string>> = {
  "—": "-",
  "–": "-",
  "‘": "'",
  "’": "'",
  "“": '"',
  "”": '"',
  "·": ".",
};

export function blankCanvas(width: number, height: number, palette: readonly number[]): PaletteImage {
  return { width, height, palette, pixels: new Uint8Array(width * height) };
}

/** Fills a rectangle, clipped to the canvas. */
export function fillRect(
  canvas: PaletteImage,
  x: number,
  y: number,
  w: number,
  h: number,
  colour: number,
): void {
  const left = Math.max(0, x);
  const right = Math.min(canvas.width, x + w);
  for (let row = Math.max(0, y); row < Math.min(canvas.height, y + h); row++)
    if (right > left) canvas.pixels.fill(colour, row * canvas.width + left, row * canvas.width + right);
}

/**
 * What the font can draw of a text, one entry per character a person sees:
 * accents dropped (é → e), compatibility forms unfolded (ﬁ → fi), a few typographic marks as ASCII, control and
 * format characters left out; anything else stays as it is and is drawn as
 * the placeholder box.
 */
export function drawableChars(text: string): string[] {
  const segmenter = new Intl.Segmenter("en", { granularity: "grapheme" });
  const chars: string[] = [];
  for (const { segment } of segmenter.segment(text.slice(0, TEXT_SCAN_LIMIT))) {
    const plain = segment.normalize("NFKD").replace(/[\p{M}\p{Cc}\p{Cf}]/gu, "");
    if (plain !== "") chars.push(...charsOf(plain, segment));
  }
  return chars;
}

/** One seen character: its ASCII letters (ﬁ → f i), its stand-in, or itself (a box). */
function charsOf(plain: string, segment: string): string[] {
  const letters = [...plain];
  if (letters.length <= 3 && letters.every(hasGlyph)) return letters;
  const standIn = STAND_INS[plain];
  return standIn === undefined ? [segment] : [...standIn];
}

/** At most `max` characters; a longer text ends in "..." inside that width. */
export function fitChars(chars: readonly string[], max: number): readonly string[] {
  return chars.length <= max ? chars : [...chars.slice(0, Math.max(0, max - 3)), ".", ".", "."];
}

/** Draws characters left to right from (x, y), the top left of the first. */
export function drawChars(
  canvas: PaletteImage,
  chars: readonly string[],
  x: number,
  y: number,
  colour: number,
): void {
  chars.forEach((char, i) => drawGlyph(canvas, glyphColumns(char), x + i * CHAR_WIDTH, y, colour));
}

function drawGlyph(
  canvas: PaletteImage,
  columns: readonly number[],
  x: number,
  y: number,
  colour: number,
): void {
  columns.forEach((bits, column) => {
    for (let row = 0; row < GLYPH_HEIGHT; row++)
      if ((bits >> row) & 1)
        fillRect(canvas, x + column * TEXT_SCALE, y + row * TEXT_SCALE, TEXT_SCALE, TEXT_SCALE, colour);
  });
}
