/**
 * The notebook diff view: a toolbar (layout, what differences show, previous
 * and next change, export), the summary line, then the cells in the new
 * notebook's order, each changed one a row, each run of unchanged ones
 * folded into one. Rows are virtualized with measured heights: a 500-cell
 * diff mounts, and builds editors for, only the rows near the screen.
 */
import type { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import type * as nbformat from '@jupyterlab/nbformat';
import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { useVirtualizer } from '@tanstack/react-virtual';
import React, {
  memo,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState
} from 'react';

import { errorMessage } from '../common/format';
import { useDismiss } from '../common/useDismiss';
import type { ICellDiff, IDiffSummary, INotebookDiff } from '../diff/types';
import {
  badgeText,
  buildRows,
  cellTypeText,
  changeCount,
  DEFAULT_TOGGLES,
  describeEntries,
  DiffLayout,
  DiffRow,
  effectiveKind,
  executionCountText,
  ICellRow,
  ICollapsedRow,
  IDiffToggles,
  IMetadataRow,
  jsonText,
  positionText,
  range,
  sourceText,
  stepChange,
  summaryText,
  typeChanged,
  unchangedRunAround,
  visibleOutputs
} from './model';
import { OutputsDiff, RenderedOutputs } from './OutputsDiff';
import { noteScroll, TextDiff } from './SourceDiff';

export type ExportSide = 'old' | 'new';
export type ExportFormat = 'ipynb' | 'py';

export interface IDiffActions {
  /** Read a cell a checkpoint diff left unread (an unchanged one). */
  loadCell?: (tree: string) => Promise<nbformat.ICell>;
  /** Put a cell's old version into the open notebook. */
  onRestoreCell?: (cell: ICellDiff) => Promise<void> | void;
  onExport?: (side: ExportSide, format: ExportFormat) => Promise<void> | void;
}

export interface IDiffViewProps extends IDiffActions {
  diff: INotebookDiff;
  labels: { old: string; new: string };
  /** The notebook's language, for its code cells' highlighting. */
  language: string;
  rendermime: IRenderMimeRegistry;
  languages: IEditorLanguageRegistry | null;
  /** The counts the summary line shows, under the toggles. */
  summarize: (diff: INotebookDiff, toggles: IDiffToggles) => IDiffSummary;
  /** Rows mounted beyond the screen each way. */
  overscan?: number;
}

const OVERSCAN = 3;

/** What a row's height is guessed to be until it is measured. */
function estimateHeight(row: DiffRow | undefined): number {
  if (!row) {
    return 40;
  }
  switch (row.type) {
    case 'collapsed':
      return 34;
    case 'metadata':
      return 60 + 18 * Math.min(row.entries.length, 20);
    case 'cell':
      if (row.kind === 'unchanged') {
        return row.moved ? 140 : 100;
      }
      if (row.kind === 'modified') {
        return 260;
      }
      return (
        60 + 17 * Math.min(row.cell.linesAdded + row.cell.linesRemoved, 30)
      );
  }
}

export function DiffView(props: IDiffViewProps): JSX.Element {
  const { diff, labels } = props;
  const [toggles, setToggles] = useState<IDiffToggles>(DEFAULT_TOGGLES);
  const [layout, setLayout] = useState<DiffLayout>('split');
  // Expanded unchanged cells, by index: they survive the runs regrouping.
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(new Set());
  const [current, setCurrent] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const scroller = useRef<HTMLDivElement>(null);

  const rows = useMemo(
    () => buildRows(diff, toggles, expanded),
    [diff, toggles, expanded]
  );
  const changes = useMemo(() => changeCount(rows), [rows]);
  const { summarize } = props;
  const summary = useMemo(
    () =>
      summaryText(
        summarize(diff, toggles),
        toggles.metadata && diff.metadata.length > 0
      ),
    [diff, toggles, summarize]
  );
  // Modified cells the toggles fold away, for the empty state to explain.
  const hidden = useMemo(
    () =>
      diff.cells.filter(
        cell =>
          cell.kind === 'modified' &&
          effectiveKind(cell, toggles) === 'unchanged'
      ).length,
    [diff, toggles]
  );

  // Measured heights are kept by row key: they survive the rows regrouping.
  const getItemKey = useCallback(
    (index: number) => rows[index]?.key ?? index,
    [rows]
  );
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: index => estimateHeight(rows[index]),
    getItemKey,
    overscan: props.overscan ?? OVERSCAN,
    // Scroll updates render batched by React, not synchronously.
    useFlushSync: false,
    initialRect: { width: 1000, height: 800 }
  });

  // Focus given to the panel while it was "Comparing…" moves to the rows,
  // where the keys that move between changes are heard.
  useEffect(() => {
    const active = document.activeElement;
    if (
      active instanceof HTMLElement &&
      (active.classList.contains('jp-ExperimentsDiff') ||
        active.classList.contains('jp-MainAreaWidget')) &&
      active.contains(scroller.current)
    ) {
      scroller.current?.focus({ preventScroll: true });
    }
  }, []);

  const currentIndex =
    current === null ? -1 : rows.findIndex(row => row.key === current);
  const step = (delta: 1 | -1) => {
    const next = stepChange(
      rows,
      currentIndex < 0 ? null : currentIndex,
      delta
    );
    if (next !== null) {
      setCurrent(rows[next].key);
      virtualizer.scrollToIndex(next, { align: 'start' });
    }
  };
  const currentNumber =
    currentIndex < 0
      ? 0
      : rows.slice(0, currentIndex + 1).filter(isChangeRow).length;

  const onKeyDown = (event: React.KeyboardEvent) => {
    if (isTextEntry(event.target as HTMLElement)) {
      return;
    }
    let delta: 1 | -1 | 0 = 0;
    const modified = event.ctrlKey || event.metaKey || event.shiftKey;
    if (!modified && !event.altKey) {
      delta = event.key === 'n' ? 1 : event.key === 'p' ? -1 : 0;
    } else if (!modified && event.altKey) {
      delta = event.key === 'ArrowDown' ? 1 : event.key === 'ArrowUp' ? -1 : 0;
    }
    if (delta !== 0) {
      event.preventDefault();
      event.stopPropagation();
      step(delta);
    }
  };

  // The cells of a checkpoint diff read once, shared by rows mounting again.
  const reads = useRef(new Map<string, Promise<nbformat.ICell>>());
  const { loadCell, onRestoreCell } = props;
  const load = useMemo(
    () =>
      loadCell
        ? (tree: string) => {
            let read = reads.current.get(tree);
            if (!read) {
              read = loadCell(tree);
              // A failed read can be tried again.
              read.catch(() => reads.current.delete(tree));
              reads.current.set(tree, read);
            }
            return read;
          }
        : null,
    [loadCell]
  );
  const expand = useCallback((start: number, end: number) => {
    setExpanded(previous => new Set([...previous, ...range(start, end)]));
  }, []);
  const togglesRef = useRef(toggles);
  togglesRef.current = toggles;
  const collapse = useCallback(
    (index: number) => {
      const run = unchangedRunAround(diff, togglesRef.current, index);
      setExpanded(previous => {
        const next = new Set(previous);
        run.forEach(i => next.delete(i));
        return next;
      });
    },
    [diff]
  );
  const restore = useMemo(
    () =>
      onRestoreCell
        ? async (cell: ICellDiff) => {
            // Success is the plugin's to announce (it knows where it went).
            try {
              await onRestoreCell(cell);
              setNote(null);
            } catch (reason) {
              setNote(
                `The cell could not be restored: ${errorMessage(reason)}`
              );
            }
          }
        : null,
    [onRestoreCell]
  );
  const { onExport } = props;
  const exportAs = onExport
    ? async (side: ExportSide, format: ExportFormat) => {
        try {
          await onExport(side, format);
        } catch (reason) {
          setNote(`The export failed: ${errorMessage(reason)}`);
        }
      }
    : null;

  const items = virtualizer.getVirtualItems();
  const context: IRowContext = {
    layout,
    toggles,
    labels,
    language: props.language,
    languages: props.languages,
    rendermime: props.rendermime,
    load,
    restore,
    expand,
    collapse,
    measure: virtualizer.measureElement
  };

  return (
    <div className="jp-ExperimentsDiff-main" onKeyDown={onKeyDown}>
      <div
        className="jp-ExperimentsDiff-toolbar"
        role="toolbar"
        aria-label="Notebook diff"
      >
        <span
          className="jp-ExperimentsDiff-segmented"
          role="group"
          aria-label="Layout"
        >
          {LAYOUTS.map(([value, label]) => (
            <button
              key={value}
              type="button"
              className={`jp-ExperimentsBrowser-button${layout === value ? ' jp-mod-active' : ''}`}
              aria-pressed={layout === value}
              onClick={() => setLayout(value)}
            >
              {label}
            </button>
          ))}
        </span>
        {TOGGLES.map(([key, label, title]) => (
          <label key={key} title={title}>
            <input
              type="checkbox"
              checked={toggles[key]}
              onChange={event =>
                setToggles({ ...toggles, [key]: event.target.checked })
              }
            />
            {label}
          </label>
        ))}
        <span className="jp-ExperimentsDiff-navigation">
          <button
            type="button"
            className="jp-ExperimentsBrowser-button"
            title="Previous change (p, Alt+↑)"
            disabled={changes === 0}
            onClick={() => step(-1)}
          >
            ↑ Previous change
          </button>
          <button
            type="button"
            className="jp-ExperimentsBrowser-button"
            title="Next change (n, Alt+↓)"
            disabled={changes === 0}
            onClick={() => step(1)}
          >
            ↓ Next change
          </button>
          {changes > 0 && (
            <span className="jp-Experiments-dim">
              {currentNumber > 0
                ? `${currentNumber} of ${changes}`
                : `${changes} ${changes === 1 ? 'change' : 'changes'}`}
            </span>
          )}
        </span>
        {exportAs && <ExportMenu onExport={exportAs} labels={labels} />}
        <span className="jp-ExperimentsDiff-note" role="status">
          {note}
        </span>
      </div>
      <div className="jp-ExperimentsDiff-summary" aria-live="polite">
        {summary}
      </div>
      {layout === 'split' ? (
        <div className="jp-ExperimentsDiff-columns" aria-hidden="true">
          <span>{labels.old}</span>
          <span>{labels.new}</span>
        </div>
      ) : (
        <div className="jp-ExperimentsDiff-columns" aria-hidden="true">
          <span>
            {labels.old} → {labels.new}
          </span>
        </div>
      )}
      <div
        ref={scroller}
        className="jp-ExperimentsDiff-body"
        onScroll={noteScroll}
        tabIndex={0}
        aria-label="Cells"
      >
        {changes === 0 && (
          <div className="jp-ExperimentsDiff-state jp-ExperimentsDiff-empty">
            <p>No differences</p>
            {hidden > 0 && (
              <p className="jp-Experiments-dim">
                {hidden} {hidden === 1 ? 'cell differs' : 'cells differ'} only
                in what the toolbar hides: metadata, execution counts or output
                noise.
              </p>
            )}
          </div>
        )}
        <div
          className="jp-ExperimentsDiff-rows"
          style={{ height: virtualizer.getTotalSize() }}
        >
          {items.map(item => (
            <Row
              key={item.key}
              row={rows[item.index]}
              index={item.index}
              start={item.start}
              current={rows[item.index].key === current}
              context={context}
            />
          ))}
        </div>
      </div>
    </div>
  );
}

