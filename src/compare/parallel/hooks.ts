/**
 * What both charts of this folder share: an ECharts instance bound to a
 * container (loaded lazily, resized with it, disposed on unmount) and the
 * colours of the current JupyterLab theme.
 */
import { RefObject, useEffect, useRef, useState } from 'react';

import { errorMessage } from '../../common/format';
import type { IRunSummary } from '../../tokens';
import { EChartsInstance, EChartsLib, loadECharts } from './echarts';

export interface IChartHandle {
  lib: EChartsLib;
  chart: EChartsInstance;
}

/**
 * An ECharts instance in `container` once the library has loaded (null
 * until then, or if it failed: `error` says why).
 */
export function useECharts(container: RefObject<HTMLDivElement>): {
  handle: IChartHandle | null;
  error: string | null;
} {
  const [handle, setHandle] = useState<IChartHandle | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let disposed = false;
    let chart: EChartsInstance | null = null;
    let observer: ResizeObserver | null = null;
    let frame = 0;
    loadECharts().then(
      lib => {
        const node = container.current;
        if (disposed || !node) {
          return;
        }
        chart = lib.init(node, undefined, { renderer: 'canvas' });
        if (typeof ResizeObserver !== 'undefined') {
          observer = new ResizeObserver(() => {
            // One resize per frame, however many observations arrive.
            if (!frame) {
              frame = requestAnimationFrame(() => {
                frame = 0;
                chart?.resize();
              });
            }
          });
          observer.observe(node);
        }
        setHandle({ lib, chart });
      },
      reason => {
        if (!disposed) {
          setError(`Could not load the charts: ${errorMessage(reason)}`);
        }
      }
    );
    return () => {
      disposed = true;
      if (frame) {
        cancelAnimationFrame(frame);
      }
      observer?.disconnect();
      chart?.dispose();
    };
  }, []);
  return { handle, error };
}

/** The theme's colours a canvas chart draws with (a canvas cannot read CSS variables itself). */
export interface IThemeColors {
  text: string;
  muted: string;
  faint: string;
  border: string;
  grid: string;
  brand: string;
  background: string;
  font: string;
  fontSize: number;
}

/** The current theme's colours, as the CSS variables inherited by `node` hold them. */
export function readTheme(node: Element): IThemeColors {
  const style = getComputedStyle(node);
  const read = (name: string, fallback: string) =>
    style.getPropertyValue(name).trim() || fallback;
  return {
    text: read('--jp-ui-font-color1', '#212121'),
    muted: read('--jp-ui-font-color2', '#616161'),
    faint: read('--jp-ui-font-color3', '#9e9e9e'),
    border: read('--jp-border-color1', '#bdbdbd'),
    grid: read('--jp-border-color2', '#e0e0e0'),
    brand: read('--jp-brand-color1', '#1976d2'),
    background: read('--jp-layout-color0', '#ffffff'),
    font: read('--jp-ui-font-family', 'sans-serif'),
    fontSize: parseFloat(read('--jp-ui-font-size1', '13px')) || 13
  };
}

function sameTheme(a: IThemeColors, b: IThemeColors): boolean {
  return (Object.keys(a) as (keyof IThemeColors)[]).every(
    key => a[key] === b[key]
  );
}

/** The theme's colours, read again when JupyterLab switches theme. */
export function useTheme(
  container: RefObject<HTMLElement>
): IThemeColors | null {
  const [theme, setTheme] = useState<IThemeColors | null>(null);
  useEffect(() => {
    const node = container.current;
    if (!node) {
      return;
    }
    let frame = 0;
    const update = () =>
      setTheme(previous => {
        const next = readTheme(node);
        return previous && sameTheme(previous, next) ? previous : next;
      });
    update();
    // The theme's attributes change as its style sheet lands: read a frame later.
    const observer = new MutationObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(update);
    });
    observer.observe(document.body, {
      attributes: true,
      attributeFilter: ['data-jp-theme-name', 'data-jp-theme-light']
    });
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
    };
  }, []);
  return theme;
}

/**
 * `runs` as long as the same runs in the same versions are passed: a parent
 * that rebuilds its list on every render does not make the chart redraw.
 */
export function useStableRuns(runs: IRunSummary[]): IRunSummary[] {
  const kept = useRef<{ key: string; runs: IRunSummary[] } | null>(null);
  const key = runs.map(run => `${run.id}:${run.updated}`).join('\n');
  if (!kept.current || kept.current.key !== key) {
    kept.current = { key, runs };
  }
  return kept.current.runs;
}

/** `values` as long as its items are the same ones, in order. */
export function useStableList<T>(values: T[]): T[] {
  const kept = useRef<T[]>(values);
  const previous = kept.current;
  if (
    previous !== values &&
    (previous.length !== values.length ||
      values.some((value, i) => value !== previous[i]))
  ) {
    kept.current = values;
  }
  return kept.current;
}
