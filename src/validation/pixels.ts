/**
 * Bitmaps compared by their pixels, not their bytes: a plot drawn again by
 * the same code is re-encoded (other PNG compression, metadata, timestamps)
 * and anti-aliased slightly differently, yet it is the same picture.
 *
 * `pixelsMatch` is pure; `png.ts` decodes PNGs without a DOM and the report
 * panel decodes every format with the browser (`panel/canvasImages.ts`).
 */

/**
 * Whether two bitmap images (base64, no line breaks) look the same.
 *
 * The default decodes PNGs without a DOM (`png.ts`) and compares their
 * pixels within a small tolerance, so re-encoded but identical plots are
 * equal; other formats are compared by their bytes. The frontend passes a
 * comparison that decodes every format with the browser's decoder.
 */
export type ImageComparator = (
  saved: string,
  fresh: string,
  mime: string
) => Promise<boolean> | boolean;

export interface IPixelTolerance {
  /** Largest difference allowed in one channel of one pixel (0–255). */
  channel: number;
  /** Share of pixels allowed to differ by more than that (0–1). */
  share: number;
}

export const DEFAULT_PIXEL_TOLERANCE: IPixelTolerance = {
  channel: 16,
  share: 0.001
};

export interface IPixels {
  width: number;
  height: number;
  /** RGBA, 4 bytes a pixel, row by row (ImageData's layout). */
  data: Uint8ClampedArray | Uint8Array;
}

/** Whether two decoded images show the same picture, within the tolerance. */
export function pixelsMatch(
  a: IPixels,
  b: IPixels,
  tolerance: IPixelTolerance = DEFAULT_PIXEL_TOLERANCE
): boolean {
  if (a.width !== b.width || a.height !== b.height) {
    return false;
  }
  const pixels = a.width * a.height;
  const allowed = Math.floor(pixels * tolerance.share);
  let differing = 0;
  for (let p = 0; p < pixels * 4; p += 4) {
    for (let c = 0; c < 4; c++) {
      if (Math.abs(a.data[p + c] - b.data[p + c]) > tolerance.channel) {
        differing++;
        if (differing > allowed) {
          return false;
        }
        break;
      }
    }
  }
  return true;
}
