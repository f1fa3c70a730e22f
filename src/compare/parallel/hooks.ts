/**
 * What both charts of this folder share: an ECharts instance bound to a
 * container (loaded lazily, resized with it, disposed on unmount).
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

/**
 * `runs` as long as the same runs in the same versions are passed: a parent
 * that rebuilds its list on every render does not make the chart redraw.
 */
export function useStableRuns(
  runs: readonly IRunSummary[]
): readonly IRunSummary[] {
  const kept = useRef<{ key: string; runs: readonly IRunSummary[] } | null>(
    null
  );
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
