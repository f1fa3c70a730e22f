import React, { useEffect, useState } from 'react';

import { formatBytes, formatDuration, formatNumber } from '../common/format';
import {
  ICellExecution,
  IMetricSeries,
  IMetricSummary,
  IRun,
  IRunImage,
  LoggingAvailability
} from '../tokens';
import { sparklinePath } from './sparkline';

export interface IRunViewProps {
  run: IRun | null;
  series: ReadonlyMap<string, IMetricSeries>;
  hasNotebook: boolean;
  availability: LoggingAvailability;
  error: string | null;
  /** Scroll the notebook to a cell. */
  onCell: (cellId: string) => void;
  /** Show the checkpoint a value was logged from. */
  onCheckpoint: (commit: string) => void;
  /** A logged image as an object URL (revoked when no longer shown). */
  imageUrl: (runId: string, imageId: string) => Promise<string>;
  /** Open the Experiments browser (every run); no header button without it. */
  onOpenBrowser?: () => void;
}

const INSTALL_COMMAND = '%pip install jupyterlab-experiments';

/** The sidebar's content: the active notebook's run. */
export function RunView(props: IRunViewProps): JSX.Element {
  const { run, hasNotebook, availability, error } = props;
  return (
    <div className="jp-Experiments-run">
      {props.onOpenBrowser && (
        <div className="jp-Experiments-sidebarHeader">
          <span className="jp-Experiments-sidebarTitle">Current run</span>
          <button
            type="button"
            className="jp-mod-styled jp-Experiments-openBrowser"
            title="Open the Experiments browser: every run, to filter, sort, group and tag"
            onClick={props.onOpenBrowser}
          >
            All runs
          </button>
        </div>
      )}
      {error && (
        <div className="jp-Experiments-error" role="alert">
          The experiments server did not answer: {error}
        </div>
      )}
      {availability === 'missing' && (
        <div className="jp-Experiments-warning" role="status">
          <p>
            <code>jupyterlab_experiments</code> is not installed in this
            kernel's environment, so <code>jx.log_*</code> calls cannot run.
            Executions and the <code>parameters</code> cell are still recorded.
            Install it, then restart the kernel:
          </p>
          <pre>{INSTALL_COMMAND}</pre>
        </div>
      )}
      {!hasNotebook ? (
        <EmptyState text="Open a notebook to see its current run." />
      ) : !run ? (
        <EmptyState text="Run a cell to start a run. Every execution is recorded; log values from code with: import jupyterlab_experiments as jx; jx.log_metric('loss', 0.1)" />
      ) : (
        <RunDetails {...props} run={run} />
      )}
    </div>
  );
}

function EmptyState({ text }: { text: string }): JSX.Element {
  return <p className="jp-Experiments-empty">{text}</p>;
}

