/**
 * A scatter of the compared runs: any param or metric summary (x) against a
 * metric summary (y), a point per run in its colour, labelled by run; a
 * click opens the run.
 */
import React, { useEffect, useMemo, useRef } from 'react';

import { columnLabel } from '../../browser/columns';
import { formatNumber } from '../../common/format';
import type { IRunSummary } from '../../tokens';
import type { IScatterState } from '../state';
import type { EChartsLib, EChartsOption } from './echarts';
import {
  axisCandidates,
  defaultAxes,
  defaultMetric,
  IScatterData,
  scatterPoints
} from './engine';
import { useECharts, useStableList, useStableRuns } from './hooks';
import { IThemeColors, useTheme } from '../theme';

export interface IScatterChartProps {
  runs: readonly IRunSummary[];
  colors: (runId: string) => string;
  state: IScatterState;
  onChange: (state: IScatterState) => void;
  onOpenRun?: (runId: string) => void;
}

/** Most points labelled on the chart itself; beyond, labels would overlap and only the tooltip names runs. */
export const MAX_LABELLED_POINTS = 30;

export function ScatterChart(props: IScatterChartProps): JSX.Element {
  const { state, onChange } = props;
  const runs = useStableRuns(props.runs);
  const candidates = useMemo(() => axisCandidates(runs), [runs]);
  const data = useMemo(
    () => (state.x && state.y ? scatterPoints(runs, state.x, state.y) : null),
    [runs, state.x, state.y]
  );
  const pointColors = useStableList(
    data ? data.points.map(point => props.colors(point.runId)) : []
  );
  const empty = !state.x
    ? 'Choose a param or metric for x.'
    : !state.y
      ? 'Choose a metric for y.'
      : data && data.points.length === 0
        ? 'No runs have both values.'
        : null;

  const root = useRef<HTMLDivElement>(null);
  const container = useRef<HTMLDivElement>(null);
  const { handle, error } = useECharts(container);
  const theme = useTheme(root);
  const latest = useRef({ props, data });
  latest.current = { props, data };

  // A new view starts with the first param that varies against a metric.
  const defaulted = useRef(false);
  useEffect(() => {
    if (defaulted.current || runs.length === 0) {
      return;
    }
    defaulted.current = true;
    if (state.x === null && state.y === null) {
      const y = defaultMetric(runs);
      const x = defaultAxes(runs, 1, null)[0] ?? null;
      if (x || y) {
        onChange({ x, y });
      }
    }
  }, [runs]);

  useEffect(() => {
    if (!handle) {
      return;
    }
    const { chart } = handle;
    chart.on('click', (event: any) => {
      const runId = event?.data?.runId;
      const { onOpenRun } = latest.current.props;
      if (typeof runId === 'string' && onOpenRun) {
        onOpenRun(runId);
      }
    });
    return () => {
      if (!chart.isDisposed()) {
        chart.off('click');
      }
    };
  }, [handle]);

  useEffect(() => {
    if (!handle || !theme) {
      return;
    }
    const { chart, lib } = handle;
    if (!data || empty || !state.x || !state.y) {
      chart.clear();
      return;
    }
    chart.setOption(
      scatterOption(lib, data, pointColors, state.x, state.y, theme),
      { notMerge: true }
    );
  }, [handle, theme, data, pointColors, empty]);

  return (
    <div className="jp-ExperimentsCompare-scatter" ref={root}>
      <div className="jp-ExperimentsCompare-parallelToolbar">
        <label className="jp-ExperimentsCompare-scatterAxis">
          x{' '}
          <select
            className="jp-mod-styled"
            value={state.x ?? ''}
            onChange={event =>
              onChange({ ...state, x: event.target.value || null })
            }
          >
            <option value="">Choose…</option>
            <Options label="Params" ids={candidates.params} />
            <Options label="Metrics" ids={candidates.metrics} />
            <Missing id={state.x} candidates={candidates} />
          </select>
        </label>
        <label className="jp-ExperimentsCompare-scatterAxis">
          y{' '}
          <select
            className="jp-mod-styled"
            value={state.y ?? ''}
            onChange={event =>
              onChange({ ...state, y: event.target.value || null })
            }
          >
            <option value="">Choose…</option>
            <Options label="Metrics" ids={candidates.metrics} />
            <Missing id={state.y} candidates={candidates} />
          </select>
        </label>
        {data && !empty && (
          <span className="jp-ExperimentsCompare-parallelCount">
            {data.points.length} of {runs.length} runs
          </span>
        )}
      </div>
      <div className="jp-ExperimentsCompare-parallelBody">
        <div
          ref={container}
          className="jp-ExperimentsCompare-scatterChart"
          aria-label="Scatter"
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

function Options(props: { label: string; ids: string[] }): JSX.Element | null {
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

/** The chosen id when no run offers it (a saved view's), so the select still shows it. */
function Missing(props: {
  id: string | null;
  candidates: { params: string[]; metrics: string[] };
}): JSX.Element | null {
  const { id, candidates } = props;
  if (
    !id ||
    candidates.params.includes(id) ||
    candidates.metrics.includes(id)
  ) {
    return null;
  }
  return <option value={id}>{columnLabel(id)}</option>;
}

function scatterOption(
  lib: EChartsLib,
  data: IScatterData,
  colors: string[],
  xId: string,
  yId: string,
  theme: IThemeColors
): EChartsOption {
  const encode = lib.format.encodeHTML;
  const textStyle = {
    color: theme.text,
    fontFamily: theme.font,
    fontSize: theme.fontSize
  };
  const xLabel = columnLabel(xId);
  const yLabel = columnLabel(yId);
  const axisStyle = {
    nameTextStyle: textStyle,
    axisLine: { lineStyle: { color: theme.border } },
    axisTick: { lineStyle: { color: theme.border } },
    splitLine: { lineStyle: { color: theme.grid } }
  };
  const showText = (value: number | string) =>
    typeof value === 'number' ? formatNumber(value) : value;
  return {
    animation: false,
    textStyle,
    grid: { left: 72, right: 40, top: 24, bottom: 56 },
    tooltip: {
      trigger: 'item',
      confine: true,
      backgroundColor: theme.background,
      borderColor: theme.border,
      textStyle,
      // Run names and categories are user text: escaped, as ECharts renders HTML.
      formatter: (params: any) => {
        const point = data.points[params?.dataIndex];
        if (!point) {
          return '';
        }
        return [
          `<b>${encode(point.label)}</b>`,
          `${encode(xLabel)}: ${encode(showText(point.x))}`,
          `${encode(yLabel)}: ${encode(showText(point.y))}`
        ].join('<br/>');
      }
    },
    xAxis: {
      ...axisStyle,
      name: xLabel,
      nameLocation: 'middle',
      nameGap: 28,
      ...(data.xCategories
        ? { type: 'category', data: data.xCategories }
        : { type: data.xLog ? 'log' : 'value', scale: true }),
      axisLabel: {
        color: theme.muted,
        ...(data.xCategories
          ? { overflow: 'truncate', width: 90 }
          : { formatter: (value: number) => formatNumber(value) })
      }
    },
    yAxis: {
      ...axisStyle,
      name: yLabel,
      nameLocation: 'middle',
      nameGap: 48,
      type: data.yLog ? 'log' : 'value',
      scale: true,
      axisLabel: {
        color: theme.muted,
        formatter: (value: number) => formatNumber(value)
      }
    },
    series: [
      {
        type: 'scatter',
        symbolSize: 9,
        emphasis: { scale: 1.5 },
        // Canvas text: a run's name is drawn as it is, never read as markup.
        label: {
          show: data.points.length <= MAX_LABELLED_POINTS,
          position: 'right',
          color: theme.text,
          fontFamily: theme.font,
          formatter: (params: any) =>
            data.points[params?.dataIndex]?.label ?? ''
        },
        labelLayout: { hideOverlap: true },
        data: data.points.map((point, i) => ({
          value: [point.x, point.y],
          runId: point.runId,
          itemStyle: { color: colors[i] }
        }))
      }
    ]
  };
}
