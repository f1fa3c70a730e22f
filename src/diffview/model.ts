/**
 * What the diff view shows, worked out from a notebook diff and the toolbar's
 * toggles: which cells count as changed, which unchanged runs fold into one
 * row, the order "next change" walks, the summary line, and the text an
 * output or a cell is compared as. Pure: the view and its specs share it.
 */
import type * as nbformat from '@jupyterlab/nbformat';

import type {
  DiffEntry,
  DiffKind,
  ICellDiff,
  IDiffSummary,
  INotebookDiff,
  IOutputDiff
} from '../diff/types';

/** The toolbar's toggles: differences hidden unless they are on. */
export interface IDiffToggles {
  metadata: boolean;
  executionCount: boolean;
  /** Outputs equal once sanitized (timings, addresses...). */
  noise: boolean;
}

export const DEFAULT_TOGGLES: IDiffToggles = {
  metadata: false,
  executionCount: false,
  noise: false
};

export type DiffLayout = 'split' | 'unified';

// --- Which differences show ---

/** Whether an output's difference shows under the toggles. */
export function outputShows(
  output: IOutputDiff,
  toggles: IDiffToggles
): boolean {
  return !output.noise || toggles.noise;
}

/** Whether an output differs in a way that shows under the toggles. */
export function outputChanged(
  output: IOutputDiff,
  toggles: IDiffToggles
): boolean {
  return output.kind !== 'unchanged' && outputShows(output, toggles);
}

/** A cell's outputs as the view lists them: noise hidden unless asked for. */
export function visibleOutputs(
  cell: ICellDiff,
  toggles: IDiffToggles
): IOutputDiff[] {
  return cell.outputs.filter(output => outputShows(output, toggles));
}

/** Whether a matched cell changed its type (code ↔ markdown). */
export function typeChanged(cell: ICellDiff): boolean {
  return !!cell.old && !!cell.new && cell.old.cell_type !== cell.new.cell_type;
}

/**
 * How a cell differs once the toggles hide what they hide: a modified cell
 * whose only differences are hidden (metadata, execution count, noisy
 * outputs) is unchanged.
 */
export function effectiveKind(
  cell: ICellDiff,
  toggles: IDiffToggles
): DiffKind {
  if (cell.kind !== 'modified') {
    return cell.kind;
  }
  const shows =
    cell.source ||
    cell.attachments ||
    typeChanged(cell) ||
    (toggles.metadata && cell.metadata) ||
    (toggles.executionCount && cell.executionCount) ||
    cell.outputs.some(output => outputChanged(output, toggles));
  // Modified, yet none of the fields above: another one (the cell type...)
  // changed, which no toggle hides. As the engine's summary counts it.
  const unlisted =
    !cell.metadata &&
    !cell.executionCount &&
    cell.outputs.every(output => output.kind === 'unchanged');
  return shows || unlisted ? 'modified' : 'unchanged';
}

/** Whether a cell is a change the view lists (and "next" stops at). */
export function isChange(cell: ICellDiff, toggles: IDiffToggles): boolean {
  return effectiveKind(cell, toggles) !== 'unchanged' || cell.moved;
}

// --- Rows ---

export interface ICellRow {
  type: 'cell';
  key: string;
  /** The cell's index in `diff.cells`. */
  index: number;
  cell: ICellDiff;
  kind: DiffKind;
  moved: boolean;
  change: boolean;
}

/** A run of consecutive unchanged cells, folded into one row. */
export interface ICollapsedRow {
  type: 'collapsed';
  key: string;
  /** `diff.cells` indices, end exclusive. */
  start: number;
  end: number;
  count: number;
}

/** The notebook's own metadata; a row only when the toggle is on. */
export interface IMetadataRow {
  type: 'metadata';
  key: string;
  entries: DiffEntry[];
  change: true;
}

export type DiffRow = ICellRow | ICollapsedRow | IMetadataRow;

/**
 * The rows the view lists: changed cells one each, every run of unchanged
 * cells folded into one row unless expanded (by cell index, so an expansion
 * survives the toggles regrouping the runs). The notebook's metadata comes
 * first when shown and changed.
 */
export function buildRows(
  diff: INotebookDiff,
  toggles: IDiffToggles,
  expanded: ReadonlySet<number> = new Set()
): DiffRow[] {
  const rows: DiffRow[] = [];
  if (toggles.metadata && diff.metadata.length > 0) {
    rows.push({
      type: 'metadata',
      key: 'metadata',
      entries: diff.metadata,
      change: true
    });
  }
  let runStart = -1;
  const flush = (end: number) => {
    if (runStart >= 0) {
      rows.push({
        type: 'collapsed',
        key: `run:${runStart}`,
        start: runStart,
        end,
        count: end - runStart
      });
      runStart = -1;
    }
  };
  diff.cells.forEach((cell, index) => {
    const change = isChange(cell, toggles);
    if (!change && !expanded.has(index)) {
      if (runStart < 0) {
        runStart = index;
      }
      return;
    }
    flush(index);
    rows.push({
      type: 'cell',
      key: `cell:${index}`,
      index,
      cell,
      kind: effectiveKind(cell, toggles),
      moved: cell.moved,
      change
    });
  });
  flush(diff.cells.length);
  return rows;
}

