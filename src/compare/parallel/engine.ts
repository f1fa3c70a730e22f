/**
 * What the parallel-coordinates and scatter views of a Compare panel show,
 * worked out from the runs: axes, each run's value on each, which runs a
 * brush keeps, and the filter text a brush becomes. Pure: no DOM, no charts.
 *
 * Axis ids are query-grammar identifiers (`params.lr`, `metrics.loss.min`),
 * read with `columnValue`, so what an axis shows is what the filter box
 * compares.
 *
 * Non-finite numbers: NaN is missing (the grammar counts a NaN metric as not
 * set; the line skips that axis and no brush keeps it). +Infinity and
 * -Infinity are drawn pinned to the axis's top and bottom (its finite
 * extent), so a diverged run stays visible; a brush keeps them only when it
 * reaches that end of the axis, and the filter it becomes is then open on
 * that side (`>=`/`<=`), which an infinite value satisfies.
 */

import {
  columnId,
  columnLabel,
  columnValue,
  normalizeColumnId,
  parseColumnId,
  quoteKey
} from '../../browser/columns';
import { runColumns } from '../../rest/runColumns';
import type { IRunSummary } from '../../tokens';
import type { BrushRange } from '../state';
import { quoteString } from '../../browser/filter/literal';
import { runLabel } from '../labels';

export { quoteKey };

/** An axis of numbers: a param logged as numbers, a metric summary, a time. */
export interface INumericAxis {
  kind: 'numeric';
  id: string;
  label: string;
  /** The finite extent (0 to 1 when no run has a finite value). */
  min: number;
  max: number;
  /** Whether some run has a finite value here. */
  finite: boolean;
  /** Every finite value is positive and they span at least two decades. */
  log: boolean;
  /** Every finite value is a whole number. */
  integer: boolean;
  /** Some run's value is -Infinity / +Infinity (drawn at the axis's ends). */
  negativeInfinity: boolean;
  positiveInfinity: boolean;
}

/** An axis of texts: a param logged as strings, booleans or mixed types, a tag. */
export interface ICategoricalAxis {
  kind: 'categorical';
  id: string;
  label: string;
  /** The distinct values' texts, in natural order. */
  categories: string[];
}

export type Axis = INumericAxis | ICategoricalAxis;

/** A run's value on an axis: a number (possibly ±Infinity), a category, or null when missing. */
export type AxisValue = number | string | null;

/** The brush of a parallel-coordinates view: axis id to its range. */
export type Brush = { [axis: string]: BrushRange };

/** Decades a positive axis must span to be drawn on a log scale. */
const LOG_DECADES = 2;

/** Significant digits a brushed bound is rounded outwards to. */
const BRUSH_DIGITS = 3;

const COLLATOR = new Intl.Collator(undefined, {
  numeric: true,
  sensitivity: 'base'
});

/**
 * A value's text on a categorical axis: a string as itself, anything else as
 * its JSON text, which is how the grammar compares a param with a string.
 */
export function categoryText(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  return JSON.stringify(value) ?? String(value);
}

/** Whether values of this id are always numbers (metric summaries, times). */
function alwaysNumeric(id: string): boolean {
  const ref = parseColumnId(id);
  if (!ref) {
    return false;
  }
  if (ref.kind === 'metrics') {
    return true;
  }
  return (
    ref.kind === 'attribute' &&
    (ref.key === 'started' || ref.key === 'ended' || ref.key === 'duration')
  );
}

function rawValue(run: IRunSummary, id: string): unknown {
  const value = columnValue(run, id);
  return value === undefined ? null : value;
}

/** One axis per id, its kind and extent read from the runs' values. */
export function buildAxes(
  runs: readonly IRunSummary[],
  ids: readonly string[]
): Axis[] {
  return ids.map(id => buildAxis(runs, id));
}

