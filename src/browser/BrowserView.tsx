/**
 * The Experiments panel's view: a toolbar (filter, grouping, columns, trash,
 * and the slots where the filter box, saved views, share and export plug
 * in), the actions on the selection, the table or what to do when it has
 * nothing to show, and the run details beside it.
 */
import React, { ReactNode, useEffect, useRef, useState } from 'react';

import { useSignalVersion } from '../common/useSignal';
import { MAX_COMPARED } from '../compare/state';
import { columnId, columnLabel } from './columns';
import type { BrowserModel } from './model';
import { canGroupBy, RunsTable } from './table/Table';
import { ColumnChooser } from './table/ColumnChooser';
import { parseTag } from './table/cells';

/** Where the panel's other parts plug in; each is optional. */
export interface IBrowserSlots {
  /** The filter box; without it, a plain text box applied on Enter. */
  filter?: (model: BrowserModel) => ReactNode;
  /** More toolbar items after the built-in ones: saved views, share, export. */
  toolbar?: (model: BrowserModel) => ReactNode;
  /**
   * A run shown in full, beside the table (Enter, or "Open details");
   * without it, opening a run does nothing here (the panel's `opened` signal).
   */
  details?: (
    model: BrowserModel,
    runId: string,
    close: () => void
  ) => ReactNode;
}

export interface IBrowserViewProps {
  model: BrowserModel;
  slots?: IBrowserSlots;
  onOpenNotebook?: (path: string) => void;
  /** Open the selected runs in the Compare panel. */
  onCompare?: (runIds: string[]) => void;
  /** Open the progress view over the runs of this filter. */
  onProgress?: (filter: string) => void;
}

export function BrowserView(props: IBrowserViewProps): JSX.Element {
  const { model, slots = {} } = props;
  const version = useSignalVersion(model.changed);
  const [chooser, setChooser] = useState(false);
  const [details, setDetails] = useState<string | null>(null);

  useEffect(() => {
    const open = (_: BrowserModel, runId: string) => setDetails(runId);
    model.opened.connect(open);
    return () => {
      model.opened.disconnect(open);
    };
  }, [model]);

  return (
    <div className="jp-ExperimentsBrowser-main">
      <div className="jp-ExperimentsBrowser-toolbar" role="toolbar">
        <div className="jp-ExperimentsBrowser-filter">
          {slots.filter ? slots.filter(model) : <PlainFilter model={model} />}
        </div>
        <GroupBySelect model={model} />
        <div className="jp-ExperimentsBrowser-chooserHost">
          <button
            className="jp-ExperimentsBrowser-button"
            aria-expanded={chooser}
            onClick={() => setChooser(!chooser)}
            title="Show, hide and pin columns"
          >
            Columns
          </button>
          {chooser && (
            <ColumnChooser model={model} onClose={() => setChooser(false)} />
          )}
        </div>
        <button
          className={`jp-ExperimentsBrowser-button${model.trash ? ' jp-mod-active' : ''}`}
          aria-pressed={model.trash}
          onClick={() => model.setTrash(!model.trash)}
          title={
            model.trash
              ? 'Back to the runs'
              : 'Runs moved to the trash (restorable for 30 days)'
          }
        >
          {model.trash ? 'Leave the trash' : 'Trash'}
        </button>
        <button
          className="jp-ExperimentsBrowser-button"
          onClick={() => model.reload()}
          title="Fetch the runs again"
        >
          Refresh
        </button>
        {props.onProgress && (
          <button
            className="jp-ExperimentsBrowser-button"
            onClick={() => props.onProgress?.(model.filter)}
            title="The best value so far of a metric over the runs this filter selects"
          >
            Progress
          </button>
        )}
        {slots.toolbar?.(model)}
        <span className="jp-ExperimentsBrowser-count" aria-live="polite">
          {countText(model)}
        </span>
      </div>
      {model.selection.length > 0 && (
        <SelectionBar model={model} onCompare={props.onCompare} />
      )}
      <div className="jp-ExperimentsBrowser-body">
        <div className="jp-ExperimentsBrowser-tableHost">
          <TableOrState
            model={model}
            version={version}
            onOpenNotebook={props.onOpenNotebook}
          />
        </div>
        {details && slots.details && (
          <div className="jp-ExperimentsBrowser-details">
            {slots.details(model, details, () => setDetails(null))}
          </div>
        )}
      </div>
    </div>
  );
}

