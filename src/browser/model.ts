/**
 * The Experiments browser's model: one view state (filter, order, columns,
 * grouping, selection), the runs it shows fetched a page at a time as the
 * table scrolls, and the edits made from the table, applied at once and
 * rolled back if the server refuses them. No DOM: the table renders it, the
 * specs drive it against the in-memory client.
 */
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { errorMessage } from '../common/format';
import {
  ApiError,
  IBulkChange,
  IExperimentsClient,
  IRunChange,
  IRunGroup,
  IRunsChanged,
  IRunColumns,
  runColumns
} from '../rest';
import type { IRunSummary } from '../tokens';
import {
  defaultColumns,
  isNumericColumn,
  METRIC_SUMMARIES,
  normalizeColumnId,
  parseColumnId
} from './columns';
import { PAGE_SIZE, RunPages } from './pages';
import {
  emptyViewState,
  IColumnState,
  IOrderKey,
  IViewState
} from './viewState';
import { idsFilter, literal } from './filter/literal';

export { idsFilter, literal };

/** A run in the table; `gone` once the server no longer has it. */
export interface IRunRow {
  type: 'run';
  index: number;
  run: IRunSummary;
  gone: boolean;
  /** The key of the group it is shown under, when grouping. */
  group: string | null;
}

/** A row whose page has not arrived yet. */
export interface IPendingRow {
  type: 'pending';
  index: number;
  group: string | null;
}

/** A group's aggregate row, when grouping. */
export interface IGroupRow {
  type: 'group';
  index: number;
  key: string;
  group: IRunGroup;
  expanded: boolean;
}

export type BrowserRow = IRunRow | IPendingRow | IGroupRow;

/** A refused edit, already rolled back: what was tried, and why it failed. */
export interface IEditFailure {
  action: string;
  runIds: string[];
  message: string;
  error: unknown;
}

/** Why the runs could not be listed. */
export interface ILoadError {
  message: string;
  /** The HTTP status; 400 is a bad filter or order. */
  status: number | null;
  error: unknown;
}

export type LoadStatus = 'loading' | 'ready' | 'error';

export type SelectMode = 'only' | 'toggle' | 'range';

/** Attributes the server cannot sort by (the tags cell is a list). */
const UNSORTABLE = new Set(['tags']);

/** Runs read to tell a numeric param. */
const SAMPLE_SIZE = 200;

/**
 * Runs one event may name to refetch by id (the grammar takes 400 values in
 * an IN list): beyond, the view is read again instead (a bulk import).
 */
export const REFRESH_MAX_IDS = 200;

/** At most one reload for new runs per this many ms, however many events. */
const RELOAD_THROTTLE_MS = 1000;

/** The filter of one group: the view's filter and the group's value. */
export function groupFilter(
  filter: string,
  groupBy: string,
  value: unknown
): string {
  const condition =
    value === null || value === undefined
      ? `${groupBy} IS NULL`
      : `${groupBy} = ${literal(value)}`;
  return filter.trim() ? `(${filter}) AND ${condition}` : condition;
}

/** `metrics.acc DESC, params.lr ASC`. */
export function orderByText(orderBy: readonly IOrderKey[]): string {
  return orderBy
    .map(k => `${k.key} ${k.descending ? 'DESC' : 'ASC'}`)
    .join(', ');
}

export class BrowserModel implements IDisposable {
  constructor(
    private _client: IExperimentsClient,
    options: { state?: Partial<IViewState>; trash?: boolean } = {}
  ) {
    this._trash = options.trash ?? false;
    this._state = normalizeState({ ...emptyViewState(), ...options.state });
    this._selection = new Set(this._state.selection);
    this._pendingAnchor = this._state.anchor;
    this._pages = this._newPages(() => this._state.filter);
    this._client.events?.changed.connect(this._onRunsChanged, this);
    void this._loadKeys();
    this._requery();
  }

  /** Anything shown changed: rows, columns, status. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The view state changed (what a share link or a saved view keeps). */
  get stateChanged(): ISignal<this, IViewState> {
    return this._stateChanged;
  }

  /** An edit the server refused; it has been rolled back. */
  get failed(): ISignal<this, IEditFailure> {
    return this._failed;
  }

  /** A run to show in full (Enter, or a click on its name). */
  get opened(): ISignal<this, string> {
    return this._opened;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._client.events?.changed.disconnect(this._onRunsChanged, this);
    this._pages.clear();
    this._groupPages.forEach(p => p.clear());
    if (this._reloadTimer !== null) {
      clearTimeout(this._reloadTimer);
    }
    Signal.clearData(this);
  }

