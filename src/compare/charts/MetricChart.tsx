/**
 * One metric's chart: every compared run a series in its colour, on a
 * canvas drawn by uPlot (loaded on first use, its own chunk). Drag zooms,
 * double click or "Reset" zooms back; hovering lists every run's value at
 * that x in the chart's own legend, written straight to the DOM so a mouse
 * move never re-renders React.
 */
import React, { useEffect, useRef, useState } from 'react';
import type uPlot from 'uplot';

import { formatDuration, formatNumber } from '../../common/format';
import { lazy } from '../../common/lazy';
import type { IRun } from '../../tokens';
import type { XAxis } from '../state';
import { useTheme } from '../theme';
import { IChartData, valuesAt } from '../series';
import { runLabel } from '../labels';

const loadUPlot = lazy(async () => (await import('uplot')).default);

export const CHART_HEIGHT = 200;

export interface IMetricChartProps {
  metric: string;
  data: IChartData;
  /** The compared runs, whose index `data.series[].run` is. */
  runs: readonly IRun[];
  colors: readonly string[];
  xAxis: XAxis;
  logY: boolean;
  width: number;
  /** Called once the chart is drawn, with the ms since its data was set. */
  onDrawn?: (metric: string, ms: number) => void;
}

export function MetricChart(props: IMetricChartProps): JSX.Element {
  const { data, runs, colors, xAxis, logY, width, metric } = props;
  const host = useRef<HTMLDivElement>(null);
  const legend = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const [error, setError] = useState<string | null>(null);
  const onDrawn = useRef(props.onDrawn);
  onDrawn.current = props.onDrawn;
  const theme = useTheme(host);

  useEffect(() => {
    if (!theme) {
      return;
    }
    let cancelled = false;
    const started = performance.now();
    void loadUPlot().then(
      UPlot => {
        if (cancelled || !host.current) {
          return;
        }
        const rows = buildLegend(legend.current!, data, runs, colors);
        const smoothed = data.series.some(one => one.raw);
        const series: uPlot.Series[] = [{ label: xLabel(xAxis) }];
        const columns: Array<ArrayLike<number | null | undefined>> = [];
        for (const one of data.series) {
          const color = colors[one.run];
          if (one.raw) {
            series.push({
              label: `${runLabel(runs[one.run])} (raw)`,
              stroke: fade(color),
              width: 1,
              points: { show: false }
            });
            columns.push(one.raw);
          }
          series.push({
            label: runLabel(runs[one.run]),
            stroke: color,
            width: smoothed ? 2 : 1.5,
            // uPlot's default: points drawn where they are sparse, so a
            // series of one point (or with gaps around one) still shows.
            points: { size: 5 }
          });
          columns.push(one.values);
        }
        const options: uPlot.Options = {
          width: Math.max(width, 200),
          height: CHART_HEIGHT,
          legend: { show: false },
          cursor: { drag: { x: true, y: false }, points: { size: 6 } },
          scales: {
            x: { time: xAxis === 'wall' },
            y: logY ? { distr: 3 } : {}
          },
          axes: [
            {
              stroke: theme.muted,
              grid: { stroke: theme.grid, width: 1 },
              ticks: { stroke: theme.grid },
              values:
                xAxis === 'relative'
                  ? (_, ticks) => ticks.map(t => formatDuration(t))
                  : undefined
            },
            {
              stroke: theme.muted,
              grid: { stroke: theme.grid, width: 1 },
              ticks: { stroke: theme.grid },
              size: 60,
              values: (_, ticks) => ticks.map(t => formatNumber(t))
            }
          ],
          series,
          hooks: {
            setCursor: [
              u => {
                const index = u.cursor.idx;
                updateLegend(rows, data, index ?? null, xAxis);
              }
            ],
            draw: [
              u => {
                drawClipped(u, data, colors);
                // The first draw of this data: when it is on the canvas.
                const node = host.current;
                if (node && node.dataset.drawn !== 'true') {
                  node.dataset.drawn = 'true';
                  node.dataset.drawnAt = String(performance.now());
                  onDrawn.current?.(metric, performance.now() - started);
                }
              }
            ]
          }
        };
        chart.current?.destroy();
        host.current.dataset.drawn = 'false';
        const instance = new UPlot(
          options,
          [data.xs, ...columns] as uPlot.AlignedData,
          host.current
        );
        chart.current = instance;
      },
      reason => setError(String(reason))
    );
    return () => {
      cancelled = true;
      chart.current?.destroy();
      chart.current = null;
    };
    // The width is applied by the effect below without redrawing from scratch.
  }, [data, runs, colors, xAxis, logY, metric, theme]);

  useEffect(() => {
    chart.current?.setSize({
      width: Math.max(width, 200),
      height: CHART_HEIGHT
    });
  }, [width]);

  const reset = () => {
    const u = chart.current;
    if (u && data.xs.length) {
      u.setScale('x', { min: data.xs[0], max: data.xs[data.xs.length - 1] });
    }
  };

  return (
    <figure className="jp-ExperimentsCompare-chart" data-metric={metric}>
      <figcaption className="jp-ExperimentsCompare-chartTitle">
        <span>{metric}</span>
        {data.clipped.length > 0 && (
          <span
            className="jp-ExperimentsCompare-note"
            title="Infinite values are drawn at the edge of the range, marked with a triangle"
          >
            {data.clipped.length} infinite{' '}
            {data.clipped.length === 1 ? 'value' : 'values'} clipped
          </span>
        )}
        {data.hidden > 0 && (
          <span className="jp-ExperimentsCompare-note">
            {data.hidden} {data.hidden === 1 ? 'value' : 'values'} ≤ 0 not shown
            on the log axis
          </span>
        )}
        <button
          className="jp-ExperimentsBrowser-button"
          onClick={reset}
          title="Show the whole x range again (or double-click the chart)"
        >
          Reset zoom
        </button>
      </figcaption>
      {error ? (
        <div className="jp-ExperimentsCompare-state jp-mod-error" role="alert">
          Could not load the chart library: {error}. Reload the page to retry.
        </div>
      ) : (
        <div className="jp-ExperimentsCompare-plot" ref={host} />
      )}
      <div
        className="jp-ExperimentsCompare-hover"
        ref={legend}
        aria-live="off"
      />
    </figure>
  );
}