function RunDetails(props: IRunViewProps & { run: IRun }): JSX.Element {
  const { run, series, onCell, onCheckpoint } = props;
  const params = Object.entries(run.params);
  const metrics = Object.entries(run.metrics);
  const tags = Object.entries(run.tags);
  return (
    <Links.Provider value={{ onCell, onCheckpoint }}>
      <header className="jp-Experiments-runHeader">
        <div className="jp-Experiments-runTitle">
          <span className="jp-Experiments-runName">
            {run.name || `Run ${run.id.slice(0, 8)}`}
          </span>
          <span
            className={`jp-Experiments-status jp-Experiments-status-${run.status}`}
          >
            {run.status}
          </span>
        </div>
        <div className="jp-Experiments-runMeta">
          started {new Date(run.start_time * 1000).toLocaleString()}
          {run.kernel_name ? ` · ${run.kernel_name}` : ''}
        </div>
        {tags.length > 0 && (
          <div className="jp-Experiments-tags">
            {tags.map(([key, value]) => (
              <span key={key} className="jp-Experiments-tag">
                {value ? `${key}: ${value}` : key}
              </span>
            ))}
          </div>
        )}
      </header>

      <Section title="Parameters" count={params.length}>
        <table className="jp-Experiments-table">
          <tbody>
            {params.map(([key, value]) => (
              <tr key={key} data-param={key}>
                <th scope="row">{key}</th>
                <td>{formatParam(value)}</td>
                <td>
                  <CellLink
                    cellId={run.param_cells[key]?.cell_id}
                    checkpoint={run.param_cells[key]?.checkpoint}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>

      <Section title="Metrics" count={metrics.length}>
        <table className="jp-Experiments-table">
          <tbody>
            {metrics.map(([key, summary]) => (
              <MetricRow
                key={key}
                name={key}
                summary={summary}
                series={series.get(key)}
              />
            ))}
          </tbody>
        </table>
      </Section>

      <Section title="Images" count={run.images.length}>
        <div className="jp-Experiments-images">
          {run.images.map(image => (
            <RunImage
              key={image.id}
              runId={run.id}
              image={image}
              imageUrl={props.imageUrl}
            />
          ))}
        </div>
      </Section>

      <Section title="Data" count={run.data.length}>
        <ul className="jp-Experiments-list">
          {run.data.map(data => (
            <li key={`${data.path}:${data.sha256}`} data-path={data.path}>
              <span className="jp-Experiments-path" title={data.path}>
                {shortPath(data.path)}
              </span>{' '}
              <code title={data.sha256}>{data.sha256.slice(0, 12)}</code>{' '}
              <span className="jp-Experiments-dim">
                {formatBytes(data.size)}
                {data.file_count > 1 ? `, ${data.file_count} files` : ''}
              </span>{' '}
              <CellLink cellId={data.cell_id} checkpoint={data.checkpoint} />
            </li>
          ))}
        </ul>
      </Section>

      <Section
        title="Environment"
        count={run.environment ? 1 : 0}
        emptyText="Captured when the kernel attaches."
      >
        {run.environment && <Environment env={run.environment} />}
      </Section>

      <Section title="Executed cells" count={run.executions.length}>
        <ol className="jp-Experiments-executions">
          {run.executions.map((execution, i) => (
            <ExecutionRow key={i} execution={execution} />
          ))}
        </ol>
      </Section>
    </Links.Provider>
  );
}

function Section(props: {
  title: string;
  count: number;
  emptyText?: string;
  children: React.ReactNode;
}): JSX.Element {
  return (
    <details className="jp-Experiments-section" open data-section={props.title}>
      <summary>
        {props.title}
        <span className="jp-Experiments-count">{props.count}</span>
      </summary>
      {props.count === 0 ? (
        <p className="jp-Experiments-dim">
          {props.emptyText ?? 'Nothing logged yet.'}
        </p>
      ) : (
        props.children
      )}
    </details>
  );
}

/** Links from a logged value to the cell and the checkpoint that produced it. */
const Links = React.createContext<{
  onCell: (cellId: string) => void;
  onCheckpoint: (commit: string) => void;
}>({ onCell: () => undefined, onCheckpoint: () => undefined });

function CellLink(props: {
  cellId: string | null | undefined;
  checkpoint?: string | null;
}): JSX.Element | null {
  const { cellId, checkpoint } = props;
  const { onCell, onCheckpoint } = React.useContext(Links);
  return (
    <>
      {cellId && (
        <button
          className="jp-Experiments-cellLink"
          title={`Logged by cell ${cellId}: show it`}
          onClick={() => onCell(cellId)}
        >
          cell
        </button>
      )}
      {checkpoint && (
        <button
          className="jp-Experiments-cellLink jp-Experiments-checkpointLink"
          title={`Logged at checkpoint ${checkpoint}: open it`}
          onClick={() => onCheckpoint(checkpoint)}
        >
          {checkpoint.slice(0, 7)}
        </button>
      )}
    </>
  );
}

function MetricRow(props: {
  name: string;
  summary: IMetricSummary;
  series: IMetricSeries | undefined;
}): JSX.Element {
  const { name, summary, series } = props;
  const path = series ? sparklinePath(series.values, 80, 20) : '';
  return (
    <tr data-metric={name}>
      <th scope="row">{name}</th>
      <td
        className="jp-Experiments-value"
        title={`min ${formatNumber(summary.min)} (step ${summary.min_step ?? '—'}) · max ${formatNumber(summary.max)} (step ${summary.max_step ?? '—'}) · ${summary.count} points`}
      >
        {formatNumber(summary.last)}
      </td>
      <td>
        <svg
          className="jp-Experiments-sparkline"
          width={80}
          height={20}
          viewBox="0 0 80 20"
          role="img"
          aria-label={`${name} over ${summary.count} steps`}
        >
          <path d={path} />
        </svg>
      </td>
      <td>
        <CellLink cellId={summary.cell_id} />
      </td>
    </tr>
  );
}

function RunImage(props: {
  runId: string;
  image: IRunImage;
  imageUrl: IRunViewProps['imageUrl'];
}): JSX.Element {
  const { runId, image, imageUrl } = props;
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let url: string | null = null;
    let live = true;
    imageUrl(runId, image.id).then(
      objectUrl => {
        url = objectUrl;
        if (live) {
          setSrc(objectUrl);
        } else {
          URL.revokeObjectURL(objectUrl);
        }
      },
      () => undefined
    );
    return () => {
      live = false;
      if (url) {
        URL.revokeObjectURL(url);
      }
    };
  }, [runId, image.id, imageUrl]);
  return (
    <figure className="jp-Experiments-image" data-image={image.key}>
      {src ? <img src={src} alt={image.key} /> : <div aria-busy="true" />}
      <figcaption>
        {image.key}
        {image.step !== null ? ` · step ${image.step}` : ''}{' '}
        <CellLink cellId={image.cell_id} checkpoint={image.checkpoint} />
      </figcaption>
    </figure>
  );
}

function Environment({ env }: { env: { [key: string]: any } }): JSX.Element {
  const packages = env.packages ? Object.keys(env.packages).length : 0;
  const git = env.git as
    { commit?: string; branch?: string; dirty?: boolean } | undefined;
  const rows: [string, string][] = [
    [
      'Language',
      [env.language, env.language_version].filter(Boolean).join(' ')
    ],
    ['OS', env.platform ?? env.os ?? ''],
    ['Host', env.hostname ?? ''],
    ['Packages', packages ? String(packages) : ''],
    [
      'Git',
      git?.commit
        ? `${git.branch ?? 'detached'} @ ${git.commit.slice(0, 10)}${git.dirty ? ' (dirty)' : ''}`
        : ''
    ]
  ];
  return (
    <table className="jp-Experiments-table" data-environment="">
      <tbody>
        {rows
          .filter(([, value]) => value)
          .map(([key, value]) => (
            <tr key={key}>
              <th scope="row">{key}</th>
              <td>{value}</td>
            </tr>
          ))}
      </tbody>
    </table>
  );
}

function ExecutionRow(props: { execution: ICellExecution }): JSX.Element {
  const { execution } = props;
  const { onCell } = React.useContext(Links);
  return (
    <li
      className={`jp-Experiments-execution jp-Experiments-execution-${execution.status}`}
    >
      <button
        className="jp-Experiments-cellLink"
        disabled={!execution.cell_id}
        onClick={() => execution.cell_id && onCell(execution.cell_id)}
      >
        [{execution.execution_count ?? ' '}]
      </button>{' '}
      <code>{execution.source_head ?? ''}</code>{' '}
      <span className="jp-Experiments-dim">
        {execution.duration !== null ? formatDuration(execution.duration) : ''}
        {execution.error_name ? ` · ${execution.error_name}` : ''}
      </span>{' '}
      <CellLink cellId={null} checkpoint={execution.checkpoint} />
    </li>
  );
}

export function formatParam(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  return JSON.stringify(value) ?? String(value);
}

/** The last two segments of a path: enough to recognise a data file. */
export function shortPath(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  return parts.length > 2 ? '…/' + parts.slice(-2).join('/') : path;
}
