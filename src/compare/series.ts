/**
 * The metric charts' data: each compared run's series of one key, put on one
 * shared x axis as uPlot wants it (`[xs, ys1, ys2, …]`). Pure, no DOM.
 *
 * Gaps and marks, as the charts draw them:
 * - a run with no point at an x of the shared axis: `undefined` there, which
 *   uPlot bridges (other runs' steps do not break a line);
 * - NaN: `null`, which uPlot draws as a gap;
 * - ±Infinity: clipped to the chart's finite range and listed in `clipped`,
 *   so the chart can mark them;
 * - on a log axis, values ≤ 0 cannot be drawn: gaps, counted in `hidden`.
 */
import type { IMetricSeries } from '../tokens';
import type { XAxis } from './state';

/** A y value as uPlot reads it: undefined = no point here, null = a gap. */
export type YValue = number | null | undefined;

export interface IChartSeries {
  /** The run's index among the compared runs (its colour). */
  run: number;
  /** The values along the shared x axis (smoothed, when smoothing is on). */
  values: YValue[];
  /** The values as logged (clipped), when smoothing is on; else null. */
  raw: YValue[] | null;
}

export interface IChartData {
  xs: number[];
  series: IChartSeries[];
  /** Points drawn clipped: an infinity, at [series index, x index]. */
  clipped: Array<{ series: number; index: number; sign: 1 | -1 }>;
  /** Values a log axis cannot show (≤ 0). */
  hidden: number;
  /** Whether xs are pixel bins (hover shows an approximate x), not the logged xs. */
  binned: boolean;
}

export interface IChartOptions {
  xAxis: XAxis;
  /**
   * The chart's width in pixels: when the runs' xs together are more than
   * two a pixel (downsampled runs keep each bucket's min and max at their
   * own steps, so 20 runs of 1,000 points have ~20,000 distinct steps), the
   * points are binned into two slots a pixel, each run keeping its min and
   * max of the pixel in order. Unset: every x is kept.
   */
  columns?: number;
  /** Exponential moving average weight, 0 (off) to < 1. */
  smoothing: number;
  logY: boolean;
}

/** One run's series of the key, or null when the run has none. */
export interface IRunSeries {
  series: IMetricSeries | null;
  /** The run's start, unix seconds: the origin of `relative` x. */
  start: number;
}

/** The x of each point of a series in this mode. */
function xsOf(run: IRunSeries, mode: XAxis): ArrayLike<number> {
  const series = run.series!;
  if (mode === 'step') {
    return series.steps;
  }
  if (mode === 'wall') {
    return series.timestamps;
  }
  return Array.from(series.timestamps, t => t - run.start);
}

/**
 * The runs' series of one key on one x axis. Points of a run are taken in x
 * order (steps logged out of order draw as a line, not a scribble); a run
 * that logged the same x twice (two cells, one step) shows the later point.
 */
export function chartData(
  runs: readonly IRunSeries[],
  options: IChartOptions
): IChartData {
  const present = runs
    .map((run, index) => ({ run, index }))
    .filter(({ run }) => run.series && run.series.values.length > 0);
  // Each run's points in x order.
  const sorted = present.map(({ run, index }) => {
    const xs = xsOf(run, options.xAxis);
    const values = run.series!.values;
    const order = Array.from({ length: xs.length }, (_, i) => i);
    let monotonic = true;
    for (let i = 1; i < xs.length; i++) {
      if (!(xs[i] >= xs[i - 1])) {
        monotonic = false;
        break;
      }
    }
    if (!monotonic) {
      order.sort((a, b) => xs[a] - xs[b] || a - b);
    }
    return { index, xs, values, order };
  });
  const bins = binsFor(sorted, options.columns);
  const xs = bins
    ? bins.xs
    : unionSorted(sorted.map(({ xs, order }) => ({ xs, order })));
  const position = new Map<number, number>();
  if (!bins) {
    xs.forEach((x, i) => position.set(x, i));
  }

  // The finite range, to clip infinities into.
  let low = Infinity;
  let high = -Infinity;
  for (const { values } of sorted) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (Number.isFinite(v) && (!options.logY || v > 0)) {
        if (v < low) {
          low = v;
        }
        if (v > high) {
          high = v;
        }
      }
    }
  }
  if (low > high) {
    // Only infinities (or nothing drawable): a unit range to clip into.
    low = options.logY ? 1 : 0;
    high = options.logY ? 10 : 1;
  }

  const clipped: IChartData['clipped'] = [];
  let hidden = 0;
  const smoothing = Math.min(Math.max(options.smoothing, 0), 0.999);
  const series = sorted.map(({ index, xs: runXs, values, order }, s) => {
    const raw: YValue[] = new Array(xs.length).fill(undefined);
    const put = (at: number, value: number) => {
      let v = value;
      if (v === Infinity || v === -Infinity) {
        clipped.push({ series: s, index: at, sign: v > 0 ? 1 : -1 });
        v = v > 0 ? high : low;
      }
      if (Number.isNaN(v)) {
        raw[at] = null;
      } else if (options.logY && v <= 0) {
        hidden++;
        raw[at] = null;
      } else {
        raw[at] = v;
      }
    };
    if (bins) {
      binRun(bins, runXs, values, order, put);
    } else {
      for (const i of order) {
        put(position.get(runXs[i])!, values[i]);
      }
    }
    return {
      run: index,
      values: smoothing > 0 ? ema(raw, smoothing) : raw,
      raw: smoothing > 0 ? raw : null
    };
  });
  return { xs, series, clipped, hidden, binned: bins !== null };
}