  // --- The view state -------------------------------------------------------

  /** The current view, a copy: change it through the methods. */
  get state(): IViewState {
    return {
      ...this._state,
      orderBy: this._state.orderBy.map(k => ({ ...k })),
      columns: this._state.columns.map(c => ({ ...c })),
      selection: [...this._selection]
    };
  }

  /** Apply a whole view (a share link, a saved view). */
  setState(state: Partial<IViewState>): void {
    this._state = normalizeState({ ...emptyViewState(), ...state });
    this._selection = new Set(this._state.selection);
    this._columnsCache = null;
    this._pendingAnchor = this._state.anchor;
    this._requery();
    this._emitState();
  }

  /** Whether the trash is shown instead of the runs. */
  get trash(): boolean {
    return this._trash;
  }

  setTrash(trash: boolean): void {
    if (trash !== this._trash) {
      this._trash = trash;
      this._selection.clear();
      this._requery();
      this._emitState();
    }
  }

  get filter(): string {
    return this._state.filter;
  }

  /** The sort keys, without copying the whole state (the table reads it often). */
  get orderBy(): readonly IOrderKey[] {
    return this._state.orderBy;
  }

  setFilter(filter: string): void {
    if (filter !== this._state.filter) {
      this._state.filter = filter;
      this._requery();
      this._emitState();
    }
  }

  // --- Loading ---------------------------------------------------------------

  get status(): LoadStatus {
    if (this._loadError) {
      return 'error';
    }
    if (this._state.groupBy !== null) {
      return this._groups === null ? 'loading' : 'ready';
    }
    return this._pages.total === null ? 'loading' : 'ready';
  }

  get loadError(): ILoadError | null {
    return this._loadError;
  }

  /** Runs matching the view (null until known). */
  get total(): number | null {
    if (this._state.groupBy !== null) {
      return this._groups?.reduce((n, g) => n + g.count, 0) ?? null;
    }
    return this._pages.total;
  }

  /** Rows the table has: runs, or groups and the runs of open groups. */
  get rowCount(): number {
    if (this._state.groupBy !== null) {
      const layout = this._layout();
      const last = layout[layout.length - 1];
      return last ? last.start + 1 + last.size : 0;
    }
    return this._pages.total ?? 0;
  }

  row(index: number): BrowserRow {
    if (this._state.groupBy === null) {
      return this._runRow(this._pages, index, index, null);
    }
    const layout = this._layout();
    let lo = 0;
    let hi = layout.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (layout[mid].start <= index) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    const entry = layout[lo];
    if (index === entry.start) {
      return {
        type: 'group',
        index,
        key: entry.key,
        group: entry.group,
        expanded: entry.pages !== null
      };
    }
    return this._runRow(
      entry.pages!,
      index - entry.start - 1,
      index,
      entry.key
    );
  }

  /** Rows `[start, end)` are on screen: fetch the pages they need. */
  ensureRows(start: number, end: number): void {
    this._visible = { start, end };
    if (this._state.groupBy === null) {
      this._pages.ensure(start, end);
      return;
    }
    for (const entry of this._layout()) {
      if (entry.pages) {
        const from = Math.max(start - entry.start - 1, 0);
        const to = Math.min(end - entry.start - 1, entry.size);
        if (to > from) {
          entry.pages.ensure(from, to);
        }
      }
    }
  }

  /** Try again after a load error. */
  retry(): void {
    this._loadError = null;
    if (this._state.groupBy !== null && this._groups === null) {
      void this._loadGroups(false);
    }
    this._pages.retry();
    this._groupPages.forEach(p => p.retry());
    this.ensureRows(this._visible.start, this._visible.end);
    this._changed.emit();
  }

  /** Fetch what is shown again, keeping it on screen until the replies land. */
  reload(): void {
    this._loadError = null;
    if (this._state.groupBy !== null) {
      void this._loadGroups(true);
    } else {
      this._pages.invalidate();
      this._pages.ensure(this._visible.start, this._visible.end);
    }
    void this._loadKeys();
    this._changed.emit();
  }

  /**
   * The row of the run a restored view was scrolled to, once its page is
   * here; asked once (null after): the table scrolls to it.
   */
  takeAnchorIndex(): number | null {
    if (this._pendingAnchor === null || this._state.groupBy !== null) {
      return null;
    }
    const index = this._pages.indexOf(this._pendingAnchor);
    if (index >= 0) {
      this._pendingAnchor = null;
      return index;
    }
    return null;
  }

  /** The run at the top of the table, kept in the state without a signal. */
  setAnchor(runId: string | null): void {
    this._state.anchor = runId;
  }

