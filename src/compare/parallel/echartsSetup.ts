/**
 * ECharts' modular build with only what the Compare panel's charts use.
 * Imported only through `loadECharts` (a dynamic import), so these modules
 * form a chunk of their own that JupyterLab loads when a chart first shows.
 */
import * as echarts from 'echarts/core';
import { ParallelChart, ScatterChart } from 'echarts/charts';
import {
  GridComponent,
  ParallelComponent,
  TooltipComponent
} from 'echarts/components';
import { LabelLayout } from 'echarts/features';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
  ParallelChart,
  ScatterChart,
  GridComponent,
  ParallelComponent,
  TooltipComponent,
  LabelLayout,
  CanvasRenderer
]);

export { echarts };