const LAYOUTS: [DiffLayout, string][] = [
  ['split', 'Side by side'],
  ['unified', 'Unified']
];

const TOGGLES: [keyof IDiffToggles, string, string][] = [
  ['metadata', 'Metadata', 'Show differences in cell and notebook metadata'],
  [
    'executionCount',
    'Execution counts',
    'Show differences in execution counts'
  ],
  [
    'noise',
    'Output noise',
    'Show outputs that only differ by timings, memory addresses, dates and the like'
  ]
];

function isChangeRow(row: DiffRow): boolean {
  return row.type !== 'collapsed' && row.change;
}

/** Keys typed into these are text, not navigation. */
function isTextEntry(target: HTMLElement): boolean {
  if (target.isContentEditable) {
    return true;
  }
  if (
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement
  ) {
    return true;
  }
  return (
    target instanceof HTMLInputElement &&
    !['range', 'checkbox', 'radio', 'button', 'submit'].includes(target.type)
  );
}

// --- Rows ---

/** What every row needs; stable across scrolls. */
interface IRowContext {
  layout: DiffLayout;
  toggles: IDiffToggles;
  labels: { old: string; new: string };
  language: string;
  languages: IEditorLanguageRegistry | null;
  rendermime: IRenderMimeRegistry;
  load: ((tree: string) => Promise<nbformat.ICell>) | null;
  restore: ((cell: ICellDiff) => Promise<void>) | null;
  expand: (start: number, end: number) => void;
  collapse: (index: number) => void;
  measure: (node: Element | null) => void;
}

