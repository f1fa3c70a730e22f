/**
 * Parallel coordinates of the compared runs over chosen params and metric
 * summaries, with a brush on any axis that keeps the runs it spans (and
 * becomes a filter for the browser's box).
 *
 * ECharts draws the lines and handles the brush while it is dragged; the
 * brush is committed to the panel's state when released, so a drag costs no
 * React render. With many lines the lines follow the brush only on release.
 */
import React, { useEffect, useMemo, useRef } from 'react';

import { columnLabel } from '../../browser/columns';
import { formatNumber } from '../../common/format';
import type { IRunSummary } from '../../tokens';
import type { BrushRange, IParallelState } from '../state';
import type { EChartsInstance, EChartsLib, EChartsOption } from './echarts';
import {
  Axis,
  AxisValue,
  axisCandidates,
  axisValue,
  axisValues,
  Brush,
  brushFilter,
  brushKeeps,
  buildAxes,
  defaultAxes,
  gradientColor,
  plotValue,
  runLabel,
  snapRange
} from './engine';
import { useECharts, useStableList, useStableRuns } from './hooks';
import { IThemeColors, useTheme } from '../theme';

export interface IParallelChartProps {
  runs: readonly IRunSummary[];
  /** A run's colour (the lines' colour unless `state.metric` colours them). */
  colors: (runId: string) => string;
  state: IParallelState;
  onChange: (state: IParallelState) => void;
  /** Called with the brush as a filter by "Use as filter"; the button shows only with it. */
  onFilter?: (filter: string) => void;
  onOpenRun?: (runId: string) => void;
  /**
   * Called after each full draw with the milliseconds from just before
   * `setOption` to ECharts' `finished` event (for benchmarks).
   */
  onDrawn?: (ms: number) => void;
}

/**
 * Lines × axes up to which the lines follow a brush while it is dragged;
 * beyond, each move would redraw too many lines for a smooth drag, and they
 * update when the brush is released.
 */
export const REALTIME_MAX_CELLS = 4000;

/** Milliseconds after the last brush move before a brush is committed (when no pointer release was seen). */
const COMMIT_DELAY = 250;

/**
 * Dispatched (not bubbling) on the chart's container after each full draw,
 * with `detail: { ms, lines, axes }`; the container's `data-draw-ms`
 * attribute holds the last time too.
 */
export const PARALLEL_DRAWN_EVENT = 'jp-experiments-parallel-drawn';

export interface IParallelDrawn {
  ms: number;
  lines: number;
  axes: number;
}

const CHART_CLASS = 'jp-ExperimentsCompare-parallelChart';

/** ECharts' id of the i-th parallel axis. */
function axisKey(index: number): string {
  return `axis-${index}`;
}

