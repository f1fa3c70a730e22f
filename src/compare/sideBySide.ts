/**
 * The side-by-side table of compared runs: one column per run, one row per
 * field any run has — params, metric summaries, tags, data inputs, the
 * environment — with whether the runs differ on it and, for metrics, which
 * run is best. Pure, no DOM. Row ids are query-grammar identifiers where the
 * grammar has one (`params.lr`, `metrics.loss.min`, `tags.stage`).
 *
 * "Differs" follows `jx.compare_runs` (client/compare.py): NaN equals NaN,
 * 1 equals 1.0 but not true, a value equals only an equal value (objects by
 * their JSON), and a run lacking the field differs from one that has it.
 */
import { formatDuration, formatNumber } from '../common/format';
import { columnId, formatDate } from '../browser/columns';
import type { IMetricSummary, IRun } from '../tokens';
import { defaultDirection, Direction } from './state';

export type Section =
  'run' | 'params' | 'metrics' | 'tags' | 'data' | 'environment';

export interface ICompareRow {
  id: string;
  section: Section;
  label: string;
  /** One value per run, as compared (undefined: the run lacks the field). */
  values: unknown[];
  /** One text per run, as shown. */
  text: string[];
  differs: boolean;
  /** For metric rows: the runs holding the best value (may be several). */
  best: number[];
  /** For metric rows: the metric key (whose direction picks the best). */
  metric?: string;
}

const SUMMARIES = ['last', 'min', 'max'] as const;

/** Every row of the comparison, sections in order, keys sorted within. */
export function compareRows(
  runs: readonly IRun[],
  directions: { [metric: string]: Direction } = {}
): ICompareRow[] {
  const rows: ICompareRow[] = [];
  const push = (
    section: Section,
    id: string,
    label: string,
    values: unknown[],
    text: (value: unknown) => string = valueText
  ) => {
    rows.push({
      id,
      section,
      label,
      values,
      text: values.map(text),
      differs: differ(values),
      best: []
    });
  };

  push(
    'run',
    'name',
    'name',
    runs.map(run => run.name ?? undefined)
  );
  push(
    'run',
    'status',
    'status',
    runs.map(run => run.status)
  );
  push(
    'run',
    'notebook',
    'notebook',
    runs.map(run => run.notebook_path ?? undefined)
  );
  push(
    'run',
    'started',
    'started',
    runs.map(run => run.start_time),
    v => (typeof v === 'number' ? formatDate(v) : '—')
  );
  push(
    'run',
    'duration',
    'duration',
    runs.map(run =>
      run.end_time === null || run.end_time === undefined
        ? undefined
        : run.end_time - run.start_time
    ),
    v => (typeof v === 'number' ? formatDuration(v) : '—')
  );
  push(
    'run',
    'verdict',
    'verdict',
    runs.map(run => run.verdict ?? undefined)
  );

  for (const key of keysOf(runs.map(run => run.params))) {
    push(
      'params',
      columnId('params', key),
      key,
      runs.map(run => own(run.params, key))
    );
  }

  for (const key of keysOf(runs.map(run => run.metrics))) {
    const direction = directions[key] ?? defaultDirection(key);
    for (const summary of SUMMARIES) {
      const values = runs.map(run => {
        const metric = own(run.metrics, key) as IMetricSummary | undefined;
        const value = metric?.[summary];
        return value === null ? undefined : value;
      });
      const id = columnId('metrics', key, summary);
      push('metrics', id, `${key} (${summary})`, values);
      const row = rows[rows.length - 1];
      row.metric = key;
      row.best = bestOf(values, direction);
    }
  }

  for (const key of keysOf(runs.map(run => run.tags))) {
    push(
      'tags',
      columnId('tags', key),
      key,
      runs.map(run => own(run.tags, key))
    );
  }

  const data = runs.map(run => {
    const byPath: { [path: string]: string } = {};
    for (const input of run.data ?? []) {
      byPath[input.path] = input.sha256;
    }
    return byPath;
  });
  for (const path of keysOf(data)) {
    push(
      'data',
      columnId('data', path),
      path,
      data.map(byPath => own(byPath, path)),
      v => (typeof v === 'string' ? `sha256 ${v.slice(0, 12)}` : '—')
    );
  }

  const env = runs.map(run => environmentFields(run.environment));
  for (const field of ENVIRONMENT_FIELDS) {
    if (env.some(fields => fields[field.id] !== undefined)) {
      push(
        'environment',
        field.id,
        field.label,
        env.map(f => f[field.id])
      );
    }
  }
  const packages = runs.map(run => packagesOf(run.environment));
  for (const name of keysOf(packages)) {
    push(
      'environment',
      columnId('env', name),
      name,
      packages.map(p => own(p, name))
    );
  }
  return rows;
}

