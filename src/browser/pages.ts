/**
 * A sparse cache of one query's runs, by row index, filled a page at a time
 * as the table scrolls: 10,000 runs are never fetched at once, only the pages
 * on screen. Pure, no DOM.
 */
import { runColumns } from '../rest/runColumns';
import type { IRunSummary } from '../tokens';

/** Rows per request. */
export const PAGE_SIZE = 100;

/** Requests in flight at once: a fast scroll does not queue every page. */
const MAX_IN_FLIGHT = 3;

/**
 * Rows fetched ahead of those on screen, in the direction of the scroll: a
 * page lands before it is shown, so scrolling draws runs, not placeholders
 * filled a frame later.
 */
export const PREFETCH_ROWS = PAGE_SIZE;

/**
 * What the cache holds at most, in params, metrics and tags over all its
 * runs: beyond, the pages farthest from the rows on screen are dropped
 * (fetched again if scrolled back to), down to `minPages`. A store's 10,000
 * runs of 300 columns read whole would be hundreds of MB of objects that
 * every garbage collection walks, in a pause the scroll would show (the
 * scroll benchmark had half its long frames with three times this budget).
 * 7,500 runs of 40 columns fit whole; of 300 columns, 1,000 are kept.
 */
export interface ICacheBudget {
  values: number;
  minPages: number;
}

export const CACHE_BUDGET: ICacheBudget = { values: 300_000, minPages: 10 };

/** What a run weighs in the cache budget. */
function valuesOf(run: IRunSummary): number {
  // Counted, not listed: a page of 100 runs × 300 keys allocates nothing.
  // A run read column by column weighs its page's columns (a null in a
  // column is held as much as a value), counted once a page.
  const columns = runColumns(run);
  if (!columns) {
    return (
      1 + keyCount(run.params) + keyCount(run.metrics) + keyCount(run.tags)
    );
  }
  let shared = columnWeights.get(columns);
  if (shared === undefined) {
    shared = keyCount(columns.params) + keyCount(columns.metrics);
    columnWeights.set(columns, shared);
  }
  return 1 + shared + keyCount(run.tags);
}

const columnWeights = new WeakMap<object, number>();

function keyCount(object: object): number {
  let count = 0;
  for (const key in object) {
    if (Object.prototype.hasOwnProperty.call(object, key)) {
      count++;
    }
  }
  return count;
}

export type PageLoader = (
  offset: number,
  limit: number
) => Promise<{ runs: IRunSummary[]; total: number }>;

export class RunPages {
  constructor(
    private _load: PageLoader,
    /** A page landed: its runs. */
    private _onChange: (runs: IRunSummary[]) => void,
    private _onError: (reason: unknown) => void,
    private _budget: ICacheBudget = CACHE_BUDGET
  ) {}

  /** The query's number of runs; null until its first page arrives. */
  get total(): number | null {
    return this._total;
  }

  /** Whether a page is being fetched. */
  get loading(): boolean {
    return this._inFlight.size > 0;
  }

  get(index: number): IRunSummary | undefined {
    return this._rows.get(index);
  }

  /** Indices of the cached runs, in order. */
  indices(): number[] {
    return [...this._rows.keys()].sort((a, b) => a - b);
  }

  /** Where a run is cached, or -1. */
  indexOf(runId: string): number {
    return this._byId.get(runId) ?? -1;
  }

  /** Cached runs (for columns and numeric-ness). */
  runs(): IterableIterator<IRunSummary> {
    return this._rows.values();
  }

  /**
   * Fetch the pages that rows `[start, end)` fall in and do not hold yet,
   * then, once the rows have moved, those `PREFETCH_ROWS` further on in
   * the direction they moved.
   */
  ensure(start: number, end: number): void {
    // Only once the rows move: a first screen waits for no other page.
    if (start !== this._want.start) {
      this._ahead =
        start < this._want.start
          ? { start: Math.max(0, start - PREFETCH_ROWS), end: start }
          : { start: end, end: end + PREFETCH_ROWS };
    }
    this._want = { start, end };
    this._pump();
  }

  /** Put a newer copy of a run where it is cached; false if it is not. */
  replace(run: IRunSummary): boolean {
    const index = this._byId.get(run.id);
    if (index === undefined) {
      return false;
    }
    this._rows.set(index, run);
    return true;
  }

  /**
   * The query's results changed (a run started): keep showing what is
   * cached, fetch the wanted pages again and replace them as they land.
   */
  invalidate(): void {
    this._generation++;
    this._inFlight.clear();
    for (const page of this._pages.keys()) {
      this._pages.set(page, 'stale');
    }
    this._pump();
  }

  /** Forget everything (a new filter or order): replies on the way are dropped. */
  clear(): void {
    this._generation++;
    this._inFlight.clear();
    this._pages.clear();
    this._weights.clear();
    this._rows.clear();
    this._byId.clear();
    this._total = null;
  }