/** The cell indices of the unchanged run around `index` (to fold it back). */
export function unchangedRunAround(
  diff: INotebookDiff,
  toggles: IDiffToggles,
  index: number
): number[] {
  const unchanged = (i: number) =>
    i >= 0 && i < diff.cells.length && !isChange(diff.cells[i], toggles);
  if (!unchanged(index)) {
    return [];
  }
  let start = index;
  while (unchanged(start - 1)) {
    start--;
  }
  let end = index;
  while (unchanged(end + 1)) {
    end++;
  }
  return range(start, end + 1);
}

export function range(start: number, end: number): number[] {
  return Array.from({ length: Math.max(0, end - start) }, (_, i) => start + i);
}

function isChangeRow(row: DiffRow): boolean {
  return row.type !== 'collapsed' && row.change;
}

/**
 * The row "next" (`delta` 1) or "previous" (-1) change moves to from row
 * `from` (null: from before the first row going down, after the last going
 * up). Null when there is no change that way: the current one stays.
 */
export function stepChange(
  rows: readonly DiffRow[],
  from: number | null,
  delta: 1 | -1
): number | null {
  if (delta > 0) {
    for (let i = from === null ? 0 : from + 1; i < rows.length; i++) {
      if (isChangeRow(rows[i])) {
        return i;
      }
    }
  } else {
    for (let i = from === null ? rows.length - 1 : from - 1; i >= 0; i--) {
      if (isChangeRow(rows[i])) {
        return i;
      }
    }
  }
  return null;
}

/** How many rows are changes ("change 3 of 12"). */
export function changeCount(rows: readonly DiffRow[]): number {
  return rows.filter(isChangeRow).length;
}

// --- The summary line ---

/**
 * "3 cells changed, 1 added, 1 removed, 1 moved, 2 outputs changed", or
 * "No differences". The first cell count names its noun.
 */
export function summaryText(
  summary: IDiffSummary,
  notebookMetadata = false
): string {
  const parts: string[] = [];
  const cellCounts: [number, string][] = [
    [summary.modified, 'changed'],
    [summary.added, 'added'],
    [summary.removed, 'removed'],
    [summary.moved, 'moved']
  ];
  for (const [count, verb] of cellCounts) {
    if (count > 0) {
      parts.push(
        parts.length === 0
          ? `${count} ${count === 1 ? 'cell' : 'cells'} ${verb}`
          : `${count} ${verb}`
      );
    }
  }
  if (summary.outputsChanged > 0) {
    const count = summary.outputsChanged;
    parts.push(`${count} ${count === 1 ? 'output' : 'outputs'} changed`);
  }
  if (notebookMetadata) {
    parts.push('notebook metadata changed');
  }
  return parts.length === 0 ? 'No differences' : parts.join(', ');
}

// --- A cell's header ---

/** The header's badge: the kind, or "moved" / "moved+modified". */
export function badgeText(kind: DiffKind, moved: boolean): string {
  if (moved) {
    return kind === 'modified' ? 'moved+modified' : 'moved';
  }
  return kind;
}

/** Where the cell is: "3 → 5", 1-based as the notebook counts cells. */
export function positionText(cell: ICellDiff): string {
  const side = (index: number | null) =>
    index === null ? '—' : String(index + 1);
  return `${side(cell.oldIndex)} → ${side(cell.newIndex)}`;
}

/** "code", or "code → markdown" when the type changed; '' when unread. */
export function cellTypeText(
  oldCell: nbformat.ICell | null,
  newCell: nbformat.ICell | null
): string {
  const before = oldCell?.cell_type;
  const after = newCell?.cell_type;
  if (before && after && before !== after) {
    return `${before} → ${after}`;
  }
  return String(after ?? before ?? '');
}

// --- Text ---

/** nbformat's multiline strings, as one string. */
export function joinText(value: unknown): string {
  if (Array.isArray(value)) {
    return value.join('');
  }
  return typeof value === 'string' ? value : '';
}

export function sourceText(cell: nbformat.ICell | null): string {
  return joinText(cell?.source);
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

/** Terminal colour codes out: a traceback compared as what it says. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** Images, in the order an output's image is picked. */
export const IMAGE_MIMES = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/svg+xml'
];

export type OutputKind = 'text' | 'image' | 'rich';

