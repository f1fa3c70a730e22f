import {
  DIFFERENT,
  IPixels,
  pixelCountText,
  pixelDifference
} from './imageDiff';

/** A `width × height` image of one colour. */
function image(
  width: number,
  height: number,
  rgba: [number, number, number, number] = [10, 20, 30, 255]
): IPixels {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < data.length; p += 4) {
    data.set(rgba, p);
  }
  return { width, height, data };
}

function pixel(pixels: IPixels, x: number, y: number): number[] {
  const at = (y * pixels.width + x) * 4;
  return Array.from(pixels.data.slice(at, at + 4));
}

describe('pixelDifference', () => {
  it('finds no difference between an image and itself', () => {
    const a = image(4, 3);
    const result = pixelDifference(a, image(4, 3));
    expect(result.count).toBe(0);
    expect(result.width).toBe(4);
    expect(result.height).toBe(3);
    expect(result.data).toHaveLength(4 * 3 * 4);
    // Equal pixels stay faint, never the highlight.
    expect(pixel(result, 1, 1)).not.toEqual(DIFFERENT);
    expect(pixel(result, 1, 1)[3]).toBeLessThan(128);
  });

  it('counts and highlights one changed pixel', () => {
    const a = image(4, 3);
    const b = image(4, 3);
    b.data[(2 * 4 + 3) * 4 + 1] = 21; // x 3, y 2, green off by one
    const result = pixelDifference(a, b);
    expect(result.count).toBe(1);
    expect(pixel(result, 3, 2)).toEqual(DIFFERENT);
    expect(pixel(result, 2, 2)).not.toEqual(DIFFERENT);
  });

  it('compares the alpha channel too', () => {
    const result = pixelDifference(image(2, 2), image(2, 2, [10, 20, 30, 254]));
    expect(result.count).toBe(4);
  });

  it('ignores differences within the channel tolerance', () => {
    const b = image(2, 2, [12, 18, 30, 255]);
    expect(pixelDifference(image(2, 2), b, 2).count).toBe(0);
    expect(pixelDifference(image(2, 2), b, 1).count).toBe(4);
  });

  it('counts the pixels outside the overlap of different sizes', () => {
    const result = pixelDifference(image(2, 2), image(3, 3));
    expect(result.width).toBe(3);
    expect(result.height).toBe(3);
    expect(result.count).toBe(9 - 4);
    expect(pixel(result, 2, 0)).toEqual(DIFFERENT);
    expect(pixel(result, 0, 2)).toEqual(DIFFERENT);
    expect(pixel(result, 1, 1)).not.toEqual(DIFFERENT);
  });

  it('is symmetric in size', () => {
    expect(pixelDifference(image(3, 3), image(2, 2)).count).toBe(5);
  });

  it('leaves a corner neither image covers transparent, not differing', () => {
    // 3×1 against 1×3: the overlap is one pixel, each covers two more.
    const result = pixelDifference(image(3, 1), image(1, 3));
    expect(result.width).toBe(3);
    expect(result.height).toBe(3);
    expect(result.count).toBe(4);
    expect(pixel(result, 2, 2)).toEqual([0, 0, 0, 0]);
  });

  it('handles empty images', () => {
    expect(pixelDifference(image(0, 0), image(0, 0)).count).toBe(0);
    expect(pixelDifference(image(0, 0), image(2, 1)).count).toBe(2);
  });
});

describe('pixelCountText', () => {
  it('says how many pixels differ', () => {
    expect(pixelCountText(0)).toBe('0 differing pixels');
    expect(pixelCountText(1)).toBe('1 differing pixel');
    expect(pixelCountText(1234)).toBe('1234 differing pixels');
  });
});
