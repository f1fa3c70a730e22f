/**
 * The Compare panel's view: a toolbar (differences only, x axis, smoothing,
 * log y, link), which compared runs are gone, then the sections — side by
 * side, metric charts, parallel coordinates and scatter, images, code.
 */
import React, { ReactNode, useEffect, useMemo, useRef, useState } from 'react';

import { useSignalVersion } from '../common/useSignal';
import { columnId } from '../browser/columns';
import type { IViewState } from '../browser/viewState';
import type { IRun } from '../tokens';
import { CHART_HEIGHT, MetricChart } from './charts/MetricChart';
import { runLabel } from './labels';
import { runColor } from './colors';
import type { CompareModel } from './model';
import { chartData, IChartData } from './series';
import {
  compareRows,
  differingRows,
  ICompareRow,
  packageChange,
  Section
} from './sideBySide';
import { defaultDirection, Direction, XAxis } from './state';

/** What the panel opens, through the app. */
export interface ICompareActions {
  openRun?: (runId: string) => void;
  openCheckpoint?: (commit: string) => void;
  diffCheckpoints?: (from: string, to: string) => void;
  /** Apply a filter in the Experiments browser. */
  filterBrowser?: (filter: string) => void;
  /** Open a view (a saved one without a comparison) in the browser. */
  openBrowserView?: (state: IViewState) => void;
}

export interface ICompareViewProps {
  model: CompareModel;
  actions?: ICompareActions;
  /** More toolbar items (the share link). */
  toolbar?: ReactNode;
  /** More sections after the charts: parallel coordinates, images, code. */
  sections?: (model: CompareModel, colors: string[]) => ReactNode;
  /** Called when a chart is drawn (benchmarks). */
  onChartDrawn?: (metric: string, ms: number) => void;
}

export function CompareView(props: ICompareViewProps): JSX.Element {
  const { model } = props;
  // Rendered again whenever the model changes.
  useSignalVersion(model.changed);
  const state = model.state;
  const runs = model.runs;
  const colors = useMemo(() => runs.map((_, i) => runColor(i)), [runs]);

  let body: ReactNode;
  if (state.runIds.length < 2) {
    body = (
      <div className="jp-ExperimentsCompare-state">
        <p>Choose at least two runs to compare.</p>
        <p>
          Select runs in the Experiments browser (click, Shift+click,
          Ctrl+click) and press <b>Compare</b>.
        </p>
      </div>
    );
  } else if (model.status === 'error') {
    body = (
      <div className="jp-ExperimentsCompare-state jp-mod-error" role="alert">
        <p>Could not load the runs: {model.error}</p>
        <p>Check that the Jupyter server is running, then retry.</p>
        <button
          className="jp-mod-styled jp-mod-accept"
          onClick={() => void model.load()}
        >
          Retry
        </button>
      </div>
    );
  } else if (model.status === 'loading' && runs.length === 0) {
    body = (
      <div className="jp-ExperimentsCompare-state" aria-busy="true">
        Loading {state.runIds.length} runs…
      </div>
    );
  } else {
    body = (
      <>
        <CompareSection title="Side by side" id="side">
          <SideBySide model={model} colors={colors} />
        </CompareSection>
        <CompareSection title="Metrics" id="charts">
          <Charts model={model} colors={colors} onDrawn={props.onChartDrawn} />
        </CompareSection>
        {props.sections?.(model, colors)}
      </>
    );
  }

  return (
    <div className="jp-ExperimentsCompare-main">
      <div
        className="jp-ExperimentsCompare-toolbar"
        role="toolbar"
        aria-label="Compare"
      >
        <label>
          <input
            type="checkbox"
            checked={state.differencesOnly}
            onChange={event =>
              model.setState({ differencesOnly: event.target.checked })
            }
          />
          Differences only
        </label>
        <label>
          x axis
          <select
            className="jp-mod-styled"
            value={state.xAxis}
            onChange={event =>
              model.setState({ xAxis: event.target.value as XAxis })
            }
          >
            <option value="step">step</option>
            <option value="wall">wall time</option>
            <option value="relative">time since start</option>
          </select>
        </label>
        <label title="Exponential moving average; the raw series stays, faint">
          Smoothing
          <input
            type="range"
            min={0}
            max={0.99}
            step={0.01}
            value={state.smoothing}
            aria-label="Smoothing"
            onChange={event =>
              model.setState({ smoothing: Number(event.target.value) })
            }
          />
          <span className="jp-ExperimentsCompare-smoothingValue">
            {state.smoothing.toFixed(2)}
          </span>
        </label>
        <label>
          <input
            type="checkbox"
            checked={state.logY}
            onChange={event => model.setState({ logY: event.target.checked })}
          />
          Log y
        </label>
        <button
          className="jp-ExperimentsBrowser-button"
          onClick={() => void model.load()}
          title="Fetch the runs again"
        >
          Refresh
        </button>
        {props.toolbar}
        <span className="jp-ExperimentsCompare-count" aria-live="polite">
          {runs.length} {runs.length === 1 ? 'run' : 'runs'}
          {model.status === 'loading' || model.seriesLoading
            ? ' · loading…'
            : ''}
        </span>
      </div>
      {model.gone.length > 0 && (
        <div className="jp-ExperimentsCompare-gone" role="status">
          {model.gone.length === 1 ? 'This run is' : 'These runs are'} gone
          (deleted, or not in this store): {model.gone.join(', ')}
        </div>
      )}
      <div className="jp-ExperimentsCompare-body">{body}</div>
    </div>
  );
}