export function ParallelChart(props: IParallelChartProps): JSX.Element {
  const { state, onChange, onFilter } = props;
  const runs = useStableRuns(props.runs);
  const axesKey = state.axes.join('\n');
  const axes = useMemo(() => buildAxes(runs, state.axes), [runs, axesKey]);
  const values = useMemo(() => axisValues(runs, axes), [runs, axes]);
  const kept = useMemo(
    () => brushKeeps(runs, axes, state.brush),
    [runs, axes, state.brush]
  );
  const candidates = useMemo(() => axisCandidates(runs), [runs]);
  const metricAxis = useMemo(
    () => (state.metric ? buildAxes(runs, [state.metric])[0] : null),
    [runs, state.metric]
  );
  const lineColors = useStableList(
    runs.map(run =>
      metricAxis
        ? gradientColor(metricAxis, axisValue(run, metricAxis))
        : props.colors(run.id)
    )
  );
  const drawable = values.some(row => row.some(value => value !== null));
  const empty =
    axes.length < 2
      ? 'Choose at least two axes.'
      : !drawable
        ? 'No runs have these values.'
        : null;

  const root = useRef<HTMLDivElement>(null);
  const container = useRef<HTMLDivElement>(null);
  const { handle, error } = useECharts(container);
  const theme = useTheme(root);

  // The latest props and derived values, for ECharts' event handlers.
  const latest = useRef({ props, runs, axes, values });
  latest.current = { props, runs, axes, values };
  /** The brush the chart shows (the committed one, or one being dragged). */
  const shown = useRef<Brush>({});
  /** A brush dragged but not committed yet, and the axes it touched. */
  const pending = useRef<{ brush: Brush; touched: Set<number> } | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  // A new view starts with the params that vary and a metric.
  const defaulted = useRef(false);
  useEffect(() => {
    if (defaulted.current || runs.length === 0) {
      return;
    }
    defaulted.current = true;
    if (state.axes.length === 0) {
      const axes = defaultAxes(runs);
      if (axes.length > 0) {
        onChange({ ...state, axes });
      }
    }
  }, [runs]);

  // Commit a dragged brush: rounded, one range per axis, into the state.
  const commit = () => {
    if (timer.current !== null) {
      clearTimeout(timer.current);
      timer.current = null;
    }
    const gesture = pending.current;
    pending.current = null;
    if (!gesture || !handle) {
      return;
    }
    const { axes } = latest.current;
    const touched = Array.from(gesture.touched).filter(i => i < axes.length);
    // Round the ranges drawn in this gesture (the others are as committed).
    const brush: Brush = { ...gesture.brush };
    for (const i of touched) {
      const id = axes[i].id;
      if (brush[id]) {
        brush[id] = snapRange(axes[i], brush[id]);
      }
    }
    // Show what is kept: a second range drawn on an axis replaces its first.
    dispatchIntervals(
      handle.chart,
      touched.map(i => ({
        index: i,
        intervals: brush[axes[i].id]
          ? toIntervals(axes[i], brush[axes[i].id])
          : []
      }))
    );
    shown.current = brush;
    const current = latest.current.props.state;
    latest.current.props.onChange({ ...current, brush });
  };
  const commitRef = useRef(commit);
  commitRef.current = commit;

  // ECharts' events, bound once per instance.
  useEffect(() => {
    if (!handle) {
      return;
    }
    const { chart } = handle;
    chart.on('axisareaselected', (event: any) => {
      const { axes } = latest.current;
      const index = axes.findIndex(
        (_, i) => axisKey(i) === event?.parallelAxisId
      );
      if (index < 0) {
        return;
      }
      const axis = axes[index];
      const gesture = pending.current ?? {
        brush: { ...shown.current },
        touched: new Set<number>()
      };
      const range = fromIntervals(axis, event.intervals ?? []);
      if (range) {
        gesture.brush[axis.id] = range;
      } else {
        delete gesture.brush[axis.id];
      }
      gesture.touched.add(index);
      pending.current = gesture;
      if (timer.current !== null) {
        clearTimeout(timer.current);
      }
      timer.current = setTimeout(() => commitRef.current(), COMMIT_DELAY);
    });
    // Releasing the pointer ends a drag: commit then rather than after the
    // delay, once ECharts' own handler of the release has dispatched the range.
    const release = () => {
      setTimeout(() => commitRef.current(), 0);
    };
    chart.getZr().on('mouseup', release);
    chart.on('click', (event: any) => {
      const { props, runs } = latest.current;
      const run =
        event?.seriesType === 'parallel' ? runs[event.dataIndex] : undefined;
      if (run && props.onOpenRun) {
        props.onOpenRun(run.id);
      }
    });
    return () => {
      if (!chart.isDisposed()) {
        chart.off('axisareaselected');
        chart.off('click');
        chart.getZr().off('mouseup', release);
      }
    };
  }, [handle]);

  useEffect(
    () => () => {
      if (timer.current !== null) {
        clearTimeout(timer.current);
      }
    },
    []
  );

  // Draw: a full setOption when the runs, axes, colours or theme change.
  useEffect(() => {
    if (!handle || !theme) {
      return;
    }
    const { chart, lib } = handle;
    if (empty) {
      pending.current = null;
      chart.clear();
      shown.current = {};
      return;
    }
    const start = performance.now();
    chart.off('finished');
    chart.on('finished', () => {
      chart.off('finished');
      const ms = performance.now() - start;
      const node = container.current;
      if (node) {
        node.dataset.drawMs = ms.toFixed(1);
        node.dispatchEvent(
          new CustomEvent<IParallelDrawn>(PARALLEL_DRAWN_EVENT, {
            detail: { ms, lines: runs.length, axes: axes.length }
          })
        );
      }
      latest.current.props.onDrawn?.(ms);
    });
    chart.setOption(
      parallelOption(lib, runs, axes, values, lineColors, theme),
      { notMerge: true }
    );
    shown.current = {};
    // A brush being dragged while the runs update is kept.
    applyBrush(
      chart,
      axes,
      pending.current?.brush ?? latest.current.props.state.brush,
      shown
    );
  }, [handle, theme, empty, axes, values, lineColors]);

  // A brush set from outside (Clear brush, a saved view): shown on the chart.
  useEffect(() => {
    if (!handle || !theme || empty || pending.current) {
      return;
    }
    applyBrush(handle.chart, axes, state.brush, shown);
  }, [state.brush]);

  const brushed = Object.keys(state.brush).length > 0;
  const chosen = new Set(state.axes);
  const setAxes = (ids: string[]) => {
    const brush: Brush = {};
    for (const id of Object.keys(state.brush)) {
      if (ids.includes(id)) {
        brush[id] = state.brush[id];
      }
    }
    onChange({ ...state, axes: ids, brush });
  };
  const move = (index: number, by: number) => {
    const ids = [...state.axes];
    const [id] = ids.splice(index, 1);
    ids.splice(Math.max(0, Math.min(ids.length, index + by)), 0, id);
    setAxes(ids);
  };

  return (
    <div className="jp-ExperimentsCompare-parallel" ref={root}>
      <div className="jp-ExperimentsCompare-parallelToolbar">
        <div
          className="jp-ExperimentsCompare-parallelAxes"
          role="list"
          aria-label="Axes"
        >
          {state.axes.map((id, index) => (
            <span
              key={id}
              className="jp-ExperimentsCompare-parallelAxis"
              role="listitem"
            >
              <button
                className="jp-ExperimentsCompare-parallelAxisButton"
                title="Move left"
                aria-label={`Move ${columnLabel(id)} left`}
                disabled={index === 0}
                onClick={() => move(index, -1)}
              >
                ‹
              </button>
              <span className="jp-ExperimentsCompare-parallelAxisLabel">
                {columnLabel(id)}
              </span>
              <button
                className="jp-ExperimentsCompare-parallelAxisButton"
                title="Move right"
                aria-label={`Move ${columnLabel(id)} right`}
                disabled={index === state.axes.length - 1}
                onClick={() => move(index, 1)}
              >
                ›
              </button>
              <button
                className="jp-ExperimentsCompare-parallelAxisButton"
                title="Remove"
                aria-label={`Remove ${columnLabel(id)}`}
                onClick={() => setAxes(state.axes.filter(a => a !== id))}
              >
                ×
              </button>
            </span>
          ))}
          <select
            className="jp-mod-styled jp-ExperimentsCompare-parallelAdd"
            aria-label="Add an axis"
            value=""
            onChange={event => {
              const id = event.target.value;
              if (id && !chosen.has(id)) {
                setAxes([...state.axes, id]);
              }
            }}
          >
            <option value="">Add axis…</option>
            <AxisOptions
              label="Params"
              ids={candidates.params.filter(id => !chosen.has(id))}
            />
            <AxisOptions
              label="Metrics"
              ids={candidates.metrics.filter(id => !chosen.has(id))}
            />
          </select>
        </div>
        <div className="jp-ExperimentsCompare-parallelActions">
          <label className="jp-ExperimentsCompare-parallelColorBy">
            Colour{' '}
            <select
              className="jp-mod-styled"
              value={state.metric ?? ''}
              onChange={event =>
                onChange({ ...state, metric: event.target.value || null })
              }
            >
              <option value="">by run</option>
              <AxisOptions label="by metric" ids={candidates.metrics} />
            </select>
          </label>
          {brushed && (
            <span className="jp-ExperimentsCompare-parallelCount">
              {kept.size} of {runs.length} runs
            </span>
          )}
          {onFilter && (
            <button
              className="jp-mod-styled jp-ExperimentsCompare-parallelButton"
              disabled={!brushed}
              title="Show the brushed runs in the browser"
              onClick={() => onFilter(brushFilter(state.brush, axes))}
            >
              Use as filter
            </button>
          )}
          <button
            className="jp-mod-styled jp-ExperimentsCompare-parallelButton"
            disabled={!brushed}
            onClick={() => onChange({ ...state, brush: {} })}
          >
            Clear brush
          </button>
        </div>
      </div>
      <div className="jp-ExperimentsCompare-parallelBody">
        <div
          ref={container}
          className={CHART_CLASS}
          aria-label="Parallel coordinates"
          role="img"
        />
        {(error || empty) && (
          <div className="jp-ExperimentsCompare-parallelEmpty">
            {error ?? empty}
          </div>
        )}
      </div>
    </div>
  );
}

