/**
 * What one cell of the table shows: a run's value in a column (with the
 * star, name, notebook and tags editable in place) or a group's aggregate.
 * Cells are plain elements: thousands are drawn as the table scrolls.
 */
import React, { useEffect, useRef, useState } from 'react';

import type { IAggregate, IRunGroup } from '../../rest';
import type { IRunSummary } from '../../tokens';
import {
  columnHeader,
  columnLabel,
  columnValue,
  formatCell,
  parseColumnId
} from '../columns';
import type { BrowserModel } from '../model';
import { formatNumber } from '../../common/format';

/** What cells call back into. */
export interface ICellContext {
  model: BrowserModel;
  /** The cell being edited (`<runId> <columnId>`), if any. */
  editing: string | null;
  setEditing: (key: string | null) => void;
  onOpenNotebook?: (path: string) => void;
  /** Unix seconds that running runs' durations run to. */
  now: number;
}

export const editKey = (runId: string, columnId: string): string =>
  `${runId} ${columnId}`;

/** A run's cell. */
export function RunCell(props: {
  run: IRunSummary;
  column: string;
  numeric: boolean;
  gone: boolean;
  ctx: ICellContext;
}): JSX.Element {
  const { run, column, ctx } = props;
  const editable = !props.gone && run.deleted === null;
  switch (column) {
    case 'starred':
      return (
        <button
          className={`jp-ExperimentsTable-star${run.starred ? ' jp-mod-starred' : ''}`}
          title={run.starred ? 'Unstar' : 'Star'}
          aria-pressed={run.starred}
          disabled={!editable}
          onClick={event => {
            event.stopPropagation();
            void ctx.model.setStarred(run.id, !run.starred);
          }}
        >
          {run.starred ? '★' : '☆'}
        </button>
      );
    case 'name':
      return <NameCell run={run} gone={props.gone} ctx={ctx} />;
    case 'notebook':
      return run.notebook_path && ctx.onOpenNotebook ? (
        <a
          className="jp-ExperimentsTable-link"
          href="#"
          title={`Open ${run.notebook_path}`}
          onClick={event => {
            event.preventDefault();
            event.stopPropagation();
            ctx.onOpenNotebook!(run.notebook_path!);
          }}
        >
          {run.notebook_path}
        </a>
      ) : (
        <>{run.notebook_path ?? ''}</>
      );
    case 'status':
      return (
        <span
          className={`jp-ExperimentsTable-status jp-mod-${run.status}`}
          title={run.status}
        >
          {run.status}
        </span>
      );
    case 'tags':
      return <TagsCell run={run} editable={editable} ctx={ctx} />;
    default: {
      // Bare text: thousands of cells are drawn as the table scrolls, and
      // the table sets a tooltip only on a truncated cell under the mouse.
      return <>{formatCell(columnValue(run, column, ctx.now), column)}</>;
    }
  }
}

function NameCell(props: {
  run: IRunSummary;
  gone: boolean;
  ctx: ICellContext;
}): JSX.Element {
  const { run, ctx } = props;
  const key = editKey(run.id, 'name');
  const label = run.name || run.id.slice(0, 8);
  if (ctx.editing === key) {
    return (
      <InlineInput
        initial={run.name ?? ''}
        label="Run name"
        onDone={value => {
          ctx.setEditing(null);
          if (value !== null && value !== (run.name ?? '')) {
            void ctx.model.rename(run.id, value);
          }
        }}
      />
    );
  }
  const state = props.gone
    ? 'deleted'
    : run.deleted !== null
      ? 'in the trash'
      : run.archived
        ? 'archived'
        : null;
  return (
    <span
      className="jp-ExperimentsTable-name"
      title={`${run.name ?? ''} (${run.id}): double-click to rename, Enter to open`}
      onDoubleClick={event => {
        event.stopPropagation();
        if (!props.gone && run.deleted === null) {
          ctx.setEditing(key);
        }
      }}
    >
      <span className={run.name ? '' : 'jp-ExperimentsTable-dim'}>{label}</span>
      {state && <span className="jp-ExperimentsTable-state">{state}</span>}
    </span>
  );
}