interface IRowProps {
  row: DiffRow;
  index: number;
  /** Offset from the top, px. */
  start: number;
  current: boolean;
  context: IRowContext;
}

/** A row re-renders when it, its place or what it shows changes. */
const Row = memo(
  function Row(props: IRowProps): JSX.Element {
    const { row } = props;
    switch (row.type) {
      case 'collapsed':
        return <CollapsedRow {...props} row={row} />;
      case 'metadata':
        return <MetadataRow {...props} row={row} />;
      case 'cell':
        return <CellRow {...props} row={row} />;
    }
  },
  (a, b) =>
    a.row === b.row &&
    a.index === b.index &&
    a.start === b.start &&
    a.current === b.current &&
    sameContext(a.context, b.context)
);

function sameContext(a: IRowContext, b: IRowContext): boolean {
  return (Object.keys(a) as (keyof IRowContext)[]).every(
    key => a[key] === b[key]
  );
}

/** The positioned, measured element of a row. */
function rowAttributes(
  props: IRowProps,
  className: string
): React.HTMLAttributes<HTMLElement> & {
  ref: (node: Element | null) => void;
  'data-index': number;
} {
  return {
    ref: props.context.measure,
    'data-index': props.index,
    className: `${className}${props.current ? ' jp-mod-current' : ''}`,
    'aria-current': props.current ? 'true' : undefined,
    style: { transform: `translateY(${props.start}px)` }
  };
}

