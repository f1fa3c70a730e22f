/**
 * One run in full, as the Experiments browser shows it: everything
 * `GET runs/<id>` knows, with links from each value to the cell that logged
 * it and to the checkpoint it was logged at. User text (names, tags, notes,
 * params, paths, sources) is rendered as text by React; notes go through
 * JupyterLab's markdown renderer, untrusted (sanitized), when one is given.
 */
import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { MimeModel } from '@jupyterlab/rendermime';
import React, { useEffect, useMemo, useRef, useState } from 'react';

import { formatBytes, formatDuration, formatNumber } from '../../common/format';
import type { IRunsClient } from '../../rest';
import { formatParam, shortPath } from '../../sidebar/RunView';
import { sparklinePath } from '../../sidebar/sparkline';
import type {
  ICellExecution,
  ICellRef,
  IMetricSeries,
  IMetricSummary,
  IRun,
  IRunImage
} from '../../tokens';
import { columnValue, formatDate } from '../columns';

export interface IRunDetailsProps {
  run: IRun;
  /** Where images and metric series come from. */
  client: { runs: Pick<IRunsClient, 'imageUrl' | 'metricSeries'> };
  /** Renders the notes as markdown; without it they show as plain text. */
  rendermime?: IRenderMimeRegistry | null;
  /** Open a notebook and scroll to one of its cells. */
  onOpenCell: (notebookPath: string, cellId: string) => void;
  /** Open a notebook as it was at a checkpoint. */
  onOpenCheckpoint: (notebookId: string, commit: string) => void;
  /** Open the run's notebook; its path shows as text without it. */
  onOpenNotebook?: (notebookPath: string) => void;
  /** Bring a run back from the trash; no button without it. */
  onRestore?: (runId: string) => void;
  /** Unix seconds a running run's duration is measured to (now by default). */
  now?: number;
}

/** Sparklines fetched for at most this many metrics (one request each). */
export const MAX_SPARKLINES = 50;
/** Points per sparkline: one per pixel of its width. */
const SPARKLINE_POINTS = 80;
/** Images shown before "Show all": each is a request. */
export const IMAGES_SHOWN = 24;
/** Executions listed before "Show all". */
export const EXECUTIONS_SHOWN = 200;

/** Days a run stays in the trash before the server purges it. */
const TRASH_DAYS = 30;

/** The links of a logged value, resolved against its run's notebook. */
interface ILinks {
  cell: ((cellId: string) => void) | null;
  checkpoint: ((commit: string) => void) | null;
}

const Links = React.createContext<ILinks>({ cell: null, checkpoint: null });

