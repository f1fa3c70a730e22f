/**
 * The Experiments browser's columns. A column id is a query-grammar
 * identifier (`name`, `params.lr`, `metrics.acc.max`, `tags.stage`), so the
 * id a column has is also what the filter box, `order_by` and
 * `jx.search_runs` accept. Pure, no DOM.
 *
 * Keys that are not plain words (dots, spaces, dashes, a leading digit) are
 * quoted with backticks: `params.\`a.b\``; a backtick inside a key is doubled.
 * Parsing reads ids as `store/query/grammar.py` does: double quotes too (a
 * backslash escapes in them), unquoted dots inside a key (`params.a.b` is
 * the key `a.b`), MLflow's names (`attributes.run_id`, `tags."mlflow.user"`).
 */

import { formatDuration, formatNumber } from '../common/format';
import { runMetricField, runParam } from '../rest/runColumns';
import { IRun, IRunSummary } from '../tokens';
import { IColumnState } from './viewState';

/** The run's own fields a column can show (the grammar's attributes). */
export const ATTRIBUTES = [
  'starred',
  'name',
  'notebook',
  'kind',
  'status',
  'started',
  'ended',
  'duration',
  'user',
  'tags',
  'verdict',
  'archived',
  'id'
] as const;

export type Attribute = (typeof ATTRIBUTES)[number];

/** Which summary of a metric's series a column shows. */
export type MetricSummaryKind = 'last' | 'min' | 'max' | 'count';

export const METRIC_SUMMARIES: readonly MetricSummaryKind[] = [
  'last',
  'min',
  'max',
  'count'
];

/** What a column id names. */
export type ColumnRef =
  | { kind: 'attribute'; key: Attribute }
  | { kind: 'params' | 'tags' | 'env'; key: string }
  | { kind: 'metrics'; key: string; summary: MetricSummaryKind }
  | { kind: 'data'; key: string };

export type ColumnKind = ColumnRef['kind'];

/**
 * Other spellings of attributes (ours and MLflow's), read as the canonical
 * one. MLflow's `start_time`, `end_time` and `created` count milliseconds in
 * a filter; as columns they show the same times as `started` and `ended`.
 */
const ALIASES: { [name: string]: Attribute } = {
  star: 'starred',
  run_id: 'id',
  run_name: 'name',
  notebook_path: 'notebook',
  start_time: 'started',
  end_time: 'ended',
  created: 'started',
  user_id: 'user'
};

