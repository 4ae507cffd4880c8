// The fonts pictures are drawn with, all read from npm packages on disk
// (@fontsource, SIL Open Font License 1.1): nothing is downloaded, ever.
//
// Each @fontsource package splits its family into subsets (latin, cyrillic,
// one of about a hundred CJK slices, …), each a WOFF file with the
// unicode-range its CSS names. The Latin, Cyrillic, Greek, Arabic and Hebrew
// subsets are read once on first use and always handed to satori; the rest
// (emoji, CJK, rarer ranges) are read when a picture first needs one of their
// characters and stay loaded after that. A character no subset covers is
// reported as a missing glyph.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Font as FontOptions } from "satori";

/** One WOFF file of a family, with the code points its CSS says it covers. */
export interface FontSubset {
  readonly family: string;
  /** The name satori knows it by: family and subset, unique per file so none hides another. */
  readonly name: string;
  readonly weight: 400 | 700;
  readonly file: string;
  readonly ranges: ReadonlyArray<readonly [number, number]>;
  /** Loaded on first use of any picture, rather than when a character needs it. */
  readonly eager: boolean;
}

interface FamilyPlan {
  readonly pkg: string;
  readonly weights: ReadonlyArray<400 | 700>;
  /** Subsets loaded on first use of any picture; the others only when a character needs them. */
  readonly eager: readonly string[];
}

/** In the order a character looks for a font: Latin/Cyrillic/Greek first, the large CJK faces last. */
const FAMILIES: readonly FamilyPlan[] = [
  {
    pkg: "@fontsource/noto-sans",
    weights: [400, 700],
    eager: ["latin", "latin-ext", "cyrillic", "greek"],
  },
  { pkg: "@fontsource/noto-sans-arabic", weights: [400], eager: ["arabic"] },
  { pkg: "@fontsource/noto-sans-hebrew", weights: [400], eager: ["hebrew"] },
  { pkg: "@fontsource/noto-sans-thai", weights: [400], eager: [] },
  { pkg: "@fontsource/noto-emoji", weights: [400], eager: [] },
  { pkg: "@fontsource/noto-sans-sc", weights: [400], eager: [] },
  { pkg: "@fontsource/noto-sans-kr", weights: [400], eager: [] },
];

const FACE = /@font-face\s*{([^}]*)}/g;

/** The subsets one `@fontsource/<family>/<weight>.css` declares (the WOFF, not the WOFF2, of each). */
export function subsetsOfCss(
  css: string,
  cssDir: string,
  family: string,
  weight: 400 | 700,
  eager: readonly string[] = [],
): FontSubset[] {
  return [...css.matchAll(FACE)].flatMap(([, body = ""]) => {
    const woff = /url\(\.\/files\/([^)]+?)-(\d+)-normal\.woff\)/.exec(body);
    const range = /unicode-range:\s*([^;]+);/.exec(body);
    if (woff === null || range === null) return [];
    const [, stem = "", fileWeight = ""] = woff;
    const subset = stem.startsWith(`${slug(family)}-`) ? stem.slice(slug(family).length + 1) : stem;
    return [
      {
        family,
        name: `${family} ${subset}`,
        weight,
        file: path.join(cssDir, "files", `${stem}-${fileWeight}-normal.woff`),
        ranges: parseUnicodeRange(range[1] ?? ""),
        eager: eager.includes(subset),
      },
    ];
  });
}

const slug = (family: string): string => family.toLowerCase().replaceAll(" ", "-");

/** `U+0400-045F,U+2116` as inclusive code point ranges. */
export function parseUnicodeRange(text: string): Array<readonly [number, number]> {
  return text.split(",").flatMap((part) => {
    const match = /U\+([0-9a-f]+)(?:-([0-9a-f]+))?/i.exec(part.trim());
    if (match === null) return [];
    const first = parseInt(match[1] ?? "", 16);
    return [[first, match[2] === undefined ? first : parseInt(match[2], 16)] as const];
  });
}

const covers = (subset: FontSubset, codePoint: number): boolean =>
  subset.ranges.some(([first, last]) => codePoint >= first && codePoint <= last);

