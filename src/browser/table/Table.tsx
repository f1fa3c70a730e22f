/**
 * The runs table: virtualized in both directions, so 10,000 runs × 300
 * columns draw only what is on screen. TanStack Table keeps the column model
 * (order, visibility, left pinning, sizes and resizing, sort state); TanStack
 * Virtual picks the rows and columns in view. Rows come from the model's
 * sparse page cache, not from a TanStack row model: a row model over 10,000
 * placeholders would be rebuilt at every page that lands, for nothing.
 */
import {
  ColumnDef,
  ColumnPinningState,
  Header,
  SortingState,
  VisibilityState,
  getCoreRowModel,
  useReactTable
} from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import React, {
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState
} from 'react';

import { METRIC_SUMMARIES, columnId, parseColumnId } from '../columns';
import type { BrowserModel, BrowserRow } from '../model';
import {
  GroupLabel,
  HeaderText,
  ICellContext,
  RunCell,
  aggregateText,
  defaultWidth,
  editKey
} from './cells';
import { keyAction } from './keyboard';
import { IPopupItem, Popup } from './Popup';

export const ROW_HEIGHT = 26;
export const HEADER_HEIGHT = 34;
const MIN_WIDTH = 32;
const COLUMN_DRAG_TYPE = 'application/x-experiments-column';

/** Columns that the server can group runs by. */
export function canGroupBy(id: string): boolean {
  const ref = parseColumnId(id);
  if (!ref) {
    return false;
  }
  return ref.kind === 'attribute'
    ? ['notebook', 'kind', 'status', 'user', 'verdict', 'starred'].includes(
        ref.key
      )
    : ref.kind === 'params' || ref.kind === 'tags' || ref.kind === 'env';
}

export interface ITableProps {
  model: BrowserModel;
  /** The model's version: the table draws again when it changes. */
  version: number;
  onOpenNotebook?: (path: string) => void;
  /** Row overscan; specs draw fewer rows. */
  overscan?: number;
}

type RowData = never;
/** Rows drawn beyond those on screen, each side. */
const OVERSCAN = 6;
let tableCount = 0;

/**
 * One drawn row (or its pinned part), drawn again only when one of `memo`
 * changed: while a wheel scrolls, the rows that stay on screen cost nothing.
 */
const DrawnRow = React.memo(
  (props: {
    memo: readonly unknown[];
    attrs: React.HTMLAttributes<HTMLDivElement> & { [data: string]: unknown };
    render: () => React.ReactNode;
  }) => <div {...props.attrs}>{props.render()}</div>,
  (before, after) =>
    before.memo.length === after.memo.length &&
    before.memo.every((value, i) => Object.is(value, after.memo[i]))
);
const NO_ROWS: RowData[] = [];

/** `text`, as the very string of the last render when that was equal. */
function useInterned(text: string): string {
  const last = useRef(text);
  if (last.current !== text) {
    last.current = text;
  }
  return last.current;
}

interface IMenu {
  x: number;
  y: number;
  label: string;
  items: IPopupItem[];
}

/** A truncated cell's whole text as its tooltip, set only when hovered. */
function showTruncated(event: React.MouseEvent): void {
  const cell = (event.target as HTMLElement).closest<HTMLElement>(
    '.jp-ExperimentsTable-cell'
  );
  if (cell) {
    const title =
      cell.scrollWidth > cell.clientWidth ? (cell.textContent ?? '') : '';
    if (cell.title !== title) {
      cell.title = title;
    }
  }
}