function buildAxis(runs: readonly IRunSummary[], id: string): Axis {
  const label = columnLabel(id);
  let numeric = true;
  let any = false;
  for (const run of runs) {
    const value = rawValue(run, id);
    if (value === null) {
      continue;
    }
    any = true;
    if (typeof value !== 'number') {
      numeric = false;
      break;
    }
  }
  if (!numeric || (!any && !alwaysNumeric(id))) {
    const seen = new Set<string>();
    for (const run of runs) {
      const value = rawValue(run, id);
      if (value !== null) {
        seen.add(categoryText(value));
      }
    }
    return {
      kind: 'categorical',
      id,
      label,
      categories: Array.from(seen).sort(COLLATOR.compare)
    };
  }
  let min = Infinity;
  let max = -Infinity;
  let integer = true;
  let negativeInfinity = false;
  let positiveInfinity = false;
  for (const run of runs) {
    const value = rawValue(run, id) as number | null;
    if (value === null || Number.isNaN(value)) {
      continue;
    }
    if (value === Infinity) {
      positiveInfinity = true;
    } else if (value === -Infinity) {
      negativeInfinity = true;
    } else {
      min = Math.min(min, value);
      max = Math.max(max, value);
      integer = integer && Number.isInteger(value);
    }
  }
  const finite = min <= max;
  if (!finite) {
    min = 0;
    max = 1;
    integer = false;
  }
  return {
    kind: 'numeric',
    id,
    label,
    min,
    max,
    finite,
    log: finite && min > 0 && Math.log10(max / min) >= LOG_DECADES,
    integer,
    negativeInfinity,
    positiveInfinity
  };
}

/** A run's value on an axis: NaN and anything a numeric axis cannot hold are missing. */
export function axisValue(run: IRunSummary, axis: Axis): AxisValue {
  const value = rawValue(run, axis.id);
  if (value === null) {
    return null;
  }
  if (axis.kind === 'categorical') {
    return categoryText(value);
  }
  return typeof value === 'number' && !Number.isNaN(value) ? value : null;
}

/** Each run's values, one per axis, in the runs' order. */
export function axisValues(
  runs: readonly IRunSummary[],
  axes: readonly Axis[]
): AxisValue[][] {
  return runs.map(run => axes.map(axis => axisValue(run, axis)));
}

/** Where a value is drawn: infinities pinned to the axis's ends. */
export function plotValue(axis: Axis, value: AxisValue): AxisValue {
  if (axis.kind === 'numeric' && typeof value === 'number') {
    if (value === Infinity) {
      return axis.max;
    }
    if (value === -Infinity) {
      return axis.min;
    }
  }
  return value;
}

/** A range low to high, whichever way it was given. */
function ordered(range: [number, number]): [number, number] {
  const [a, b] = range;
  return a <= b ? [a, b] : [b, a];
}

/** The open sides of a numeric range on an axis: bounds that are not finite, or that reach an end where infinities are pinned. */
function openSides(
  range: [number, number],
  axis: Axis | undefined
): { low: boolean; high: boolean } {
  const [lo, hi] = ordered(range);
  const numeric = axis?.kind === 'numeric' ? axis : undefined;
  return {
    low:
      !Number.isFinite(lo) ||
      (numeric !== undefined && numeric.negativeInfinity && lo <= numeric.min),
    high:
      !Number.isFinite(hi) ||
      (numeric !== undefined && numeric.positiveInfinity && hi >= numeric.max)
  };
}

/** Whether a brushed range keeps a value of this axis. */
export function rangeKeeps(
  axis: Axis,
  range: BrushRange,
  value: AxisValue
): boolean {
  if (value === null) {
    return false;
  }
  if (isCategories(range)) {
    return range.includes(
      typeof value === 'string' ? value : categoryText(value)
    );
  }
  if (typeof value !== 'number' || Number.isNaN(value)) {
    return false;
  }
  const [lo, hi] = ordered(range);
  const open = openSides(range, axis);
  if (value === Infinity) {
    return open.high;
  }
  if (value === -Infinity) {
    return open.low;
  }
  return (open.low || lo <= value) && (open.high || value <= hi);
}