/** Options of a select: axis ids under a group label. */
function AxisOptions(props: {
  label: string;
  ids: string[];
}): JSX.Element | null {
  if (props.ids.length === 0) {
    return null;
  }
  return (
    <optgroup label={props.label}>
      {props.ids.map(id => (
        <option key={id} value={id}>
          {columnLabel(id)}
        </option>
      ))}
    </optgroup>
  );
}

/** A brush as ECharts intervals on an axis: data values, or category indexes. */
export function toIntervals(axis: Axis, range: BrushRange): number[][] {
  if (axis.kind === 'categorical') {
    if (range.length > 0 && typeof range[0] !== 'string') {
      return [];
    }
    const indexes = (range as string[])
      .map(category => axis.categories.indexOf(category))
      .filter(index => index >= 0)
      .sort((a, b) => a - b);
    // Consecutive categories make one interval.
    const intervals: number[][] = [];
    for (const index of indexes) {
      const last = intervals[intervals.length - 1];
      if (last && index === last[1] + 1) {
        last[1] = index;
      } else {
        intervals.push([index, index]);
      }
    }
    return intervals;
  }
  if (range.length !== 2 || typeof range[0] !== 'number') {
    return [];
  }
  const [low, high] = displayExtent(axis);
  const [a, b] = range as [number, number];
  const clamp = (value: number) => Math.min(high, Math.max(low, value));
  return [[clamp(Math.min(a, b)), clamp(Math.max(a, b))]];
}