/**
 * A titled, collapsible section. A `lazy` one mounts its content when it
 * first comes near the screen: the charts on screen are drawn first, and
 * what nobody scrolls to (parallel coordinates, images) costs nothing.
 */
export function CompareSection(props: {
  title: string;
  id: string;
  lazy?: boolean;
  children: ReactNode;
}): JSX.Element {
  const node = useRef<HTMLDetailsElement>(null);
  const [near, setNear] = useState(!props.lazy);
  useEffect(() => {
    if (near || !node.current) {
      return;
    }
    const observer = new IntersectionObserver(
      entries => {
        if (entries.some(entry => entry.isIntersecting)) {
          setNear(true);
        }
      },
      { rootMargin: '200px' }
    );
    observer.observe(node.current);
    return () => observer.disconnect();
  }, [near]);
  return (
    <details
      ref={node}
      className="jp-ExperimentsCompare-section"
      data-section={props.id}
      open
    >
      <summary>
        <h3>{props.title}</h3>
      </summary>
      {near ? (
        props.children
      ) : (
        <div className="jp-ExperimentsCompare-placeholder" />
      )}
    </details>
  );
}

const SECTION_TITLES: { [section in Section]: string } = {
  run: 'Run',
  params: 'Params',
  metrics: 'Metrics',
  tags: 'Tags',
  data: 'Data',
  environment: 'Environment'
};

function SideBySide(props: {
  model: CompareModel;
  colors: string[];
}): JSX.Element {
  const { model, colors } = props;
  const runs = model.runs;
  const directions = model.state.directions;
  const all = useMemo(() => compareRows(runs, directions), [runs, directions]);
  const rows = model.state.differencesOnly ? differingRows(all) : all;
  const hidden = all.length - rows.length;
  const toggle = (metric: string) => {
    const now: Direction = directions[metric] ?? defaultDirection(metric);
    model.setState({
      directions: { ...directions, [metric]: now === 'min' ? 'max' : 'min' }
    });
  };
  const sections: Array<[Section, ICompareRow[]]> = [];
  for (const row of rows) {
    const last = sections[sections.length - 1];
    if (last && last[0] === row.section) {
      last[1].push(row);
    } else {
      sections.push([row.section, [row]]);
    }
  }
  return (
    <div className="jp-ExperimentsCompare-tableHost">
      <table className="jp-ExperimentsCompare-table">
        <thead>
          <tr>
            <th scope="col">field</th>
            {runs.map((run, i) => (
              <th scope="col" key={run.id} data-run-id={run.id}>
                <span
                  className="jp-ExperimentsCompare-swatch"
                  style={{ background: colors[i] }}
                />
                {runLabel(run)}
              </th>
            ))}
          </tr>
        </thead>
        {sections.map(([section, sectionRows]) => (
          <tbody key={section} data-section={section}>
            <tr className="jp-ExperimentsCompare-sectionRow">
              <th colSpan={runs.length + 1} scope="colgroup">
                {SECTION_TITLES[section]}
              </th>
            </tr>
            {sectionRows.map(row => (
              <CompareRow
                key={row.id}
                row={row}
                runs={runs}
                direction={
                  row.metric
                    ? (directions[row.metric] ?? defaultDirection(row.metric))
                    : null
                }
                onToggleDirection={
                  row.metric ? () => toggle(row.metric!) : undefined
                }
              />
            ))}
          </tbody>
        ))}
      </table>
      <p className="jp-ExperimentsCompare-note">
        {model.state.differencesOnly
          ? hidden
            ? `${hidden} ${hidden === 1 ? 'row is' : 'rows are'} the same in every run and hidden.`
            : 'Every row differs.'
          : `${all.filter(r => r.differs).length} of ${all.length} rows differ.`}
      </p>
    </div>
  );
}

