/**
 * What a Compare panel shows: the one shape its model, the share link and
 * saved views use. Axis and metric ids are query-grammar identifiers
 * (`params.lr`, `metrics.loss.min`), so a brushed range becomes a filter the
 * browser's box accepts. Pure, no DOM.
 */

/** Which way a metric is better. */
export type Direction = 'min' | 'max';

/** What the charts' x axis counts. */
export type XAxis = 'step' | 'wall' | 'relative';

/** A brushed interval on one parallel-coordinates axis (numbers), or the kept categories. */
export type BrushRange = [number, number] | string[];

export interface IParallelState {
  /** Axis ids in order: params and metric summaries. */
  axes: string[];
  /** The metric that colours the lines, if any. */
  metric: string | null;
  /** Brushed axes; an axis absent here is not brushed. */
  brush: { [axis: string]: BrushRange };
}

export interface IScatterState {
  x: string | null;
  y: string | null;
}

export interface IProgressState {
  /** The browser filter whose runs the view walks through (empty: every run). */
  filter: string;
  /** A metric summary id (`metrics.valid_auc.max`); null until chosen. */
  metric: string | null;
  direction: Direction;
  /** Parallel coordinates over the same runs. */
  parallel?: IParallelState;
}

export interface ICompareState {
  /** The compared runs, in column order (2 to 50). */
  runIds: string[];
  /** Side by side: only the rows whose values differ (on by default). */
  differencesOnly: boolean;
  /** Per metric key: which way is best (absent: `min` for loss-like names, else `max`). */
  directions: { [metric: string]: Direction };
  xAxis: XAxis;
  /** Exponential moving average weight, 0 (off) to 0.99. */
  smoothing: number;
  logY: boolean;
  parallel: IParallelState;
  scatter: IScatterState;
  /** Per image key: the step the slider shows. */
  imageSteps: { [key: string]: number };
}

export const MAX_COMPARED = 50;

export function emptyCompareState(runIds: string[] = []): ICompareState {
  return {
    runIds,
    differencesOnly: true,
    directions: {},
    xAxis: 'step',
    smoothing: 0,
    logY: false,
    parallel: { axes: [], metric: null, brush: {} },
    scatter: { x: null, y: null },
    imageSteps: {}
  };
}

export function emptyProgressState(filter = ''): IProgressState {
  return { filter, metric: null, direction: 'max' };
}

/** The direction a metric defaults to: lower is better for loss/error-like names. */
export function defaultDirection(metric: string): Direction {
  return /loss|err|mse|mae|rmse|perplexity|time|latency|cost/i.test(metric)
    ? 'min'
    : 'max';
}

function isObject(value: unknown): value is { [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function strings(value: unknown, max: number): string[] | null {
  return Array.isArray(value) &&
    value.length <= max &&
    value.every(v => typeof v === 'string')
    ? (value as string[])
    : null;
}

const isDirection = (v: unknown): v is Direction => v === 'min' || v === 'max';

/**
 * A compare view from untrusted JSON (a link, a saved view): the fields it
 * omits are the empty view's; a field of the wrong shape makes it null.
 */
export function parseCompareState(value: unknown): ICompareState | null {
  if (!isObject(value)) {
    return null;
  }
  const state = emptyCompareState();
  const runIds = strings(value.runIds, MAX_COMPARED);
  if (!runIds) {
    return null;
  }
  state.runIds = runIds;
  if (value.differencesOnly !== undefined) {
    if (typeof value.differencesOnly !== 'boolean') {
      return null;
    }
    state.differencesOnly = value.differencesOnly;
  }
  if (value.directions !== undefined) {
    if (!isObject(value.directions)) {
      return null;
    }
    for (const [key, direction] of Object.entries(value.directions)) {
      if (!isDirection(direction)) {
        return null;
      }
      state.directions[key] = direction;
    }
  }
  if (value.xAxis !== undefined) {
    if (!['step', 'wall', 'relative'].includes(value.xAxis as string)) {
      return null;
    }
    state.xAxis = value.xAxis as XAxis;
  }
  if (value.smoothing !== undefined) {
    const s = value.smoothing;
    if (typeof s !== 'number' || !(s >= 0 && s < 1)) {
      return null;
    }
    state.smoothing = s;
  }
  if (value.logY !== undefined) {
    if (typeof value.logY !== 'boolean') {
      return null;
    }
    state.logY = value.logY;
  }
  if (value.parallel !== undefined) {
    const parallel = parseParallelState(value.parallel);
    if (!parallel) {
      return null;
    }
    state.parallel = parallel;
  }
  if (value.scatter !== undefined) {
    const s = value.scatter;
    if (!isObject(s)) {
      return null;
    }
    const x = s.x ?? null;
    const y = s.y ?? null;
    if (
      (x !== null && typeof x !== 'string') ||
      (y !== null && typeof y !== 'string')
    ) {
      return null;
    }
    state.scatter = { x: x as string | null, y: y as string | null };
  }
  if (value.imageSteps !== undefined) {
    if (!isObject(value.imageSteps)) {
      return null;
    }
    for (const [key, step] of Object.entries(value.imageSteps)) {
      if (typeof step !== 'number' || !Number.isFinite(step)) {
        return null;
      }
      state.imageSteps[key] = step;
    }
  }
  return state;
}

function parseParallelState(p: unknown): IParallelState | null {
  if (!isObject(p)) {
    return null;
  }
  const axes = strings(p.axes ?? [], 100);
  const metric = p.metric ?? null;
  if (!axes || (metric !== null && typeof metric !== 'string')) {
    return null;
  }
  const brush: { [axis: string]: BrushRange } = {};
  if (p.brush !== undefined) {
    if (!isObject(p.brush)) {
      return null;
    }
    for (const [axis, range] of Object.entries(p.brush)) {
      const numeric =
        Array.isArray(range) &&
        range.length === 2 &&
        range.every(v => typeof v === 'number' && Number.isFinite(v));
      if (!numeric && !strings(range, 10_000)) {
        return null;
      }
      brush[axis] = range as BrushRange;
    }
  }
  return { axes, metric: metric as string | null, brush };
}

/** A progress view from untrusted JSON; null when it is not one. */
export function parseProgressState(value: unknown): IProgressState | null {
  if (!isObject(value)) {
    return null;
  }
  const state = emptyProgressState();
  if (value.filter !== undefined) {
    if (typeof value.filter !== 'string') {
      return null;
    }
    state.filter = value.filter;
  }
  if (value.metric !== undefined && value.metric !== null) {
    if (typeof value.metric !== 'string') {
      return null;
    }
    state.metric = value.metric;
  }
  if (value.direction !== undefined) {
    if (!isDirection(value.direction)) {
      return null;
    }
    state.direction = value.direction;
  }
  if (value.parallel !== undefined) {
    const parallel = parseParallelState(value.parallel);
    if (!parallel) {
      return null;
    }
    state.parallel = parallel;
  }
  return state;
}
