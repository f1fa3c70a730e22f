import { IPixels, pixelsMatch } from './pixels';

/** A w×h image of one colour, with some pixels set to another. */
function image(
  width: number,
  height: number,
  rgba: number[],
  changes: { [pixel: number]: number[] } = {}
): IPixels {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    data.set(changes[p] ?? rgba, p * 4);
  }
  return { width, height, data };
}

describe('pixelsMatch', () => {
  const white = [255, 255, 255, 255];

  it('matches the same picture', () => {
    expect(pixelsMatch(image(10, 10, white), image(10, 10, white))).toBe(true);
  });

  it('never matches pictures of other sizes', () => {
    expect(pixelsMatch(image(10, 10, white), image(10, 11, white))).toBe(false);
    expect(pixelsMatch(image(10, 10, white), image(11, 10, white))).toBe(false);
  });

  it('allows small differences in every pixel (anti-aliasing, colour rounding)', () => {
    const near = image(10, 10, [250, 252, 255, 255]);
    expect(pixelsMatch(image(10, 10, white), near)).toBe(true);
    expect(
      pixelsMatch(image(10, 10, white), near, { channel: 2, share: 0 })
    ).toBe(false);
  });

  it('allows a small share of pixels to differ a lot, not more', () => {
    const black = [0, 0, 0, 255];
    const a = image(100, 100, white);
    // 10 of 10,000 pixels: 0.1%.
    const few: { [p: number]: number[] } = {};
    for (let p = 0; p < 10; p++) {
      few[p * 37] = black;
    }
    expect(pixelsMatch(a, image(100, 100, white, few))).toBe(true);
    const more = { ...few, 5000: black };
    expect(pixelsMatch(a, image(100, 100, white, more))).toBe(false);
  });

  it('sees a change in transparency', () => {
    const clear = image(4, 4, [255, 255, 255, 0]);
    expect(pixelsMatch(image(4, 4, white), clear)).toBe(false);
  });
});
