import { describe, expect, it } from "vitest";
import {
  FontShelf,
  installedSubsets,
  parseUnicodeRange,
  subsetsOfCss,
} from "../../../src/views/pictures/fonts.ts";

const css = `/* noto-sans-sc-[4]-400-normal */
@font-face {
  font-family: 'Noto Sans SC';
  font-weight: 400;
  src: url(./files/noto-sans-sc-4-400-normal.woff2) format('woff2'), url(./files/noto-sans-sc-4-400-normal.woff) format('woff');
  unicode-range: U+1f1e9-1f1f5,U+4e00;
}
/* noto-sans-sc-[5]-400-normal */
@font-face {
  font-family: 'Noto Sans SC';
  src: url(./files/noto-sans-sc-5-400-normal.woff2) format('woff2'), url(./files/noto-sans-sc-5-400-normal.woff) format('woff');
  unicode-range: U+fee3;
}`;

describe("the fonts pictures are drawn with", () => {
  it("reads each @font-face of a @fontsource stylesheet as a WOFF subset with its code point ranges", () => {
    expect(parseUnicodeRange("U+0400-045F, U+2116,bogus")).toEqual([
      [0x400, 0x45f],
      [0x2116, 0x2116],
    ]);
    const subsets = subsetsOfCss(css, "/pkg", "Noto Sans SC", 400, ["5"]);
    expect(subsets.map((s) => [s.name, s.file, s.eager])).toEqual([
      ["Noto Sans SC 4", "/pkg/files/noto-sans-sc-4-400-normal.woff", false],
      ["Noto Sans SC 5", "/pkg/files/noto-sans-sc-5-400-normal.woff", true],
    ]);
    expect(subsets[0]?.ranges).toEqual([
      [0x1f1e9, 0x1f1f5],
      [0x4e00, 0x4e00],
    ]);
  });

  it("ships every family in npm packages: Latin first, then Arabic, Hebrew, Thai, emoji, Chinese and Korean, each file on disk", () => {
    const subsets = installedSubsets();
    const families = [...new Set(subsets.map((s) => s.name.replace(/ [^ ]+$/, "")))];
    expect(families).toEqual([
      "Noto Sans",
      "Noto Sans Arabic",
      "Noto Sans Hebrew",
      "Noto Sans Thai",
      "Noto Emoji",
      "Noto Sans SC",
      "Noto Sans KR",
    ]);
    expect(subsets[0]?.name).toBe("Noto Sans latin");
    expect(subsets.every((s) => s.file.endsWith(".woff") && s.file.includes("node_modules"))).toBe(true);
    expect(subsets.filter((s) => s.eager).map((s) => `${s.name} ${s.weight}`)).toContain(
      "Noto Sans Arabic arabic 400",
    );
  });

  it("lends a subset the first time a character needs it, never twice, the next family's when asked again, and names characters none covers", () => {
    const subsets = installedSubsets();
    const shelf = new FontShelf(subsets);
    const first = shelf.lend("李 明");
    expect(first.missing).toEqual([]);
    expect(first.fonts.length).toBeGreaterThan(0);
    expect(first.fonts.every((f) => f.name.startsWith("Noto Sans SC"))).toBe(true);
    expect(shelf.generation).toBe(1);
    const again = shelf.lend("李");
    expect(again.missing).toEqual([]);
    expect(again.fonts.map((f) => f.name.replace(/ [^ ]+$/, ""))).toEqual(["Noto Sans KR"]);
    expect(shelf.generation).toBe(2);
    expect(shelf.lend("李")).toEqual({ fonts: [], missing: ["李"] });
    expect(shelf.generation).toBe(2);
    expect(shelf.lend("\u{10FFFD}").missing).toEqual(["\u{10FFFD}"]);
    // In a whole emoji sequence, a character some subset covers may have drawn: only the uncovered is missing.
    shelf.lend("🚀");
    expect(shelf.lend("🚀\uFE0F", true).missing).toEqual([]);
    expect(shelf.lend("🚀\u{10FFFD}", true).missing).toEqual(["\u{10FFFD}"]);
  });
});
