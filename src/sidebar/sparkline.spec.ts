import { sparklinePath } from './sparkline';

describe('sparklinePath', () => {
  it('is empty when there is nothing finite to draw', () => {
    expect(sparklinePath([], 80, 20)).toBe('');
    expect(sparklinePath([NaN, Infinity], 80, 20)).toBe('');
  });

  it('maps the range onto the box, highest value at the top', () => {
    expect(sparklinePath([0, 1, 2], 10, 10, 0)).toBe('M0,10L5,5L10,0');
  });

  it('draws a flat series through the middle', () => {
    expect(sparklinePath([3, 3], 10, 10, 0)).toBe('M0,5L10,5');
  });

  it('breaks the line where values are not finite', () => {
    const path = sparklinePath([0, NaN, 2, 4], 30, 10, 0);
    expect(path).toBe('M0,10M20,5L30,0');
  });
});