  // --- Sorting ---------------------------------------------------------------

  isSortable(id: string): boolean {
    return !UNSORTABLE.has(id) && parseColumnId(id)?.kind !== 'data';
  }

  /** The sort of a column: its direction and rank (0 first), if sorted. */
  sortOf(id: string): { descending: boolean; rank: number } | null {
    const rank = this._state.orderBy.findIndex(k => k.key === id);
    return rank < 0
      ? null
      : { descending: this._state.orderBy[rank].descending, rank };
  }

  /**
   * Sort by a column (a header click): numbers first descending, text
   * ascending; again to reverse. With `add` (shift), the column becomes
   * another key; a third click on an added key removes it.
   */
  sortBy(id: string, add = false): void {
    if (!this.isSortable(id)) {
      return;
    }
    const orderBy = this._state.orderBy;
    const rank = orderBy.findIndex(k => k.key === id);
    const first = this.isNumeric(id) || id === 'starred';
    let next: IOrderKey[];
    if (!add) {
      next =
        rank >= 0 && orderBy.length === 1
          ? [{ key: id, descending: !orderBy[0].descending }]
          : [{ key: id, descending: first }];
    } else if (rank < 0) {
      next = [...orderBy, { key: id, descending: first }];
    } else if (orderBy[rank].descending === first) {
      next = orderBy.map((k, i) =>
        i === rank ? { key: id, descending: !k.descending } : k
      );
    } else {
      next = orderBy.filter((_, i) => i !== rank);
    }
    this.setOrderBy(next);
  }

  setOrderBy(orderBy: IOrderKey[]): void {
    this._state.orderBy = orderBy.map(k => ({ ...k }));
    this._requery();
    this._emitState();
  }

  // --- Columns ---------------------------------------------------------------

  /** Every column, in order: the view's, then the keys found since. */
  get columns(): readonly IColumnState[] {
    if (!this._columnsCache) {
      const listed = new Set(this._state.columns.map(c => c.id));
      const keys = {
        params: [...this._keys.params].sort(),
        metrics: [...this._keys.metrics].sort()
      };
      this._columnsCache = [
        ...this._state.columns,
        ...defaultColumns(keys).filter(c => !listed.has(c.id))
      ];
    }
    return this._columnsCache;
  }

  get visibleColumns(): IColumnState[] {
    return this.columns.filter(c => !c.hidden);
  }

  /** Param and metric keys seen in the store or in the rows. */
  get keys(): { params: string[]; metrics: string[]; tags: string[] } {
    return {
      params: [...this._keys.params].sort(),
      metrics: [...this._keys.metrics].sort(),
      tags: [...this._keys.tags].sort()
    };
  }

  setColumnHidden(id: string, hidden: boolean): void {
    this._editColumn(id, c => ({ ...c, hidden: hidden || undefined }));
  }

  setColumnPinned(id: string, pinned: boolean): void {
    this._editColumn(id, c => ({ ...c, pinned: pinned || undefined }));
  }

  setColumnWidth(id: string, width: number): void {
    this._editColumn(id, c => ({
      ...c,
      width: Math.max(24, Math.round(width))
    }));
  }

  /** Widths of several columns at once (a resize drag's end). */
  setColumnWidths(widths: { [id: string]: number }): void {
    const columns = this.columns.map(c =>
      widths[c.id] !== undefined
        ? { ...c, width: Math.max(24, Math.round(widths[c.id])) }
        : c
    );
    this._setColumns(columns);
  }

  /** Move a column before another (null: to the end). */
  moveColumn(id: string, before: string | null): void {
    const columns = [...this.columns];
    const from = columns.findIndex(c => c.id === id);
    if (from < 0 || id === before) {
      return;
    }
    const [column] = columns.splice(from, 1);
    const to = before === null ? -1 : columns.findIndex(c => c.id === before);
    columns.splice(to < 0 ? columns.length : to, 0, column);
    this._setColumns(columns);
  }

  /** Show a column (`metrics.acc.max`), adding it after `after` if new. */
  addColumn(id: string, after?: string): void {
    const normal = normalizeColumnId(id);
    if (!normal) {
      return;
    }
    const columns = [...this.columns];
    const at = columns.findIndex(c => c.id === normal);
    if (at >= 0) {
      columns[at] = { ...columns[at], hidden: undefined };
    } else {
      const place = after ? columns.findIndex(c => c.id === after) : -1;
      columns.splice(place < 0 ? columns.length : place + 1, 0, { id: normal });
    }
    this._setColumns(columns);
  }

