import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { LeaderboardRow, LeaderboardView } from "../../src/app/leaderboard.ts";
import {
  BOARD_IMAGE_WIDTH,
  MAX_PICTURE_ROWS,
  OPEN_GRAPH_SIZE,
  renderBoardImage,
  renderBoardOpenGraph,
  renderBoardPicture,
} from "../../src/views/boardImage.ts";
import { box, renderPicture } from "../../src/views/pictures/render.ts";
import { graphemesOf } from "../../src/views/pictures/text.ts";
import { SCRIPT_NAMES } from "./pictures/fixtures.ts";
import { decodePng, differingPixels, inkedPixels } from "./pictures/pixels.ts";

const GOLDEN = path.join(path.dirname(fileURLToPath(import.meta.url)), "golden", "board.png");
/** Share of the golden picture's pixels that may differ (anti-aliasing across resvg builds), not a moved row. */
const GOLDEN_TOLERANCE = 0.002;

const NAMES = SCRIPT_NAMES;

/** A code point no installed font has (the last private-use one of plane 16). */
const NO_FONT_HAS = "\u{10FFFD}";

function row(rank: number, name: string, extra: Partial<LeaderboardRow> = {}): LeaderboardRow {
  return {
    rank,
    memberId: rank,
    name,
    points: 125_000 - 1_250 * rank,
    verified: 1,
    streak: 0,
    isCaller: false,
    ...extra,
  };
}

function board(rows: readonly LeaderboardRow[], extra: Partial<LeaderboardView> = {}): LeaderboardView {
  return { windowLabel: "last 7 days", score: "total", category: null, rows, callerRow: null, ...extra };
}

const members = (n: number): LeaderboardRow[] =>
  Array.from({ length: n }, (_, i) => row(i + 1, `member ${i + 1}`));

/** One grapheme alone, large, in a fixed box: what its glyph looks like. */
async function glyphPicture(grapheme: string) {
  const picture = await renderPicture(
    box(
      {
        width: 96,
        height: 96,
        background: "#ffffff",
        color: "#000000",
        fontSize: 64,
        alignItems: "center",
        justifyContent: "center",
      },
      grapheme,
    ),
    { width: 96, height: 96 },
  );
  return { missing: picture.missingGlyphs, pixels: decodePng(picture.png) };
}

