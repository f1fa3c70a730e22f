/**
 * The column chooser: every column the store's keys give (hundreds), found
 * by a search box; a box to show or hide each, a pin, and a metric's other
 * summaries (min, max, count) to add beside it.
 */
import React, { useEffect, useMemo, useRef, useState } from 'react';

import {
  METRIC_SUMMARIES,
  columnId,
  columnLabel,
  parseColumnId
} from '../columns';
import type { BrowserModel } from '../model';

/** Matches drawn at once: a search narrows the rest. */
export const CHOOSER_LIMIT = 200;

/** Columns whose label or id holds every word of the search. */
export function matchColumns(ids: readonly string[], search: string): string[] {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  return ids.filter(id => {
    const text = `${columnLabel(id)} ${id}`.toLowerCase();
    return words.every(w => text.includes(w));
  });
}

export function ColumnChooser(props: {
  model: BrowserModel;
  onClose: () => void;
}): JSX.Element {
  const { model } = props;
  const [search, setSearch] = useState('');
  const node = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const columns = model.columns;
  const matches = useMemo(
    () =>
      matchColumns(
        columns.map(c => c.id),
        search
      ),
    [columns, search]
  );
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;
  useEffect(() => {
    // Without preventScroll the panel itself would scroll to show the box.
    input.current?.focus({ preventScroll: true });
    const outside = (event: MouseEvent) => {
      if (!node.current?.contains(event.target as Node)) {
        onClose.current();
      }
    };
    document.addEventListener('mousedown', outside, true);
    return () => document.removeEventListener('mousedown', outside, true);
  }, []);
  const byId = new Map(columns.map(c => [c.id, c]));
  const shown = matches.slice(0, CHOOSER_LIMIT);
  const visibleCount = columns.filter(c => !c.hidden).length;

  const setAll = (hidden: boolean) => {
    for (const id of matches) {
      if (Boolean(byId.get(id)?.hidden) !== hidden) {
        model.setColumnHidden(id, hidden);
      }
    }
  };

  return (
    <div
      ref={node}
      className="jp-ExperimentsChooser"
      role="dialog"
      aria-label="Columns"
      onKeyDown={event => {
        if (event.key === 'Escape') {
          props.onClose();
        }
      }}
    >
      <input
        ref={input}
        className="jp-ExperimentsChooser-search jp-mod-styled"
        type="search"
        placeholder={`Search ${columns.length} columns…`}
        aria-label="Search columns"
        value={search}
        onChange={event => setSearch(event.target.value)}
      />
      <div className="jp-ExperimentsChooser-summary">
        <span>
          {visibleCount} of {columns.length} shown
          {search ? `, ${matches.length} match` : ''}
        </span>
        <button
          className="jp-ExperimentsChooser-all"
          onClick={() => setAll(false)}
        >
          Show {search ? 'matches' : 'all'}
        </button>
        <button
          className="jp-ExperimentsChooser-all"
          onClick={() => setAll(true)}
        >
          Hide {search ? 'matches' : 'all'}
        </button>
      </div>
      <ul className="jp-ExperimentsChooser-list">
        {shown.map(id => {
          const column = byId.get(id)!;
          const ref = parseColumnId(id);
          return (
            <li key={id} className="jp-ExperimentsChooser-item">
              <label title={id}>
                <input
                  type="checkbox"
                  checked={!column.hidden}
                  onChange={event =>
                    model.setColumnHidden(id, !event.target.checked)
                  }
                />
                <span>{columnLabel(id)}</span>
              </label>
              {ref?.kind === 'metrics' && ref.summary === 'last' && (
                <span className="jp-ExperimentsChooser-summaries">
                  {METRIC_SUMMARIES.filter(s => s !== 'last').map(summary => {
                    const variant = columnId('metrics', ref.key, summary);
                    const on = byId.has(variant) && !byId.get(variant)!.hidden;
                    return (
                      <button
                        key={summary}
                        className={on ? 'jp-mod-active' : ''}
                        aria-pressed={on}
                        title={`${on ? 'Hide' : 'Show'} ${columnLabel(variant)}`}
                        onClick={() =>
                          on
                            ? model.setColumnHidden(variant, true)
                            : model.addColumn(variant, id)
                        }
                      >
                        {summary}
                      </button>
                    );
                  })}
                </span>
              )}
              <button
                className={`jp-ExperimentsChooser-pin${column.pinned ? ' jp-mod-active' : ''}`}
                aria-pressed={Boolean(column.pinned)}
                title={column.pinned ? 'Unpin' : 'Pin to the left'}
                onClick={() => model.setColumnPinned(id, !column.pinned)}
              >
                pin
              </button>
            </li>
          );
        })}
      </ul>
      {matches.length > shown.length && (
        <div className="jp-ExperimentsChooser-more">
          {matches.length - shown.length} more: narrow the search to see them.
        </div>
      )}
      {matches.length === 0 && (
        <div className="jp-ExperimentsChooser-more">No column matches.</div>
      )}
    </div>
  );
}