  /** Fetch again after an error. */
  retry(): void {
    for (const [page, state] of this._pages) {
      if (state === 'failed') {
        this._pages.delete(page);
      }
    }
    this._pump();
  }

  private _pump(): void {
    this._pumpRange(this._want);
    if (this._total !== null && this._ahead.end > this._ahead.start) {
      this._pumpRange(this._ahead);
    }
  }

  private _pumpRange({ start, end }: { start: number; end: number }): void {
    const last =
      this._total === null
        ? Math.floor(start / PAGE_SIZE)
        : Math.min(
            Math.floor(Math.max(end - 1, start) / PAGE_SIZE),
            Math.max(0, Math.ceil(this._total / PAGE_SIZE) - 1)
          );
    for (let page = Math.floor(start / PAGE_SIZE); page <= last; page++) {
      if (this._inFlight.size >= MAX_IN_FLIGHT) {
        return;
      }
      const state = this._pages.get(page);
      if (
        state === 'loaded' ||
        state === 'failed' ||
        this._inFlight.has(page)
      ) {
        continue;
      }
      void this._fetch(page);
    }
  }

  private async _fetch(page: number): Promise<void> {
    const generation = this._generation;
    this._inFlight.add(page);
    let reply: { runs: IRunSummary[]; total: number };
    try {
      reply = await this._load(page * PAGE_SIZE, PAGE_SIZE);
    } catch (reason) {
      if (generation === this._generation) {
        this._inFlight.delete(page);
        this._pages.set(page, 'failed');
        this._onError(reason);
      }
      return;
    }
    if (generation !== this._generation) {
      return; // An older query's reply.
    }
    this._inFlight.delete(page);
    this._pages.set(page, 'loaded');
    const offset = page * PAGE_SIZE;
    this._total = reply.total;
    for (let i = 0; i < PAGE_SIZE; i++) {
      const old = this._rows.get(offset + i);
      if (old && this._byId.get(old.id) === offset + i) {
        this._byId.delete(old.id);
      }
      this._rows.delete(offset + i);
    }
    reply.runs.forEach((run, i) => {
      // A run that moved (new runs above it) leaves its old place, whose
      // page is fetched again when shown.
      const previous = this._byId.get(run.id);
      if (previous !== undefined && previous !== offset + i) {
        this._rows.delete(previous);
        const stalePage = Math.floor(previous / PAGE_SIZE);
        if (this._pages.get(stalePage) === 'loaded') {
          this._pages.set(stalePage, 'stale');
        }
      }
      this._rows.set(offset + i, run);
      this._byId.set(run.id, offset + i);
    });
    // Rows beyond the end (runs went away) are gone.
    for (const index of [...this._rows.keys()]) {
      if (index >= reply.total) {
        const run = this._rows.get(index)!;
        this._rows.delete(index);
        if (this._byId.get(run.id) === index) {
          this._byId.delete(run.id);
        }
      }
    }
    this._weights.set(
      page,
      reply.runs.reduce((sum, run) => sum + valuesOf(run), 0)
    );
    this._evict();
    this._onChange(reply.runs);
    this._pump();
  }

  /** Drop the pages farthest from the rows wanted while over the budget. */
  private _evict(): void {
    // Every page whose runs are held, whatever its state (a stale page
    // still shows its runs until its new reply lands).
    const held = [...this._weights.keys()];
    let weight = held.reduce((sum, page) => sum + this._weights.get(page)!, 0);
    if (weight <= this._budget.values || held.length <= this._budget.minPages) {
      return;
    }
    const centre = (this._want.start + this._want.end) / 2 / PAGE_SIZE;
    held.sort(
      (a, b) => Math.abs(b + 0.5 - centre) - Math.abs(a + 0.5 - centre)
    );
    let remaining = held.length;
    for (const page of held) {
      if (weight <= this._budget.values || remaining <= this._budget.minPages) {
        break;
      }
      remaining--;
      weight -= this._weights.get(page)!;
      this._weights.delete(page);
      this._pages.delete(page);
      for (let i = page * PAGE_SIZE; i < (page + 1) * PAGE_SIZE; i++) {
        const run = this._rows.get(i);
        if (run) {
          this._rows.delete(i);
          if (this._byId.get(run.id) === i) {
            this._byId.delete(run.id);
          }
        }
      }
    }
  }

  private _rows = new Map<number, IRunSummary>();
  private _byId = new Map<string, number>();
  private _pages = new Map<number, 'loaded' | 'stale' | 'failed'>();
  /** Values held by each page that landed (the cache budget's unit). */
  private _weights = new Map<number, number>();
  private _inFlight = new Set<number>();
  private _total: number | null = null;
  private _generation = 0;
  private _want = { start: 0, end: PAGE_SIZE };
  private _ahead = { start: 0, end: 0 };
}