  /** Whether a column holds numbers (right-aligned, aggregated, sorted best first). */
  isNumeric(id: string): boolean {
    let numeric = this._numeric.get(id);
    if (numeric === undefined) {
      numeric = isNumericColumn(id, this._sample);
      // A param not seen yet may be numeric: ask again when runs come.
      if (numeric || this._sample.length >= SAMPLE_SIZE) {
        this._numeric.set(id, numeric);
      }
    }
    return numeric;
  }

  // --- Selection and focus ----------------------------------------------------

  get selection(): readonly string[] {
    return [...this._selection];
  }

  isSelected(runId: string): boolean {
    return this._selection.has(runId);
  }

  /**
   * Select the run at a row: alone (a click), toggled (ctrl-click, space) or
   * the range from the last row selected (shift-click).
   */
  select(index: number, mode: SelectMode = 'only'): void {
    const row = this.row(index);
    if (row.type !== 'run') {
      return;
    }
    const id = row.run.id;
    if (mode === 'range' && this._selectAnchor !== null) {
      const [from, to] = [
        Math.min(this._selectAnchor, index),
        Math.max(this._selectAnchor, index)
      ];
      for (let i = from; i <= to; i++) {
        const r = this.row(i);
        if (r.type === 'run') {
          this._selection.add(r.run.id);
        }
      }
    } else if (mode === 'toggle') {
      if (!this._selection.delete(id)) {
        this._selection.add(id);
      }
      this._selectAnchor = index;
    } else {
      this._selection = new Set([id]);
      this._selectAnchor = index;
    }
    this._focused = index;
    this._emitState();
  }

  clearSelection(): void {
    if (this._selection.size) {
      this._selection.clear();
      this._emitState();
    }
  }

  get focusedIndex(): number | null {
    return this._focused;
  }

  focus(index: number): void {
    const clamped = Math.max(0, Math.min(index, this.rowCount - 1));
    if (this.rowCount && clamped !== this._focused) {
      this._focused = clamped;
      this._changed.emit();
    }
  }

  /** Arrow keys: move the focus; with `extend` (shift), select as it moves. */
  moveFocus(delta: number, extend = false): void {
    const from = this._focused ?? (delta > 0 ? -1 : this.rowCount);
    this.focus(from + delta);
    if (extend && this._focused !== null) {
      if (this._selectAnchor === null) {
        this._selectAnchor = Math.max(0, Math.min(from, this.rowCount - 1));
      }
      this.select(this._focused, 'range');
    }
  }

  /** Space: toggle the focused run, or open or close the focused group. */
  toggleFocused(): void {
    if (this._focused === null) {
      return;
    }
    const row = this.row(this._focused);
    if (row.type === 'group') {
      this.toggleGroup(row.key);
    } else {
      this.select(this._focused, 'toggle');
    }
  }

  /** Enter: show the run at a row in full (a group opens or closes). */
  open(index: number): void {
    const row = this.row(index);
    if (row.type === 'run') {
      this._opened.emit(row.run.id);
    } else if (row.type === 'group') {
      this.toggleGroup(row.key);
    }
  }

  // --- Grouping --------------------------------------------------------------

  get groupBy(): string | null {
    return this._state.groupBy;
  }

  setGroupBy(groupBy: string | null): void {
    const normal = groupBy === null ? null : normalizeColumnId(groupBy);
    if (normal !== this._state.groupBy) {
      this._state.groupBy = normal;
      this._requery();
      this._emitState();
    }
  }

  /** The columns a group row aggregates: the visible numeric ones. */
  aggregateColumns(): string[] {
    return this.visibleColumns
      .map(c => c.id)
      .filter(
        id =>
          id !== this._state.groupBy &&
          parseColumnId(id)?.kind !== 'attribute' &&
          this.isNumeric(id)
      );
  }

  /** Open a group (its runs, fetched as they scroll into view) or close it. */
  toggleGroup(key: string): void {
    const group = this._groups?.find(g => groupKey(g.value) === key);
    if (!group || this._state.groupBy === null) {
      return;
    }
    const pages = this._groupPages.get(key);
    if (pages) {
      pages.clear();
      this._groupPages.delete(key);
    } else {
      const groupBy = this._state.groupBy;
      this._groupPages.set(
        key,
        this._newPages(() =>
          groupFilter(this._state.filter, groupBy, group.value)
        )
      );
    }
    this._layoutCache = null;
    this.ensureRows(this._visible.start, this._visible.end);
    this._changed.emit();
  }

  // --- Edits -----------------------------------------------------------------

