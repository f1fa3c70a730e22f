/**
 * Loads ECharts on first use. Only types are imported statically here: the
 * library itself arrives as a lazily loaded chunk, so neither JupyterLab's
 * start-up nor the Compare panel's own chunk pays for it.
 */
import type * as EChartsCore from 'echarts/core';

export type EChartsLib = typeof EChartsCore;
export type EChartsInstance = EChartsCore.ECharts;
export type EChartsOption = EChartsCore.EChartsCoreOption;

let loading: Promise<EChartsLib> | null = null;

/** ECharts with the parallel and scatter charts registered; loaded once. */
export function loadECharts(): Promise<EChartsLib> {
  if (!loading) {
    loading = import(/* webpackChunkName: "echarts" */ './echartsSetup').then(
      module => module.echarts
    );
    // A failed load (offline, a stale bundle) is tried again next time.
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}
