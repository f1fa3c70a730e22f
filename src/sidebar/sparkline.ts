/**
 * SVG path of a metric series for a small inline chart. Pure.
 *
 * Non-finite values (NaN, infinities) cannot be placed on a scale: they break
 * the line, so a gap shows where they were.
 */
export function sparklinePath(
  values: readonly number[],
  width: number,
  height: number,
  pad = 1
): string {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) {
    return '';
  }
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const span = max - min || 1;
  const stepX = values.length > 1 ? (width - 2 * pad) / (values.length - 1) : 0;
  const y = (v: number) =>
    max === min
      ? height / 2
      : pad + (height - 2 * pad) * (1 - (v - min) / span);
  let path = '';
  let pen = false;
  values.forEach((value, i) => {
    if (!Number.isFinite(value)) {
      pen = false;
      return;
    }
    const x = values.length > 1 ? pad + i * stepX : width / 2;
    path += `${pen ? 'L' : 'M'}${round(x)},${round(y(value))}`;
    pen = true;
  });
  return path;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
