// Layout and text by satori (HarfBuzz shaping, bidi ordering, font
// fallback), pixels by resvg: an element tree in, a PNG out.
import { renderAsync } from "@resvg/resvg-js";
import type { CSSProperties, ReactElement, ReactNode } from "react";
import satori from "satori";
import { fontShelf, type FontShelf } from "./fonts.ts";

/** An element of a picture: a box with a style and text or boxes inside. */
export type PictureNode = ReactElement<{ style: CSSProperties; children?: PictureChild[] }, "div">;
export type PictureChild = PictureNode | string;

/** A box; `children` are laid out as its style says (satori boxes are flex rows by default). */
export function box(style: CSSProperties, ...children: PictureChild[]): PictureNode {
  return { type: "div", key: null, props: { style: { display: "flex", ...style }, children } };
}

export interface Picture {
  readonly png: Buffer;
  readonly width: number;
  readonly height: number;
  /** Characters drawn as a missing-glyph box because no loaded font has them; empty when every glyph drew. */
  readonly missingGlyphs: readonly string[];
}

/** Most drawings of one picture: once, plus once per round of fonts lent while drawing it. */
const MAX_DRAWINGS = 4;

/**
 * Draws `root` `width` pixels wide (its height follows its content unless
 * given). When a character needs a font not loaded yet, the font is loaded
 * and the picture drawn again, so the result never shows a box for a
 * character some installed font has.
 */
export async function renderPicture(
  root: PictureNode,
  size: { readonly width: number; readonly height?: number },
  shelf: FontShelf = fontShelf(),
): Promise<Picture> {
  const tree = box({ fontFamily: shelf.preferred, ...root.props.style }, ...(root.props.children ?? []));
  let drawing = await draw(tree, size, shelf);
  for (let round = 1; drawing.lentFonts && round < MAX_DRAWINGS; round++)
    drawing = await draw(tree, size, shelf);
  const image = await renderAsync(drawing.svg, {
    font: { loadSystemFonts: false },
    fitTo: { mode: "original" },
  });
  return {
    png: image.asPng(),
    width: image.width,
    height: image.height,
    missingGlyphs: [...drawing.missing],
  };
}

interface Drawing {
  readonly svg: string;
  readonly missing: ReadonlySet<string>;
  /** Whether fonts were lent while it was drawn (by it or a picture drawn meanwhile). */
  readonly lentFonts: boolean;
}

async function draw(
  tree: PictureNode,
  size: { readonly width: number; readonly height?: number },
  shelf: FontShelf,
): Promise<Drawing> {
  const generation = shelf.generation;
  const missing = new Set<string>();
  const svg = await satori(tree as ReactNode, {
    ...(size.height === undefined ? { width: size.width } : { width: size.width, height: size.height }),
    fonts: shelf.always,
    loadAdditionalAsset: (language, segment) => {
      const lent = shelf.lend(segment, language === "emoji");
      for (const char of lent.missing) missing.add(char);
      return Promise.resolve(lent.fonts);
    },
  });
  return { svg, missing, lentFonts: shelf.generation !== generation };
}
