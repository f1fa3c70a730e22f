/**
 * Parallel coordinates and scatter of a Compare panel. The charts load
 * ECharts lazily; the engine is pure and loads nothing.
 */
export * from './engine';
export {
  fromIntervals,
  IParallelChartProps,
  IParallelDrawn,
  PARALLEL_DRAWN_EVENT,
  ParallelChart,
  REALTIME_MAX_CELLS,
  toIntervals
} from './ParallelChart';
export {
  IScatterChartProps,
  MAX_LABELLED_POINTS,
  ScatterChart
} from './ScatterChart';
export { loadECharts } from './echarts';