function isCategories(range: BrushRange): range is string[] {
  return range.length === 0 || typeof range[0] === 'string';
}

/**
 * The ids of the runs every brushed axis keeps (every run when nothing is
 * brushed). A brushed axis not among `axes` is read from the runs all the
 * same, so the kept runs are the ones `brushFilter` selects.
 */
export function brushKeeps(
  runs: readonly IRunSummary[],
  axes: readonly Axis[],
  brush: Brush
): Set<string> {
  const byId = new Map(axes.map(axis => [axis.id, axis]));
  const brushed: [Axis, BrushRange][] = Object.keys(brush).map(id => [
    byId.get(id) ?? buildAxis(runs, id),
    brush[id]
  ]);
  const kept = new Set<string>();
  for (const run of runs) {
    if (
      brushed.every(([axis, range]) =>
        rangeKeeps(axis, range, axisValue(run, axis))
      )
    ) {
      kept.add(run.id);
    }
  }
  return kept;
}

/** A number as the grammar reads it (JavaScript's shortest round-trip text is one). */
export function numberLiteral(value: number): string {
  if (!Number.isFinite(value)) {
    throw new RangeError(`no literal for ${value}`);
  }
  return String(value);
}

/** A string literal: single quotes, a quote doubled, a backslash escaped. */
export function stringLiteral(value: string): string {
  return quoteString(value);
}

/** Attributes that hold true/false, compared with literals rather than strings. */
const BOOLEAN_ATTRIBUTES = new Set(['starred', 'archived']);

/**
 * The filter a brush becomes, in the browser's query grammar: one condition
 * per brushed axis, joined by AND (empty for no brush). A numeric range is
 * `BETWEEN`, or `>=`/`<=` when open on a side (see `openSides`: given the
 * `axes`, a range reaching an end where infinities are drawn); categories
 * are `IN (...)`.
 */
export function brushFilter(brush: Brush, axes?: readonly Axis[]): string {
  const byId = new Map((axes ?? []).map(axis => [axis.id, axis]));
  return Object.keys(brush)
    .map(id => condition(id, brush[id], byId.get(id)))
    .join(' AND ');
}

function condition(
  id: string,
  range: BrushRange,
  axis: Axis | undefined
): string {
  const field = normalizeColumnId(id) ?? id;
  if (isCategories(range)) {
    if (range.length === 0) {
      // A brush between categories keeps no run; IN () is not valid.
      return `(${field} IS NULL AND ${field} IS NOT NULL)`;
    }
    const ref = parseColumnId(id);
    const literal =
      ref?.kind === 'attribute' && BOOLEAN_ATTRIBUTES.has(ref.key)
        ? (value: string) => (value === 'true' ? 'true' : 'false')
        : stringLiteral;
    return `${field} IN (${range.map(literal).join(', ')})`;
  }
  const [lo, hi] = ordered(range);
  const open = openSides(range, axis);
  if (open.low && open.high) {
    return `${field} IS NOT NULL`;
  }
  if (open.low) {
    return `${field} <= ${numberLiteral(hi)}`;
  }
  if (open.high) {
    return `${field} >= ${numberLiteral(lo)}`;
  }
  return `${field} BETWEEN ${numberLiteral(lo)} AND ${numberLiteral(hi)}`;
}

/**
 * A brushed numeric range as it is kept: whole numbers on an axis of whole
 * numbers (keeping the same values), else rounded outwards to a few
 * significant digits (of the bound on a log axis, of the axis's span
 * otherwise), so the filter reads `0.00123` rather than a pixel's
 * `0.0012301847`. Categories are returned as they are.
 */