  setStarred(runId: string, starred: boolean): Promise<boolean> {
    return this._update(
      starred ? 'star' : 'unstar',
      runId,
      { starred },
      run => ({
        ...run,
        starred
      })
    );
  }

  rename(runId: string, name: string): Promise<boolean> {
    return this._update('rename', runId, { name }, run => ({ ...run, name }));
  }

  setNotes(runId: string, notes: string): Promise<boolean> {
    return this._update('save the notes of', runId, { notes }, run => ({
      ...run,
      notes
    }));
  }

  addTag(runId: string, key: string, value = ''): Promise<boolean> {
    this._keys.tags.add(key);
    return this._update(
      `tag ${key} on`,
      runId,
      { tags: { set: { [key]: value } } },
      run => ({ ...run, tags: { ...run.tags, [key]: value } })
    );
  }

  removeTag(runId: string, key: string): Promise<boolean> {
    return this._update(
      `remove tag ${key} from`,
      runId,
      { tags: { remove: [key] } },
      run => ({ ...run, tags: withoutKeys(run.tags, [key]) })
    );
  }

  /** Archive: hidden from the list from the next query on. */
  setArchived(runId: string, archived: boolean): Promise<boolean> {
    return this._update(
      archived ? 'archive' : 'unarchive',
      runId,
      { archived },
      run => ({ ...run, archived })
    );
  }

  /** Move to the trash; the row stays, marked, until the next query. */
  remove(runId: string): Promise<boolean> {
    return this._edit(
      'move to the trash',
      [runId],
      run => ({ ...run, deleted: Date.now() / 1000 }),
      () => this._client.runs.remove(runId),
      () => undefined
    );
  }

  restore(runId: string): Promise<boolean> {
    return this._edit(
      'restore',
      [runId],
      run => ({ ...run, deleted: null }),
      () => this._client.runs.restore(runId),
      run => this._put(run)
    );
  }

  /** Delete for good (from the trash). */
  purge(runId: string): Promise<boolean> {
    return this._edit(
      'delete',
      [runId],
      run => run,
      () => this._client.runs.purge(runId),
      () => this.markGone([runId])
    );
  }

  /** Set tags on every selected run. */
  bulkTag(tags: { [key: string]: string }): Promise<boolean> {
    Object.keys(tags).forEach(k => this._keys.tags.add(k));
    return this._bulk(
      `tag ${Object.keys(tags).join(', ')} on`,
      {
        tags: { set: tags }
      },
      run => ({ ...run, tags: { ...run.tags, ...tags } })
    );
  }

  /** Remove tags from every selected run. */
  bulkUntag(keys: string[]): Promise<boolean> {
    return this._bulk(
      `remove tag ${keys.join(', ')} from`,
      {
        tags: { remove: keys }
      },
      run => ({ ...run, tags: withoutKeys(run.tags, keys) })
    );
  }

  bulkArchive(archived: boolean): Promise<boolean> {
    return this._bulk(
      archived ? 'archive' : 'unarchive',
      { archived },
      run => ({
        ...run,
        archived
      })
    );
  }

  bulkStar(starred: boolean): Promise<boolean> {
    return this._bulk(starred ? 'star' : 'unstar', { starred }, run => ({
      ...run,
      starred
    }));
  }

  // --- Live updates ----------------------------------------------------------

  /**
   * Fetch these runs again and update their rows in place; a run the server
   * no longer lists is shown as gone; a run never seen before (one just
   * started) makes the view fetch its rows again.
   */
  async refresh(ids: readonly string[]): Promise<void> {
    if (!ids.length || this._isDisposed) {
      return;
    }
    if (ids.length > REFRESH_MAX_IDS) {
      this._scheduleReload();
      return;
    }
    let runs: IRunSummary[];
    try {
      ({ runs } = await this._client.runs.list({
        filter: idsFilter(ids),
        limit: ids.length,
        trash: this._trash || undefined
      }));
    } catch (reason) {
      // The next change, or a reload, fetches them again.
      console.warn('Experiments browser: could not refresh runs', reason);
      return;
    }
    if (this._isDisposed) {
      return;
    }
    const found = new Set<string>();
    let unseen = false;
    for (const run of runs) {
      found.add(run.id);
      this._gone.delete(run.id);
      this._learn(run);
      if (!this._put(run) && !this._seen.has(run.id)) {
        unseen = true;
      }
      this._seen.add(run.id);
    }
    for (const id of ids) {
      if (!found.has(id) && this._lookup(id)) {
        this._gone.add(id);
      }
    }
    if (unseen || this._state.groupBy !== null) {
      this._scheduleReload();
    }
    this._changed.emit();
  }

