import React, { useState } from 'react';

import { formatDuration } from '../common/format';
import type { ICheckpointInfo } from '../rest';
import { CellChange } from '../tokens';

export interface IHistoryActions {
  open: (checkpoint: ICheckpointInfo) => void;
  restore: (checkpoint: ICheckpointInfo) => void;
  copyId: (checkpoint: ICheckpointInfo) => void;
  /** Cells changed from the previous checkpoint to this one, or from this one to the latest. */
  changes: (
    checkpoint: ICheckpointInfo,
    against: Comparison
  ) => Promise<Map<string, CellChange>>;
  /** Open the diff of this checkpoint with the previous one, the latest, or the notebook now. */
  diff: (checkpoint: ICheckpointInfo, against: Comparison | 'now') => void;
}

export type Comparison = 'previous' | 'latest';

export interface IHistoryViewProps {
  hasNotebook: boolean;
  checkpoints: readonly ICheckpointInfo[];
  total: number;
  loading: boolean;
  error: string | null;
  onMore: () => void;
  actions: IHistoryActions;
}

/** The checkpoint timeline of the active notebook, newest first. */
export function HistoryView(props: IHistoryViewProps): JSX.Element {
  const { hasNotebook, checkpoints, total, loading, error, onMore } = props;
  if (!hasNotebook) {
    return (
      <p className="jp-Experiments-empty">
        Open a notebook to see its history.
      </p>
    );
  }
  return (
    <div
      className="jp-Experiments-history"
      onScroll={event => {
        const el = event.currentTarget;
        if (el.scrollTop + el.clientHeight > el.scrollHeight - 200) {
          onMore();
        }
      }}
    >
      {error && (
        <div className="jp-Experiments-error" role="alert">
          History could not load: {error}
        </div>
      )}
      {checkpoints.length === 0 && !loading && !error ? (
        <p className="jp-Experiments-empty">
          No checkpoints yet. Every cell execution takes one; “Take a
          Checkpoint” does it now.
        </p>
      ) : (
        <>
          <div className="jp-Experiments-dim">
            {total} checkpoint{total === 1 ? '' : 's'}
          </div>
          <ol className="jp-Experiments-timeline">
            {checkpoints.map(checkpoint => (
              <CheckpointRow
                key={checkpoint.commit}
                checkpoint={checkpoint}
                actions={props.actions}
              />
            ))}
          </ol>
          {checkpoints.length < total && (
            <button
              className="jp-Experiments-more jp-mod-styled"
              disabled={loading}
              onClick={onMore}
            >
              {loading ? 'Loading…' : 'Older checkpoints'}
            </button>
          )}
        </>
      )}
    </div>
  );
}

function CheckpointRow(props: {
  checkpoint: ICheckpointInfo;
  actions: IHistoryActions;
}): JSX.Element {
  const { checkpoint, actions } = props;
  const [changes, setChanges] = useState<Map<string, CellChange> | null>(null);
  const [against, setAgainst] = useState<Comparison>('previous');
  const [open, setOpen] = useState(false);
  const compare = (next: Comparison) => {
    setAgainst(next);
    setChanges(null);
    actions
      .changes(checkpoint, next)
      .then(setChanges, () => setChanges(new Map()));
  };
  const toggle = () => {
    setOpen(!open);
    if (!changes) {
      compare(against);
    }
  };
  return (
    <li
      className={`jp-Experiments-checkpoint jp-Experiments-checkpoint-${checkpoint.status ?? 'manual'}`}
      data-commit={checkpoint.commit}
    >
      <button
        className="jp-Experiments-checkpointSummary"
        aria-expanded={open}
        onClick={toggle}
      >
        <span className="jp-Experiments-time">
          {new Date(checkpoint.time * 1000).toLocaleTimeString()}
        </span>{' '}
        <span className="jp-Experiments-message">{checkpoint.message}</span>
      </button>
      <div className="jp-Experiments-dim">
        {checkpoint.status ?? 'on demand'}
        {checkpoint.duration !== null
          ? ` · ${formatDuration(checkpoint.duration)}`
          : ''}
        {checkpoint.run_id ? ` · run ${checkpoint.run_id.slice(0, 8)}` : ''}
      </div>
      {open && (
        <div className="jp-Experiments-checkpointDetails">
          <div className="jp-Experiments-actions">
            <button
              className="jp-mod-styled"
              onClick={() => actions.open(checkpoint)}
            >
              Open
            </button>
            <button
              className="jp-mod-styled"
              onClick={() => actions.restore(checkpoint)}
            >
              Restore as copy
            </button>
            <button
              className="jp-mod-styled"
              title={checkpoint.commit}
              onClick={() => actions.copyId(checkpoint)}
            >
              Copy id
            </button>
          </div>
          <div className="jp-Experiments-actions">
            <button
              className="jp-mod-styled"
              title={
                against === 'previous'
                  ? 'What this checkpoint changed since the previous one, cell by cell'
                  : 'What changed from this checkpoint to the latest, cell by cell'
              }
              disabled={against === 'previous' && !checkpoint.parent}
              onClick={() => actions.diff(checkpoint, against)}
            >
              Show diff
            </button>
            <button
              className="jp-mod-styled"
              title="What changed from this checkpoint to the notebook as it is now"
              onClick={() => actions.diff(checkpoint, 'now')}
            >
              Diff with now
            </button>
          </div>
          <div
            className="jp-Experiments-comparison"
            role="radiogroup"
            aria-label="Compare with"
          >
            {(['previous', 'latest'] as Comparison[]).map(option => (
              <label key={option}>
                <input
                  type="radio"
                  checked={against === option}
                  onChange={() => compare(option)}
                />
                {option === 'previous' ? 'vs previous' : 'vs latest'}
              </label>
            ))}
          </div>
          {changes === null ? (
            <span className="jp-Experiments-dim">Comparing…</span>
          ) : (
            <ChangeList changes={changes} against={against} />
          )}
        </div>
      )}
    </li>
  );
}

function ChangeList({
  changes,
  against
}: {
  changes: Map<string, CellChange>;
  against: Comparison;
}): JSX.Element {
  if (changes.size === 0) {
    return (
      <span className="jp-Experiments-dim">
        {against === 'previous'
          ? 'No cell changed since the previous checkpoint.'
          : 'No cell changed between this checkpoint and the latest.'}
      </span>
    );
  }
  return (
    <ul className="jp-Experiments-changes">
      {[...changes].map(([cell, change]) => (
        <li key={cell} className={`jp-Experiments-change-${change}`}>
          {change}: <code>{cell}</code>
        </li>
      ))}
    </ul>
  );
}
