/**
 * Bitmaps compared by their pixels, not their bytes: a plot drawn again by
 * the same code is re-encoded (other PNG compression, metadata, timestamps)
 * and anti-aliased slightly differently, yet it is the same picture.
 *
 * `pixelsMatch` is pure; `canvasImageComparator` decodes with the browser's
 * image decoder and is what the report panel passes to the runner.
 */
import type { ImageComparator } from './compare';

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

/**
 * An image comparison for the runner that decodes both images in the
 * browser. Equal bytes are equal without decoding; an image that cannot be
 * decoded is compared by its bytes.
 */
export function canvasImageComparator(
  tolerance: IPixelTolerance = DEFAULT_PIXEL_TOLERANCE
): ImageComparator {
  return async (saved, fresh, mime) => {
    if (saved === fresh) {
      return true;
    }
    try {
      const [a, b] = await Promise.all([
        decode(saved, mime),
        decode(fresh, mime)
      ]);
      return pixelsMatch(a, b, tolerance);
    } catch {
      return false;
    }
  };
}

async function decode(base64: string, mime: string): Promise<IPixels> {
  const bytes = Uint8Array.from(atob(base64), char => char.charCodeAt(0));
  const bitmap = await createImageBitmap(new Blob([bytes], { type: mime }));
  try {
    const canvas = document.createElement('canvas');
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    const context = canvas.getContext('2d', { willReadFrequently: true })!;
    context.drawImage(bitmap, 0, 0);
    const image = context.getImageData(0, 0, bitmap.width, bitmap.height);
    return { width: image.width, height: image.height, data: image.data };
  } finally {
    bitmap.close();
  }
}