function CollapsedRow(props: IRowProps & { row: ICollapsedRow }): JSX.Element {
  const { row, context } = props;
  return (
    <div
      {...rowAttributes(
        props,
        'jp-ExperimentsDiff-row jp-ExperimentsDiff-collapsed'
      )}
    >
      <button
        type="button"
        className="jp-ExperimentsDiff-expand"
        aria-expanded={false}
        title="Show these cells"
        onClick={() => context.expand(row.start, row.end)}
      >
        {row.count} unchanged {row.count === 1 ? 'cell' : 'cells'}
      </button>
    </div>
  );
}

function MetadataRow(props: IRowProps & { row: IMetadataRow }): JSX.Element {
  const lines = describeEntries(props.row.entries);
  return (
    <section
      {...rowAttributes(
        props,
        'jp-ExperimentsDiff-row jp-ExperimentsDiff-notebookMetadata'
      )}
      aria-label="Notebook metadata"
    >
      <header className="jp-ExperimentsDiff-cellHeader">
        <span className="jp-ExperimentsDiff-badge jp-mod-modified">
          modified
        </span>
        <span>Notebook metadata</span>
      </header>
      <ul className="jp-ExperimentsDiff-entries">
        {lines.map((line, i) => (
          <li key={i} data-op={line[0]}>
            <code>{line}</code>
          </li>
        ))}
      </ul>
    </section>
  );
}

