/**
 * Everything a view's export holds: all its runs, fetched from the server a
 * page at a time (the table only ever loads the pages on screen), and its
 * visible columns in the order the table shows them. No DOM.
 */
import type { IRunsClient } from '../rest';
import type { IRunSummary } from '../tokens';
import { toCsv } from './export';
import { orderByText } from './model';
import type { IColumnState, IOrderKey } from './viewState';

/** Runs an export fetches at most: beyond, the file is cut and the user told. */
export const EXPORT_MAX_RUNS = 100_000;

/** Runs per request: the most `GET runs` gives at once. */
export const EXPORT_PAGE_SIZE = 1000;

/** What the table shows: the filter, the order, runs or the trash. */
export interface IExportQuery {
  filter: string;
  orderBy: readonly IOrderKey[];
  trash: boolean;
}

export interface IExportProgress {
  /** Runs fetched so far. */
  fetched: number;
  /** Runs the export will fetch (the view's, up to the cap). */
  expected: number;
}

export interface IExportOptions {
  maxRuns?: number;
  pageSize?: number;
  onProgress?: (progress: IExportProgress) => void;
  /** Stop between pages (the promise rejects with an `ExportCancelled`). */
  signal?: { readonly aborted: boolean };
}

export interface IExportResult {
  runs: IRunSummary[];
  /** Runs the view had when the last page was read. */
  total: number;
  /** Whether `runs` stops at the cap, short of `total`. */
  truncated: boolean;
}

/** The user stopped the export. */
export class ExportCancelled extends Error {
  constructor() {
    super('The export was cancelled.');
  }
}

/**
 * Every run of the view, in its order, up to `maxRuns`. Pages are read by
 * offset; a run that moves while they are read (a new run on top shifts the
 * rest down) is kept once.
 */
export async function fetchViewRuns(
  runs: Pick<IRunsClient, 'list'>,
  query: IExportQuery,
  options: IExportOptions = {}
): Promise<IExportResult> {
  const maxRuns = Math.max(0, options.maxRuns ?? EXPORT_MAX_RUNS);
  const pageSize = Math.max(1, options.pageSize ?? EXPORT_PAGE_SIZE);
  const orderBy = orderByText(query.orderBy);
  const seen = new Set<string>();
  const result: IRunSummary[] = [];
  let total = Infinity;
  let offset = 0;
  while (offset < Math.min(total, maxRuns)) {
    if (options.signal?.aborted) {
      throw new ExportCancelled();
    }
    const page = await runs.list({
      filter: query.filter.trim() || undefined,
      order_by: orderBy || undefined,
      trash: query.trash || undefined,
      offset,
      limit: Math.min(pageSize, maxRuns - offset)
    });
    total = page.total;
    for (const run of page.runs) {
      if (!seen.has(run.id) && result.length < maxRuns) {
        seen.add(run.id);
        result.push(run);
      }
    }
    if (!page.runs.length) {
      break;
    }
    offset += page.runs.length;
    options.onProgress?.({
      fetched: result.length,
      expected: Math.min(total, maxRuns)
    });
  }
  if (options.signal?.aborted) {
    throw new ExportCancelled();
  }
  return {
    runs: result,
    total,
    truncated: total > result.length && result.length >= maxRuns
  };
}

/** The visible columns as the table lays them out: pinned ones first. */
export function exportColumnIds(columns: readonly IColumnState[]): string[] {
  const visible = columns.filter(c => !c.hidden);
  return [
    ...visible.filter(c => c.pinned).map(c => c.id),
    ...visible.filter(c => !c.pinned).map(c => c.id)
  ];
}

/** The view as CSV: all its runs, its visible columns. */
export async function viewCsv(
  runs: Pick<IRunsClient, 'list'>,
  query: IExportQuery,
  columns: readonly IColumnState[],
  options: IExportOptions = {}
): Promise<IExportResult & { csv: string }> {
  const result = await fetchViewRuns(runs, query, options);
  return { ...result, csv: toCsv(result.runs, exportColumnIds(columns)) };
}
