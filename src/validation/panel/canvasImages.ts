/**
 * Images compared with the browser's decoder, so every format it reads (not
 * only PNG) is compared by its pixels. DOM: the report panel's, not the engine's.
 */
import {
  DEFAULT_PIXEL_TOLERANCE,
  ImageComparator,
  IPixels,
  IPixelTolerance,
  pixelsMatch
} from '../pixels';

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