/** ECharts intervals on an axis as a brush range; null when none. */
export function fromIntervals(
  axis: Axis,
  intervals: number[][]
): BrushRange | null {
  if (intervals.length === 0) {
    return null;
  }
  if (axis.kind === 'categorical') {
    const kept = new Set<number>();
    for (const [a, b] of intervals) {
      for (let i = Math.ceil(Math.min(a, b)); i <= Math.max(a, b); i++) {
        kept.add(i);
      }
    }
    return axis.categories.filter((_, i) => kept.has(i));
  }
  // ECharts adds a range per drag; the one drawn last is the one meant.
  const [a, b] = intervals[intervals.length - 1];
  return [Math.min(a, b), Math.max(a, b)];
}

function sameRange(a: BrushRange | undefined, b: BrushRange | undefined) {
  if (a === b) {
    return true;
  }
  if (!a || !b || a.length !== b.length) {
    return false;
  }
  return (a as unknown[]).every((value, i) => value === b[i]);
}

/** Show `brush` on the chart: one batched action for the axes whose range differs from what is shown. */
function applyBrush(
  chart: EChartsInstance,
  axes: Axis[],
  brush: Brush,
  shown: { current: Brush }
): void {
  const changes: { index: number; intervals: number[][] }[] = [];
  axes.forEach((axis, index) => {
    if (!sameRange(brush[axis.id], shown.current[axis.id])) {
      changes.push({
        index,
        intervals: brush[axis.id] ? toIntervals(axis, brush[axis.id]) : []
      });
    }
  });
  dispatchIntervals(chart, changes);
  shown.current = brush;
}