export function RunsTable(props: ITableProps): JSX.Element {
  const { model } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const tableId = useMemo(() => `jp-ExperimentsTable-${++tableCount}`, []);
  const [editing, setEditing] = useState<string | null>(null);
  const [menu, setMenu] = useState<IMenu | null>(null);
  const [dropTarget, setDropTarget] = useState<string | null>(null);

  // --- Columns: the model's, as TanStack's column model. ---
  const columns = model.columns;
  const columnDefs = useMemo<ColumnDef<RowData>[]>(
    () =>
      columns.map(c => ({
        id: c.id,
        size: c.width ?? defaultWidth(c.id),
        minSize: MIN_WIDTH,
        maxSize: 2000,
        enableResizing: true
      })),
    [columns]
  );
  const columnVisibility = useMemo<VisibilityState>(
    () => Object.fromEntries(columns.map(c => [c.id, !c.hidden])),
    [columns]
  );
  const columnPinning = useMemo<ColumnPinningState>(
    () => ({ left: columns.filter(c => c.pinned).map(c => c.id), right: [] }),
    [columns]
  );
  const orderBy = model.orderBy;
  const sorting = useMemo<SortingState>(
    () => orderBy.map(k => ({ id: k.key, desc: k.descending })),
    [JSON.stringify(orderBy)]
  );
  const table = useReactTable<RowData>({
    data: NO_ROWS,
    columns: columnDefs,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    enableSorting: true,
    enableMultiSort: true,
    columnResizeMode: 'onChange',
    state: { columnVisibility, columnPinning, sorting }
  });

  // A resize drag ends: its widths go to the view state.
  const resizing = table.getState().columnSizingInfo.isResizingColumn;
  const wasResizing = useRef<string | false>(false);
  useEffect(() => {
    if (wasResizing.current && !resizing) {
      const sizing = table.getState().columnSizing;
      if (Object.keys(sizing).length) {
        model.setColumnWidths(sizing);
        table.setColumnSizing({});
      }
    }
    wasResizing.current = resizing;
  }, [resizing]);

  const leftHeaders = table.getLeftLeafHeaders();
  const centerHeaders = table.getCenterLeafHeaders();
  const pinnedWidth = leftHeaders.reduce((w, h) => w + h.getSize(), 0);
  // Hundreds of columns: worked out when they or their widths change, not
  // on every frame of a scroll.
  const columnSizing = table.getState().columnSizing;
  const sizesKey = useMemo(
    () => centerHeaders.map(h => `${h.id}:${h.getSize()}`).join(),
    [centerHeaders, columnSizing]
  );

  // --- Virtualization: rows and the unpinned columns. ---
  const rowCount = model.rowCount;
  const rows = useVirtualizer({
    count: rowCount,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: props.overscan ?? OVERSCAN,
    scrollPaddingStart: HEADER_HEIGHT,
    // Both directions' scroll updates render once, batched by React.
    useFlushSync: false,
    initialRect: { width: 1000, height: 600 }
  });
  const cols = useVirtualizer({
    horizontal: true,
    count: centerHeaders.length,
    getScrollElement: () => scroller.current,
    estimateSize: i => centerHeaders[i]?.getSize() ?? 120,
    overscan: 3,
    scrollPaddingStart: pinnedWidth,
    useFlushSync: false,
    initialRect: { width: 1000, height: 600 }
  });
  useLayoutEffect(() => {
    cols.measure();
  }, [sizesKey]);

  const virtualRows = rows.getVirtualItems();
  const virtualCols = cols.getVirtualItems();
  const first = virtualRows[0]?.index ?? 0;
  const last = virtualRows[virtualRows.length - 1]?.index ?? -1;

  // Fetch the pages on screen; remember the top run for share links.
  useEffect(() => {
    if (last >= first) {
      model.ensureRows(first, last + 1);
    }
    const top = first < rowCount ? model.row(first) : null;
    model.setAnchor(top?.type === 'run' ? top.run.id : null);
  }, [first, last, rowCount, props.version]);

  // A restored view scrolls back to its run once that run's page is here.
  useEffect(() => {
    const anchor = model.takeAnchorIndex();
    if (anchor !== null && anchor > 0) {
      rows.scrollToIndex(anchor, { align: 'start' });
    }
  }, [props.version]);

  // A new query starts at the top.
  const queryKey = `${model.filter}|${JSON.stringify(orderBy)}|${model.groupBy}|${model.trash}`;
  const previousQuery = useRef(queryKey);
  useEffect(() => {
    if (previousQuery.current !== queryKey) {
      previousQuery.current = queryKey;
      if (scroller.current) {
        scroller.current.scrollTop = 0;
      }
    }
  }, [queryKey]);

  const focused = model.focusedIndex;
  const scrollToFocus = useCallback(() => {
    const index = model.focusedIndex;
    if (index !== null) {
      rows.scrollToIndex(index, { align: 'auto' });
    }
  }, [model, rows]);

  const onKeyDown = (event: React.KeyboardEvent) => {
    if (event.target !== scroller.current) {
      return; // A text box in a cell.
    }
    const page = Math.max(
      1,
      Math.floor(
        ((scroller.current?.clientHeight ?? 600) - HEADER_HEIGHT) / ROW_HEIGHT
      )
    );
    const action = keyAction(event, page);
    if (!action) {
      return;
    }
    event.preventDefault();
    switch (action.type) {
      case 'move':
        model.moveFocus(action.delta, action.extend);
        break;
      case 'to':
        model.moveFocus(
          action.index === 'first'
            ? -(model.focusedIndex ?? 0) - 1
            : rowCount - (model.focusedIndex ?? -1),
          action.extend
        );
        break;
      case 'toggle':
        model.toggleFocused();
        break;
      case 'open':
        if (model.focusedIndex !== null) {
          model.open(model.focusedIndex);
        }
        break;
      case 'clear':
        model.clearSelection();
        break;
    }
    scrollToFocus();
  };

  const ctx: ICellContext = {
    model,
    editing,
    setEditing,
    onOpenNotebook: props.onOpenNotebook,
    // Whole seconds: a row drawn again in the same second is the same row.
    now: Math.floor(Date.now() / 1000)
  };

  const headerMenu = (event: React.MouseEvent, id: string) => {
    event.preventDefault();
    const ref = parseColumnId(id);
    const pinned = columns.find(c => c.id === id)?.pinned;
    const sortable = model.isSortable(id);
    const items: IPopupItem[] = [
      {
        label: 'Sort ascending',
        disabled: !sortable,
        onClick: () => model.setOrderBy([{ key: id, descending: false }])
      },
      {
        label: 'Sort descending',
        disabled: !sortable,
        onClick: () => model.setOrderBy([{ key: id, descending: true }])
      },
      {
        label: pinned ? 'Unpin' : 'Pin left',
        separator: true,
        onClick: () => model.setColumnPinned(id, !pinned)
      },
      { label: 'Hide column', onClick: () => model.setColumnHidden(id, true) }
    ];
    if (ref?.kind === 'metrics') {
      METRIC_SUMMARIES.filter(s => s !== ref.summary).forEach((summary, i) =>
        items.push({
          label: `Show its ${summary === 'last' ? 'last value' : summary}`,
          separator: i === 0,
          onClick: () =>
            model.addColumn(columnId('metrics', ref.key, summary), id)
        })
      );
    }
    if (canGroupBy(id)) {
      items.push({
        label: model.groupBy === id ? 'Stop grouping' : 'Group by this column',
        separator: true,
        onClick: () => model.setGroupBy(model.groupBy === id ? null : id)
      });
    }
    setMenu({ x: event.clientX, y: event.clientY, label: id, items });
  };

  const rowMenu = (event: React.MouseEvent, row: BrowserRow) => {
    if (row.type !== 'run') {
      return;
    }
    event.preventDefault();
    const { run } = row;
    if (!model.isSelected(run.id)) {
      model.select(row.index);
    }
    const live = !row.gone && run.deleted === null;
    const items: IPopupItem[] = [
      { label: 'Open details', onClick: () => model.open(row.index) },
      {
        label: run.starred ? 'Unstar' : 'Star',
        disabled: !live,
        onClick: () => void model.setStarred(run.id, !run.starred)
      },
      {
        label: 'Rename',
        disabled: !live,
        onClick: () => setEditing(editKey(run.id, 'name'))
      },
      {
        label: 'Add a tag',
        disabled: !live,
        onClick: () => setEditing(editKey(run.id, 'tags'))
      },
      {
        label: run.archived ? 'Unarchive' : 'Archive',
        separator: true,
        disabled: !live,
        onClick: () => void model.setArchived(run.id, !run.archived)
      }
    ];
    if (run.deleted !== null && !row.gone) {
      items.push(
        { label: 'Restore', onClick: () => void model.restore(run.id) },
        {
          label: 'Delete for good (with its series and images)',
          onClick: () => void model.purge(run.id)
        }
      );
    } else {
      items.push({
        label: 'Move to the trash',
        disabled: !live,
        onClick: () => void model.remove(run.id)
      });
    }
    items.push({
      label: 'Copy the run id',
      separator: true,
      onClick: () => void navigator.clipboard?.writeText(run.id)
    });
    setMenu({ x: event.clientX, y: event.clientY, label: 'Run', items });
  };

  const onRowClick = (event: React.MouseEvent, index: number) => {
    scroller.current?.focus({ preventScroll: true });
    const row = model.row(index);
    if (row.type === 'group') {
      model.focus(index);
      return;
    }
    model.select(
      index,
      event.shiftKey
        ? 'range'
        : event.ctrlKey || event.metaKey
          ? 'toggle'
          : 'only'
    );
  };

  const renderHeader = (header: Header<RowData, unknown>, left?: number) => {
    const id = header.column.id;
    const sort = model.sortOf(id);
    const sortable = model.isSortable(id);
    const numeric = model.isNumeric(id);
    return (
      <div
        key={id}
        role="columnheader"
        aria-sort={
          sort ? (sort.descending ? 'descending' : 'ascending') : undefined
        }
        className={[
          'jp-ExperimentsTable-header',
          numeric ? 'jp-mod-numeric' : '',
          sortable ? 'jp-mod-sortable' : '',
          dropTarget === id ? 'jp-mod-dropTarget' : '',
          left === undefined ? '' : 'jp-mod-pinned'
        ].join(' ')}
        style={
          left === undefined
            ? { width: header.getSize() }
            : {
                position: 'absolute',
                left,
                width: header.getSize()
              }
        }
        draggable={!resizing}
        onDragStart={event => {
          event.dataTransfer.setData(COLUMN_DRAG_TYPE, id);
          event.dataTransfer.effectAllowed = 'move';
        }}
        onDragOver={event => {
          if (event.dataTransfer.types.includes(COLUMN_DRAG_TYPE)) {
            event.preventDefault();
            setDropTarget(id);
          }
        }}
        onDragLeave={() => setDropTarget(null)}
        onDrop={event => {
          const dragged = event.dataTransfer.getData(COLUMN_DRAG_TYPE);
          setDropTarget(null);
          if (dragged && dragged !== id) {
            event.preventDefault();
            model.moveColumn(dragged, id);
            const pin = Boolean(columns.find(c => c.id === id)?.pinned);
            if (Boolean(columns.find(c => c.id === dragged)?.pinned) !== pin) {
              model.setColumnPinned(dragged, pin);
            }
          }
        }}
        onClick={event => sortable && model.sortBy(id, event.shiftKey)}
        onContextMenu={event => headerMenu(event, id)}
        title={`${id}${sortable ? '\nClick to sort, shift-click to add a sort key' : ''}\nDrag to move, right-click for more`}
      >
        <HeaderText id={id} />
        {sort && (
          <span className="jp-ExperimentsTable-sort">
            {sort.descending ? '▼' : '▲'}
            {orderBy.length > 1 ? sort.rank + 1 : ''}
          </span>
        )}
        <div
          className={`jp-ExperimentsTable-resizer${header.column.getIsResizing() ? ' jp-mod-resizing' : ''}`}
          onMouseDown={header.getResizeHandler()}
          onTouchStart={header.getResizeHandler()}
          onClick={event => event.stopPropagation()}
          onDoubleClick={event => {
            event.stopPropagation();
            model.setColumnWidth(id, defaultWidth(id));
          }}
          role="separator"
          aria-label={`Resize ${id}`}
        />
      </div>
    );
  };

  // A row's two parts (pinned, the rest) light up together under the mouse:
  // set on the nodes, not through React, so moving the mouse renders nothing.
  const hovered = useRef<number | null>(null);
  const hover = (target: HTMLElement | null) => {
    const rowNode = target?.closest<HTMLElement>('[data-index]');
    const index = rowNode ? Number(rowNode.dataset.index) : null;
    const grid = scroller.current;
    if (index === hovered.current || !grid) {
      return;
    }
    const mark = (at: number | null, on: boolean) =>
      at !== null &&
      grid
        .querySelectorAll(`[data-index="${at}"]`)
        .forEach(node => node.classList.toggle('jp-mod-hover', on));
    mark(hovered.current, false);
    mark(index, true);
    hovered.current = index;
  };

  const aggregates = model.groupBy !== null;
  const renderCells = (row: BrowserRow) => {
    const cell = (header: Header<RowData, unknown>) => {
      const id = header.column.id;
      if (row.type === 'run') {
        return (
          <RunCell
            run={row.run}
            column={id}
            numeric={model.isNumeric(id)}
            gone={row.gone}
            ctx={ctx}
          />
        );
      }
      if (row.type === 'pending') {
        return id === 'name' ? (
          <span className="jp-ExperimentsTable-dim">Loading…</span>
        ) : null;
      }
      if (row.type === 'group' && aggregates) {
        const { text, title } = aggregateText(row.group.aggregates[id]);
        return <span title={title}>{text}</span>;
      }
      return null;
    };
    const cellClass = (id: string) =>
      `jp-ExperimentsTable-cell${model.isNumeric(id) ? ' jp-mod-numeric' : ''}`;
    const pinned = () =>
      row.type === 'group' ? (
        <div
          className="jp-ExperimentsTable-cell jp-ExperimentsTable-groupCell"
          style={{ width: Math.max(pinnedWidth, 240) }}
        >
          <GroupLabel
            groupBy={model.groupBy ?? ''}
            group={row.group}
            expanded={row.expanded}
            onToggle={() => model.toggleGroup(row.key)}
          />
        </div>
      ) : (
        leftHeaders.map(header => (
          <div
            key={header.id}
            role="gridcell"
            className={cellClass(header.column.id)}
            style={{ width: header.getSize() }}
          >
            {cell(header)}
          </div>
        ))
      );
    const centre = () =>
      virtualCols.map(vc => {
        const header = centerHeaders[vc.index];
        if (!header) {
          return null;
        }
        return (
          <div
            key={header.id}
            role="gridcell"
            className={cellClass(header.column.id)}
            style={{
              position: 'absolute',
              left: pinnedWidth + vc.start,
              width: vc.size
            }}
          >
            {cell(header)}
          </div>
        );
      });
    return { pinned, centre };
  };

  const totalWidth = pinnedWidth + cols.getTotalSize();

  // Rows are keyed by slot, not by index, and kept in slot order: a row
  // scrolled out hands its nodes to the row scrolled in, so a scroll
  // rewrites a few rows' text and position instead of inserting and
  // removing rows and cells (each insertion restyles and lays out anew).
  // For that every slot must stay drawn: a window of a fixed number of
  // consecutive rows (the most ever on screen, even: a slot keeps its
  // rows' parity) from the first on screen, slot = index modulo its size.
  // At the top or bottom the overscan is on one side only: the window
  // is sized for both from the start, or it would grow (and every row be
  // drawn anew) at the first scroll.
  const capacity = useRef(0);
  const onScreen = rows.range
    ? rows.range.endIndex - rows.range.startIndex + 1
    : 0;
  const wanted = Math.max(
    virtualRows.length,
    onScreen + 2 * (props.overscan ?? OVERSCAN)
  );
  capacity.current = Math.max(capacity.current, wanted + (wanted % 2));
  const slots = Math.max(capacity.current, 2);
  const windowStart = Math.max(0, Math.min(first, rowCount - slots));
  const offset = virtualRows[0]
    ? virtualRows[0].start - virtualRows[0].index * ROW_HEIGHT
    : 0;
  const windowRows: { index: number; start: number }[] = [];
  for (let i = windowStart; i < Math.min(rowCount, windowStart + slots); i++) {
    windowRows.push({ index: i, start: offset + i * ROW_HEIGHT });
  }
  // Each drawn row: its two parts share its classes, state and handlers.
  const drawnRows = windowRows.map(vr => {
    const row = model.row(vr.index);
    const selected = row.type === 'run' && model.isSelected(row.run.id);
    const className = [
      'jp-ExperimentsTable-row',
      `jp-mod-${row.type}`,
      vr.index % 2 ? 'jp-mod-odd' : '',
      selected ? 'jp-mod-selected' : '',
      vr.index === focused ? 'jp-mod-focused' : '',
      row.type === 'run' && row.gone ? 'jp-mod-gone' : '',
      row.type === 'run' && row.run.deleted !== null ? 'jp-mod-trashed' : '',
      row.type === 'run' && row.run.archived ? 'jp-mod-archived' : '',
      row.type !== 'group' && row.group !== null ? 'jp-mod-inGroup' : ''
    ].join(' ');
    const shared = {
      'data-index': vr.index,
      'aria-selected': row.type === 'run' ? selected : undefined,
      onClick: (event: React.MouseEvent) => onRowClick(event, vr.index),
      onDoubleClick: () => row.type === 'group' && model.open(vr.index),
      onContextMenu: (event: React.MouseEvent) => rowMenu(event, row)
    };
    // What a row's drawing depends on.
    const content =
      row.type === 'run' ? row.run : row.type === 'group' ? row.group : null;
    // Not the model's version: a page landing off screen changes none of
    // the rows drawn.
    // (`className` carries selection, focus, gone, trashed and archived.)
    const memo = [
      content,
      row.type === 'group' && row.expanded,
      className,
      vr.start,
      editing,
      ctx.now,
      pinnedWidth
    ];
    return {
      vr,
      row,
      className,
      shared,
      memo,
      slot: vr.index % slots,
      ...renderCells(row)
    };
  });
  // In slot order, which a scroll does not change: the DOM keeps its rows.
  drawnRows.sort((a, b) => a.slot - b.slot);
  // The columns a row part draws: which, how wide, numbers or text.
  const numeric = (id: string) => (model.isNumeric(id) ? 'n' : 't');
  // The same string as last frame's when equal: each drawn row compares it.
  const centreKey = useInterned(
    [
      virtualCols.map(vc => vc.index).join(),
      virtualCols
        .map(vc => numeric(centerHeaders[vc.index]?.column.id ?? ''))
        .join(''),
      sizesKey,
      totalWidth
    ].join('|')
  );
  const pinnedKey = leftHeaders
    .map(h => `${h.id}:${h.getSize()}:${numeric(h.column.id)}`)
    .join();

  return (
    <div
      ref={scroller}
      className="jp-ExperimentsTable"
      role="grid"
      aria-rowcount={rowCount}
      aria-colcount={leftHeaders.length + centerHeaders.length}
      aria-multiselectable
      tabIndex={0}
      onKeyDown={onKeyDown}
      onMouseOver={event => {
        showTruncated(event);
        hover(event.target as HTMLElement);
      }}
      onMouseLeave={() => hover(null)}
    >
      <div
        className="jp-ExperimentsTable-content"
        style={{
          height: HEADER_HEIGHT + rows.getTotalSize(),
          width: totalWidth
        }}
      >
        <div
          className="jp-ExperimentsTable-headerRow"
          role="row"
          style={{ height: HEADER_HEIGHT, width: totalWidth }}
        >
          <div
            className="jp-ExperimentsTable-pinned"
            style={{ width: pinnedWidth }}
          >
            {leftHeaders.map(header => renderHeader(header))}
          </div>
          {virtualCols.map(vc =>
            centerHeaders[vc.index]
              ? renderHeader(centerHeaders[vc.index], pinnedWidth + vc.start)
              : null
          )}
        </div>
        {/*
          The pinned columns of every drawn row, in one block that sticks to
          the left: one sticky element, not one per row (each would be a
          compositing layer to place again at every frame of a scroll).
        */}
        <div
          className="jp-ExperimentsTable-pinnedBody"
          style={{ width: pinnedWidth }}
        >
          {drawnRows.map(({ vr, className, shared, pinned, memo, slot }) => (
            <DrawnRow
              key={slot}
              memo={[...memo, pinnedKey]}
              render={pinned}
              attrs={{
                ...shared,
                id: `${tableId}-pinned-${vr.index}`,
                role: 'presentation',
                className: `${className} jp-ExperimentsTable-pinnedRow`,
                style: {
                  height: ROW_HEIGHT,
                  width: pinnedWidth,
                  transform: `translateY(${vr.start}px)`
                }
              }}
            />
          ))}
        </div>
        {drawnRows.map(({ vr, className, shared, centre, memo, slot }) => (
          <DrawnRow
            key={slot}
            memo={[...memo, centreKey]}
            render={centre}
            attrs={{
              ...shared,
              role: 'row',
              'aria-rowindex': vr.index + 1,
              'aria-owns': `${tableId}-pinned-${vr.index}`,
              className,
              style: {
                height: ROW_HEIGHT,
                width: totalWidth,
                transform: `translateY(${HEADER_HEIGHT + vr.start}px)`
              }
            }}
          />
        ))}
      </div>
      {menu && (
        <Popup
          x={menu.x}
          y={menu.y}
          label={menu.label}
          items={menu.items}
          onClose={() => setMenu(null)}
        />
      )}
    </div>
  );
}