describe("the leaderboard picture", () => {
  it("is a PNG as wide as the board picture, one 40-pixel row per member", async () => {
    const png = await renderBoardImage(
      board([row(1, "carol", { streak: 3 }), row(2, "bob")]),
      "Cairn Builders",
    );
    const image = decodePng(png);
    expect([...png.subarray(1, 4)].map((b) => String.fromCharCode(b)).join("")).toBe("PNG");
    expect(image.width).toBe(BOARD_IMAGE_WIDTH);
    const height = async (n: number) => decodePng(await renderBoardImage(board(members(n)), "c")).height;
    expect((await height(4)) - (await height(3))).toBe(40);
  });

  it("draws every name of Latin with accents, Cyrillic, Greek, Arabic, Hebrew, CJK and emoji with no missing glyph", async () => {
    const picture = await renderBoardPicture(
      board(NAMES.map((name, i) => row(i + 1, name))),
      "Сообщество 社区 🌍",
    );
    expect(picture.missingGlyphs).toEqual([]);
  });

  it("reports a character no font has, and draws it as the box every name's glyph is compared with", async () => {
    const picture = await renderBoardPicture(board([row(1, `x${NO_FONT_HAS}`)]), "c");
    expect(picture.missingGlyphs).toEqual([NO_FONT_HAS]);
    const tofu = await glyphPicture(NO_FONT_HAS);
    expect(tofu.missing).toEqual([NO_FONT_HAS]);
    expect(inkedPixels(tofu.pixels)).toBeGreaterThan(50);
  });

  it("draws each grapheme of those names as a glyph of its own, not the missing-glyph box", async () => {
    const tofu = (await glyphPicture(NO_FONT_HAS)).pixels;
    for (const name of NAMES) {
      for (const grapheme of new Set(graphemesOf(name).filter((g) => g.trim() !== ""))) {
        const glyph = await glyphPicture(grapheme);
        expect(glyph.missing, `${name}: ${grapheme}`).toEqual([]);
        expect(inkedPixels(glyph.pixels), `${name}: ${grapheme} drew nothing`).toBeGreaterThan(20);
        expect(differingPixels(glyph.pixels, tofu), `${name}: ${grapheme} drew as the box`).toBeGreaterThan(
          100,
        );
      }
    }
  });

  it("keeps its layout: within a small tolerance of the committed golden picture", async () => {
    const rows = NAMES.map((name, i) => row(i + 1, name, { streak: i % 3, isCaller: i === 2 }));
    const png = await renderBoardImage(
      board([...rows, row(9, "x".repeat(60))], {
        callerRow: row(42, "Ünal Çelik", { isCaller: true, streak: 12 }),
      }),
      "Cairn Builders — Строители",
    );
    // `UPDATE_GOLDEN=1 npx vitest run test/views/boardImage.test.ts` redraws it after a deliberate change.
    if (process.env["UPDATE_GOLDEN"] === "1") writeFileSync(GOLDEN, png);
    expect(existsSync(GOLDEN), "the golden picture is committed").toBe(true);
    const golden = decodePng(readFileSync(GOLDEN));
    const drawn = decodePng(png);
    expect([drawn.width, drawn.height]).toEqual([golden.width, golden.height]);
    expect(differingPixels(drawn, golden) / (golden.width * golden.height)).toBeLessThan(GOLDEN_TOLERANCE);
  });

  it("marks the caller's row and adds it after a gap when it is outside the rows shown", async () => {
    const top = members(3);
    const without = decodePng(await renderBoardImage(board(top), "c"));
    const withCaller = decodePng(
      await renderBoardImage(board(top, { callerRow: row(40, "me", { isCaller: true }) }), "c"),
    );
    expect(withCaller.height - without.height).toBe(80);
    const marked = decodePng(
      await renderBoardImage(board([row(1, "member 1", { isCaller: true }), ...top.slice(1)]), "c"),
    );
    expect(differingPixels(marked, without)).toBeGreaterThan(1000);
  });

  it("carries the community's name and the window: a different one draws a different header", async () => {
    const rows = members(2);
    const drawn = decodePng(await renderBoardImage(board(rows), "Cairn Builders"));
    const community = decodePng(await renderBoardImage(board(rows), "Other Place"));
    const window = decodePng(
      await renderBoardImage(board(rows, { windowLabel: "all time" }), "Cairn Builders"),
    );
    const active = decodePng(await renderBoardImage(board(rows, { score: "active" }), "Cairn Builders"));
    for (const other of [community, window, active])
      expect(differingPixels(drawn, other)).toBeGreaterThan(100);
  });

  it(`stops at ${MAX_PICTURE_ROWS} rows, and draws an empty board as a picture saying nobody has points`, async () => {
    const height = async (n: number) => decodePng(await renderBoardImage(board(members(n)), "c")).height;
    expect(await height(MAX_PICTURE_ROWS + 20)).toBe(await height(MAX_PICTURE_ROWS));
    expect(await height(0)).toBe(await height(1));
  }, 30_000);

  it("cuts a long name with an ellipsis at a grapheme: any longer name draws the same", async () => {
    const draw = (name: string) => renderBoardImage(board([row(1, name)]), "c");
    expect((await draw("a".repeat(10_000))).equals(await draw("a".repeat(500)))).toBe(true);
    expect((await draw("👩‍👩‍👧‍👦".repeat(100))).equals(await draw("👩‍👩‍👧‍👦".repeat(50)))).toBe(true);
  });

  it("draws odd names and communities without throwing", async () => {
    const odd = [
      "👩‍👩‍👧‍👦 family",
      "\u202eevil\u202c",
      "lone \ud800 surrogate",
      "e\u0301\u0301\u0301 zalgo",
      "tab\tand\u0000null\u001b[31m",
      "",
      "x".repeat(100_000),
    ];
    for (const name of odd) {
      const picture = await renderBoardPicture(board([row(1, name)]), name);
      expect(decodePng(picture.png).width, JSON.stringify(name.slice(0, 20))).toBe(BOARD_IMAGE_WIDTH);
    }
  });
});

describe("the Open Graph picture of a board", () => {
  it("is 1200×630 with every name's glyph, and leaves out the caller's own row", async () => {
    const rows = NAMES.map((name, i) => row(i + 1, name));
    const picture = await renderBoardOpenGraph(
      board(rows, { callerRow: row(50, "me", { isCaller: true }) }),
      "Cairn",
    );
    expect([picture.width, picture.height]).toEqual([OPEN_GRAPH_SIZE.width, OPEN_GRAPH_SIZE.height]);
    expect(picture.missingGlyphs).toEqual([]);
    const without = await renderBoardOpenGraph(board(rows), "Cairn");
    expect(picture.png.equals(without.png)).toBe(true);
  });
});
