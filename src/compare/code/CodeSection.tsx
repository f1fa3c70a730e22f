/**
 * The Compare panel's code: a column per run listing the cells it executed,
 * each with its checkpoint, and a control that diffs the notebooks two runs
 * last executed. Sources are shown as text.
 */
import React, { useMemo, useState } from 'react';

import { formatDuration } from '../../common/format';
import type { IRun } from '../../tokens';
import {
  defaultDiffPair,
  diffPlan,
  ICodeExecution,
  IRunCode,
  runCode
} from './engine';
import { runName } from '../labels';

export interface ICodeSectionProps {
  runs: readonly IRun[];
  /** One per run, index-aligned with `runs`. */
  colors: string[];
  onOpenCheckpoint: (commit: string) => void;
  /** Diff the notebook at `fromCommit` with the one at `toCommit`. */
  onDiff: (fromCommit: string, toCommit: string) => void;
}

/** Executions a column lists before "Show all": a long session runs thousands. */
export const EXECUTIONS_SHOWN = 100;

export function CodeSection(props: ICodeSectionProps): JSX.Element {
  const { runs, colors, onOpenCheckpoint } = props;
  const codes = useMemo(() => runs.map(runCode), [runs]);
  const names = useMemo(() => runs.map(runName), [runs]);
  if (runs.length === 0) {
    return (
      <div className="jp-ExperimentsCompare-code">
        <p className="jp-ExperimentsCompare-empty">No runs to compare.</p>
      </div>
    );
  }
  const executed = codes.some(code => code.executions.length > 0);
  return (
    <div className="jp-ExperimentsCompare-code">
      <DiffControl {...props} />
      {!executed && (
        <p className="jp-ExperimentsCompare-empty">
          None of these runs recorded an executed cell.
        </p>
      )}
      {executed && (
        <div className="jp-ExperimentsCompare-codeColumns">
          {codes.map((code, i) => (
            <section
              key={code.runId}
              className="jp-ExperimentsCompare-codeColumn"
              data-run-id={code.runId}
              aria-label={`Cells ${names[i]} executed`}
            >
              <header
                className="jp-ExperimentsCompare-runHeader"
                title={names[i]}
              >
                <span
                  className="jp-ExperimentsCompare-swatch"
                  style={{ background: colors[i] }}
                  aria-hidden="true"
                />
                <span className="jp-ExperimentsCompare-runName">
                  {names[i]}
                </span>
              </header>
              <ExecutionList
                executions={code.executions}
                onOpenCheckpoint={onOpenCheckpoint}
              />
            </section>
          ))}
        </div>
      )}
    </div>
  );
}

function ExecutionList(props: {
  executions: ICodeExecution[];
  onOpenCheckpoint: (commit: string) => void;
}): JSX.Element {
  const { executions, onOpenCheckpoint } = props;
  const [all, setAll] = useState(false);
  if (executions.length === 0) {
    return (
      <p className="jp-ExperimentsCompare-dim">No executed cells recorded.</p>
    );
  }
  const shown = all ? executions : executions.slice(0, EXECUTIONS_SHOWN);
  return (
    <>
      <ol className="jp-ExperimentsCompare-executions">
        {shown.map((execution, i) => {
          const status = execution.status.replace(/[^\w-]/g, '');
          const details = [
            execution.cellId ? `cell ${execution.cellId}` : '',
            execution.duration !== null
              ? formatDuration(execution.duration)
              : '',
            execution.errorName ?? ''
          ]
            .filter(Boolean)
            .join(' · ');
          return (
            <li
              key={i}
              className="jp-ExperimentsCompare-execution"
              data-cell-id={execution.cellId ?? ''}
              data-status={execution.status}
              title={details || undefined}
            >
              <span className="jp-ExperimentsCompare-count">
                [{execution.executionCount ?? ' '}]
              </span>
              <code className="jp-ExperimentsCompare-source">
                {execution.sourceHead || '(empty)'}
              </code>
              <span
                className={`jp-ExperimentsCompare-badge jp-ExperimentsCompare-badge-${status}`}
              >
                {execution.errorName
                  ? `${execution.status} · ${execution.errorName}`
                  : execution.status}
              </span>
              {execution.checkpoint && (
                <button
                  className="jp-ExperimentsCompare-link"
                  title={`Open the notebook at checkpoint ${execution.checkpoint}`}
                  onClick={() => onOpenCheckpoint(execution.checkpoint!)}
                >
                  {execution.checkpoint.slice(0, 7)}
                </button>
              )}
            </li>
          );
        })}
      </ol>
      {shown.length < executions.length && (
        <button
          className="jp-mod-styled jp-ExperimentsCompare-showAll"
          onClick={() => setAll(true)}
        >
          Show all {executions.length} executions
        </button>
      )}
    </>
  );
}

