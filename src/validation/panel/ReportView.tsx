import type { IOutput } from '@jupyterlab/nbformat';
import { OutputArea, OutputAreaModel } from '@jupyterlab/outputarea';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { Widget } from '@lumino/widgets';
import React, { memo, useEffect, useRef, useState } from 'react';

import { formatMs } from '../../common/format';
import type { ValidationExport } from '../../rest';
import { IStaticFinding } from '../staticCheck';
import type { IValidationCell } from '../types';
import {
  cellNumber,
  errorLine,
  formatCellDuration,
  isFinished,
  progressText,
  roleLabel,
  STATUS,
  statusCounts,
  verdictText
} from './format';
import { ValidationModel } from './model';

export interface IReportActions {
  selectCell: (index: number) => void;
  cancel: () => void;
  runAgain: () => void;
  export: (format: ValidationExport) => void;
}

export interface IReportViewProps {
  model: ValidationModel;
  rendermime: IRenderMimeRegistry;
  actions: IReportActions;
}

/** The validation report: header, static check, one row per code cell. */
export function ReportView(props: IReportViewProps): JSX.Element {
  const { model, actions } = props;
  const report = model.report;
  return (
    <div className="jp-Experiments-validation">
      <Header model={model} actions={actions} />
      {model.error && (
        <div className="jp-Experiments-error" role="alert">
          {model.error}
        </div>
      )}
      {report?.message && (
        <div className="jp-Experiments-error" role="alert">
          {report.message}
        </div>
      )}
      {model.warnings.map((warning, i) => (
        <div key={i} className="jp-Experiments-warning" role="status">
          {warning}
        </div>
      ))}
      <StaticFindings
        findings={model.staticFindings}
        selectCell={actions.selectCell}
      />
      {model.phase === 'starting' && !model.error && (
        <p className="jp-Experiments-empty">
          Starting a new {model.kernelName || ''} kernel in the notebook’s
          folder…
        </p>
      )}
      {report && report.cells.length === 0 && model.phase !== 'running' && (
        <p className="jp-Experiments-empty">
          This notebook has no code cells to validate.
        </p>
      )}
      {report && report.cells.length > 0 && (
        <CellRows
          key={model.generation}
          model={model}
          cells={report.cells}
          onSelect={actions.selectCell}
          rendermime={props.rendermime}
        />
      )}
    </div>
  );
}

function Header(props: {
  model: ValidationModel;
  actions: IReportActions;
}): JSX.Element {
  const { model, actions } = props;
  const report = model.report;
  const running = model.isRunning;
  const elapsed = report
    ? (report.durationMs ??
      (report.finishedAt ?? Date.now()) - report.startedAt)
    : null;
  const verdict = report?.verdict ?? null;
  return (
    <div className="jp-Experiments-validationHeader">
      <div
        className={`jp-Experiments-verdict jp-Experiments-verdict-${verdict ?? 'running'}`}
      >
        {report
          ? verdictText(report)
          : model.phase === 'starting'
            ? 'Starting'
            : 'Not validated yet'}
      </div>
      {report && (
        <div className="jp-Experiments-dim jp-Experiments-progress">
          {progressText(report)}
          {elapsed !== null && ` · ${formatMs(Math.max(0, elapsed))}`}
          {statusCounts(report.cells).map(([status, count]) => (
            <span
              key={status}
              className={`jp-Experiments-count jp-Experiments-cellStatus-${status}`}
            >
              {STATUS[status].icon} {count} {STATUS[status].label}
            </span>
          ))}
        </div>
      )}
      <div className="jp-Experiments-actions">
        {running ? (
          <button
            className="jp-mod-styled jp-mod-warn"
            onClick={actions.cancel}
          >
            Cancel
          </button>
        ) : (
          <button
            className="jp-mod-styled jp-mod-accept"
            onClick={actions.runAgain}
          >
            Run again
          </button>
        )}
        {EXPORTS.map(([format, label, title]) => (
          <button
            key={format}
            className="jp-mod-styled"
            disabled={running || !report?.runId}
            title={report?.runId ? title : 'Not recorded'}
            onClick={() => actions.export(format)}
          >
            {label}
          </button>
        ))}
      </div>
    </div>
  );
}

/** The export buttons: format, label, what it downloads. */
const EXPORTS: [ValidationExport, string, string][] = [
  ['json', 'Export JSON', 'The report as JSON'],
  ['junit', 'Export JUnit', 'The report as JUnit XML']
];

function StaticFindings(props: {
  findings: readonly IStaticFinding[];
  selectCell: (index: number) => void;
}): JSX.Element | null {
  const { findings } = props;
  if (findings.length === 0) {
    return null;
  }
  return (
    <details className="jp-Experiments-section jp-Experiments-staticCheck">
      <summary>
        Static check: {findings.length} finding
        {findings.length === 1 ? '' : 's'} about the saved outputs
      </summary>
      <ul className="jp-Experiments-list">
        {findings.map((finding, i) => (
          <li key={i} className={`jp-Experiments-finding-${finding.kind}`}>
            <button
              className="jp-Experiments-cellLink"
              onClick={() => props.selectCell(finding.cellIndex)}
            >
              [{cellNumber(finding.cellIndex)}]
            </button>{' '}
            {finding.message}
          </li>
        ))}
      </ul>
    </details>
  );
}

/** Rows mounted per animation frame when a report appears. */
export const ROWS_PER_FRAME = 100;

/**
 * The rows of one report. A long notebook's rows mount `ROWS_PER_FRAME` at a
 * time, one batch per animation frame, so showing them never blocks a frame.
 * Keyed by the model's generation: a new report mounts afresh.
 */
