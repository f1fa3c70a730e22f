/**
 * The progress view: for a chosen metric and direction, the best value so
 * far over the runs a filter selects, in the order they started. The chart
 * (uPlot, loaded on first draw) marks each improvement with its run; the
 * list under it names them, with buttons that open each run, for keyboard
 * users and for a chart that could not be drawn.
 */
import React, { useEffect, useMemo, useRef, useState } from 'react';

import { formatDate } from '../../browser/columns';
import { errorMessage, formatNumber } from '../../common/format';
import type { IExperimentsClient } from '../../rest/client';
import type { IRunSummary } from '../../tokens';
import { defaultDirection, Direction, IProgressState } from '../state';
import { useTheme } from '../theme';
import { createProgressChart, IProgressChart } from './chart';
import { bestSoFar, IProgress, metricKey, progressMetrics } from './engine';
import { loadErrorText, loadProgressRuns } from './loader';

export interface IProgressViewProps {
  client: IExperimentsClient;
  state: IProgressState;
  onChange: (state: IProgressState) => void;
  onOpenRun: (runId: string) => void;
  /** More of the view over the same runs, once loaded (parallel coordinates). */
  children?: (runs: IRunSummary[]) => React.ReactNode;
}

type Load =
  | { state: 'loading' }
  | { state: 'error'; message: string }
  | { state: 'ready'; runs: IRunSummary[]; total: number; capped: boolean };

const NO_RUNS: IRunSummary[] = [];

export function ProgressView(props: IProgressViewProps): JSX.Element {
  const { client, state, onChange, onOpenRun } = props;
  const [attempt, setAttempt] = useState(0);
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  useEffect(() => {
    let live = true;
    setLoad({ state: 'loading' });
    loadProgressRuns(client, state.filter, () => live).then(
      found => live && setLoad({ state: 'ready', ...found }),
      reason =>
        live && setLoad({ state: 'error', message: loadErrorText(reason) })
    );
    return () => {
      live = false;
    };
  }, [client, state.filter, attempt]);

  const runs = load.state === 'ready' ? load.runs : NO_RUNS;
  const metrics = useMemo(() => progressMetrics(runs), [runs]);
  const progress = useMemo(
    () =>
      state.metric ? bestSoFar(runs, state.metric, state.direction) : null,
    [runs, state.metric, state.direction]
  );

  return (
    <div
      className="jp-ExperimentsCompare-progress"
      data-metric={state.metric ?? ''}
      data-direction={state.direction}
    >
      <div className="jp-ExperimentsCompare-progressToolbar">
        <FilterBox
          filter={state.filter}
          onApply={filter => onChange({ ...state, filter })}
        />
        <MetricChooser
          metrics={metrics}
          metric={state.metric}
          onChoose={metric =>
            onChange({
              ...state,
              metric,
              direction: defaultDirection(metricKey(metric))
            })
          }
        />
        <DirectionToggle
          direction={state.direction}
          onChange={direction => onChange({ ...state, direction })}
        />
      </div>
      {load.state === 'loading' && (
        <p className="jp-ExperimentsCompare-dim" aria-busy="true">
          Loading runs…
        </p>
      )}
      {load.state === 'error' && (
        <div className="jp-ExperimentsCompare-error" role="alert">
          {load.message}{' '}
          <button
            className="jp-mod-styled"
            onClick={() => setAttempt(n => n + 1)}
          >
            Retry
          </button>
        </div>
      )}
      {load.state === 'ready' && (
        <Body
          runs={load.runs}
          total={load.total}
          capped={load.capped}
          metrics={metrics}
          metric={state.metric}
          progress={progress}
          onOpenRun={onOpenRun}
        />
      )}
      {load.state === 'ready' && props.children?.(load.runs)}
    </div>
  );
}

function Body(props: {
  runs: IRunSummary[];
  total: number;
  capped: boolean;
  metrics: string[];
  metric: string | null;
  progress: IProgress | null;
  onOpenRun: (runId: string) => void;
}): JSX.Element {
  const { runs, metric, progress, onOpenRun } = props;
  const capped = props.capped && (
    <p className="jp-ExperimentsCompare-warning" role="status">
      Showing the first {runs.length.toLocaleString()} of{' '}
      {props.total.toLocaleString()} runs (oldest first): narrow the filter to
      include later runs.
    </p>
  );
  if (runs.length === 0) {
    return (
      <p className="jp-ExperimentsCompare-empty">No run matches this filter.</p>
    );
  }
  if (!metric || !progress) {
    return (
      <>
        {capped}
        <p className="jp-ExperimentsCompare-empty">
          {props.metrics.length
            ? 'Choose a metric to see its best value over time.'
            : 'None of these runs logged a metric.'}
        </p>
      </>
    );
  }
  const { skipped } = progress;
  const left = [
    skipped.missing ? `${skipped.missing} without this metric` : '',
    skipped.nan ? `${skipped.nan} with a NaN value` : '',
    skipped.infinite ? `${skipped.infinite} with an infinite value` : ''
  ].filter(Boolean);
  return (
    <>
      {capped}
      <p className="jp-ExperimentsCompare-progressSummary" role="status">
        {progress.points.length} of {runs.length} runs have a value;{' '}
        {progress.improvements.length}{' '}
        {progress.improvements.length === 1 ? 'improvement' : 'improvements'}
        {progress.best
          ? `, best ${formatNumber(progress.best.value)} by ${progress.best.name}`
          : ''}
        .{left.length ? ` Left out: ${left.join(', ')}.` : ''}
      </p>
      {progress.points.length === 0 ? (
        <p className="jp-ExperimentsCompare-empty">
          No run of this filter has a value of {metric}.
        </p>
      ) : (
        <>
          <Chart progress={progress} metric={metric} onOpenRun={onOpenRun} />
          <Improvements progress={progress} onOpenRun={onOpenRun} />
        </>
      )}
    </>
  );
}