function countText(model: BrowserModel): string {
  const total = model.total;
  if (total === null) {
    return '';
  }
  const runs = `${total.toLocaleString()} ${total === 1 ? 'run' : 'runs'}${model.trash ? ' in the trash' : ''}`;
  const selected = model.selection.length;
  return selected ? `${runs}, ${selected} selected` : runs;
}

/** The table, or why there is none: loading, an error, nothing to show. */
function TableOrState(props: {
  model: BrowserModel;
  version: number;
  onOpenNotebook?: (path: string) => void;
}): JSX.Element {
  const { model } = props;
  const shown = useRef(false);
  const error = model.loadError;
  if (error) {
    const badQuery = error.status === 400;
    return (
      <div className="jp-ExperimentsBrowser-state jp-mod-error" role="alert">
        <p>
          {badQuery
            ? `The server cannot read this view's filter or order: ${error.message}`
            : `Could not load the runs: ${error.message}`}
        </p>
        <p>
          {badQuery
            ? 'Fix the filter above (the position is shown under it), or clear it.'
            : 'Check that the Jupyter server is running and reachable, then retry.'}
        </p>
        <div>
          {badQuery && model.filter && (
            <button
              className="jp-mod-styled jp-mod-reject"
              onClick={() => model.setFilter('')}
            >
              Clear the filter
            </button>
          )}
          <button
            className="jp-mod-styled jp-mod-accept"
            onClick={() => model.retry()}
          >
            Retry
          </button>
        </div>
      </div>
    );
  }
  const loading = model.status === 'loading';
  if (loading && model.rowCount === 0 && !shown.current) {
    return (
      <div className="jp-ExperimentsBrowser-state" aria-busy="true">
        Loading runs…
      </div>
    );
  }
  if (model.status === 'ready' && model.rowCount === 0) {
    return <EmptyState model={model} />;
  }
  // Once shown, the table stays while a new query loads: its columns, scroll
  // and focus do not flash away.
  shown.current = true;
  return (
    <>
      <RunsTable
        model={model}
        version={props.version}
        onOpenNotebook={props.onOpenNotebook}
      />
      {loading && (
        <div className="jp-ExperimentsBrowser-loading" aria-busy="true">
          Loading runs…
        </div>
      )}
    </>
  );
}

function EmptyState(props: { model: BrowserModel }): JSX.Element {
  const { model } = props;
  if (model.trash) {
    return (
      <div className="jp-ExperimentsBrowser-state">
        <p>The trash is empty.</p>
        <p>Runs moved to the trash stay here for 30 days, then are deleted.</p>
      </div>
    );
  }
  if (model.filter.trim()) {
    return (
      <div className="jp-ExperimentsBrowser-state">
        <p>
          No runs match <code>{model.filter}</code>.
        </p>
        <p>
          Change the filter, or clear it. Archived runs show only when the
          filter names <code>archived</code> (e.g. <code>archived = true</code>
          ).
        </p>
        <button className="jp-mod-styled" onClick={() => model.setFilter('')}>
          Clear the filter
        </button>
      </div>
    );
  }
  return (
    <div className="jp-ExperimentsBrowser-state">
      <p>No runs yet — run a notebook cell and its run appears here.</p>
      <p>
        Every notebook execution is recorded as a run; scripts log runs with{' '}
        <code>import jupyterlab_experiments as jx</code>. Runs update here live
        as they log.
      </p>
    </div>
  );
}

/** A text box for the filter, applied on Enter: the default filter slot. */
function PlainFilter(props: { model: BrowserModel }): JSX.Element {
  const { model } = props;
  const [text, setText] = useState(model.filter);
  useEffect(() => setText(model.filter), [model.filter]);
  return (
    <input
      className="jp-ExperimentsBrowser-plainFilter jp-mod-styled"
      type="search"
      aria-label="Filter runs"
      placeholder="Filter: metrics.acc > 0.9 AND params.lr < 0.01 (Enter)"
      value={text}
      onChange={event => setText(event.target.value)}
      onKeyDown={event => {
        if (event.key === 'Enter') {
          model.setFilter(text);
        } else if (event.key === 'Escape') {
          setText(model.filter);
        }
      }}
    />
  );
}