  /** These runs no longer exist (purged, here or elsewhere). */
  markGone(ids: readonly string[]): void {
    ids.forEach(id => this._gone.add(id));
    this._changed.emit();
  }

  // --- Internals -------------------------------------------------------------

  private _onRunsChanged(_: unknown, change: IRunsChanged): void {
    if (change.action === 'deleted') {
      this.markGone(change.runIds);
    } else {
      void this.refresh(change.runIds);
    }
  }

  private _scheduleReload(): void {
    if (this._reloadTimer !== null) {
      return;
    }
    const wait = Math.max(
      0,
      this._lastReload + RELOAD_THROTTLE_MS - Date.now()
    );
    this._reloadTimer = setTimeout(() => {
      this._reloadTimer = null;
      this._lastReload = Date.now();
      if (!this._isDisposed) {
        this.reload();
      }
    }, wait);
  }

  private _runRow(
    pages: RunPages,
    local: number,
    index: number,
    group: string | null
  ): IRunRow | IPendingRow {
    const run = pages.get(local);
    return run
      ? { type: 'run', index, run, gone: this._gone.has(run.id), group }
      : { type: 'pending', index, group };
  }

  /** A run cache over a filter read when each page is fetched. */
  private _newPages(filter: () => string): RunPages {
    const load = (offset: number, limit: number) =>
      this._client.runs.list({
        filter: filter() || undefined,
        order_by: orderByText(this._state.orderBy) || undefined,
        trash: this._trash || undefined,
        summaries: this._shownSummaries(),
        layout: 'columns',
        offset,
        limit
      });
    const pages = new RunPages(
      load,
      (runs: IRunSummary[]) => {
        this._layoutCache = null;
        this._loadError = null;
        let learned = false;
        // Only the page that landed: the cache may hold thousands of runs.
        for (const run of runs) {
          learned = this._learn(run) || learned;
          if (!this._seen.has(run.id) && this._sample.length < SAMPLE_SIZE) {
            this._sample.push(run);
          }
          this._seen.add(run.id);
        }
        if (learned) {
          this._columnsCache = null;
        }
        this._changed.emit();
      },
      reason => this._setLoadError(reason)
    );
    return pages;
  }

  /** New filter, order, grouping or trash: start again from the top. */
  private _requery(): void {
    this._loadError = null;
    this._gone.clear();
    this._focused = null;
    this._selectAnchor = null;
    this._pages.clear();
    this._groupPages.forEach(p => p.clear());
    this._groupPages.clear();
    this._groups = null;
    this._layoutCache = null;
    this._visible = { start: 0, end: PAGE_SIZE };
    if (this._state.groupBy !== null) {
      void this._loadGroups(false);
    } else {
      this._pages.ensure(0, PAGE_SIZE);
    }
    this._changed.emit();
  }

  private async _loadGroups(keepOpen: boolean): Promise<void> {
    const generation = ++this._groupsGeneration;
    const groupBy = this._state.groupBy!;
    let groups: IRunGroup[];
    try {
      groups = await this._client.runs.groups({
        group_by: groupBy,
        filter: this._state.filter || undefined,
        columns: this.aggregateColumns()
      });
    } catch (reason) {
      if (generation === this._groupsGeneration) {
        this._setLoadError(reason);
      }
      return;
    }
    if (generation !== this._groupsGeneration || this._isDisposed) {
      return;
    }
    this._groups = groups;
    const keys = new Set(groups.map(g => groupKey(g.value)));
    for (const [key, pages] of this._groupPages) {
      if (!keepOpen || !keys.has(key)) {
        pages.clear();
        this._groupPages.delete(key);
      } else {
        pages.invalidate();
      }
    }
    this._layoutCache = null;
    this.ensureRows(this._visible.start, this._visible.end);
    this._changed.emit();
  }

  private _layout(): ILayoutEntry[] {
    if (!this._layoutCache) {
      const layout: ILayoutEntry[] = [];
      let start = 0;
      for (const group of this._groups ?? []) {
        const key = groupKey(group.value);
        const pages = this._groupPages.get(key) ?? null;
        const size = pages ? (pages.total ?? group.count) : 0;
        layout.push({ start, key, group, pages, size });
        start += 1 + size;
      }
      this._layoutCache = layout;
    }
    return this._layoutCache;
  }

  private _setLoadError(reason: unknown): void {
    this._loadError = {
      message: errorMessage(reason),
      status: reason instanceof ApiError ? reason.status : null,
      error: reason
    };
    this._changed.emit();
  }

