/**
 * The Experiments browser's exports of a view: its rows as CSV, and a
 * pandas snippet that asks `jx.search_runs` for the same runs. Pure, no DOM.
 */

import { IRunSummary } from '../tokens';
import { columnLabel, columnValue, parseColumnId } from './columns';
import { IViewState } from './viewState';

export interface ICsvOptions {
  /** Unix seconds the duration of a running run is measured to. */
  now?: number;
  /**
   * Prefix text cells that a spreadsheet would run as a formula (see
   * `csvText`); true unless a caller wants the raw text.
   */
  guardFormulas?: boolean;
}

/**
 * The runs as CSV (RFC 4180: CRLF line ends, fields quoted when they hold a
 * comma, a quote or a line break, quotes doubled). The header holds the
 * columns' labels; cells hold `columnValue` unformatted, so numbers keep
 * their full precision (NaN and infinities as `NaN`, `Infinity`,
 * `-Infinity`, which pandas reads back as floats), times are unix seconds,
 * booleans `true`/`false`, and a missing value is an empty field.
 */
export function toCsv(
  runs: readonly IRunSummary[],
  columnIds: readonly string[],
  options: ICsvOptions = {}
): string {
  const now = options.now ?? Date.now() / 1000;
  const guard = options.guardFormulas ?? true;
  const lines = [columnIds.map(id => csvText(columnLabel(id), guard))];
  for (const run of runs) {
    lines.push(columnIds.map(id => csvCell(columnValue(run, id, now), guard)));
  }
  return lines.map(fields => fields.join(',')).join('\r\n') + '\r\n';
}

function csvCell(value: unknown, guard: boolean): string {
  if (value === null || value === undefined) {
    return '';
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    // Written by us, never a formula: `-0.5` stays a number.
    return String(value);
  }
  return csvText(String(value), guard);
}

/** Characters that make a spreadsheet read a cell as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One text field. With `guard`, text starting with `=`, `+`, `-`, `@` (or a
 * tab or carriage return) gets a leading `'`: run names, tags and params are
 * user text, and a spreadsheet opening the file would otherwise evaluate
 * `=HYPERLINK(...)` (CSV injection, OWASP). The `'` is visible in the cell;
 * numbers are never prefixed.
 */
export function csvText(text: string, guard = true): string {
  const safe = guard && FORMULA_START.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * The name a column has in `jx.search_runs`' DataFrame, or null when the
 * frame has no such column (it holds run_id, name, status, start_time,
 * end_time, params.*, the last value of metrics.* and tags.*; keys unquoted).
 */
export function frameColumn(id: string): string | null {
  const ref = parseColumnId(id);
  if (!ref) {
    return null;
  }
  switch (ref.kind) {
    case 'attribute':
      return (
        (
          {
            id: 'run_id',
            name: 'name',
            status: 'status',
            started: 'start_time',
            ended: 'end_time'
          } as { [key: string]: string }
        )[ref.key] ?? null
      );
    case 'params':
    case 'tags':
      return `${ref.kind}.${ref.key}`;
    case 'metrics':
      return ref.summary === 'last' ? `metrics.${ref.key}` : null;
    default:
      return null;
  }
}

export interface IPandasOptions {
  /** How many runs to ask for (`max_results`); 1000, `search_runs`' own default, if not given. */
  maxResults?: number;
}

/**
 * Python that reproduces a view: the same filter and order through
 * `jx.search_runs`, then the view's visible columns (those the DataFrame
 * has; the others are named in a comment), and its grouping.
 */
export function pandasSnippet(
  view: IViewState,
  options: IPandasOptions = {}
): string {
  const maxResults = Math.max(0, Math.floor(options.maxResults ?? 1000));
  const filter = view.filter.trim();
  const orderBy = view.orderBy.map(
    key => `${key.key} ${key.descending ? 'DESC' : 'ASC'}`
  );
  const lines = [
    'import jupyterlab_experiments as jx',
    '',
    'df = jx.search_runs(',
    `    filter_string=${filter ? pyStr(filter) : 'None'},`,
    `    order_by=${orderBy.length ? pyList(orderBy) : 'None'},`,
    `    max_results=${maxResults},`,
    ')'
  ];
  const visible = view.columns.filter(c => !c.hidden).map(c => c.id);
  const wanted: string[] = [];
  const missing: string[] = [];
  let duration = false;
  for (const id of visible) {
    const name = frameColumn(id);
    if (name !== null) {
      if (!wanted.includes(name)) {
        wanted.push(name);
      }
    } else if (isDuration(id)) {
      if (!duration) {
        duration = true;
        wanted.push('duration');
      }
    } else {
      missing.push(id);
    }
  }
  const by = view.groupBy ? frameColumn(view.groupBy) : null;
  if (by !== null && !wanted.includes(by)) {
    // Grouping needs its column even when the view hides it.
    wanted.unshift(by);
  }
  if (duration) {
    // Runs still running have no end: their duration is NaN here.
    lines.push(
      'df["duration"] = (df["end_time"] - df["start_time"]).dt.total_seconds()'
    );
  }
  if (wanted.length) {
    // reindex, not df[[...]]: a column no returned run has is NaN, not a KeyError.
    lines.push(`df = df.reindex(columns=${pyList(wanted)})`);
  }
  if (missing.length) {
    lines.push(
      `# Not in search_runs' DataFrame: ${missing.map(comment).join(', ')}`
    );
  }
  if (view.groupBy) {
    if (by !== null) {
      // Metrics and durations are numbers; a param may be text, which mean() refuses.
      const aggregated = wanted.filter(
        name =>
          (name.startsWith('metrics.') || name === 'duration') && name !== by
      );
      lines.push(
        aggregated.length
          ? `groups = df.groupby(${pyStr(by)}, dropna=False)[${pyList(aggregated)}]` +
              `.agg(["count", "mean", "std", "min", "max"])`
          : `groups = df.groupby(${pyStr(by)}, dropna=False).size()`
      );
    } else {
      lines.push(`# Grouped by ${comment(view.groupBy)}, not in the DataFrame`);
    }
  }
  return lines.join('\n') + '\n';
}

function isDuration(id: string): boolean {
  const ref = parseColumnId(id);
  return ref?.kind === 'attribute' && ref.key === 'duration';
}

/** Text for a Python comment: one line, whatever it holds. */
function comment(text: string): string {
  return text.replace(/[\r\n\u2028\u2029\u0085]/g, ' ');
}

function pyList(items: readonly string[]): string {
  return `[${items.map(pyStr).join(', ')}]`;
}

/**
 * A Python string literal of `text`, as `repr` writes it: single quotes
 * unless the text holds one and no double quote; backslashes, the quote,
 * control and line-separator characters and lone surrogates escaped.
 */
export function pyStr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const ch = text[i];
    if (ch === '\\' || ch === quote) {
      out += '\\' + ch;
    } else if (ch === '\n') {
      out += '\\n';
    } else if (ch === '\r') {
      out += '\\r';
    } else if (ch === '\t') {
      out += '\\t';
    } else if (code < 0x20 || (code >= 0x7f && code <= 0xa0)) {
      out += '\\x' + hex(code, 2);
    } else if (code === 0x2028 || code === 0x2029) {
      out += '\\u' + hex(code, 4);
    } else if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += ch + text[i + 1];
        i++;
      } else {
        out += '\\u' + hex(code, 4);
      }
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      out += '\\u' + hex(code, 4);
    } else {
      out += ch;
    }
  }
  return out + quote;
}

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, '0');
}