export function snapRange(axis: Axis, range: BrushRange): BrushRange {
  if (isCategories(range) || axis.kind !== 'numeric') {
    return range;
  }
  const [lo, hi] = ordered(range);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    return [lo, hi];
  }
  if (axis.integer) {
    const [a, b] = [Math.ceil(lo), Math.floor(hi)];
    return a <= b ? [a, b] : [lo, hi];
  }
  if (axis.log) {
    return [roundSignificant(lo, Math.floor), roundSignificant(hi, Math.ceil)];
  }
  const span = axis.max - axis.min;
  if (!(span > 0) || !Number.isFinite(span)) {
    return [lo, hi];
  }
  const exponent = Math.floor(Math.log10(span)) - BRUSH_DIGITS;
  return [roundTo(lo, exponent, Math.floor), roundTo(hi, exponent, Math.ceil)];
}

function roundSignificant(value: number, round: (x: number) => number): number {
  if (value === 0) {
    return 0;
  }
  const exponent = Math.floor(Math.log10(Math.abs(value))) - (BRUSH_DIGITS - 1);
  return roundTo(value, exponent, round);
}

/** `value` rounded to a multiple of 10^exponent, written without binary noise. */
function roundTo(
  value: number,
  exponent: number,
  round: (x: number) => number
): number {
  const scale = Math.pow(10, Math.abs(exponent));
  const scaled = exponent < 0 ? value * scale : value / scale;
  // A bound already on the grid stays (1.512 * 1000 is 1511.9999999999998).
  const nearest = Math.round(scaled);
  const whole =
    Math.abs(scaled - nearest) <= 1e-9 * Math.max(1, Math.abs(scaled))
      ? nearest
      : round(scaled);
  const rounded = exponent < 0 ? whole / scale : whole * scale;
  const clean =
    exponent < 0 && -exponent <= 100
      ? Number(rounded.toFixed(-exponent))
      : rounded;
  // Outwards only: a bound never moves inwards past the brushed value.
  if (round === Math.floor) {
    return clean <= value ? clean : rounded;
  }
  return clean >= value ? clean : rounded;
}

/** The params and metric summaries the runs have, as axis ids: params, then metrics (last, min, max). */
export function axisCandidates(runs: readonly IRunSummary[]): {
  params: string[];
  metrics: string[];
} {
  const params = new Set<string>();
  const metrics = new Set<string>();
  const seenColumns = new Set<object>();
  for (const run of runs) {
    const columns = runColumns(run);
    if (columns) {
      // A page's runs share their columns: read its keys once.
      if (!seenColumns.has(columns)) {
        seenColumns.add(columns);
        Object.keys(columns.params).forEach(key => params.add(key));
        Object.keys(columns.metrics).forEach(key => metrics.add(key));
      }
      continue;
    }
    Object.keys(run.params).forEach(key => params.add(key));
    Object.keys(run.metrics).forEach(key => metrics.add(key));
  }
  return {
    params: Array.from(params)
      .sort(COLLATOR.compare)
      .map(key => columnId('params', key)),
    metrics: Array.from(metrics)
      .sort(COLLATOR.compare)
      .flatMap(key => [
        columnId('metrics', key),
        columnId('metrics', key, 'min'),
        columnId('metrics', key, 'max')
      ])
  };
}

/** Whether at least two runs hold different values in this column. */
function varies(runs: readonly IRunSummary[], id: string): boolean {
  let first: string | null = null;
  for (const run of runs) {
    const value = rawValue(run, id);
    if (value === null || (typeof value === 'number' && Number.isNaN(value))) {
      continue;
    }
    const text = categoryText(value);
    if (first === null) {
      first = text;
    } else if (text !== first) {
      return true;
    }
  }
  return false;
}