/** What a picture needs before it can be drawn again: fonts to add, and characters no font has. */
export interface Lent {
  readonly fonts: FontOptions[];
  readonly missing: string[];
}

/**
 * The fonts of every family, loaded once. `always` is the same array for
 * every picture (satori keeps its parsed fonts per array); `lend` gives out
 * the other subsets a text needs, each at most once per process.
 */
export class FontShelf {
  readonly always: FontOptions[];
  /** The families a picture names first, so their subsets win over the fallbacks. */
  readonly preferred: string;
  /** Grows by one each time subsets are lent: a picture drawn before that is drawn again. */
  generation = 0;
  private readonly all: readonly FontSubset[];
  private readonly spare: FontSubset[];
  private readonly lent = new Set<FontSubset>();

  constructor(subsets: readonly FontSubset[]) {
    this.all = subsets;
    const first = subsets.filter((s) => s.eager);
    this.always = first.map(fontOptions);
    this.preferred = [...new Set(first.map((s) => `'${s.name}'`))].join(", ");
    this.spare = subsets.filter((s) => !s.eager);
  }

  /**
   * The not yet lent subsets covering any character of `text`. A character
   * none of them covers is missing, except when satori asked for a whole
   * emoji sequence (`wholeGraphemes`): then only a character no subset covers
   * at all is, since the others of the sequence may well have drawn.
   */
  lend(text: string, wholeGraphemes = false): Lent {
    const fonts: FontOptions[] = [];
    const missing: string[] = [];
    for (const char of new Set(text.replace(IGNORABLE, ""))) {
      const codePoint = char.codePointAt(0) ?? 0;
      const fresh = this.freshFor(codePoint);
      if (fresh.length === 0 && (!wholeGraphemes || !this.all.some((s) => covers(s, codePoint))))
        missing.push(char);
      for (const subset of fresh) {
        this.lent.add(subset);
        fonts.push(fontOptions(subset));
      }
    }
    if (fonts.length > 0) this.generation += 1;
    return { fonts, missing };
  }

  /**
   * The not yet lent subsets covering `codePoint` of the first family that
   * has any: a Han character takes the Chinese face's slice, not the Korean
   * one's too, unless the first turns out to lack its glyph.
   */
  private freshFor(codePoint: number): FontSubset[] {
    const fresh = this.spare.filter((s) => !this.lent.has(s) && covers(s, codePoint));
    return fresh.filter((s) => s.family === fresh[0]?.family);
  }
}

/** Spaces and the characters drawn as nothing (joiners, variation selectors): no glyph to look for. */
const IGNORABLE = /[\s\p{Default_Ignorable_Code_Point}]/gu;

function fontOptions(subset: FontSubset): FontOptions {
  return { name: subset.name, weight: subset.weight, style: "normal", data: readFileSync(subset.file) };
}

const require = createRequire(import.meta.url);

/** Every subset of every family, in lookup order, read from the packages' CSS. */
export function installedSubsets(): FontSubset[] {
  return FAMILIES.flatMap((plan) =>
    plan.weights.flatMap((weight) => {
      const cssFile = require.resolve(`${plan.pkg}/${weight}.css`);
      const css = readFileSync(cssFile, "utf8");
      const family = /font-family:\s*'([^']+)'/.exec(css)?.[1] ?? plan.pkg;
      const subsets = subsetsOfCss(css, path.dirname(cssFile), family, weight, plan.eager);
      return subsets.sort((a, b) => eagerRank(plan, a) - eagerRank(plan, b));
    }),
  );
}

/** Eager subsets in the plan's order (Latin first: most text finds its glyphs there), then the rest. */
function eagerRank(plan: FamilyPlan, subset: FontSubset): number {
  const rank = plan.eager.findIndex((name) => subset.name.endsWith(` ${name}`));
  return rank === -1 ? plan.eager.length : rank;
}

let shelf: FontShelf | null = null;

/** The process's one shelf, read from disk on first use. */
export function fontShelf(): FontShelf {
  shelf ??= new FontShelf(installedSubsets());
  return shelf;
}