  private async _loadKeys(): Promise<void> {
    if (!this._client.query) {
      return;
    }
    try {
      const keys = await this._client.query.keys();
      let learned = false;
      for (const key of keys.params) {
        learned = add(this._keys.params, key) || learned;
      }
      for (const key of keys.metrics) {
        learned = add(this._keys.metrics, key) || learned;
      }
      keys.tags.forEach(key => this._keys.tags.add(key));
      if (learned && !this._isDisposed) {
        this._columnsCache = null;
        this._changed.emit();
      }
    } catch (reason) {
      // The rows' own keys still give columns.
      console.warn('Experiments browser: could not list the keys', reason);
    }
  }

  /** Note a run's keys; true if a column is new. */
  private _learn(run: IRunSummary): boolean {
    // `for in` over the parsed JSON (own keys only): no array of keys per
    // run, which a page of 100 runs × 300 keys would make garbage of.
    let learned = false;
    // A page's runs share their columns: their keys are learned once.
    const columns = runColumns(run);
    if (!columns || columns !== this._learnedColumns) {
      this._learnedColumns = columns ?? null;
      const { params, metrics } = columns ?? run;
      for (const key in params) {
        learned = add(this._keys.params, key) || learned;
      }
      for (const key in metrics) {
        learned = add(this._keys.metrics, key) || learned;
      }
    }
    for (const key in run.tags) {
      this._keys.tags.add(key);
    }
    if (learned) {
      this._numeric.clear();
    }
    return learned;
  }

  private _lookup(runId: string): IRunSummary | undefined {
    for (const pages of [this._pages, ...this._groupPages.values()]) {
      const index = pages.indexOf(runId);
      if (index >= 0) {
        return pages.get(index);
      }
    }
    return undefined;
  }

  /** Put a run's new copy wherever it is shown; false if nowhere. */
  private _put(run: IRunSummary): boolean {
    let put = false;
    for (const pages of [this._pages, ...this._groupPages.values()]) {
      put = pages.replace(run) || put;
    }
    return put;
  }

  private _update(
    action: string,
    runId: string,
    change: IRunChange,
    patch: (run: IRunSummary) => IRunSummary
  ): Promise<boolean> {
    return this._edit(
      action,
      [runId],
      patch,
      () => this._client.runs.update(runId, change),
      run => this._put(run)
    );
  }

  private _bulk(
    action: string,
    change: IBulkChange,
    patch: (run: IRunSummary) => IRunSummary
  ): Promise<boolean> {
    const ids = [...this._selection];
    if (!ids.length) {
      return Promise.resolve(true);
    }
    return this._edit(
      action,
      ids,
      patch,
      () => this._client.runs.bulk(ids, change),
      runs => runs.forEach(run => this._put(run))
    );
  }

  /**
   * An edit shown at once: the rows change, the server is asked, its reply
   * replaces them; if it refuses, the rows go back (unless something newer
   * arrived meanwhile) and `failed` says why.
   */
  private async _edit<T>(
    action: string,
    ids: string[],
    patch: (run: IRunSummary) => IRunSummary,
    call: () => Promise<T>,
    done: (result: T) => void
  ): Promise<boolean> {
    const before = new Map<string, IRunSummary>();
    const shown = new Map<string, IRunSummary>();
    for (const id of ids) {
      const run = this._lookup(id);
      if (run) {
        const next = patch(run);
        before.set(id, run);
        shown.set(id, next);
        this._put(next);
      }
    }
    this._changed.emit();
    try {
      const result = await call();
      if (!this._isDisposed) {
        done(result);
        this._changed.emit();
      }
      return true;
    } catch (reason) {
      if (this._isDisposed) {
        return false;
      }
      for (const [id, run] of before) {
        if (this._lookup(id) === shown.get(id)) {
          this._put(run);
        }
      }
      const subject =
        ids.length === 1 ? `run ${ids[0].slice(0, 8)}` : `${ids.length} runs`;
      this._failed.emit({
        action,
        runIds: ids,
        message: `Could not ${action} ${subject}: ${errorMessage(reason)}`,
        error: reason
      });
      this._changed.emit();
      return false;
    }
  }

  private _editColumn(
    id: string,
    edit: (column: IColumnState) => IColumnState
  ): void {
    this._setColumns(this.columns.map(c => (c.id === id ? edit(c) : c)));
  }

  /**
   * The metric summaries the shown columns read, which is all a page carries
   * of its metrics (`last` at least: a run's metric keys come with it).
   */
  private _shownSummaries(): string[] {
    const shown = new Set<string>(['last']);
    for (const column of this.visibleColumns) {
      const ref = parseColumnId(column.id);
      if (ref?.kind === 'metrics') {
        shown.add(ref.summary);
      }
    }
    return METRIC_SUMMARIES.filter(summary => shown.has(summary));
  }