function bundle(output: nbformat.IOutput): Record<string, unknown> {
  const data = (output as nbformat.IDisplayData).data;
  return data && typeof data === 'object'
    ? (data as Record<string, unknown>)
    : {};
}

/**
 * How an output is compared: as text (streams, errors, plain text), as an
 * image, or rendered (HTML, markdown, LaTeX, JSON, Vega...).
 */
export function outputKind(output: nbformat.IOutput): OutputKind {
  if (output.output_type === 'stream' || output.output_type === 'error') {
    return 'text';
  }
  const mimes = Object.keys(bundle(output));
  if (mimes.some(mime => IMAGE_MIMES.includes(mime))) {
    return 'image';
  }
  return mimes.every(mime => mime === 'text/plain') ? 'text' : 'rich';
}

/** How a pair of outputs is compared: both as text or images, else rendered. */
export function pairKind(diff: IOutputDiff): OutputKind {
  const kinds = [diff.old, diff.new]
    .filter((output): output is nbformat.IOutput => output !== null)
    .map(outputKind);
  return kinds.every(kind => kind === kinds[0]) ? (kinds[0] ?? 'text') : 'rich';
}

/** A text output's text: a stream's, a traceback, or the plain text. */
export function outputText(output: nbformat.IOutput | null): string {
  if (!output) {
    return '';
  }
  switch (output.output_type) {
    case 'stream':
      return joinText((output as nbformat.IStream).text);
    case 'error': {
      const error = output as nbformat.IError;
      const traceback = (error.traceback ?? []).join('\n');
      return stripAnsi(traceback || `${error.ename}: ${error.evalue}`);
    }
    default:
      return joinText(bundle(output)['text/plain']);
  }
}

/** "stream (stderr)", "error", "execute_result"... a caption for a side. */
export function outputLabel(output: nbformat.IOutput | null): string {
  if (!output) {
    return '';
  }
  if (output.output_type === 'stream') {
    return `stream (${(output as nbformat.IStream).name})`;
  }
  return String(output.output_type);
}

export interface IImageSource {
  mime: string;
  /** A data URL an `<img>` loads. */
  src: string;
}

/** An output's image as a data URL; SVG inline, bitmaps from base64. */
export function imageOf(output: nbformat.IOutput | null): IImageSource | null {
  if (!output) {
    return null;
  }
  const data = bundle(output);
  const mime = IMAGE_MIMES.find(candidate => candidate in data);
  if (!mime) {
    return null;
  }
  const value = joinText(data[mime]);
  const src =
    mime === 'image/svg+xml'
      ? `data:image/svg+xml;charset=utf-8,${encodeURIComponent(value)}`
      : `data:${mime};base64,${value.replace(/\s/g, '')}`;
  return { mime, src };
}

/** JSON with sorted keys, one value a line: what a metadata diff compares. */
export function jsonText(value: unknown): string {
  if (value === undefined) {
    return '';
  }
  return JSON.stringify(sortKeys(value), null, 2) + '\n';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sortKeys);
  }
  if (value && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
    }
    return sorted;
  }
  return value;
}

/** A cell's execution count, '' for cells without one. */
export function executionCountText(cell: nbformat.ICell | null): string {
  const count = (cell as nbformat.ICodeCell | null)?.execution_count;
  return count === undefined ? '' : count === null ? 'none' : String(count);
}

/** Longest value a metadata line quotes. */
const VALUE_MAX = 200;

/**
 * The notebook metadata's changes (nbdime's format), one line each:
 * `+ kernelspec.name: "python3"`, `- widgets`, `~ language_info.version: "3.12"`.
 */
export function describeEntries(
  entries: readonly DiffEntry[],
  path = ''
): string[] {
  const lines: string[] = [];
  for (const entry of entries) {
    const at =
      typeof entry.key === 'number'
        ? `${path}[${entry.key}]`
        : path
          ? `${path}.${entry.key}`
          : entry.key;
    switch (entry.op) {
      case 'add':
        lines.push(`+ ${at}: ${clipJson(entry.value)}`);
        break;
      case 'remove':
        lines.push(`- ${at}`);
        break;
      case 'replace':
        lines.push(`~ ${at}: ${clipJson(entry.value)}`);
        break;
      case 'patch':
        lines.push(...describeEntries(entry.diff, at));
        break;
      case 'addrange':
        lines.push(`+ ${at}: ${clipJson(entry.valuelist)}`);
        break;
      case 'removerange':
        lines.push(
          `- ${path}[${entry.key}${entry.length > 1 ? `..${entry.key + entry.length - 1}` : ''}]`
        );
        break;
    }
  }
  return lines;
}

function clipJson(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > VALUE_MAX ? text.slice(0, VALUE_MAX) + '…' : text;
}