/** The rows differences-only keeps: the run header and every row that differs. */
export function differingRows(rows: readonly ICompareRow[]): ICompareRow[] {
  return rows.filter(row => row.section === 'run' || row.differs);
}

/**
 * How a package changed from the first run to this one, for the
 * environment rows: added, removed, another version, or the same.
 */
export function packageChange(
  first: unknown,
  value: unknown
): 'added' | 'removed' | 'changed' | 'same' {
  if (first === undefined && value !== undefined) {
    return 'added';
  }
  if (first !== undefined && value === undefined) {
    return 'removed';
  }
  return same(first, value) ? 'same' : 'changed';
}

const ENVIRONMENT_FIELDS: ReadonlyArray<{ id: string; label: string }> = [
  { id: 'environment:language_version', label: 'Python' },
  { id: 'environment:implementation', label: 'implementation' },
  { id: 'environment:os', label: 'OS' },
  { id: 'environment:platform', label: 'platform' },
  { id: 'environment:machine', label: 'machine' },
  { id: 'environment:hostname', label: 'host' },
  { id: 'environment:git.commit', label: 'git commit' },
  { id: 'environment:git.branch', label: 'git branch' },
  { id: 'environment:git.dirty', label: 'git dirty' }
];

function environmentFields(env: { [key: string]: unknown } | null): {
  [id: string]: unknown;
} {
  const fields: { [id: string]: unknown } = {};
  if (!env || typeof env !== 'object') {
    return fields;
  }
  for (const key of [
    'language_version',
    'implementation',
    'os',
    'platform',
    'machine',
    'hostname'
  ]) {
    if (env[key] !== undefined && env[key] !== null) {
      fields[`environment:${key}`] = env[key];
    }
  }
  const git = env.git as { [key: string]: unknown } | undefined;
  if (git && typeof git === 'object') {
    for (const key of ['commit', 'branch', 'dirty']) {
      if (git[key] !== undefined && git[key] !== null) {
        fields[`environment:git.${key}`] = git[key];
      }
    }
  }
  return fields;
}

function packagesOf(env: { [key: string]: unknown } | null): {
  [name: string]: unknown;
} {
  const packages = env && typeof env === 'object' ? env.packages : null;
  return packages && typeof packages === 'object' && !Array.isArray(packages)
    ? (packages as { [name: string]: unknown })
    : {};
}

/** The sorted union of the objects' own keys. */
function keysOf(objects: ReadonlyArray<object | null | undefined>): string[] {
  const keys = new Set<string>();
  for (const object of objects) {
    for (const key of Object.keys(object ?? {})) {
      keys.add(key);
    }
  }
  return [...keys].sort();
}

/** An own property only: a key named `constructor` is a key, not a method. */
function own(object: object | null | undefined, key: string): unknown {
  return object && Object.prototype.hasOwnProperty.call(object, key)
    ? (object as { [key: string]: unknown })[key]
    : undefined;
}

/** Whether two values are the same setting (see the module's note). */
export function same(a: unknown, b: unknown): boolean {
  // A param logged as None and a run without it: both "no value", as in Python.
  if ((a === null || a === undefined) && (b === null || b === undefined)) {
    return true;
  }
  if (typeof a === 'number' && typeof b === 'number') {
    return a === b || (Number.isNaN(a) && Number.isNaN(b));
  }
  if (
    typeof a === 'object' &&
    a !== null &&
    typeof b === 'object' &&
    b !== null
  ) {
    return JSON.stringify(a) === JSON.stringify(b);
  }
  return a === b;
}

function differ(values: readonly unknown[]): boolean {
  return values.some(value => !same(value, values[0]));
}

/** The runs whose value is the best finite one in this direction. */
export function bestOf(
  values: readonly unknown[],
  direction: Direction
): number[] {
  let best: number | null = null;
  values.forEach(value => {
    if (typeof value === 'number' && Number.isFinite(value)) {
      if (
        best === null ||
        (direction === 'min' ? value < best : value > best)
      ) {
        best = value;
      }
    }
  });
  if (best === null) {
    return [];
  }
  // Only worth marking when some run is not best.
  const indexes = values
    .map((value, index) => (value === best ? index : -1))
    .filter(index => index >= 0);
  return indexes.length === values.length ? [] : indexes;
}

function valueText(value: unknown): string {
  if (value === undefined || value === null) {
    return '—';
  }
  if (typeof value === 'number') {
    return formatNumber(value);
  }
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'boolean') {
    return value ? 'yes' : 'no';
  }
  return JSON.stringify(value);
}