const PREFIXES: { [prefix: string]: Exclude<ColumnKind, 'attribute'> } = {
  params: 'params',
  param: 'params',
  metrics: 'metrics',
  metric: 'metrics',
  tags: 'tags',
  tag: 'tags',
  data: 'data',
  env: 'env'
};

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A key as the grammar writes it: bare when a plain word, else in backticks. */
export function quoteKey(key: string): string {
  return PLAIN_KEY.test(key) ? key : '`' + key.replace(/`/g, '``') + '`';
}

/**
 * The canonical column id of a param, metric summary, tag or attribute
 * (a metric's `last` is the bare `metrics.<key>`).
 */
export function columnId(
  kind: ColumnKind,
  key: string,
  summary?: MetricSummaryKind
): string {
  if (kind === 'attribute') {
    return ALIASES[key] ?? key;
  }
  if (kind === 'data') {
    return `data.${quoteKey(key)}.sha256`;
  }
  const base = `${kind}.${quoteKey(key)}`;
  return kind === 'metrics' && summary && summary !== 'last'
    ? `${base}.${summary}`
    : base;
}

/**
 * What a column id names, or null when it is not one the browser knows
 * (a share link from another version, a typo): the caller drops it.
 */
export function parseColumnId(id: string): ColumnRef | null {
  // The table reads each drawn cell's column at every frame: read each id once.
  let ref = PARSED.get(id);
  if (ref === undefined) {
    if (PARSED.size >= MAX_PARSED) {
      PARSED.clear();
    }
    ref = readColumnId(id);
    PARSED.set(id, ref === null ? null : Object.freeze(ref));
  }
  return ref;
}

const PARSED = new Map<string, Readonly<ColumnRef> | null>();
const MAX_PARSED = 20_000;

function readColumnId(id: string): ColumnRef | null {
  const text = id.trim();
  const parts = splitIdentifier(text);
  if (!parts || parts.length === 0) {
    return null;
  }
  const [head, ...rest] = parts;
  if (head.quoted) {
    return null;
  }
  const prefix = head.text.toLowerCase();
  if (prefix === 'attributes' || prefix === 'attribute') {
    // MLflow's `attributes.status`.
    return rest.length === 1 ? attributeRef(rest[0].text.toLowerCase()) : null;
  }
  if (rest.length === 0) {
    return attributeRef(prefix);
  }
  const kind = PREFIXES[prefix];
  if (!kind) {
    return null;
  }
  // As the grammar reads them: unquoted dots inside a key are part of it
  // (`params.a.b` is the key `a.b`); only a metric's last unquoted part can
  // be a summary, and `data.<path>` ends with `.sha256`.
  const last = rest[rest.length - 1];
  let summary: MetricSummaryKind = 'last';
  if (kind === 'metrics' && rest.length > 1 && !last.quoted) {
    const named = last.text.toLowerCase() as MetricSummaryKind;
    if (METRIC_SUMMARIES.includes(named)) {
      summary = named;
      rest.pop();
    }
  }
  if (kind === 'data') {
    if (
      rest.length < 2 ||
      last.quoted ||
      last.text.toLowerCase() !== 'sha256'
    ) {
      return null;
    }
    rest.pop();
  }
  const key = rest.map(part => part.text).join('.');
  if (key === '') {
    return null;
  }
  if (kind === 'tags' && own(MLFLOW_TAGS, key)) {
    return { kind: 'attribute', key: MLFLOW_TAGS[key] };
  }
  return kind === 'metrics' ? { kind, key, summary } : { kind, key };
}

/** MLflow's reserved tags that are attributes here, as the grammar reads them. */
const MLFLOW_TAGS: { [tag: string]: Attribute } = {
  'mlflow.runName': 'name',
  'mlflow.user': 'user'
};

function attributeRef(name: string): ColumnRef | null {
  const attribute = ALIASES[name] ?? name;
  return (ATTRIBUTES as readonly string[]).includes(attribute)
    ? { kind: 'attribute', key: attribute as Attribute }
    : null;
}

/** The canonical spelling of a column id, or null if it names nothing. */
export function normalizeColumnId(id: string): string | null {
  const ref = parseColumnId(id);
  return ref ? refId(ref) : null;
}

function refId(ref: ColumnRef): string {
  return columnId(
    ref.kind,
    ref.key,
    ref.kind === 'metrics' ? ref.summary : undefined
  );
}

interface ISegment {
  text: string;
  quoted: boolean;
}

/** Dot-separated segments; a segment in backticks or double quotes may hold dots. */
function splitIdentifier(text: string): ISegment[] | null {
  const segments: ISegment[] = [];
  let i = 0;
  for (;;) {
    const quote = text[i];
    if (quote === '`' || quote === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) {
          return null;
        }
        if (text[i] === '\\' && quote === '"' && i + 1 < text.length) {
          // In double quotes a backslash escapes the next character.
          value += text[i + 1];
          i += 2;
          continue;
        }
        if (text[i] === quote) {
          if (text[i + 1] === quote) {
            value += quote;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i++];
      }
      segments.push({ text: value, quoted: true });
    } else {
      let end = i;
      while (end < text.length && text[end] !== '.') {
        if (/[\s`"]/.test(text[end])) {
          return null;
        }
        end++;
      }
      segments.push({ text: text.slice(i, end), quoted: false });
      i = end;
    }
    if (i >= text.length) {
      return segments;
    }
    if (text[i] !== '.') {
      return null;
    }
    i++;
  }
}

/** The value a run has in a column: a number, string, boolean or null. */
export type CellValue = number | string | boolean | null;

/**
 * A run's value in a column, unformatted (the CSV export writes it as is).
 * Times are unix seconds; `duration` runs to `now` while the run has no end.
 * Full runs (`IRun`) also answer `env.<package>` and `data.<path>.sha256`.
 */
export function columnValue(
  run: IRunSummary | IRun,
  id: string,
  now: number = Date.now() / 1000
): CellValue {
  const ref = parseColumnId(id);
  if (!ref) {
    return null;
  }
  switch (ref.kind) {
    case 'attribute':
      return attributeValue(run, ref.key, now);
    case 'params':
      return paramValue(runParam(run, ref.key));
    case 'metrics':
      return (runMetricField(run, ref.key, ref.summary) ?? null) as CellValue;
    case 'tags':
      return own(run.tags, ref.key) ? run.tags[ref.key] : null;
    case 'env': {
      const packages = (run as Partial<IRun>).environment?.packages;
      const version =
        packages && own(packages, ref.key) ? packages[ref.key] : null;
      return version === null || version === undefined ? null : String(version);
    }
    case 'data': {
      const data = (run as Partial<IRun>).data;
      return data?.find(d => d.path === ref.key)?.sha256 ?? null;
    }
  }
}

function own(object: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

function attributeValue(
  run: IRunSummary,
  attribute: Attribute,
  now: number
): CellValue {
  // Fields other parts of the store add: absent from older summaries.
  const extra = run as IRunSummary & {
    starred?: boolean;
    archived?: boolean;
    verdict?: string | null;
  };
  switch (attribute) {
    case 'starred':
      return Boolean(extra.starred);
    case 'archived':
      return Boolean(extra.archived);
    case 'name':
      return run.name ?? null;
    case 'notebook':
      return run.notebook_path ?? null;
    case 'kind':
      return run.kind;
    case 'status':
      return run.status;
    case 'started':
      return run.start_time;
    case 'ended':
      return run.end_time ?? null;
    case 'duration':
      return Math.max(0, (run.end_time ?? now) - run.start_time);
    case 'user':
      return run.user ?? null;
    case 'tags':
      return tagsText(run.tags);
    case 'verdict':
      return extra.verdict ?? null;
    case 'id':
      return run.id;
  }
}

/** Tags as one text: `key=value` or a bare `key`, by key, comma-separated. */
export function tagsText(tags: { [key: string]: string }): string {
  return Object.keys(tags)
    .sort()
    .map(key => (tags[key] ? `${key}=${tags[key]}` : key))
    .join(', ');
}

function paramValue(value: unknown): CellValue {
  if (value === undefined || value === null) {
    return null;
  }
  if (
    typeof value === 'number' ||
    typeof value === 'string' ||
    typeof value === 'boolean'
  ) {
    return value;
  }
  // Lists and dicts logged as params: their JSON, as the sidebar shows them.
  return JSON.stringify(value) ?? String(value);
}

const ATTRIBUTE_LABELS: { [key in Attribute]: string } = {
  starred: 'Star',
  name: 'Name',
  notebook: 'Notebook',
  kind: 'Kind',
  status: 'Status',
  started: 'Started',
  ended: 'Ended',
  duration: 'Duration',
  user: 'User',
  tags: 'Tags',
  verdict: 'Verdict',
  archived: 'Archived',
  id: 'Run ID'
};

/**
 * A column's header, in the words of the filter box so what a user reads is
 * what they type: `params.lr`, `metrics.acc`, `metrics.acc.max`; attributes
 * by name (`Started`). Keys are shown unquoted.
 */
export function columnLabel(id: string): string {
  const ref = parseColumnId(id);
  if (!ref) {
    return id;
  }
  switch (ref.kind) {
    case 'attribute':
      return ATTRIBUTE_LABELS[ref.key];
    case 'metrics':
      return ref.summary === 'last'
        ? `metrics.${ref.key}`
        : `metrics.${ref.key}.${ref.summary}`;
    case 'data':
      return `data.${ref.key}.sha256`;
    default:
      return `${ref.kind}.${ref.key}`;
  }
}

/** A header in two parts, for a table that groups its columns by kind. */
export function columnHeader(id: string): { group: string; text: string } {
  const ref = parseColumnId(id);
  if (!ref) {
    return { group: '', text: id };
  }
  switch (ref.kind) {
    case 'attribute':
      return { group: '', text: ATTRIBUTE_LABELS[ref.key] };
    case 'metrics':
      return {
        group: 'metrics',
        text: ref.summary === 'last' ? ref.key : `${ref.key} (${ref.summary})`
      };
    default:
      return { group: ref.kind, text: ref.key };
  }
}

const NUMERIC_ATTRIBUTES: readonly Attribute[] = [
  'started',
  'ended',
  'duration'
];

/**
 * Whether a column holds numbers (aligned right, aggregated when grouping).
 * Metrics and times always do; a param does when every run in `sampleRuns`
 * that has it holds a number (and at least one does).
 */
export function isNumericColumn(
  id: string,
  sampleRuns?: readonly IRunSummary[]
): boolean {
  const ref = parseColumnId(id);
  if (!ref) {
    return false;
  }
  switch (ref.kind) {
    case 'metrics':
      return true;
    case 'attribute':
      return NUMERIC_ATTRIBUTES.includes(ref.key);
    case 'params': {
      let seen = false;
      for (const run of sampleRuns ?? []) {
        const value = runParam(run, ref.key);
        if (value === undefined || value === null) {
          continue;
        }
        if (typeof value !== 'number') {
          return false;
        }
        seen = true;
      }
      return seen;
    }
    default:
      return false;
  }
}

/**
 * A cell's text: numbers through the shared formatting (NaN and infinities
 * shown as such), times as local dates, durations in words, nothing for null.
 */
export function formatCell(value: unknown, id: string): string {
  if (value === null || value === undefined) {
    return '';
  }
  const ref = parseColumnId(id);
  if (ref?.kind === 'attribute') {
    switch (ref.key) {
      case 'started':
      case 'ended':
        return typeof value === 'number' ? formatDate(value) : String(value);
      case 'duration':
        return typeof value === 'number' && Number.isFinite(value)
          ? formatDuration(value)
          : formatNumber(value as number);
      case 'starred':
        return value ? '★' : '';
      case 'archived':
        return value ? 'archived' : '';
    }
  }
  if (typeof value === 'number') {
    if (ref?.kind === 'params' && Number.isFinite(value)) {
      // A param is an input a user typed: shown exactly, not rounded.
      return String(value);
    }
    return formatNumber(value);
  }
  if (typeof value === 'boolean') {
    return value ? 'true' : 'false';
  }
  if (typeof value === 'string') {
    return value;
  }
  return JSON.stringify(value) ?? String(value);
}

/** Unix seconds as a local `YYYY-MM-DD HH:MM:SS`: compact and sortable by eye. */
export function formatDate(seconds: number): string {
  if (!Number.isFinite(seconds)) {
    return formatNumber(seconds);
  }
  const d = new Date(seconds * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ` +
    `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`
  );
}

/** The attribute columns a new view shows, in order. */
export const DEFAULT_ATTRIBUTE_COLUMNS: readonly Attribute[] = [
  'starred',
  'name',
  'notebook',
  'kind',
  'status',
  'started',
  'duration',
  'user',
  'tags',
  'verdict'
];

/**
 * The columns of a new view: the default attributes (star and name pinned),
 * then one column per param and one per metric (its last value), in the
 * order given.
 */
export function defaultColumns(keys: {
  params: readonly string[];
  metrics: readonly string[];
}): IColumnState[] {
  return [
    ...DEFAULT_ATTRIBUTE_COLUMNS.map(id =>
      id === 'starred' || id === 'name' ? { id, pinned: true } : { id }
    ),
    ...keys.params.map(key => ({ id: columnId('params', key) })),
    ...keys.metrics.map(key => ({ id: columnId('metrics', key) }))
  ];
}