interface ILegendRow {
  row: HTMLElement;
  value: HTMLElement;
}

/** The hover legend's rows, one per series, built once per chart. */
function buildLegend(
  node: HTMLElement,
  data: IChartData,
  runs: readonly IRun[],
  colors: readonly string[]
): { x: HTMLElement; rows: ILegendRow[] } {
  node.replaceChildren();
  const x = document.createElement('div');
  x.className = 'jp-ExperimentsCompare-hoverX';
  node.appendChild(x);
  const rows = data.series.map(one => {
    const row = document.createElement('div');
    row.className = 'jp-ExperimentsCompare-hoverRow';
    row.dataset.runId = runs[one.run].id;
    const swatch = document.createElement('span');
    swatch.className = 'jp-ExperimentsCompare-swatch';
    swatch.style.background = colors[one.run];
    const name = document.createElement('span');
    name.className = 'jp-ExperimentsCompare-hoverName';
    // textContent: a run's name is user text.
    name.textContent = runLabel(runs[one.run]);
    const value = document.createElement('span');
    value.className = 'jp-ExperimentsCompare-hoverValue';
    row.append(swatch, name, value);
    node.appendChild(row);
    return { row, value };
  });
  node.hidden = true;
  return { x, rows };
}

function updateLegend(
  legend: { x: HTMLElement; rows: ILegendRow[] },
  data: IChartData,
  index: number | null,
  xAxis: XAxis
): void {
  const node = legend.x.parentElement!;
  if (index === null || index < 0 || index >= data.xs.length) {
    node.hidden = true;
    return;
  }
  node.hidden = false;
  const x = data.xs[index];
  legend.x.textContent =
    xAxis === 'step'
      ? data.binned
        ? `step ≈ ${Math.round(x)}`
        : `step ${x}`
      : xAxis === 'wall'
        ? new Date(x * 1000).toLocaleString()
        : formatDuration(x);
  valuesAt(data, index).forEach((one, i) => {
    const { value, row } = legend.rows[i];
    const shown = one.value;
    value.textContent =
      shown === undefined
        ? '—'
        : shown === null
          ? 'NaN'
          : one.raw !== shown && typeof one.raw === 'number'
            ? `${formatNumber(shown)} (raw ${formatNumber(one.raw)})`
            : formatNumber(shown);
    row.dataset.value =
      shown === undefined || shown === null ? '' : String(one.raw ?? shown);
  });
}

/** Triangles where an infinity was clipped to the edge of the range. */
function drawClipped(
  u: uPlot,
  data: IChartData,
  colors: readonly string[]
): void {
  if (!data.clipped.length) {
    return;
  }
  const ctx = u.ctx;
  ctx.save();
  for (const mark of data.clipped) {
    const one = data.series[mark.series];
    const y = (one.raw ?? one.values)[mark.index];
    if (typeof y !== 'number') {
      continue;
    }
    const cx = u.valToPos(data.xs[mark.index], 'x', true);
    const cy = u.valToPos(y, 'y', true);
    const size = 5 * devicePixelRatio;
    ctx.fillStyle = colors[one.run];
    ctx.beginPath();
    ctx.moveTo(cx, cy - mark.sign * size);
    ctx.lineTo(cx - size, cy + mark.sign * size);
    ctx.lineTo(cx + size, cy + mark.sign * size);
    ctx.closePath();
    ctx.fill();
  }
  ctx.restore();
}

function xLabel(xAxis: XAxis): string {
  return xAxis === 'step' ? 'step' : xAxis === 'wall' ? 'time' : 'since start';
}

/** A colour at a third of its strength: the raw series under a smoothed one. */
function fade(color: string): string {
  return /^#[0-9a-f]{6}$/i.test(color) ? `${color}55` : color;
}
