import { deflateSync } from "node:zlib";

/** An 8-bit palette image: one palette index per pixel, rows top to bottom. */
export interface PaletteImage {
  readonly width: number;
  readonly height: number;
  /** Up to 256 colours as 0xRRGGBB. */
  readonly palette: readonly number[];
  readonly pixels: Uint8Array;
}

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
const COLOUR_TYPE_PALETTE = 3;

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** The CRC-32 PNG chunks carry (zlib's own crc32 is missing before Node 20.15). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const typed = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const out = Buffer.alloc(typed.length + 8);
  out.writeUInt32BE(data.length, 0);
  typed.copy(out, 4);
  out.writeUInt32BE(crc32(typed), typed.length + 4);
  return out;
}

function header(image: PaletteImage): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(image.width, 0);
  data.writeUInt32BE(image.height, 4);
  data.set([8, COLOUR_TYPE_PALETTE, 0, 0, 0], 8);
  return data;
}

function paletteBytes(palette: readonly number[]): Buffer {
  return Buffer.from(palette.flatMap((rgb) => [(rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff]));
}

/** Each row behind filter byte 0 (none): palette images compress well without filtering. */
function scanlines(image: PaletteImage): Buffer {
  const out = Buffer.alloc((image.width + 1) * image.height);
  for (let y = 0; y < image.height; y++)
    out.set(image.pixels.subarray(y * image.width, (y + 1) * image.width), y * (image.width + 1) + 1);
  return out;
}

/** A palette image as PNG bytes (IHDR, PLTE, one IDAT, IEND). */
export function encodePng(image: PaletteImage): Buffer {
  return Buffer.concat([
    SIGNATURE,
    chunk("IHDR", header(image)),
    chunk("PLTE", paletteBytes(image.palette)),
    chunk("IDAT", deflateSync(scanlines(image))),
    chunk("IEND", new Uint8Array(0)),
  ]);
}
