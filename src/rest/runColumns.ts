/**
 * Runs whose params and metrics came column by column (`GET runs?layout=columns`):
 * a page of 100 runs × 300 keys parses into 300 arrays of unboxed numbers
 * rather than 30,000 small objects, which the garbage collector would walk
 * (in pauses a scrolling table shows) for as long as the page is cached.
 *
 * Such a run is still an `IRunSummary`: its `params` and `metrics` are built
 * from the columns when first read (a spread or JSON of it copies them), and
 * readers here (`runParam`, `runMetricField`, `runColumns`) read the columns
 * without building anything. Pure, no DOM.
 */
import type { IMetricSummary, IRunSummary } from '../tokens';
import { reviveNumber } from './request';

/** `columns` of a `layout=columns` listing: one array per key, a value per run, null where absent. */
export interface IRunColumns {
  params: { [key: string]: unknown[] };
  metrics: { [key: string]: { [field: string]: unknown[] } };
}

const COLUMNS = Symbol('runColumns');
const ROW = Symbol('runRow');

interface IColumnarRun extends IRunSummary {
  [COLUMNS]?: IRunColumns;
  [ROW]?: number;
}

/** The metric summary fields that can be NaN or infinite (spelled as strings in JSON). */
export const NON_FINITE_SUMMARIES = ['last', 'min', 'max'] as const;
const REVIVED = new Set<string>(NON_FINITE_SUMMARIES);

/**
 * Make each of `runs` (the listing's runs, without params and metrics) read
 * its params and metrics from `columns`, the i-th value of each for the i-th
 * run. In place; non-finite metric values spelled as strings are revived.
 */
export function attachColumns(
  runs: IRunSummary[],
  columns: IRunColumns
): IRunSummary[] {
  for (const key in columns.metrics) {
    const fields = columns.metrics[key];
    for (const field in fields) {
      if (REVIVED.has(field)) {
        const values = fields[field];
        for (let i = 0; i < values.length; i++) {
          if (typeof values[i] === 'string') {
            values[i] = reviveNumber(values[i]);
          }
        }
      }
    }
  }
  runs.forEach((run, row) => {
    // Not enumerable: a copy (`{...run}`) takes built params and metrics instead.
    Object.defineProperty(run, COLUMNS, { value: columns });
    Object.defineProperty(run, ROW, { value: row });
    Object.defineProperty(run, 'params', PARAMS);
    Object.defineProperty(run, 'metrics', METRICS);
  });
  return runs;
}

/** Built on first read, then kept as a plain property of the run. */
const PARAMS: PropertyDescriptor = {
  enumerable: true,
  configurable: true,
  get(this: IColumnarRun) {
    const params: { [key: string]: unknown } = {};
    for (const key of runKeys(this, 'params')) {
      params[key] = runParam(this, key);
    }
    return settle(this, 'params', params);
  },
  set(this: IColumnarRun, value: unknown) {
    settle(this, 'params', value);
  }
};

const METRICS: PropertyDescriptor = {
  enumerable: true,
  configurable: true,
  get(this: IColumnarRun) {
    const metrics: { [key: string]: IMetricSummary } = {};
    const columns = this[COLUMNS]!;
    for (const key of runKeys(this, 'metrics')) {
      const summary: { [field: string]: unknown } = {};
      for (const field in columns.metrics[key]) {
        summary[field] = columns.metrics[key][field][this[ROW]!];
      }
      metrics[key] = summary as unknown as IMetricSummary;
    }
    return settle(this, 'metrics', metrics);
  },
  set(this: IColumnarRun, value: unknown) {
    settle(this, 'metrics', value);
  }
};

function settle<T>(run: IColumnarRun, name: string, value: T): T {
  Object.defineProperty(run, name, {
    value,
    enumerable: true,
    configurable: true,
    writable: true
  });
  return value;
}

function columnsOf(run: IRunSummary): IRunColumns | undefined {
  const columns = (run as IColumnarRun)[COLUMNS];
  if (!columns) {
    return undefined;
  }
  // Once built (or set), the run's own objects are the truth.
  const params = Object.getOwnPropertyDescriptor(run, 'params');
  return params && params.get ? columns : undefined;
}

/** A run's param, undefined where it has none. */
export function runParam(run: IRunSummary, key: string): unknown {
  const columns = columnsOf(run);
  if (!columns) {
    return run.params[key];
  }
  const column = own(columns.params, key) ? columns.params[key] : undefined;
  const value = column?.[(run as IColumnarRun)[ROW]!];
  return value === null ? undefined : value;
}

/** One field (`last`, `max`…) of a run's metric summary; undefined where the run has no such metric. */
export function runMetricField(
  run: IRunSummary,
  key: string,
  field: keyof IMetricSummary
): unknown {
  const columns = columnsOf(run);
  if (!columns) {
    const summary = own(run.metrics, key) ? run.metrics[key] : undefined;
    return summary ? summary[field] : undefined;
  }
  const fields = own(columns.metrics, key) ? columns.metrics[key] : undefined;
  if (!fields || !runHas(fields, (run as IColumnarRun)[ROW]!)) {
    return undefined;
  }
  return own(fields, field) ? fields[field][(run as IColumnarRun)[ROW]!] : null;
}

/** The keys of a run's params or metrics (to build them: rare). */
function runKeys(run: IColumnarRun, kind: 'params' | 'metrics'): string[] {
  const columns = run[COLUMNS]!;
  const row = run[ROW]!;
  if (kind === 'params') {
    return Object.keys(columns.params).filter(
      key => columns.params[key][row] !== null
    );
  }
  return Object.keys(columns.metrics).filter(key =>
    runHas(columns.metrics[key], row)
  );
}

/**
 * The columns `run` reads its params and metrics from, shared by its page;
 * undefined for a run that carries its own. Every key of them is some run's
 * of the page: the keys a page brings are learned once, not once per run.
 */
export function runColumns(run: IRunSummary): IRunColumns | undefined {
  return columnsOf(run);
}

/** A metric is the run's when any of its summary fields has a value for it. */
function runHas(fields: { [field: string]: unknown[] }, row: number): boolean {
  for (const field in fields) {
    if (fields[field][row] !== null) {
      return true;
    }
  }
  return false;
}

function own(object: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}
