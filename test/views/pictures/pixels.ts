// Reading the pictures back: decoded with pngjs and compared with
// pixelmatch, libraries apart from the renderer, so neither hides the
// other's mistake.
import pixelmatch from "pixelmatch";
import { PNG } from "pngjs";

export interface Pixels {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export function decodePng(png: Uint8Array): Pixels {
  const image = PNG.sync.read(Buffer.from(png));
  return { width: image.width, height: image.height, data: image.data };
}

/** How many pixels differ (anti-aliasing aware); the pictures must be the same size. */
export function differingPixels(a: Pixels, b: Pixels): number {
  if (a.width !== b.width || a.height !== b.height)
    throw new Error(`sizes differ: ${a.width}×${a.height} and ${b.width}×${b.height}`);
  return pixelmatch(a.data, b.data, undefined, a.width, a.height, { threshold: 0.1 });
}

/** Pixels darker than the page: how much was drawn. */
export function inkedPixels(image: Pixels): number {
  let inked = 0;
  for (let i = 0; i < image.data.length; i += 4)
    if ((image.data[i] ?? 255) + (image.data[i + 1] ?? 255) + (image.data[i + 2] ?? 255) < 3 * 160)
      inked += 1;
  return inked;
}