type Sides =
  | {
      status: 'ready';
      old: nbformat.ICell | null;
      new: nbformat.ICell | null;
    }
  | { status: 'loading' }
  | { status: 'error'; message: string };

/**
 * A cell's two sides: in the diff, or (an unchanged cell of a checkpoint
 * diff) read when its row first mounts.
 */
function useSides(
  cell: ICellDiff,
  load: IRowContext['load']
): [Sides, () => void] {
  const tree = cell.newTree ?? cell.oldTree ?? null;
  const inDiff = cell.old !== null || cell.new !== null;
  const [attempt, setAttempt] = useState(0);
  const [read, setRead] = useState<Sides>({ status: 'loading' });
  useEffect(() => {
    if (inDiff) {
      return;
    }
    if (!load || !tree) {
      setRead({
        status: 'error',
        message: 'this unchanged cell was not read with the diff.'
      });
      return;
    }
    let alive = true;
    setRead({ status: 'loading' });
    load(tree).then(
      cell => {
        if (alive) {
          // Unchanged: the same on both sides.
          setRead({ status: 'ready', old: cell, new: cell });
        }
      },
      reason => {
        if (alive) {
          setRead({ status: 'error', message: errorMessage(reason) });
        }
      }
    );
    return () => {
      alive = false;
    };
  }, [load, tree, inDiff, attempt]);
  const sides = useMemo<Sides>(
    () => (inDiff ? { status: 'ready', old: cell.old, new: cell.new } : read),
    [inDiff, cell, read]
  );
  return [sides, () => setAttempt(n => n + 1)];
}

/** The language a cell is highlighted as. */
function cellLanguage(
  cell: nbformat.ICell | null,
  language: string
): string | null {
  switch (cell?.cell_type) {
    case 'code':
      return language;
    case 'markdown':
      return 'markdown';
    default:
      return null;
  }
}

function CellRow(props: IRowProps & { row: ICellRow }): JSX.Element {
  const { row, context } = props;
  const { cell } = row;
  const [sides, retry] = useSides(cell, context.load);
  const [restoring, setRestoring] = useState(false);
  const oldCell = sides.status === 'ready' ? sides.old : null;
  const newCell = sides.status === 'ready' ? sides.new : null;
  const restore = context.restore;
  const canRestore = restore && cell.old !== null && cell.kind !== 'unchanged';

  return (
    <section
      {...rowAttributes(
        props,
        'jp-ExperimentsDiff-row jp-ExperimentsDiff-cell'
      )}
      data-kind={row.kind}
      data-moved={row.moved ? 'true' : 'false'}
      aria-label={`Cell ${positionText(cell)}, ${badgeText(row.kind, row.moved)}`}
    >
      <header className="jp-ExperimentsDiff-cellHeader">
        <span
          className={`jp-ExperimentsDiff-badge jp-mod-${row.moved && row.kind === 'unchanged' ? 'moved' : row.kind}`}
        >
          {badgeText(row.kind, row.moved)}
        </span>
        <span
          className="jp-ExperimentsDiff-position"
          title="Position in the old notebook → in the new one"
        >
          {positionText(cell)}
        </span>
        <span className="jp-ExperimentsDiff-cellType">
          {cellTypeText(oldCell, newCell)}
        </span>
        {(cell.linesAdded > 0 || cell.linesRemoved > 0) && (
          <span className="jp-ExperimentsDiff-lines">
            <span className="jp-ExperimentsDiff-linesAdded">
              +{cell.linesAdded}
            </span>{' '}
            <span className="jp-ExperimentsDiff-linesRemoved">
              −{cell.linesRemoved}
            </span>
          </span>
        )}
        <span className="jp-ExperimentsDiff-cellActions">
          {canRestore && (
            <button
              type="button"
              className="jp-ExperimentsBrowser-button"
              title="Restore this cell"
              disabled={restoring}
              onClick={() => {
                setRestoring(true);
                void restore(cell).finally(() => setRestoring(false));
              }}
            >
              Restore
            </button>
          )}
          {row.kind === 'unchanged' && !row.moved && (
            <button
              type="button"
              className="jp-ExperimentsBrowser-button"
              title="Fold the unchanged cells around this one"
              onClick={() => context.collapse(row.index)}
            >
              Hide unchanged
            </button>
          )}
        </span>
      </header>
      {sides.status === 'loading' && (
        <div className="jp-ExperimentsDiff-state" aria-busy="true">
          Reading the cell…
        </div>
      )}
      {sides.status === 'error' && (
        <div className="jp-Experiments-error" role="alert">
          The cell could not be read: {sides.message}{' '}
          {context.load && (
            <button
              type="button"
              className="jp-ExperimentsBrowser-button"
              onClick={retry}
            >
              Retry
            </button>
          )}
        </div>
      )}
      {sides.status === 'ready' && (
        <CellBody row={row} old={oldCell} new={newCell} context={context} />
      )}
    </section>
  );
}