const GROUP_ATTRIBUTES = ['notebook', 'kind', 'status', 'user', 'verdict'];

function GroupBySelect(props: { model: BrowserModel }): JSX.Element {
  const { model } = props;
  const keys = model.keys;
  const options = [
    ...GROUP_ATTRIBUTES,
    ...keys.params.map(k => columnId('params', k)),
    ...keys.tags.map(k => columnId('tags', k))
  ].filter(canGroupBy);
  const current = model.groupBy;
  if (current && !options.includes(current)) {
    options.push(current);
  }
  return (
    <label className="jp-ExperimentsBrowser-groupBy">
      Group by
      <select
        className="jp-mod-styled"
        value={current ?? ''}
        onChange={event => model.setGroupBy(event.target.value || null)}
      >
        <option value="">(none)</option>
        {options.map(id => (
          <option key={id} value={id}>
            {columnLabel(id)}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Actions on the selected runs: one request each. */
function SelectionBar(props: {
  model: BrowserModel;
  onCompare?: (runIds: string[]) => void;
}): JSX.Element {
  const { model } = props;
  const [mode, setMode] = useState<'tag' | 'untag' | null>(null);
  const [text, setText] = useState('');
  const count = model.selection.length;
  const apply = () => {
    if (mode === 'tag') {
      const tag = parseTag(text);
      if (tag) {
        void model.bulkTag({ [tag.key]: tag.value });
      }
    } else if (mode === 'untag') {
      const keys = text
        .split(',')
        .map(k => k.trim())
        .filter(Boolean);
      if (keys.length) {
        void model.bulkUntag(keys);
      }
    }
    setMode(null);
    setText('');
  };
  return (
    <div
      className="jp-ExperimentsBrowser-selection"
      role="toolbar"
      aria-label="Selected runs"
    >
      <span>
        {count} {count === 1 ? 'run' : 'runs'} selected
      </span>
      {mode ? (
        <>
          <input
            className="jp-mod-styled"
            autoFocus
            aria-label={
              mode === 'tag' ? 'Tag: key or key=value' : 'Tag keys to remove'
            }
            placeholder={mode === 'tag' ? 'key or key=value' : 'key, key…'}
            value={text}
            onChange={event => setText(event.target.value)}
            onKeyDown={event => {
              if (event.key === 'Enter') {
                apply();
              } else if (event.key === 'Escape') {
                setMode(null);
              }
            }}
          />
          <button className="jp-ExperimentsBrowser-button" onClick={apply}>
            {mode === 'tag' ? 'Tag' : 'Remove'}
          </button>
          <button
            className="jp-ExperimentsBrowser-button"
            onClick={() => setMode(null)}
          >
            Cancel
          </button>
        </>
      ) : (
        <>
          {props.onCompare && (
            <button
              className="jp-ExperimentsBrowser-button jp-mod-accept"
              onClick={() => props.onCompare?.([...model.selection])}
              disabled={count < 2 || count > MAX_COMPARED}
              title={
                count < 2
                  ? 'Select at least two runs to compare'
                  : count > MAX_COMPARED
                    ? `Compare at most ${MAX_COMPARED} runs at once`
                    : 'Open the selected runs side by side'
              }
            >
              Compare
            </button>
          )}
          <button
            className="jp-ExperimentsBrowser-button"
            onClick={() => setMode('tag')}
          >
            Tag…
          </button>
          <button
            className="jp-ExperimentsBrowser-button"
            onClick={() => setMode('untag')}
          >
            Untag…
          </button>
          <button
            className="jp-ExperimentsBrowser-button"
            onClick={() => void model.bulkStar(true)}
          >
            Star
          </button>
          <button
            className="jp-ExperimentsBrowser-button"
            onClick={() => void model.bulkArchive(!model.trash)}
            disabled={model.trash}
          >
            Archive
          </button>
          <button
            className="jp-ExperimentsBrowser-button"
            onClick={() => model.clearSelection()}
          >
            Clear selection
          </button>
        </>
      )}
    </div>
  );
}