/** One side of the diff: a run, named with whether it has a checkpoint. */
function RunChooser(props: {
  label: 'From' | 'To';
  runs: readonly IRun[];
  names: string[];
  codes: IRunCode[];
  value: string;
  onChange: (runId: string) => void;
}): JSX.Element {
  const { runs, names, codes } = props;
  return (
    <label>
      {props.label}{' '}
      <select
        className="jp-mod-styled"
        aria-label={`Diff ${props.label.toLowerCase()} run`}
        value={props.value}
        onChange={event => props.onChange(event.target.value)}
      >
        {runs.map((run, i) => (
          <option key={run.id} value={run.id}>
            {names[i]}
            {codes[i].lastCheckpoint ? '' : ' (no checkpoint)'}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Two run choosers and the button that diffs their last checkpoints. */
function DiffControl(props: ICodeSectionProps): JSX.Element {
  const { runs, onDiff } = props;
  const codes = useMemo(() => runs.map(runCode), [runs]);
  const names = useMemo(() => runs.map(runName), [runs]);
  const signature = runs.map(run => run.id).join('\n');
  // The choice is by run id: it survives the runs being reordered.
  const [chosen, setChosen] = useState<{
    of: string;
    from: string;
    to: string;
  } | null>(null);
  const fallback = defaultDiffPair(codes);
  let from = -1;
  let to = -1;
  if (chosen && chosen.of === signature) {
    from = runs.findIndex(run => run.id === chosen.from);
    to = runs.findIndex(run => run.id === chosen.to);
  } else if (fallback) {
    [from, to] = fallback;
  }
  const plan = diffPlan(codes, names, from, to);
  const choose = (which: 'from' | 'to', id: string) => {
    const current = {
      from: runs[from]?.id ?? '',
      to: runs[to]?.id ?? ''
    };
    setChosen({ of: signature, ...current, [which]: id });
  };
  const reasonId = `jp-ExperimentsCompare-diffReason-${React.useId().replace(/:/g, '')}`;
  return (
    <div className="jp-ExperimentsCompare-diff">
      <RunChooser
        label="From"
        runs={runs}
        names={names}
        codes={codes}
        value={runs[from]?.id ?? ''}
        onChange={id => choose('from', id)}
      />
      <RunChooser
        label="To"
        runs={runs}
        names={names}
        codes={codes}
        value={runs[to]?.id ?? ''}
        onChange={id => choose('to', id)}
      />
      <button
        className="jp-mod-styled jp-mod-accept jp-ExperimentsCompare-diffButton"
        disabled={!plan.ok}
        aria-describedby={plan.ok ? undefined : reasonId}
        title={
          plan.ok
            ? `Diff checkpoint ${plan.from.slice(0, 7)} with ${plan.to.slice(0, 7)}`
            : plan.reason
        }
        onClick={() => plan.ok && onDiff(plan.from, plan.to)}
      >
        Diff the notebooks
      </button>
      {!plan.ok && (
        <span id={reasonId} className="jp-ExperimentsCompare-reason">
          {plan.reason}
        </span>
      )}
    </div>
  );
}