function CellBody(props: {
  row: ICellRow;
  old: nbformat.ICell | null;
  new: nbformat.ICell | null;
  context: IRowContext;
}): JSX.Element {
  const { row, context } = props;
  const { cell } = row;
  const { layout, toggles, labels } = context;
  const oldCell = props.old;
  const newCell = props.new;

  if (row.kind === 'added' || row.kind === 'removed') {
    const side = row.kind === 'added' ? newCell : oldCell;
    const content = (
      <div className="jp-ExperimentsDiff-single">
        <TextDiff
          old={row.kind === 'added' ? null : sourceText(side)}
          new={row.kind === 'added' ? sourceText(side) : null}
          layout={layout}
          language={cellLanguage(side, context.language)}
          languages={context.languages}
          label="Source"
        />
        <CellOutputs cell={side} rendermime={context.rendermime} />
      </div>
    );
    if (layout === 'unified') {
      return content;
    }
    // Side by side, the cell stands in its notebook's column.
    return (
      <div className="jp-ExperimentsDiff-sides">
        {row.kind === 'added' && <div className="jp-ExperimentsDiff-absent" />}
        {content}
        {row.kind === 'removed' && (
          <div className="jp-ExperimentsDiff-absent" />
        )}
      </div>
    );
  }

  const language = cellLanguage(newCell ?? oldCell, context.language);
  const outputs = visibleOutputs(cell, toggles);
  const outputsChanged = outputs.some(output => output.kind !== 'unchanged');
  const hiddenNoise = cell.outputs.filter(
    output => output.kind !== 'unchanged' && output.noise && !toggles.noise
  ).length;
  return (
    <>
      {cell.source || typeChanged(cell) ? (
        <TextDiff
          old={sourceText(oldCell)}
          new={sourceText(newCell)}
          layout={layout}
          language={language}
          languages={context.languages}
          label="Source"
        />
      ) : row.kind === 'unchanged' ? (
        <TextDiff
          old={null}
          new={sourceText(newCell ?? oldCell)}
          tint="none"
          layout={layout}
          language={language}
          languages={context.languages}
          label="Source"
        />
      ) : (
        <UnchangedSource
          text={sourceText(newCell ?? oldCell)}
          language={language}
          context={context}
        />
      )}
      {cell.attachments && row.kind === 'modified' && (
        <p className="jp-ExperimentsDiff-aside">Attachments changed.</p>
      )}
      {toggles.executionCount && cell.executionCount && (
        <p className="jp-ExperimentsDiff-aside jp-ExperimentsDiff-executionCount">
          Execution count: {executionCountText(oldCell) || '—'} →{' '}
          {executionCountText(newCell) || '—'}
        </p>
      )}
      {toggles.metadata && cell.metadata && (
        <div className="jp-ExperimentsDiff-metadata">
          <div className="jp-ExperimentsDiff-sectionTitle">Metadata</div>
          <TextDiff
            old={jsonText(oldCell?.metadata ?? {})}
            new={jsonText(newCell?.metadata ?? {})}
            layout={layout}
            language="json"
            languages={context.languages}
            label="Metadata"
          />
        </div>
      )}
      {outputsChanged && (
        <OutputsDiff
          outputs={outputs}
          layout={layout}
          labels={labels}
          rendermime={context.rendermime}
          languages={context.languages}
        />
      )}
      {hiddenNoise > 0 && (
        <p className="jp-ExperimentsDiff-aside jp-Experiments-dim">
          {hiddenNoise}{' '}
          {hiddenNoise === 1 ? 'output differs' : 'outputs differ'} only by
          timings, addresses or dates: turn on Output noise to see{' '}
          {hiddenNoise === 1 ? 'it' : 'them'}.
        </p>
      )}
    </>
  );
}