function CompareRow(props: {
  row: ICompareRow;
  runs: readonly IRun[];
  direction: Direction | null;
  onToggleDirection?: () => void;
}): JSX.Element {
  const { row, direction } = props;
  const isPackage = row.section === 'environment' && row.id.startsWith('env.');
  return (
    <tr
      className={
        row.differs && row.section !== 'run' ? 'jp-mod-differs' : undefined
      }
      data-row={row.id}
      data-differs={row.differs ? 'true' : 'false'}
    >
      <th scope="row" title={row.id}>
        {row.label}
        {direction &&
          props.onToggleDirection &&
          row.id === columnId('metrics', row.metric!) && (
            <button
              className="jp-ExperimentsCompare-direction"
              onClick={props.onToggleDirection}
              title={`Best is the ${direction === 'min' ? 'lowest' : 'highest'} value; click to switch`}
              aria-label={`Best: ${direction === 'min' ? 'lowest' : 'highest'}`}
            >
              {direction === 'min' ? '↓ best' : '↑ best'}
            </button>
          )}
      </th>
      {row.text.map((text, i) => {
        const best = row.best.includes(i);
        const change =
          isPackage && i > 0
            ? packageChange(row.values[0], row.values[i])
            : null;
        return (
          <td
            key={i}
            className={best ? 'jp-mod-best' : undefined}
            title={best ? 'Best of these runs' : undefined}
            data-change={change && change !== 'same' ? change : undefined}
          >
            {text}
            {change && change !== 'same' && (
              <span className="jp-ExperimentsCompare-change"> ({change})</span>
            )}
          </td>
        );
      })}
    </tr>
  );
}

/** One chart per metric key, every run a series; sized to the panel. */
function Charts(props: {
  model: CompareModel;
  colors: string[];
  onDrawn?: (metric: string, ms: number) => void;
}): JSX.Element {
  const { model, colors } = props;
  const host = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const node = host.current;
    if (!node) {
      return;
    }
    const measure = () => setWidth(node.clientWidth);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(node);
    return () => observer.disconnect();
  }, []);
  const columns = width >= 900 ? 2 : 1;
  const chartWidth = Math.floor((width - (columns - 1) * 12) / columns);
  useEffect(() => {
    if (chartWidth > 0) {
      model.setMaxPoints(chartWidth);
    }
  }, [model, chartWidth]);

  const { state, runs, series } = model;
  const datasets = useMemo(() => {
    const index = new Map(runs.map((run, i) => [run.id, i]));
    const out: Array<[string, IChartData]> = [];
    for (const [key, list] of series) {
      const perRun = runs.map(run => ({
        series: null as any,
        start: run.start_time
      }));
      for (const one of list) {
        const i = index.get(one.run_id);
        if (i !== undefined) {
          perRun[i].series = one;
        }
      }
      out.push([
        key,
        chartData(perRun, {
          xAxis: state.xAxis,
          smoothing: state.smoothing,
          logY: state.logY,
          columns: chartWidth
        })
      ]);
    }
    return out;
  }, [series, runs, state.xAxis, state.smoothing, state.logY, chartWidth]);

  let content: ReactNode;
  if (model.seriesError) {
    content = (
      <div className="jp-ExperimentsCompare-state jp-mod-error" role="alert">
        Could not load the metric series: {model.seriesError}
      </div>
    );
  } else if (!datasets.length) {
    // While the series load, the charts' room is kept: the sections below
    // stay off screen (and unmounted) until the charts are drawn.
    const keys = new Set(runs.flatMap(run => Object.keys(run.metrics ?? {})));
    const rows = Math.ceil(keys.size / columns);
    content = (
      <div
        className="jp-ExperimentsCompare-state"
        style={
          model.seriesLoading ? { minHeight: rows * (CHART_HEIGHT + 40) } : {}
        }
      >
        {model.seriesLoading
          ? 'Loading the series…'
          : 'None of these runs logged a metric series.'}
      </div>
    );
  } else {
    content = (
      <>
        <div className="jp-ExperimentsCompare-legend">
          {runs.map((run, i) => (
            <span key={run.id} className="jp-ExperimentsCompare-legendItem">
              <span
                className="jp-ExperimentsCompare-swatch"
                style={{ background: colors[i] }}
              />
              {runLabel(run)}
            </span>
          ))}
        </div>
        <div
          className="jp-ExperimentsCompare-charts"
          style={{ gridTemplateColumns: `repeat(${columns}, 1fr)` }}
        >
          {chartWidth > 0 &&
            datasets.map(([key, data]) => (
              <MetricChart
                key={key}
                metric={key}
                data={data}
                runs={runs}
                colors={colors}
                xAxis={state.xAxis}
                logY={state.logY}
                width={chartWidth}
                onDrawn={props.onDrawn}
              />
            ))}
        </div>
      </>
    );
  }
  return (
    <div ref={host} className="jp-ExperimentsCompare-chartsHost">
      {content}
    </div>
  );
}