interface IBins {
  xs: number[];
  low: number;
  width: number;
  cells: number;
}

/** Pixel bins, when the runs' xs together are more than two a pixel. */
function binsFor(
  runs: ReadonlyArray<{ xs: ArrayLike<number>; order: number[] }>,
  columns: number | undefined
): IBins | null {
  if (!columns || columns < 2 || runs.length < 2) {
    return null;
  }
  let total = 0;
  let low = Infinity;
  let high = -Infinity;
  for (const { xs, order } of runs) {
    total += xs.length;
    low = Math.min(low, xs[order[0]]);
    high = Math.max(high, xs[order[order.length - 1]]);
  }
  const cells = Math.floor(columns);
  if (total <= 2 * cells || !(high > low)) {
    return null;
  }
  const width = (high - low) / cells;
  const xs = new Array<number>(2 * cells);
  for (let c = 0; c < cells; c++) {
    xs[2 * c] = low + c * width;
    xs[2 * c + 1] = low + (c + 0.5) * width;
  }
  return { xs, low, width, cells };
}

/**
 * One run's points into pixel bins: per bin its lowest and highest value,
 * in the order logged (a line through a bin goes the way the run went); a
 * bin of only NaN is a gap.
 */
function binRun(
  bins: IBins,
  xs: ArrayLike<number>,
  values: ArrayLike<number>,
  order: readonly number[],
  put: (at: number, value: number) => void
): void {
  let cell = -1;
  let lowAt = -1;
  let highAt = -1;
  let nan = false;
  const flush = () => {
    if (cell < 0) {
      return;
    }
    if (lowAt < 0) {
      if (nan) {
        put(2 * cell, NaN);
      }
      return;
    }
    const [first, second] = lowAt <= highAt ? [lowAt, highAt] : [highAt, lowAt];
    put(2 * cell, values[first]);
    if (second !== first) {
      put(2 * cell + 1, values[second]);
    }
  };
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    const c = Math.min(
      bins.cells - 1,
      Math.max(0, Math.floor((xs[i] - bins.low) / bins.width))
    );
    if (c !== cell) {
      flush();
      cell = c;
      lowAt = highAt = -1;
      nan = false;
    }
    const v = values[i];
    if (Number.isNaN(v)) {
      nan = true;
    } else {
      if (lowAt < 0 || v < values[lowAt]) {
        lowAt = i;
      }
      if (highAt < 0 || v > values[highAt]) {
        highAt = i;
      }
    }
  }
  flush();
}

/** The sorted distinct xs of all runs (a k-way merge of sorted runs). */
function unionSorted(
  runs: Array<{ xs: ArrayLike<number>; order: number[] }>
): number[] {
  // Runs logged at the same steps (the usual case): their union is one of them.
  if (runs.length > 1 && runs.every(run => sameXs(run, runs[0]))) {
    return unionSorted([runs[0]]);
  }
  if (runs.length === 1) {
    const { xs, order } = runs[0];
    const out: number[] = [];
    for (const i of order) {
      const x = xs[i];
      if (out.length === 0 || out[out.length - 1] !== x) {
        out.push(x);
      }
    }
    return out;
  }
  const all: number[] = [];
  for (const { xs } of runs) {
    for (let i = 0; i < xs.length; i++) {
      all.push(xs[i]);
    }
  }
  const typed = Float64Array.from(all).sort();
  const out: number[] = [];
  for (let i = 0; i < typed.length; i++) {
    if (i === 0 || typed[i] !== typed[i - 1]) {
      out.push(typed[i]);
    }
  }
  return out;
}

function sameXs(
  a: { xs: ArrayLike<number>; order: number[] },
  b: { xs: ArrayLike<number>; order: number[] }
): boolean {
  if (a.xs.length !== b.xs.length) {
    return false;
  }
  for (let i = 0; i < a.xs.length; i++) {
    if (a.xs[a.order[i]] !== b.xs[b.order[i]]) {
      return false;
    }
  }
  return true;
}

/**
 * An exponential moving average along the points a series has, debiased so
 * its first points are not pulled toward zero; gaps (null) stay gaps and do
 * not reset the average, absent points (undefined) stay absent.
 */
export function ema(values: readonly YValue[], weight: number): YValue[] {
  const out: YValue[] = new Array(values.length);
  let average = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      out[i] = v;
      continue;
    }
    average = average * weight + (1 - weight) * v;
    n++;
    out[i] = average / (1 - Math.pow(weight, n));
  }
  return out;
}

/**
 * Every run's value at one x index, for the hover: a run with no point at
 * that x shows its previous point (where its line is), raw when smoothed.
 */
export function valuesAt(
  data: IChartData,
  index: number
): Array<{ run: number; value: YValue; raw: YValue }> {
  return data.series.map(one => {
    let at = index;
    while (at > 0 && one.values[at] === undefined) {
      at--;
    }
    return {
      run: one.run,
      value: one.values[at],
      raw: one.raw ? one.raw[at] : one.values[at]
    };
  });
}
