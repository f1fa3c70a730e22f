/**
 * The "Pixel difference" mode's maths: which pixels of two decoded images
 * differ, as a count and as a picture to draw on a canvas. Pure; the view
 * decodes the images with the browser (`ImageDiff.tsx`).
 */
import type { IPixels } from '../validation/pixels';

export type { IPixels } from '../validation/pixels';

export interface IPixelDifference {
  /** Pixels that differ, including those only one image covers. */
  count: number;
  /** The union of both images' sizes. */
  width: number;
  height: number;
  /** RGBA of the difference picture, `width × height`, ImageData's layout. */
  data: Uint8ClampedArray;
}

/** A differing pixel: opaque and loud, on any background. */
export const DIFFERENT: readonly number[] = [255, 0, 96, 255];
/** An equal pixel keeps its grey level, faint: where the change sits. */
const EQUAL_ALPHA = 56;

/**
 * Compare two images pixel by pixel, aligned at their top-left corners. In
 * the area both cover, a pixel differs when one of its channels differs by
 * more than `channelTolerance` (0–255). Of different sizes, a pixel that
 * only one image covers differs; a corner neither covers (a wide image
 * against a tall one) is not a pixel of either and stays transparent.
 */
export function pixelDifference(
  a: IPixels,
  b: IPixels,
  channelTolerance = 0
): IPixelDifference {
  const width = Math.max(a.width, b.width);
  const height = Math.max(a.height, b.height);
  const data = new Uint8ClampedArray(width * height * 4);
  let count = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inA = x < a.width && y < a.height;
      const inB = x < b.width && y < b.height;
      const out = (y * width + x) * 4;
      if (!inA && !inB) {
        continue;
      }
      let differs = inA !== inB;
      if (inA && inB) {
        const pa = (y * a.width + x) * 4;
        const pb = (y * b.width + x) * 4;
        for (let c = 0; c < 4; c++) {
          if (Math.abs(a.data[pa + c] - b.data[pb + c]) > channelTolerance) {
            differs = true;
            break;
          }
        }
        if (!differs) {
          // Luma of the (equal) pixel, so the picture stays recognisable.
          const grey =
            0.299 * a.data[pa] +
            0.587 * a.data[pa + 1] +
            0.114 * a.data[pa + 2];
          data[out] = data[out + 1] = data[out + 2] = grey;
          data[out + 3] = Math.round((EQUAL_ALPHA * a.data[pa + 3]) / 255);
        }
      }
      if (differs) {
        count++;
        data.set(DIFFERENT, out);
      }
    }
  }
  return { count, width, height, data };
}

/** "N differing pixels", as the panel shows it. */
export function pixelCountText(count: number): string {
  return `${count} differing ${count === 1 ? 'pixel' : 'pixels'}`;
}
