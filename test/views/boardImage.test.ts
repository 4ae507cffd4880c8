import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import type { LeaderboardRow, LeaderboardView } from "../../src/app/leaderboard.ts";
import { BOARD_IMAGE_WIDTH, BOARD_INK, renderBoardImage } from "../../src/views/boardImage.ts";
import { crc32 } from "../../src/views/png.ts";

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const HEADER_HEIGHT = 44;
const ROW_HEIGHT = 28;

interface Chunk {
  readonly type: string;
  readonly data: Buffer;
}

interface DecodedPng {
  readonly chunks: readonly Chunk[];
  readonly width: number;
  readonly height: number;
  readonly palette: readonly number[];
  /** Palette indices, one row of `width` per scanline. */
  readonly rows: readonly Buffer[];
}

/** CRC-32 bit by bit, written apart from the encoder's table so one cannot hide the other's mistake. */
function referenceCrc(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** Splits a PNG into chunks, failing on a bad signature or checksum. */
function readChunks(png: Buffer): Chunk[] {
  expect([...png.subarray(0, 8)]).toEqual(SIGNATURE);
  const chunks: Chunk[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    const typed = png.subarray(at + 4, at + 8 + length);
    expect(png.readUInt32BE(at + 8 + length), `CRC of ${typed.subarray(0, 4).toString("latin1")}`).toBe(
      referenceCrc(typed),
    );
    chunks.push({ type: typed.subarray(0, 4).toString("latin1"), data: typed.subarray(4) });
    at += 12 + length;
  }
  return chunks;
}

/** Decodes the 8-bit palette PNG the board is drawn as (every scanline unfiltered). */
function decode(png: Buffer): DecodedPng {
  const chunks = readChunks(png);
  const ihdr = chunks.find((c) => c.type === "IHDR")?.data ?? Buffer.alloc(0);
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  expect([...ihdr.subarray(8)]).toEqual([8, 3, 0, 0, 0]);
  const plte = chunks.find((c) => c.type === "PLTE")?.data ?? Buffer.alloc(0);
  const palette = Array.from({ length: plte.length / 3 }, (_, i) => plte.readUIntBE(i * 3, 3));
  const raw = inflateSync(Buffer.concat(chunks.filter((c) => c.type === "IDAT").map((c) => c.data)));
  expect(raw.length).toBe(height * (width + 1));
  const rows = Array.from({ length: height }, (_, y) => raw.subarray(y * (width + 1), (y + 1) * (width + 1)));
  rows.forEach((row) => expect(row[0]).toBe(0));
  return { chunks, width, height, palette, rows: rows.map((row) => row.subarray(1)) };
}

function inkIn(image: DecodedPng, fromY: number, toY: number): number {
  const ink = image.palette.indexOf(BOARD_INK);
  return image.rows.slice(fromY, toY).reduce((sum, row) => sum + row.filter((p) => p === ink).length, 0);
}

function row(rank: number, name: string, extra: Partial<LeaderboardRow> = {}): LeaderboardRow {
  return {
    rank,
    memberId: rank,
    name,
    points: 1250 * rank,
    verified: 1,
    streak: 0,
    isCaller: false,
    ...extra,
  };
}

function board(rows: readonly LeaderboardRow[]): LeaderboardView {
  return { windowLabel: "last 7 days", score: "total", category: null, rows, callerRow: null };
}

const names = (n: number): LeaderboardRow[] =>
  Array.from({ length: n }, (_, i) => row(i + 1, `member ${i + 1}`));

describe("the leaderboard picture", () => {
  it("is a PNG with a valid signature, IHDR, IEND and a correct CRC on every chunk", () => {
    const png = renderBoardImage(board([row(1, "carol", { streak: 3 }), row(2, "bob")]), "Cairn Builders");
    const image = decode(png);
    expect(image.chunks.map((c) => c.type)).toEqual(["IHDR", "PLTE", "IDAT", "IEND"]);
    expect(image.width).toBe(BOARD_IMAGE_WIDTH);
    expect(image.height).toBeGreaterThanOrEqual(HEADER_HEIGHT + 2 * ROW_HEIGHT);
    expect(image.height).toBeLessThan(HEADER_HEIGHT + 3 * ROW_HEIGHT);
  });

  it("checksums chunks with the CRC-32 PNG names (IEND's is AE426082)", () => {
    expect(crc32(Buffer.from("IEND", "latin1"))).toBe(0xae426082);
    expect(crc32(Buffer.from("123456789", "latin1"))).toBe(0xcbf43926);
  });

  it("draws the header and every member's row in the text colour on a light page", () => {
    const image = decode(renderBoardImage(board(names(5)), "Cairn Builders"));
    expect(inkIn(image, 0, HEADER_HEIGHT)).toBeGreaterThan(100);
    for (let i = 0; i < 5; i++) {
      const top = HEADER_HEIGHT + i * ROW_HEIGHT;
      expect(inkIn(image, top, top + ROW_HEIGHT), `row ${i + 1}`).toBeGreaterThan(50);
    }
    const page = image.palette[image.rows[image.height - 1]?.[0] ?? -1] ?? 0;
    expect(brightness(page)).toBeGreaterThan(200);
    expect(brightness(BOARD_INK)).toBeLessThan(60);
  });

  it("grows by a row per member and stops at 25 rows", () => {
    const height = (n: number) => decode(renderBoardImage(board(names(n)), "c")).height;
    expect(height(4) - height(3)).toBe(ROW_HEIGHT);
    expect(height(100)).toBe(height(25));
    expect(height(25)).toBeLessThan(HEADER_HEIGHT + 27 * ROW_HEIGHT);
  });

  it("draws an empty board as a valid picture saying nobody has points", () => {
    const image = decode(renderBoardImage(board([]), "Empty"));
    expect(image.height).toBeGreaterThanOrEqual(HEADER_HEIGHT + ROW_HEIGHT);
    expect(image.height).toBeLessThan(HEADER_HEIGHT + 2 * ROW_HEIGHT);
  });

  it("draws any unicode name and community without throwing", () => {
    const odd = [
      "李小龙 🐉",
      "👩‍👩‍👧‍👦 family",
      "\u202eevil\u202c",
      "lone \ud800 surrogate",
      "e\u0301\u0301\u0301 zalgo",
      "tab\tand\u0000null\u001b[31m",
      "",
      "x".repeat(100_000),
    ];
    for (const name of odd)
      expect(
        () => decode(renderBoardImage(board([row(1, name)]), name)),
        JSON.stringify(name.slice(0, 20)),
      ).not.toThrow();
  });

  it("cuts a long name to 24 characters ending in ...", () => {
    const long = renderBoardImage(board([row(1, "a".repeat(10_000))]), "c");
    const cut = renderBoardImage(board([row(1, `${"a".repeat(21)}...`)]), "c");
    const short = renderBoardImage(board([row(1, "a".repeat(24))]), "c");
    expect(long.equals(cut)).toBe(true);
    expect(short.equals(cut)).toBe(false);
  });

  it("draws accented letters plainly and anything else the font lacks as one box per character", () => {
    const draw = (name: string) => renderBoardImage(board([row(1, name)]), "c");
    expect(draw("José").equals(draw("Jose"))).toBe(true);
    expect(draw("a字").equals(draw("a"))).toBe(false);
    expect(draw("a字").equals(draw("a🐉"))).toBe(true);
    expect(draw("a字字").equals(draw("a字"))).toBe(false);
  });
});

function brightness(rgb: number): number {
  return (((rgb >> 16) & 0xff) + ((rgb >> 8) & 0xff) + (rgb & 0xff)) / 3;
}