/** A modified cell's equal source: folded, shown when asked for. */
function UnchangedSource(props: {
  text: string;
  language: string | null;
  context: IRowContext;
}): JSX.Element {
  const [open, setOpen] = useState(false);
  const lines = props.text === '' ? 0 : props.text.split('\n').length;
  return (
    <div className="jp-ExperimentsDiff-unchangedSource">
      <button
        type="button"
        className="jp-ExperimentsDiff-outputToggle"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        Source unchanged ({lines} {lines === 1 ? 'line' : 'lines'})
      </button>
      {open && (
        <TextDiff
          old={null}
          new={props.text}
          tint="none"
          layout={props.context.layout}
          language={props.language}
          languages={props.context.languages}
          label="Source"
        />
      )}
    </div>
  );
}

/** An added or removed cell's outputs, rendered on its side. */
function CellOutputs(props: {
  cell: nbformat.ICell | null;
  rendermime: IRenderMimeRegistry;
}): JSX.Element | null {
  const outputs = (props.cell as nbformat.ICodeCell | null)?.outputs;
  if (!outputs || outputs.length === 0) {
    return null;
  }
  return (
    <div className="jp-ExperimentsDiff-outputs">
      <RenderedOutputs outputs={outputs} rendermime={props.rendermime} />
    </div>
  );
}

// --- Export ---

const EXPORTS: [ExportSide, ExportFormat][] = [
  ['old', 'ipynb'],
  ['old', 'py'],
  ['new', 'ipynb'],
  ['new', 'py']
];

function ExportMenu(props: {
  labels: { old: string; new: string };
  onExport: (side: ExportSide, format: ExportFormat) => Promise<void>;
}): JSX.Element {
  const [open, setOpen] = useState(false);
  const host = useRef<HTMLSpanElement>(null);
  useDismiss(open, host, () => setOpen(false), { focus: '[role="menuitem"]' });
  return (
    <span className="jp-ExperimentsExport jp-ExperimentsDiff-export" ref={host}>
      <button
        type="button"
        className="jp-ExperimentsBrowser-button"
        aria-haspopup="menu"
        aria-expanded={open}
        title="Save either version as a notebook or a Python script"
        onClick={() => setOpen(!open)}
      >
        Export ▾
      </button>
      {open && (
        <div
          className="jp-ExperimentsExport-menu"
          role="menu"
          aria-label="Export"
        >
          {EXPORTS.map(([side, format]) => (
            <button
              key={`${side}.${format}`}
              type="button"
              role="menuitem"
              onClick={() => {
                setOpen(false);
                void props.onExport(side, format);
              }}
            >
              {props.labels[side]} as .{format}
            </button>
          ))}
        </div>
      )}
    </span>
  );
}