/** The filter, applied on Enter or when the box loses focus. */
function FilterBox(props: {
  filter: string;
  onApply: (filter: string) => void;
}): JSX.Element {
  const { filter, onApply } = props;
  const [draft, setDraft] = useState(filter);
  useEffect(() => setDraft(filter), [filter]);
  const apply = () => {
    if (draft !== filter) {
      onApply(draft);
    }
  };
  return (
    <input
      type="search"
      className="jp-mod-styled jp-ExperimentsCompare-progressFilter"
      aria-label="Filter runs"
      placeholder="Filter runs (every run when empty)"
      value={draft}
      onChange={event => setDraft(event.target.value)}
      onBlur={apply}
      onKeyDown={event => {
        if (event.key === 'Enter') {
          apply();
        } else if (event.key === 'Escape') {
          setDraft(filter);
        }
      }}
    />
  );
}

function MetricChooser(props: {
  metrics: string[];
  metric: string | null;
  onChoose: (metric: string) => void;
}): JSX.Element {
  const { metric, onChoose } = props;
  // A chosen metric the current runs lack stays chosen (and says so below).
  const options =
    metric && !props.metrics.includes(metric)
      ? [metric, ...props.metrics]
      : props.metrics;
  return (
    <select
      className="jp-mod-styled jp-ExperimentsCompare-metricChooser"
      aria-label="Metric"
      value={metric ?? ''}
      onChange={event => event.target.value && onChoose(event.target.value)}
    >
      {!metric && (
        <option value="" disabled>
          Choose a metric…
        </option>
      )}
      {options.map(id => (
        <option key={id} value={id}>
          {id}
        </option>
      ))}
    </select>
  );
}

function DirectionToggle(props: {
  direction: Direction;
  onChange: (direction: Direction) => void;
}): JSX.Element {
  const { direction, onChange } = props;
  const choices: [Direction, string, string][] = [
    ['min', 'Min', 'Lower is better'],
    ['max', 'Max', 'Higher is better']
  ];
  return (
    <div
      className="jp-ExperimentsCompare-direction"
      role="group"
      aria-label="Which way is better"
    >
      {choices.map(([value, label, title]) => (
        <button
          key={value}
          className="jp-ExperimentsCompare-directionButton"
          aria-pressed={direction === value}
          title={title}
          data-direction={value}
          onClick={() => direction !== value && onChange(value)}
        >
          {label}
        </button>
      ))}
    </div>
  );
}

/** The chart, or a message when it cannot be drawn (the list still shows). */
function Chart(props: {
  progress: IProgress;
  metric: string;
  onOpenRun: (runId: string) => void;
}): JSX.Element {
  const { progress, metric } = props;
  const host = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  const theme = useTheme(host);
  // The latest callback without drawing again when only it changes.
  const open = useRef(props.onOpenRun);
  open.current = props.onOpenRun;
  useEffect(() => {
    const node = host.current;
    if (!node || !theme) {
      return;
    }
    let live = true;
    let chart: IProgressChart | null = null;
    let observer: ResizeObserver | null = null;
    setError(null);
    createProgressChart(node, progress, {
      metricLabel: metric,
      onOpenRun: runId => open.current(runId)
    }).then(
      created => {
        if (!live) {
          created.dispose();
          return;
        }
        chart = created;
        if (typeof ResizeObserver !== 'undefined') {
          observer = new ResizeObserver(() => chart?.resize());
          observer.observe(node);
        }
      },
      reason => {
        if (live) {
          setError(errorMessage(reason));
        }
      }
    );
    return () => {
      live = false;
      observer?.disconnect();
      chart?.dispose();
    };
  }, [progress, metric, theme]);
  return (
    <div className="jp-ExperimentsCompare-progressChart">
      <div
        ref={host}
        className="jp-ExperimentsCompare-chartHost"
        role="img"
        aria-label={`Best ${metric} so far over ${progress.points.length} runs; the improvements are listed below.`}
      />
      {error && (
        <p className="jp-ExperimentsCompare-dim" role="status">
          The chart could not be drawn ({error}); the improvements are listed
          below.
        </p>
      )}
    </div>
  );
}

function Improvements(props: {
  progress: IProgress;
  onOpenRun: (runId: string) => void;
}): JSX.Element {
  const { progress, onOpenRun } = props;
  return (
    <ol
      className="jp-ExperimentsCompare-improvements"
      aria-label="Improvements"
    >
      {progress.improvements.map(point => (
        <li
          key={point.runId}
          className="jp-ExperimentsCompare-improvement"
          data-run-id={point.runId}
          data-value={String(point.value)}
          data-time={String(point.time)}
        >
          <button
            className="jp-ExperimentsCompare-link"
            title={`Open run ${point.name}`}
            onClick={() => onOpenRun(point.runId)}
          >
            {point.name}
          </button>
          <span className="jp-ExperimentsCompare-improvementValue">
            {formatNumber(point.value)}
          </span>
          {point.previousBest !== null && (
            <span className="jp-ExperimentsCompare-dim">
              (was {formatNumber(point.previousBest)})
            </span>
          )}
          <time
            className="jp-ExperimentsCompare-dim"
            dateTime={new Date(point.time * 1000).toISOString()}
          >
            {formatDate(point.time)}
          </time>
        </li>
      ))}
    </ol>
  );
}
