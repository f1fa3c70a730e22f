/**
 * PNG decoding without a DOM, so the engine compares bitmaps by their pixels
 * in Node too (the report panel decodes with the browser's, `panel/canvasImages.ts`).
 *
 * Reads every non-interlaced PNG: grey, grey with alpha, RGB, RGBA and
 * palette images, bit depths 1 to 16, with `tRNS` transparency. Interlaced
 * or corrupt images decode to null, and are then compared by their bytes.
 */
import { inflate } from 'pako';

import {
  DEFAULT_PIXEL_TOLERANCE,
  ImageComparator,
  IPixels,
  IPixelTolerance,
  pixelsMatch
} from './pixels';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Samples per pixel, by colour type. */
const CHANNELS: { [colourType: number]: number } = {
  0: 1,
  2: 3,
  3: 1,
  4: 2,
  6: 4
};

interface IHeader {
  width: number;
  height: number;
  depth: number;
  colourType: number;
  interlace: number;
}

/** The image as RGBA, 8 bits a channel; null if this decoder cannot read it. */
export function decodePng(bytes: Uint8Array): IPixels | null {
  try {
    return decode(bytes);
  } catch {
    return null;
  }
}

/**
 * The runner's image comparison without a DOM: equal bytes are equal; two
 * PNGs are compared by their pixels within the tolerance; anything else
 * (JPEG, interlaced or corrupt PNG) differs when its bytes do.
 */
export function pngImageComparator(
  tolerance: IPixelTolerance = DEFAULT_PIXEL_TOLERANCE
): ImageComparator {
  return (saved, fresh, mime) => {
    if (saved === fresh) {
      return true;
    }
    if (mime !== 'image/png') {
      return false;
    }
    const a = decodePng(fromBase64(saved));
    const b = decodePng(fromBase64(fresh));
    return a !== null && b !== null && pixelsMatch(a, b, tolerance);
  };
}

function fromBase64(text: string): Uint8Array {
  try {
    return Uint8Array.from(atob(text.replace(/\s+/g, '')), char =>
      char.charCodeAt(0)
    );
  } catch {
    return new Uint8Array(0);
  }
}

function decode(bytes: Uint8Array): IPixels | null {
  if (SIGNATURE.some((byte, i) => bytes[i] !== byte)) {
    return null;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: IHeader | null = null;
  let palette: Uint8Array | null = null;
  let transparency: Uint8Array | null = null;
  const data: Uint8Array[] = [];
  for (let pos = 8; pos + 12 <= bytes.length;) {
    const length = view.getUint32(pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    const body = bytes.subarray(pos + 8, pos + 8 + length);
    if (body.length !== length) {
      return null;
    }
    pos += 12 + length;
    if (type === 'IHDR') {
      header = {
        width: view.getUint32(body.byteOffset - bytes.byteOffset),
        height: view.getUint32(body.byteOffset - bytes.byteOffset + 4),
        depth: body[8],
        colourType: body[9],
        interlace: body[12]
      };
    } else if (type === 'PLTE') {
      palette = body;
    } else if (type === 'tRNS') {
      transparency = body;
    } else if (type === 'IDAT') {
      data.push(body);
    } else if (type === 'IEND') {
      break;
    }
  }
  if (
    !header ||
    header.width === 0 ||
    header.height === 0 ||
    header.interlace !== 0 ||
    !(header.colourType in CHANNELS) ||
    (header.colourType === 3 && !palette) ||
    data.length === 0
  ) {
    return null;
  }
  const rows = unfilter(header, inflate(concat(data)));
  return rows && toRgba(header, rows, palette, transparency);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all;
}

/** Bytes per row, without the filter byte. */
function stride(header: IHeader): number {
  return Math.ceil(
    (header.width * CHANNELS[header.colourType] * header.depth) / 8
  );
}

/** Undo each row's filter: the rows' bytes, one after another. */
function unfilter(header: IHeader, raw: Uint8Array): Uint8Array | null {
  const width = stride(header);
  // Filters look back one whole pixel, or one byte below 8 bits a pixel.
  const back = Math.max(1, (CHANNELS[header.colourType] * header.depth) >> 3);
  if (raw.length < header.height * (width + 1)) {
    return null;
  }
  const out = new Uint8Array(header.height * width);
  for (let y = 0; y < header.height; y++) {
    const filter = raw[y * (width + 1)];
    const line = y * (width + 1) + 1;
    const row = y * width;
    const above = row - width;
    for (let x = 0; x < width; x++) {
      const a = x >= back ? out[row + x - back] : 0;
      const b = y > 0 ? out[above + x] : 0;
      const c = x >= back && y > 0 ? out[above + x - back] : 0;
      let predicted: number;
      switch (filter) {
        case 0:
          predicted = 0;
          break;
        case 1:
          predicted = a;
          break;
        case 2:
          predicted = b;
          break;
        case 3:
          predicted = (a + b) >> 1;
          break;
        case 4:
          predicted = paeth(a, b, c);
          break;
        default:
          return null;
      }
      out[row + x] = (raw[line + x] + predicted) & 0xff;
    }
  }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

function toRgba(
  header: IHeader,
  rows: Uint8Array,
  palette: Uint8Array | null,
  transparency: Uint8Array | null
): IPixels {
  const { width, height, depth, colourType } = header;
  const channels = CHANNELS[colourType];
  const rowBytes = stride(header);
  const max = (1 << depth) - 1;
  /** Sample `s` of pixel `x` in row `y`, at the image's own depth. */
  const sample = (y: number, x: number, s: number): number => {
    const index = x * channels + s;
    const row = y * rowBytes;
    if (depth === 8) {
      return rows[row + index];
    }
    if (depth === 16) {
      return (rows[row + index * 2] << 8) | rows[row + index * 2 + 1];
    }
    const bit = index * depth;
    return (rows[row + (bit >> 3)] >> (8 - depth - (bit & 7))) & max;
  };
  /** A sample scaled to 8 bits. */
  const eight = (value: number): number =>
    depth === 16 ? value >> 8 : depth === 8 ? value : (value * 255) / max;
  // tRNS for grey and RGB: the one colour (at the image's depth) that is transparent.
  const key =
    transparency && (colourType === 0 || colourType === 2)
      ? Array.from(
          { length: colourType === 0 ? 1 : 3 },
          (_, i) => (transparency[i * 2] << 8) | transparency[i * 2 + 1]
        )
      : null;
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 4;
      let rgba: [number, number, number, number];
      if (colourType === 3) {
        const entry = sample(y, x, 0);
        rgba = [
          palette![entry * 3] ?? 0,
          palette![entry * 3 + 1] ?? 0,
          palette![entry * 3 + 2] ?? 0,
          transparency && entry < transparency.length
            ? transparency[entry]
            : 255
        ];
      } else {
        const values = Array.from({ length: channels }, (_, s) =>
          sample(y, x, s)
        );
        const colour = colourType === 0 || colourType === 4 ? 1 : 3;
        const [r, g, b] =
          colour === 1 ? [values[0], values[0], values[0]] : values;
        const opaque =
          key === null || key.some((value, i) => value !== values[i]);
        const alpha =
          colourType === 4 || colourType === 6
            ? eight(values[colour])
            : opaque
              ? 255
              : 0;
        rgba = [eight(r), eight(g), eight(b), alpha];
      }
      data.set(rgba, at);
    }
  }
  return { width, height, data };
}