/** The metric most runs have (ties: by name), as its last value's id; null when none has one. */
export function defaultMetric(runs: readonly IRunSummary[]): string | null {
  const { metrics } = axisCandidates(runs);
  let best: string | null = null;
  let bestCount = 0;
  for (const id of metrics) {
    const ref = parseColumnId(id);
    if (ref?.kind !== 'metrics' || ref.summary !== 'last') {
      continue;
    }
    let count = 0;
    for (const run of runs) {
      if (rawValue(run, id) !== null) {
        count++;
      }
    }
    if (count > bestCount) {
      best = id;
      bestCount = count;
    }
  }
  return best;
}

/**
 * The axes a new view shows: the params whose values differ between runs,
 * by name, then `metric` (by default the metric most runs have); at most
 * `max` in all.
 */
export function defaultAxes(
  runs: readonly IRunSummary[],
  max = 10,
  metric: string | null = defaultMetric(runs)
): string[] {
  const room = Math.max(0, metric ? max - 1 : max);
  const params = axisCandidates(runs)
    .params.filter(id => varies(runs, id))
    .slice(0, room);
  return metric && max > 0 ? [...params, metric] : params;
}

export interface IScatterPoint {
  runId: string;
  label: string;
  /** A number, or a category of `xCategories`. */
  x: number | string;
  y: number;
}

export interface IScatterData {
  points: IScatterPoint[];
  /** The x axis's categories when its values are not all numbers; null for a numeric x. */
  xCategories: string[] | null;
  /** Whether the numeric x spans enough decades for a log scale. */
  xLog: boolean;
  yLog: boolean;
}

/**
 * The points of a scatter of `yId` against `xId`: one per run holding both
 * (a finite number for a numeric axis: NaN and infinities cannot be placed),
 * in the runs' order.
 */
export function scatterPoints(
  runs: readonly IRunSummary[],
  xId: string,
  yId: string
): IScatterData {
  const [xAxis, yAxis] = buildAxes(runs, [xId, yId]);
  const points: IScatterPoint[] = [];
  for (const run of runs) {
    const x = axisValue(run, xAxis);
    const y = axisValue(run, yAxis);
    if (typeof y !== 'number' || !Number.isFinite(y)) {
      continue;
    }
    if (x === null || (typeof x === 'number' && !Number.isFinite(x))) {
      continue;
    }
    points.push({ runId: run.id, label: runLabel(run), x, y });
  }
  return {
    points,
    xCategories: xAxis.kind === 'categorical' ? xAxis.categories : null,
    xLog: xAxis.kind === 'numeric' && xAxis.log,
    yLog: yAxis.kind === 'numeric' && yAxis.log
  };
}

/** Line colours of a metric's gradient, low to high: readable on light and dark backgrounds. */
export const GRADIENT: readonly string[] = [
  '#4e79a7',
  '#76b7b2',
  '#edc948',
  '#e15759'
];

/** The gradient's colour for a value of a numeric axis (low to high; log axes by decades); null for a missing value. */
export function gradientColor(axis: Axis, value: AxisValue): string | null {
  if (
    axis.kind !== 'numeric' ||
    typeof value !== 'number' ||
    Number.isNaN(value)
  ) {
    return null;
  }
  const scale = (v: number) => (axis.log ? Math.log10(v) : v);
  const lo = scale(axis.min);
  const hi = scale(axis.max);
  let t =
    value === Infinity
      ? 1
      : value === -Infinity
        ? 0
        : hi > lo
          ? (scale(value) - lo) / (hi - lo)
          : 0.5;
  t = Math.min(1, Math.max(0, t));
  const position = t * (GRADIENT.length - 1);
  const index = Math.min(GRADIENT.length - 2, Math.floor(position));
  return mix(GRADIENT[index], GRADIENT[index + 1], position - index);
}

function mix(a: string, b: string, t: number): string {
  const channel = (hex: string, i: number) =>
    parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16);
  let out = '#';
  for (let i = 0; i < 3; i++) {
    const value = Math.round(
      channel(a, i) + (channel(b, i) - channel(a, i)) * t
    );
    out += value.toString(16).padStart(2, '0');
  }
  return out;
}

export { runLabel };