  private _setColumns(columns: IColumnState[]): void {
    const before = this._shownSummaries();
    this._state.columns = columns.map(c => stripUndefined(c));
    this._columnsCache = null;
    if (this._shownSummaries().some(summary => !before.includes(summary))) {
      // A column shows a figure the cached pages were fetched without.
      for (const pages of [this._pages, ...this._groupPages.values()]) {
        pages.invalidate();
      }
    }
    if (this._state.groupBy !== null) {
      // Aggregates follow the visible columns.
      void this._loadGroups(true);
    }
    this._emitState();
  }

  private _emitState(): void {
    this._state.selection = [...this._selection];
    this._changed.emit();
    this._stateChanged.emit(this.state);
  }

  private _state: IViewState;
  private _trash: boolean;
  private _pages: RunPages;
  private _groups: IRunGroup[] | null = null;
  private _groupPages = new Map<string, RunPages>();
  private _groupsGeneration = 0;
  private _layoutCache: ILayoutEntry[] | null = null;
  private _columnsCache: IColumnState[] | null = null;
  private _keys = {
    params: new Set<string>(),
    metrics: new Set<string>(),
    tags: new Set<string>()
  };
  private _numeric = new Map<string, boolean>();
  /** The columns of the last page whose keys were learned. */
  private _learnedColumns: IRunColumns | null = null;
  /** Runs seen first, kept across queries: which params hold numbers. */
  private _sample: IRunSummary[] = [];
  private _selection: Set<string>;
  private _selectAnchor: number | null = null;
  private _focused: number | null = null;
  private _gone = new Set<string>();
  private _seen = new Set<string>();
  private _visible = { start: 0, end: PAGE_SIZE };
  private _loadError: ILoadError | null = null;
  private _pendingAnchor: string | null = null;
  private _reloadTimer: ReturnType<typeof setTimeout> | null = null;
  private _lastReload = 0;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
  private _stateChanged = new Signal<this, IViewState>(this);
  private _failed = new Signal<this, IEditFailure>(this);
  private _opened = new Signal<this, string>(this);
}

interface ILayoutEntry {
  start: number;
  key: string;
  group: IRunGroup;
  pages: RunPages | null;
  size: number;
}

/** A group's value as a map key (1 and '1' are different groups). */
export function groupKey(value: unknown): string {
  return JSON.stringify(value ?? null);
}

function add(set: Set<string>, key: string): boolean {
  if (set.has(key)) {
    return false;
  }
  set.add(key);
  return true;
}

function withoutKeys(
  tags: { [key: string]: string },
  keys: string[]
): { [key: string]: string } {
  const copy = { ...tags };
  keys.forEach(k => delete copy[k]);
  return copy;
}

function stripUndefined(column: IColumnState): IColumnState {
  const copy: IColumnState = { id: column.id };
  if (column.width !== undefined) {
    copy.width = column.width;
  }
  if (column.pinned) {
    copy.pinned = true;
  }
  if (column.hidden) {
    copy.hidden = true;
  }
  return copy;
}

/** A view from outside (a link, a saved view): unknown columns and keys dropped. */
function normalizeState(state: IViewState): IViewState {
  const seen = new Set<string>();
  const columns: IColumnState[] = [];
  for (const column of Array.isArray(state.columns) ? state.columns : []) {
    const id = column && normalizeColumnId(String(column.id));
    if (id && !seen.has(id)) {
      seen.add(id);
      const width = Number(column.width);
      columns.push(
        stripUndefined({
          id,
          width: Number.isFinite(width) && width > 0 ? width : undefined,
          pinned: Boolean(column.pinned),
          hidden: Boolean(column.hidden)
        })
      );
    }
  }
  const orderBy = (Array.isArray(state.orderBy) ? state.orderBy : [])
    .map(k => ({
      key: k && normalizeColumnId(String(k.key)),
      descending: Boolean(k?.descending)
    }))
    .filter((k): k is IOrderKey => !!k.key && !UNSORTABLE.has(k.key));
  return {
    filter: typeof state.filter === 'string' ? state.filter : '',
    orderBy,
    columns,
    groupBy:
      typeof state.groupBy === 'string'
        ? normalizeColumnId(state.groupBy)
        : null,
    selection: Array.isArray(state.selection)
      ? state.selection.filter(s => typeof s === 'string')
      : [],
    anchor: typeof state.anchor === 'string' ? state.anchor : null
  };
}
