import { MAX_LEADERBOARD_SIZE, type LeaderboardRow, type LeaderboardView } from "../app/leaderboard.ts";
import { formatPoints } from "../core/points.ts";
import {
  blankCanvas,
  CHAR_HEIGHT,
  CHAR_WIDTH,
  drawableChars,
  drawChars,
  fillRect,
  fitChars,
} from "./canvas.ts";
import { encodePng, type PaletteImage } from "./png.ts";

export const BOARD_IMAGE_WIDTH = 640;
/** The colour of the names and points (dark on a light background). */
export const BOARD_INK = 0x1f2328;

const STRIPE = 1;
const BAND = 2;
const INK = 3;
const MUTED = 4;
// Palette indices; 0, the page, is what a blank canvas starts as.
const PALETTE = [0xfbfaf7, 0xeceff4, 0xd8dfea, BOARD_INK, 0x57606a];

const MARGIN = 12;
const HEADER_HEIGHT = 44;
const ROW_HEIGHT = 28;
const NAME_CHARS = 24;
const RANK_CHARS = 3;
const NAME_X = MARGIN + (RANK_CHARS + 1) * CHAR_WIDTH;
const NAME_END = NAME_X + NAME_CHARS * CHAR_WIDTH;
/** Points up to this many characters ("1234.56 pts") leave the streak its place. */
const POINTS_CHARS = 11;
const STREAK_END = BOARD_IMAGE_WIDTH - MARGIN - (POINTS_CHARS + 1) * CHAR_WIDTH;
const LINE_CHARS = Math.floor((BOARD_IMAGE_WIDTH - 2 * MARGIN) / CHAR_WIDTH);

/** One line of the picture: a member's row, or a note (the empty board, the gap before the caller). */
type BoardLine = { readonly row: LeaderboardRow } | { readonly note: string };

/**
 * A leaderboard as a PNG picture: the community and window on a band, then
 * one shaded row per member with rank, name (cut to fit), streak and points
 * right-aligned. The same data `leaderboardView` prints; at most 25 rows.
 * Pure: no font file, no native library, and any name draws (unknown
 * characters as a box).
 */
export function renderBoardImage(board: LeaderboardView, community: string): Buffer {
  const lines = boardLines(board);
  const canvas = blankCanvas(
    BOARD_IMAGE_WIDTH,
    HEADER_HEIGHT + lines.length * ROW_HEIGHT + MARGIN / 2,
    PALETTE,
  );
  drawHeader(canvas, headline(board, community));
  lines.forEach((line, i) => drawLine(canvas, line, HEADER_HEIGHT + i * ROW_HEIGHT, i % 2 === 1));
  return encodePng(canvas);
}

function boardLines(board: LeaderboardView): BoardLine[] {
  if (board.rows.length === 0) return [{ note: "Nobody has points here yet." }];
  const rows: BoardLine[] = board.rows.slice(0, MAX_LEADERBOARD_SIZE).map((row) => ({ row }));
  return board.callerRow === null ? rows : [...rows, { note: "..." }, { row: board.callerRow }];
}

function headline(board: LeaderboardView, community: string): string {
  const category = board.category === null ? "" : `, ${board.category}`;
  const score = board.score === "active" ? " (active score)" : "";
  return `${community} - ${board.windowLabel}${category}${score}`;
}

function drawHeader(canvas: PaletteImage, text: string): void {
  fillRect(canvas, 0, 0, canvas.width, HEADER_HEIGHT, BAND);
  drawText(canvas, text, LINE_CHARS, MARGIN, (HEADER_HEIGHT - CHAR_HEIGHT) / 2, INK);
}

function drawLine(canvas: PaletteImage, line: BoardLine, top: number, shaded: boolean): void {
  if (shaded) fillRect(canvas, 0, top, canvas.width, ROW_HEIGHT, STRIPE);
  const y = top + (ROW_HEIGHT - CHAR_HEIGHT) / 2;
  if ("note" in line) drawText(canvas, line.note, LINE_CHARS, NAME_X, y, MUTED);
  else drawRow(canvas, line.row, y);
}

function drawRow(canvas: PaletteImage, row: LeaderboardRow, y: number): void {
  const rankEnd = MARGIN + RANK_CHARS * CHAR_WIDTH;
  drawRight(canvas, `${row.rank}.`, rankEnd, y, MUTED);
  drawText(canvas, row.name, NAME_CHARS, NAME_X, y, INK);
  const points = `${formatPoints(row.points)} pts`;
  const pointsX = drawRight(canvas, points, BOARD_IMAGE_WIDTH - MARGIN, y, INK);
  if (row.streak > 0)
    drawStreak(canvas, `${row.streak}w streak`, Math.min(STREAK_END, pointsX - CHAR_WIDTH), y);
}

/** The streak, right-aligned before the points; left out rather than drawn over the name. */
function drawStreak(canvas: PaletteImage, text: string, right: number, y: number): void {
  if (right - text.length * CHAR_WIDTH >= NAME_END + CHAR_WIDTH) drawRight(canvas, text, right, y, MUTED);
}

/** Draws any text from (x, y), cut to `max` characters. */
function drawText(
  canvas: PaletteImage,
  text: string,
  max: number,
  x: number,
  y: number,
  colour: number,
): void {
  drawChars(canvas, fitChars(drawableChars(text), max), x, y, colour);
}

/** Draws ASCII text ending at `right`; returns where it starts. */
function drawRight(canvas: PaletteImage, text: string, right: number, y: number, colour: number): number {
  const x = right - text.length * CHAR_WIDTH;
  drawChars(canvas, [...text], x, y, colour);
  return x;
}