export function RunDetails(props: IRunDetailsProps): JSX.Element {
  const { run, onOpenCell, onOpenCheckpoint } = props;
  const links = useMemo<ILinks>(() => {
    const path = run.notebook_path;
    const id = run.notebook_id;
    return {
      cell: path ? cellId => onOpenCell(path, cellId) : null,
      checkpoint: id ? commit => onOpenCheckpoint(id, commit) : null
    };
  }, [run.notebook_path, run.notebook_id, onOpenCell, onOpenCheckpoint]);
  const params = Object.entries(run.params);
  const metrics = Object.entries(run.metrics);
  return (
    <Links.Provider value={links}>
      <div className="jp-ExperimentsDetails" data-run={run.id}>
        {run.deleted !== null && run.deleted !== undefined && (
          <DeletedBanner
            deleted={run.deleted}
            onRestore={props.onRestore && (() => props.onRestore!(run.id))}
          />
        )}
        <Header {...props} />
        <Section title="Notes" count={run.notes ? 1 : 0} emptyText="No notes.">
          <Notes source={run.notes} rendermime={props.rendermime ?? null} />
        </Section>
        <Section title="Parameters" count={params.length}>
          <table className="jp-Experiments-table jp-ExperimentsDetails-params">
            <tbody>
              {params.map(([key, value]) => (
                <tr key={key} data-param={key}>
                  <th scope="row">{key}</th>
                  <td className="jp-Experiments-value">{formatParam(value)}</td>
                  <td className="jp-ExperimentsDetails-links">
                    <CellLinks refs={run.param_cells[key]} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
        <Section title="Metrics" count={metrics.length}>
          <Metrics run={run} client={props.client} />
        </Section>
        <Section title="Images" count={run.images.length}>
          <Images run={run} client={props.client} />
        </Section>
        <Section title="Data" count={run.data.length}>
          <table className="jp-Experiments-table jp-ExperimentsDetails-data">
            <thead>
              <tr>
                <th>Path</th>
                <th>SHA-256</th>
                <th>Size</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {run.data.map(data => (
                <tr key={`${data.path}:${data.sha256}`} data-path={data.path}>
                  <td className="jp-Experiments-path" title={data.path}>
                    {shortPath(data.path)}
                  </td>
                  <td>
                    <code title={data.sha256}>{data.sha256.slice(0, 12)}</code>
                  </td>
                  <td>
                    {formatBytes(data.size)}
                    {data.file_count > 1 ? `, ${data.file_count} files` : ''}
                  </td>
                  <td className="jp-ExperimentsDetails-links">
                    <CellLinks refs={data} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
        <Section title="Executed cells" count={run.executions.length}>
          <Executions executions={run.executions} />
        </Section>
        <Section
          title="Environment"
          count={run.environment ? 1 : 0}
          open={false}
          emptyText="Not captured: it is captured when the kernel attaches."
        >
          {run.environment && <Environment env={run.environment} />}
        </Section>
      </div>
    </Links.Provider>
  );
}

function DeletedBanner(props: {
  deleted: number;
  onRestore?: () => void;
}): JSX.Element {
  const purge = props.deleted + TRASH_DAYS * 24 * 3600;
  return (
    <div className="jp-ExperimentsDetails-deleted" role="alert">
      This run is in the trash since {formatDate(props.deleted)}; it will be
      deleted for good after {formatDate(purge)}.
      {props.onRestore && (
        <button className="jp-mod-styled" onClick={props.onRestore}>
          Restore
        </button>
      )}
    </div>
  );
}

function Header(props: IRunDetailsProps): JSX.Element {
  const { run, onOpenNotebook } = props;
  const tags = Object.keys(run.tags).sort();
  const verdict = columnValue(run, 'verdict');
  const duration = columnValue(run, 'duration', props.now) as number;
  const path = run.notebook_path;
  return (
    <header className="jp-ExperimentsDetails-header">
      <div className="jp-Experiments-runTitle">
        {run.starred && (
          <span className="jp-ExperimentsDetails-star" title="Starred">
            ★
          </span>
        )}
        <h2 className="jp-Experiments-runName">
          {run.name || `Run ${run.id.slice(0, 8)}`}
        </h2>
        <span
          className={`jp-Experiments-status jp-Experiments-status-${run.status}`}
        >
          {run.status}
        </span>
        {run.archived && (
          <span className="jp-ExperimentsDetails-badge">archived</span>
        )}
      </div>
      <dl className="jp-ExperimentsDetails-meta">
        <dt>Kind</dt>
        <dd>{run.kind}</dd>
        {path && (
          <>
            <dt>Notebook</dt>
            <dd>
              {onOpenNotebook ? (
                <button
                  className="jp-Experiments-cellLink jp-ExperimentsDetails-notebook"
                  title={`Open ${path}`}
                  onClick={() => onOpenNotebook(path)}
                >
                  {path}
                </button>
              ) : (
                <span className="jp-Experiments-path">{path}</span>
              )}
            </dd>
          </>
        )}
        <dt>Started</dt>
        <dd>{formatDate(run.start_time)}</dd>
        <dt>Duration</dt>
        <dd>
          {formatDuration(duration)}
          {run.end_time === null ? ' so far' : ''}
        </dd>
        {run.user && (
          <>
            <dt>User</dt>
            <dd>{run.user}</dd>
          </>
        )}
        {run.kernel_name && (
          <>
            <dt>Kernel</dt>
            <dd>{run.kernel_name}</dd>
          </>
        )}
        {verdict !== null && (
          <>
            <dt>Verdict</dt>
            <dd
              className={`jp-Experiments-verdict-${String(verdict).replace(/[^\w-]/g, '')}`}
            >
              {String(verdict)}
            </dd>
          </>
        )}
        <dt>Run ID</dt>
        <dd>
          <code className="jp-ExperimentsDetails-id">{run.id}</code>
        </dd>
      </dl>
      {tags.length > 0 && (
        <div className="jp-Experiments-tags">
          {tags.map(key => (
            <span key={key} className="jp-Experiments-tag" data-tag={key}>
              {run.tags[key] ? `${key}: ${run.tags[key]}` : key}
            </span>
          ))}
        </div>
      )}
    </header>
  );
}

function Section(props: {
  title: string;
  count: number;
  open?: boolean;
  emptyText?: string;
  children: React.ReactNode;
}): JSX.Element {
  return (
    <details
      className="jp-Experiments-section jp-ExperimentsDetails-section"
      open={props.open ?? true}
      data-section={props.title}
    >
      <summary>
        {props.title}
        <span className="jp-Experiments-count">{props.count}</span>
      </summary>
      {props.count === 0 ? (
        <p className="jp-Experiments-dim">
          {props.emptyText ?? 'Nothing logged.'}
        </p>
      ) : (
        props.children
      )}
    </details>
  );
}

/**
 * The notes as markdown through JupyterLab's renderer, untrusted: its
 * sanitizer strips scripts and event handlers. Plain text without one.
 */
function Notes(props: {
  source: string;
  rendermime: IRenderMimeRegistry | null;
}): JSX.Element {
  const { source, rendermime } = props;
  const host = useRef<HTMLDivElement>(null);
  const bundle = { 'text/markdown': source };
  const mimeType = rendermime?.preferredMimeType(bundle, 'ensure');
  useEffect(() => {
    if (!rendermime || !mimeType || !host.current) {
      return;
    }
    const renderer = rendermime.createRenderer(mimeType);
    // Its node only, not Widget.attach: a markdown renderer needs no attach
    // messages, and React removes the host before this effect's cleanup, where
    // detaching an attached widget would throw.
    host.current.appendChild(renderer.node);
    void renderer
      .renderModel(new MimeModel({ data: bundle, trusted: false }))
      .catch(() => {
        // A renderer that fails still shows the text itself.
        if (!renderer.isDisposed) {
          renderer.node.textContent = source;
        }
      });
    return () => {
      renderer.node.remove();
      renderer.dispose();
    };
  }, [source, rendermime, mimeType]);
  return rendermime && mimeType ? (
    <div ref={host} className="jp-ExperimentsDetails-notes" />
  ) : (
    <pre className="jp-ExperimentsDetails-notes jp-ExperimentsDetails-plain">
      {source}
    </pre>
  );
}

/** Links from a value to the cell that logged it and its checkpoint. */
function CellLinks(props: {
  refs: ICellRef | null | undefined;
}): JSX.Element | null {
  const links = React.useContext(Links);
  const cellId = props.refs?.cell_id;
  const checkpoint = props.refs?.checkpoint;
  const openCell = links.cell;
  const openCheckpoint = links.checkpoint;
  return (
    <>
      {cellId && openCell && (
        <button
          className="jp-Experiments-cellLink"
          title={`Logged by cell ${cellId}: show it`}
          onClick={() => openCell(cellId)}
        >
          cell
        </button>
      )}
      {checkpoint && openCheckpoint && (
        <button
          className="jp-Experiments-cellLink jp-Experiments-checkpointLink"
          title={`Open the checkpoint ${checkpoint} this value came from`}
          onClick={() => openCheckpoint(checkpoint)}
        >
          {checkpoint.slice(0, 7)}
        </button>
      )}
    </>
  );
}

function Metrics(props: {
  run: IRun;
  client: IRunDetailsProps['client'];
}): JSX.Element {
  const { run, client } = props;
  const entries = Object.entries(run.metrics);
  const series = useSeries(run, client);
  return (
    <table className="jp-Experiments-table jp-ExperimentsDetails-metrics">
      <thead>
        <tr>
          <th>Metric</th>
          <th>Last</th>
          <th>Min</th>
          <th>Max</th>
          <th>Points</th>
          <th />
          <th />
        </tr>
      </thead>
      <tbody>
        {entries.map(([key, summary]) => (
          <MetricRow
            key={key}
            name={key}
            summary={summary}
            series={series.get(key)}
          />
        ))}
      </tbody>
    </table>
  );
}

/**
 * The series of the first `MAX_SPARKLINES` metrics, fetched again when their
 * count of points changes; a series that cannot be fetched has no sparkline.
 */
function useSeries(
  run: IRun,
  client: IRunDetailsProps['client']
): ReadonlyMap<string, IMetricSeries> {
  const [series, setSeries] = useState<ReadonlyMap<string, IMetricSeries>>(
    new Map()
  );
  const wanted = Object.entries(run.metrics)
    .slice(0, MAX_SPARKLINES)
    .map(([key, summary]) => [key, summary.count] as const);
  const signature = JSON.stringify([run.id, wanted]);
  useEffect(() => {
    let live = true;
    for (const [key] of wanted) {
      client.runs.metricSeries(run.id, key, SPARKLINE_POINTS).then(
        found => {
          if (live) {
            setSeries(previous => new Map(previous).set(key, found));
          }
        },
        () => undefined
      );
    }
    return () => {
      live = false;
    };
  }, [signature, client]);
  return series;
}

function MetricRow(props: {
  name: string;
  summary: IMetricSummary;
  series: IMetricSeries | undefined;
}): JSX.Element {
  const { name, summary, series } = props;
  const path = series ? sparklinePath(series.values, 80, 20) : '';
  const step = (value: number | null) =>
    value === null ? '' : ` at step ${value}`;
  return (
    <tr data-metric={name}>
      <th scope="row">{name}</th>
      <td className="jp-Experiments-value" title={`step ${summary.last_step}`}>
        {formatNumber(summary.last)}
      </td>
      <td className="jp-Experiments-value" title={step(summary.min_step)}>
        {formatNumber(summary.min)}
      </td>
      <td className="jp-Experiments-value" title={step(summary.max_step)}>
        {formatNumber(summary.max)}
      </td>
      <td className="jp-Experiments-value">{summary.count}</td>
      <td>
        <svg
          className="jp-Experiments-sparkline"
          width={80}
          height={20}
          viewBox="0 0 80 20"
          role="img"
          aria-label={`${name} over ${summary.count} points`}
        >
          <path d={path} />
        </svg>
      </td>
      <td className="jp-ExperimentsDetails-links">
        <CellLinks refs={summary} />
      </td>
    </tr>
  );
}

function Images(props: {
  run: IRun;
  client: IRunDetailsProps['client'];
}): JSX.Element {
  const { run, client } = props;
  const [all, setAll] = useState(false);
  const shown = all ? run.images : run.images.slice(0, IMAGES_SHOWN);
  return (
    <>
      <div className="jp-Experiments-images">
        {shown.map(image => (
          <Thumbnail
            key={image.id}
            runId={run.id}
            image={image}
            client={client}
          />
        ))}
      </div>
      {shown.length < run.images.length && (
        <button
          className="jp-mod-styled jp-ExperimentsDetails-showAll"
          onClick={() => setAll(true)}
        >
          Show all {run.images.length} images
        </button>
      )}
    </>
  );
}

function Thumbnail(props: {
  runId: string;
  image: IRunImage;
  client: IRunDetailsProps['client'];
}): JSX.Element {
  const { runId, image, client } = props;
  const [src, setSrc] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let url: string | null = null;
    let live = true;
    client.runs.imageUrl(runId, image.id).then(
      objectUrl => {
        if (live) {
          url = objectUrl;
          setSrc(objectUrl);
        } else {
          URL.revokeObjectURL(objectUrl);
        }
      },
      () => live && setFailed(true)
    );
    return () => {
      live = false;
      if (url) {
        URL.revokeObjectURL(url);
      }
    };
  }, [runId, image.id, client]);
  const size =
    image.width && image.height ? ` · ${image.width}×${image.height}` : '';
  return (
    <figure className="jp-Experiments-image" data-image={image.key}>
      {src ? (
        <img src={src} alt={image.key} loading="lazy" />
      ) : failed ? (
        <div className="jp-Experiments-dim">Could not load the image.</div>
      ) : (
        <div aria-busy="true" />
      )}
      <figcaption>
        {image.key}
        {image.step !== null ? ` · step ${image.step}` : ''}
        {size} <CellLinks refs={image} />
      </figcaption>
    </figure>
  );
}

function Executions(props: { executions: ICellExecution[] }): JSX.Element {
  const { executions } = props;
  const [all, setAll] = useState(false);
  const shown = all ? executions : executions.slice(0, EXECUTIONS_SHOWN);
  return (
    <>
      <table className="jp-Experiments-table jp-ExperimentsDetails-executions">
        <thead>
          <tr>
            <th>#</th>
            <th>Source</th>
            <th>Status</th>
            <th>Started</th>
            <th>Duration</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {shown.map((execution, i) => (
            <tr
              key={i}
              className={`jp-Experiments-execution jp-Experiments-execution-${execution.status.replace(/[^\w-]/g, '')}`}
            >
              <td className="jp-Experiments-value">
                [{execution.execution_count ?? ' '}]
              </td>
              <td>
                <code>{execution.source_head ?? ''}</code>
              </td>
              <td>
                {execution.status}
                {execution.error_name ? ` · ${execution.error_name}` : ''}
              </td>
              <td>
                {execution.started !== null
                  ? formatDate(execution.started)
                  : ''}
              </td>
              <td>
                {execution.duration !== null
                  ? formatDuration(execution.duration)
                  : ''}
              </td>
              <td className="jp-ExperimentsDetails-links">
                <CellLinks refs={execution} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {shown.length < executions.length && (
        <button
          className="jp-mod-styled jp-ExperimentsDetails-showAll"
          onClick={() => setAll(true)}
        >
          Show all {executions.length} executions
        </button>
      )}
    </>
  );
}

/** The environment in full: every field, and the packages with a search. */
function Environment(props: { env: { [key: string]: any } }): JSX.Element {
  const { env } = props;
  const fields = Object.entries(env).filter(([key]) => key !== 'packages');
  const packages =
    env.packages && typeof env.packages === 'object'
      ? Object.entries(env.packages as { [name: string]: unknown })
      : [];
  return (
    <>
      <table className="jp-Experiments-table" data-environment="">
        <tbody>
          {fields.map(([key, value]) => (
            <tr key={key} data-field={key}>
              <th scope="row">{key}</th>
              <td className="jp-Experiments-value">{environmentText(value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {packages.length > 0 && <Packages packages={packages} />}
    </>
  );
}

function Packages(props: { packages: [string, unknown][] }): JSX.Element {
  const { packages } = props;
  const [query, setQuery] = useState('');
  const needle = query.trim().toLowerCase();
  const shown = needle
    ? packages.filter(([name]) => name.toLowerCase().includes(needle))
    : packages;
  return (
    <details className="jp-ExperimentsDetails-packages" open>
      <summary>
        Packages
        <span className="jp-Experiments-count">
          {shown.length === packages.length
            ? packages.length
            : `${shown.length} of ${packages.length}`}
        </span>
      </summary>
      <input
        type="search"
        className="jp-mod-styled jp-ExperimentsDetails-search"
        placeholder="Search packages"
        aria-label="Search packages"
        value={query}
        onChange={event => setQuery(event.target.value)}
      />
      <table className="jp-Experiments-table">
        <tbody>
          {shown.map(([name, version]) => (
            <tr key={name} data-package={name}>
              <th scope="row">{name}</th>
              <td className="jp-Experiments-value">{String(version)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

/** A field of the environment: text as is, booleans in words, the rest as JSON. */
export function environmentText(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'boolean') {
    return value ? 'yes' : 'no';
  }
  if (typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value as object)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => `${k}: ${environmentText(v)}`)
      .join(', ');
  }
  return JSON.stringify(value) ?? String(value);
}