function CellRows(props: {
  model: ValidationModel;
  cells: readonly IValidationCell[];
  onSelect: (index: number) => void;
  rendermime: IRenderMimeRegistry;
}): JSX.Element {
  const { model, cells } = props;
  const [mounted, setMounted] = useState(ROWS_PER_FRAME);
  useEffect(() => {
    if (mounted >= cells.length) {
      return;
    }
    const frame = requestAnimationFrame(() =>
      setMounted(count => count + ROWS_PER_FRAME)
    );
    return () => cancelAnimationFrame(frame);
  }, [mounted, cells.length]);
  return (
    <ol className="jp-Experiments-validationCells">
      {cells.slice(0, mounted).map(cell => (
        <CellRow
          key={cell.index}
          cell={cell}
          version={model.version(cell.index)}
          expanded={model.isExpanded(cell.index)}
          onToggle={model.toggle}
          onSelect={props.onSelect}
          rendermime={props.rendermime}
        />
      ))}
    </ol>
  );
}

interface ICellRowProps {
  cell: IValidationCell;
  /** Changes whenever the cell (updated in place) does. */
  version: number;
  expanded: boolean;
  /** Stable across renders (as every prop but `version` and `expanded`). */
  onToggle: (index: number) => void;
  onSelect: (index: number) => void;
  rendermime: IRenderMimeRegistry;
}

/** Rows re-render only when their cell's version or expansion changes. */
const CellRow = memo(
  function CellRow(props: ICellRowProps): JSX.Element {
    const { cell, expanded } = props;
    const status = STATUS[cell.status];
    const role = roleLabel(cell);
    const expandable = isFinished(cell.status) && cell.status !== 'not-reached';
    return (
      <li
        className={`jp-Experiments-validationCell jp-Experiments-cellStatus-${cell.status}`}
        data-index={cell.index}
        data-status={cell.status}
      >
        <div className="jp-Experiments-validationRow">
          <button
            className="jp-Experiments-toggle"
            aria-expanded={expanded}
            aria-label={expanded ? 'Hide details' : 'Show details'}
            disabled={!expandable}
            onClick={() => props.onToggle(cell.index)}
          >
            {expanded ? '▾' : '▸'}
          </button>
          <button
            className="jp-Experiments-validationSelect"
            title="Select this cell in the notebook"
            onClick={() => props.onSelect(cell.index)}
          >
            <span className="jp-Experiments-cellIndex">
              [{cellNumber(cell.index)}]
            </span>
            <code className="jp-Experiments-sourceHead">{cell.sourceHead}</code>
            <span className="jp-Experiments-cellState">
              {status.icon} {status.label}
            </span>
            <span className="jp-Experiments-duration">
              {formatCellDuration(cell.durationMs, cell.previousDurationMs)}
            </span>
          </button>
        </div>
        {(cell.error || role) && (
          <div className="jp-Experiments-cellError">
            {cell.error && <code>{errorLine(cell)}</code>}
            {role && (
              <span
                className={`jp-Experiments-role jp-Experiments-role-${cell.role}`}
              >
                {role}
              </span>
            )}
          </div>
        )}
        {expanded && <CellDetails cell={cell} rendermime={props.rendermime} />}
      </li>
    );
  },
  (a, b) =>
    a.version === b.version && a.expanded === b.expanded && a.cell === b.cell
);

function CellDetails(props: {
  cell: IValidationCell;
  rendermime: IRenderMimeRegistry;
}): JSX.Element {
  const { cell, rendermime } = props;
  const sideBySide =
    cell.status === 'output-changed' || cell.status === 'failed';
  return (
    <div className="jp-Experiments-cellDetails">
      {cell.reason && <p>{cell.reason}</p>}
      {cell.rules.length > 0 && (
        <p className="jp-Experiments-dim">
          Rules:{' '}
          {cell.rules.map(rule => (
            <code key={rule}>{rule}</code>
          ))}
        </p>
      )}
      {cell.differences.length > 0 && (
        <ul className="jp-Experiments-differences">
          {cell.differences.map((difference, i) => (
            <li key={i}>
              {difference.kind}
              {difference.mime ? ` (${difference.mime})` : ''}
              {difference.saved !== null && (
                <>
                  {' '}
                  saved <code>{clip(difference.saved)}</code>
                </>
              )}
              {difference.fresh !== null && (
                <>
                  {' '}
                  now <code>{clip(difference.fresh)}</code>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {sideBySide && (
        <div className="jp-Experiments-sideBySide">
          <figure className="jp-Experiments-savedOutputs">
            <figcaption>Saved output</figcaption>
            <Outputs outputs={cell.savedOutputs} rendermime={rendermime} />
          </figure>
          <figure className="jp-Experiments-newOutputs">
            <figcaption>New output</figcaption>
            <Outputs outputs={cell.outputs} rendermime={rendermime} />
          </figure>
        </div>
      )}
    </div>
  );
}

/**
 * Outputs rendered by JupyterLab's output area, untrusted: HTML is sanitized
 * and scripts do not run, as for any untrusted notebook.
 */
function Outputs(props: {
  outputs: IOutput[];
  rendermime: IRenderMimeRegistry;
}): JSX.Element {
  const host = useRef<HTMLDivElement>(null);
  const { outputs, rendermime } = props;
  useEffect(() => {
    if (!host.current) {
      return;
    }
    const model = new OutputAreaModel({ values: outputs, trusted: false });
    const area = new OutputArea({ model, rendermime });
    Widget.attach(area, host.current);
    return () => {
      area.dispose();
      model.dispose();
    };
  }, [outputs, rendermime]);
  return outputs.length === 0 ? (
    <span className="jp-Experiments-dim">No output</span>
  ) : (
    <div ref={host} className="jp-Experiments-outputs" />
  );
}

function clip(text: string, max = 200): string {
  return text.length > max ? text.slice(0, max) + '…' : text;
}