function dispatchIntervals(
  chart: EChartsInstance,
  changes: { index: number; intervals: number[][] }[]
): void {
  if (changes.length === 0 || chart.isDisposed()) {
    return;
  }
  // Silent: these are not the user's brushing, and one update for all axes.
  chart.dispatchAction(
    {
      type: 'axisAreaSelect',
      batch: changes.map(change => ({
        parallelAxisId: axisKey(change.index),
        intervals: change.intervals
      }))
    },
    { silent: true }
  );
}

/** The extent an axis is drawn over: its values', widened when they are all equal. */
function displayExtent(axis: Axis): [number, number] {
  if (axis.kind !== 'numeric') {
    return [0, Math.max(0, axis.categories.length - 1)];
  }
  if (axis.max > axis.min) {
    return [axis.min, axis.max];
  }
  if (axis.log) {
    return [axis.min / 2, axis.max * 2];
  }
  const pad = Math.abs(axis.min) * 0.1 || 1;
  return [axis.min - pad, axis.max + pad];
}

function axisText(axis: Axis, value: AxisValue): string {
  if (value === null) {
    return '—';
  }
  return typeof value === 'number' ? formatNumber(value) : value;
}

/** The ECharts option of the parallel coordinates. */
function parallelOption(
  lib: EChartsLib,
  runs: readonly IRunSummary[],
  axes: Axis[],
  values: AxisValue[][],
  colors: (string | null)[],
  theme: IThemeColors
): EChartsOption {
  const encode = lib.format.encodeHTML;
  const realtime = runs.length * axes.length <= REALTIME_MAX_CELLS;
  const textStyle = {
    color: theme.text,
    fontFamily: theme.font,
    fontSize: theme.fontSize
  };
  return {
    animation: false,
    textStyle,
    tooltip: {
      trigger: 'item',
      confine: true,
      backgroundColor: theme.background,
      borderColor: theme.border,
      textStyle,
      // Run names and categories are user text: escaped, as ECharts renders HTML.
      formatter: (params: any) => {
        const index = params?.dataIndex;
        const run = runs[index];
        if (!run) {
          return '';
        }
        const rows = axes.map(
          (axis, i) =>
            `${encode(axis.label)}: ${encode(axisText(axis, values[index][i]))}`
        );
        return [`<b>${encode(runLabel(run))}</b>`, ...rows].join('<br/>');
      }
    },
    parallel: {
      left: 48,
      right: 72,
      top: 48,
      bottom: 24,
      parallelAxisDefault: {
        realtime,
        nameLocation: 'end',
        nameGap: 16,
        nameTextStyle: { ...textStyle, overflow: 'truncate', width: 120 },
        axisLine: { lineStyle: { color: theme.border } },
        axisTick: { lineStyle: { color: theme.border } },
        axisLabel: { color: theme.muted, fontFamily: theme.font },
        splitLine: { show: false },
        areaSelectStyle: {
          width: 20,
          borderWidth: 1,
          borderColor: theme.brand,
          color: theme.brand,
          opacity: 0.25
        }
      }
    },
    parallelAxis: axes.map((axis, i) => {
      const common = { id: axisKey(i), dim: i, name: axis.label };
      if (axis.kind === 'categorical') {
        return {
          ...common,
          type: 'category',
          data: axis.categories,
          axisLabel: {
            color: theme.muted,
            overflow: 'truncate',
            width: 90
          }
        };
      }
      const [min, max] = displayExtent(axis);
      return {
        ...common,
        type: axis.log ? 'log' : 'value',
        min,
        max,
        scale: true,
        axisLabel: {
          color: theme.muted,
          formatter: (value: number) => formatNumber(value)
        }
      };
    }),
    series: [
      {
        type: 'parallel',
        smooth: false,
        // Many lines draw in chunks, one a frame: a redraw after a brush
        // never holds the page for a long task.
        progressive: 250,
        progressiveThreshold: 500,
        lineStyle: { width: 1, opacity: 0.6 },
        activeOpacity: 0.9,
        inactiveOpacity: 0.06,
        emphasis: { lineStyle: { width: 2, opacity: 1 } },
        data: runs.map((run, r) => ({
          value: axes.map((axis, i) => plotValue(axis, values[r][i])),
          lineStyle: { color: colors[r] ?? theme.faint }
        }))
      }
    ]
  };
}