function TagsCell(props: {
  run: IRunSummary;
  editable: boolean;
  ctx: ICellContext;
}): JSX.Element {
  const { run, ctx } = props;
  const key = editKey(run.id, 'tags');
  return (
    <span className="jp-ExperimentsTable-tags">
      {Object.keys(run.tags)
        .sort()
        .map((tag, i) => (
          <span
            // By place, not by tag: a row scrolled in takes over the chips
            // of the row scrolled out (chips hold no state of their own).
            key={i}
            className="jp-ExperimentsTable-chip"
            title={run.tags[tag] ? `${tag}=${run.tags[tag]}` : tag}
          >
            {run.tags[tag] ? `${tag}=${run.tags[tag]}` : tag}
            {props.editable && (
              <button
                aria-label={`Remove tag ${tag}`}
                title={`Remove tag ${tag}`}
                onClick={event => {
                  event.stopPropagation();
                  void ctx.model.removeTag(run.id, tag);
                }}
              >
                ×
              </button>
            )}
          </span>
        ))}
      {props.editable &&
        (ctx.editing === key ? (
          <InlineInput
            initial=""
            label="New tag: key or key=value"
            onDone={value => {
              ctx.setEditing(null);
              const tag = value === null ? null : parseTag(value);
              if (tag) {
                void ctx.model.addTag(run.id, tag.key, tag.value);
              }
            }}
          />
        ) : (
          <button
            className="jp-ExperimentsTable-addTag"
            title="Add a tag"
            aria-label="Add a tag"
            onClick={event => {
              event.stopPropagation();
              ctx.setEditing(key);
            }}
          >
            +
          </button>
        ))}
    </span>
  );
}

/** `key` or `key=value` as typed in a tag box; null when empty. */
export function parseTag(text: string): { key: string; value: string } | null {
  const at = text.indexOf('=');
  const key = (at < 0 ? text : text.slice(0, at)).trim();
  if (!key) {
    return null;
  }
  return { key, value: at < 0 ? '' : text.slice(at + 1).trim() };
}

/** A text box in a cell: Enter keeps, Escape or leaving cancels. */
export function InlineInput(props: {
  initial: string;
  label: string;
  onDone: (value: string | null) => void;
}): JSX.Element {
  const [value, setValue] = useState(props.initial);
  const input = useRef<HTMLInputElement>(null);
  const done = useRef(false);
  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);
  const finish = (result: string | null) => {
    if (!done.current) {
      done.current = true;
      props.onDone(result);
    }
  };
  return (
    <input
      ref={input}
      className="jp-ExperimentsTable-input"
      aria-label={props.label}
      placeholder={props.label}
      value={value}
      onChange={event => setValue(event.target.value)}
      onClick={event => event.stopPropagation()}
      onKeyDown={event => {
        event.stopPropagation();
        if (event.key === 'Enter') {
          finish(value);
        } else if (event.key === 'Escape') {
          finish(null);
        }
      }}
      onBlur={() => finish(null)}
    />
  );
}

/** `0.91 ± 0.02`, with min, max and count in its tooltip. */
export function aggregateText(aggregate: IAggregate | undefined): {
  text: string;
  title: string;
} {
  if (!aggregate || aggregate.count === 0 || aggregate.mean === null) {
    return { text: '', title: '' };
  }
  const std =
    aggregate.std !== null && aggregate.count > 1
      ? ` ± ${formatNumber(aggregate.std)}`
      : '';
  return {
    text: `${formatNumber(aggregate.mean)}${std}`,
    title: `mean ${formatNumber(aggregate.mean)}${std}\nmin ${formatNumber(aggregate.min)}, max ${formatNumber(aggregate.max)}, ${aggregate.count} runs`
  };
}

/** The text of a group's value: `(none)` for runs without one. */
export function groupValueText(groupBy: string, value: unknown): string {
  if (value === null || value === undefined) {
    return '(none)';
  }
  return formatCell(value, groupBy) || String(value);
}

/** The first cell of a group row: open or close, value and count. */
export function GroupLabel(props: {
  groupBy: string;
  group: IRunGroup;
  expanded: boolean;
  onToggle: () => void;
}): JSX.Element {
  return (
    <button
      className="jp-ExperimentsTable-groupToggle"
      aria-expanded={props.expanded}
      onClick={event => {
        event.stopPropagation();
        props.onToggle();
      }}
    >
      <span className="jp-ExperimentsTable-caret">
        {props.expanded ? '▾' : '▸'}
      </span>
      <span className="jp-ExperimentsTable-groupBy">
        {columnLabel(props.groupBy)} ={' '}
      </span>
      <strong>{groupValueText(props.groupBy, props.group.value)}</strong>
      <span className="jp-ExperimentsTable-count">
        {props.group.count} {props.group.count === 1 ? 'run' : 'runs'}
      </span>
    </button>
  );
}

/** A header's text: a group (params, metrics…) in small type, then the key. */
export function HeaderText(props: { id: string }): JSX.Element {
  const { group, text } = columnHeader(props.id);
  return (
    <span className="jp-ExperimentsTable-headerText" title={props.id}>
      {group && (
        <span className="jp-ExperimentsTable-headerGroup">{group}</span>
      )}
      {props.id === 'starred' ? '★' : text}
    </span>
  );
}

/** Default widths by the kind of column, before a user resizes one. */
export function defaultWidth(id: string): number {
  switch (id) {
    case 'starred':
      return 36;
    case 'name':
      return 200;
    case 'notebook':
      return 180;
    case 'tags':
      return 200;
    case 'started':
    case 'ended':
      return 150;
    case 'id':
      return 280;
    default:
      return parseColumnId(id)?.kind === 'attribute' ? 100 : 120;
  }
}
