/**
 * The progress chart, drawn with uPlot: x the runs' start times, y the
 * metric; runs that did not improve as faint points, improving runs as
 * marked points labelled with their names, the best so far as a step line.
 * uPlot is imported when the first chart is drawn, so neither the panel's
 * bundle nor a spec without a canvas loads it.
 */
import type uPlot from 'uplot';

import { formatNumber } from '../../common/format';
import { formatDate } from '../../browser/columns';
import type { IProgress, IProgressPoint } from './engine';

export interface IProgressChart {
  /** Fit the chart to its host's width. */
  resize(): void;
  /** Where a run's point is drawn, in CSS pixels from the plot area's corner. */
  positionOf(runId: string): [number, number] | null;
  dispose(): void;
}

export interface IProgressChartOptions {
  /** The y axis title (the metric id). */
  metricLabel: string;
  onOpenRun: (runId: string) => void;
}

/** Chart height in CSS pixels. */
export const CHART_HEIGHT = 320;
/** How near (CSS pixels) a click must be to an improving point to open its run. */
const HIT_RADIUS = 10;
/** Improvements labelled at most: beyond, labels pile up unreadably. */
const MAX_LABELS = 40;

let loading: Promise<typeof uPlot> | null = null;

function loadUPlot(): Promise<typeof uPlot> {
  if (!loading) {
    loading = import('uplot').then(module => {
      const found = (module as any).default ?? module;
      if (typeof found !== 'function') {
        throw new Error('the chart library did not load');
      }
      return found as typeof uPlot;
    });
    // A failed load may succeed later (a network hiccup): do not keep it.
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}

/** The theme's colours, read from JupyterLab's CSS variables on `host`. */
function themeColors(host: HTMLElement) {
  const style = getComputedStyle(host);
  const read = (name: string, fallback: string) =>
    style.getPropertyValue(name).trim() || fallback;
  return {
    text: read('--jp-ui-font-color1', '#333'),
    axis: read('--jp-ui-font-color2', '#666'),
    faint: read('--jp-ui-font-color3', '#999'),
    grid: read('--jp-border-color2', '#ddd'),
    accent: read('--jp-brand-color1', '#1976d2'),
    background: read('--jp-layout-color1', '#fff'),
    font: read('--jp-ui-font-family', 'sans-serif')
  };
}

/**
 * Draw `progress` into `host` (emptied first). Rejects when uPlot cannot be
 * loaded or drawn (no canvas): the caller shows a message instead.
 */
export async function createProgressChart(
  host: HTMLElement,
  progress: IProgress,
  options: IProgressChartOptions
): Promise<IProgressChart> {
  // uPlot draws paths on a 2D canvas after it returns, where a failure
  // could not be caught: check up front (jsdom, very old browsers).
  if (typeof Path2D === 'undefined') {
    throw new Error('this browser cannot draw on a canvas');
  }
  const UPlot = await loadUPlot();
  const colors = themeColors(host);
  const { points } = progress;
  const xs = points.map(p => p.time);
  const faint = points.map(p => (p.improved ? null : p.value));
  const marked = points.map(p => (p.improved ? p.value : null));
  const line = progress.line.map(p => p.value);
  const labelled = progress.improvements.slice(-MAX_LABELS);
  const width = Math.max(host.clientWidth, 200);

  const drawLabels = (u: uPlot) => {
    const ctx = u.ctx;
    const ratio = window.devicePixelRatio || 1;
    ctx.save();
    ctx.font = `${11 * ratio}px ${colors.font}`;
    ctx.fillStyle = colors.text;
    ctx.textBaseline = 'bottom';
    for (const point of labelled) {
      const x = u.valToPos(point.time, 'x', true);
      const y = u.valToPos(point.value, 'y', true);
      ctx.fillText(point.name, x + 6 * ratio, y - 4 * ratio);
    }
    ctx.restore();
  };

  const opts: uPlot.Options = {
    width,
    height: CHART_HEIGHT,
    legend: { show: false },
    cursor: {
      // Nothing to drag; a click that moved a pixel still opens the run.
      drag: { x: false, y: false, click: () => undefined },
      points: { show: false }
    },
    scales: {
      x: {
        time: true,
        // Room at both ends for the outermost points; an hour around a lone run.
        range: (u, min, max) => {
          const pad = max > min ? (max - min) * 0.03 : 3600;
          return [min - pad, max + pad];
        }
      }
    },
    axes: [
      {
        stroke: colors.axis,
        grid: { stroke: colors.grid, width: 1 },
        ticks: { stroke: colors.grid, width: 1 }
      },
      {
        label: options.metricLabel,
        stroke: colors.axis,
        grid: { stroke: colors.grid, width: 1 },
        ticks: { stroke: colors.grid, width: 1 },
        size: 60
      }
    ],
    series: [
      {},
      {
        label: 'No improvement',
        stroke: colors.faint,
        paths: () => null,
        points: {
          show: true,
          size: 5,
          width: 1,
          stroke: colors.faint,
          fill: colors.background
        }
      },
      {
        label: 'Best so far',
        stroke: colors.accent,
        width: 2,
        paths: UPlot.paths.stepped!({ align: 1 }),
        points: { show: false }
      },
      {
        label: 'Improvement',
        stroke: colors.accent,
        paths: () => null,
        points: {
          show: true,
          size: 9,
          width: 2,
          stroke: colors.accent,
          fill: colors.accent
        }
      }
    ],
    hooks: { draw: [drawLabels] }
  };
  host.textContent = '';
  const chart = new UPlot(opts, [xs, faint, line, marked], host);

  /** The improving point nearest the pointer, within reach. */
  const hit = (event: MouseEvent): IProgressPoint | null => {
    const rect = chart.over.getBoundingClientRect();
    const px = event.clientX - rect.left;
    const py = event.clientY - rect.top;
    let best: IProgressPoint | null = null;
    let bestDistance = HIT_RADIUS;
    for (const point of progress.improvements) {
      const dx = chart.valToPos(point.time, 'x') - px;
      const dy = chart.valToPos(point.value, 'y') - py;
      const distance = Math.hypot(dx, dy);
      if (distance <= bestDistance) {
        best = point;
        bestDistance = distance;
      }
    }
    return best;
  };
  const onClick = (event: MouseEvent) => {
    const point = hit(event);
    if (point) {
      options.onOpenRun(point.runId);
    }
  };
  const onMove = (event: MouseEvent) => {
    const point = hit(event);
    chart.over.style.cursor = point ? 'pointer' : '';
    chart.over.title = point
      ? `${point.name}: ${formatNumber(point.value)} · ${formatDate(point.time)} · click to open`
      : '';
  };
  chart.over.addEventListener('click', onClick);
  chart.over.addEventListener('mousemove', onMove);

  return {
    positionOf: runId => {
      const point = points.find(p => p.runId === runId);
      return point
        ? [chart.valToPos(point.time, 'x'), chart.valToPos(point.value, 'y')]
        : null;
    },
    resize: () => {
      const next = Math.max(host.clientWidth, 200);
      if (next !== chart.width) {
        chart.setSize({ width: next, height: CHART_HEIGHT });
      }
    },
    dispose: () => {
      chart.over.removeEventListener('click', onClick);
      chart.over.removeEventListener('mousemove', onMove);
      chart.destroy();
    }
  };
}
