/**
 * What the validation report panel and badge say, computed from the report.
 * Pure: no DOM, no network.
 */
import type { MultilineString } from '@jupyterlab/nbformat';

import { formatMs } from '../../common/format';
import { DEFAULT_VALIDATION_SETTINGS, durationKey } from '../settings';
import type { ISanitizerSpec } from '../sanitize';
import type {
  IValidationCell,
  IValidationReport,
  IValidationSettings,
  ValidationCellStatus,
  ValidationVerdict
} from '../types';

/** Cell numbers as the panel shows them: the position in the notebook, from 1. */
export function cellNumber(index: number): number {
  return index + 1;
}

export const STATUS: {
  [status in ValidationCellStatus]: { icon: string; label: string };
} = {
  pending: { icon: '·', label: 'pending' },
  running: { icon: '▶', label: 'running' },
  passed: { icon: '✓', label: 'passed' },
  'output-changed': { icon: '≠', label: 'output changed' },
  failed: { icon: '✗', label: 'failed' },
  skipped: { icon: '⤼', label: 'skipped' },
  'not-reached': { icon: '○', label: 'not reached' },
  'timed-out': { icon: '⏱', label: 'timed out' }
};

/** Whether a cell's result is final (it will not run again in this validation). */
export function isFinished(status: ValidationCellStatus): boolean {
  return status !== 'pending' && status !== 'running';
}

/** `1.2 s (+0.4 s)`: the duration and its change since the previous validation. */
export function formatCellDuration(
  durationMs: number | null,
  previousDurationMs: number | null
): string {
  if (durationMs === null) {
    return '';
  }
  const text = formatMs(durationMs);
  if (previousDurationMs === null) {
    return text;
  }
  const delta = durationMs - previousDurationMs;
  const change = formatMs(Math.abs(delta));
  if (change === '0 ms') {
    return `${text} (±0)`;
  }
  return `${text} (${delta > 0 ? '+' : '−'}${change})`;
}

export function errorLine(cell: IValidationCell): string {
  if (!cell.error) {
    return '';
  }
  return cell.error.evalue
    ? `${cell.error.ename}: ${cell.error.evalue}`
    : cell.error.ename;
}

/** "root cause", "follows from cell 4: name 'df' is not defined", or nothing. */
export function roleLabel(cell: IValidationCell): string {
  switch (cell.role) {
    case 'root-cause':
      return 'root cause';
    case 'consequence':
      return cell.causeIndex === null
        ? 'consequence of an earlier failure'
        : `follows from cell ${cellNumber(cell.causeIndex)}` +
            (cell.error?.evalue ? `: ${cell.error.evalue}` : '');
    case 'independent':
      return 'independent failure';
    default:
      return '';
  }
}

/** The first cell that decides a verdict: the root cause of a failure, the first changed output. */
export function decisiveCell(
  report: Pick<IValidationReport, 'verdict' | 'cells'>
): IValidationCell | null {
  const cells = report.cells;
  switch (report.verdict) {
    case 'failed':
      return (
        cells.find(c => c.role === 'root-cause') ??
        cells.find(c => c.status === 'failed') ??
        null
      );
    case 'output-changed':
      return cells.find(c => c.status === 'output-changed') ?? null;
    case 'timed-out':
      return cells.find(c => c.status === 'timed-out') ?? null;
    default:
      return null;
  }
}

const VERDICTS: { [verdict in ValidationVerdict]: string } = {
  passed: 'Runs top to bottom',
  'output-changed': 'Runs, but outputs changed',
  failed: 'Fails',
  'timed-out': 'Timed out',
  cancelled: 'Cancelled',
  error: 'Could not run'
};

/** The panel header's headline. */
export function verdictText(
  report: Pick<IValidationReport, 'verdict' | 'cells'>
): string {
  if (report.verdict === null) {
    return 'Running';
  }
  const cell = decisiveCell(report);
  const where = cell ? ` at cell ${cellNumber(cell.index)}` : '';
  return VERDICTS[report.verdict] + where;
}

/** `3 of 12 cells`. */
export function progressText(report: Pick<IValidationReport, 'cells'>): string {
  const done = report.cells.filter(c => isFinished(c.status)).length;
  return `${done} of ${report.cells.length} cell${report.cells.length === 1 ? '' : 's'}`;
}

/** Count of cells per status, for the header. */
export function statusCounts(
  cells: readonly IValidationCell[]
): [ValidationCellStatus, number][] {
  const counts = new Map<ValidationCellStatus, number>();
  for (const cell of cells) {
    counts.set(cell.status, (counts.get(cell.status) ?? 0) + 1);
  }
  return (Object.keys(STATUS) as ValidationCellStatus[])
    .filter(status => counts.has(status))
    .map(status => [status, counts.get(status)!]);
}

export type BadgeKind = 'passed' | 'changed' | 'failed' | 'outdated' | 'other';

/** The notebook toolbar's summary of the latest validation. */
export function badgeText(
  report: Pick<
    IValidationReport,
    'verdict' | 'cells' | 'finishedAt' | 'startedAt' | 'durationMs'
  >,
  outdated: boolean
): { text: string; kind: BadgeKind } {
  if (outdated) {
    return { text: 'validation outdated', kind: 'outdated' };
  }
  const cell = decisiveCell(report);
  const at = cell ? ` at cell ${cellNumber(cell.index)}` : '';
  switch (report.verdict) {
    case 'passed': {
      const when = new Date(report.finishedAt ?? report.startedAt);
      const date = when.toLocaleString(undefined, {
        dateStyle: 'medium',
        timeStyle: 'short'
      });
      const duration =
        report.durationMs === null ? '' : `, ${formatMs(report.durationMs)}`;
      return {
        text: `✓ runs top to bottom (${date}${duration})`,
        kind: 'passed'
      };
    }
    case 'failed':
      return { text: `✗ fails${at}`, kind: 'failed' };
    case 'output-changed':
      return { text: `≠ output changed${at}`, kind: 'changed' };
    case 'timed-out':
      return { text: `✗ times out${at}`, kind: 'failed' };
    case 'cancelled':
      return { text: 'validation cancelled', kind: 'other' };
    case 'error':
      return { text: '✗ validation could not run', kind: 'failed' };
    default:
      return { text: 'validating…', kind: 'other' };
  }
}

/**
 * A fingerprint of what a validation depends on: the code cells' sources in
 * order. Outputs and metadata are left out, so running a cell or assigning
 * the notebook id does not make a validation outdated. (53-bit cyrb53.)
 */
export function sourceHash(
  cells: readonly { cell_type: string; source: MultilineString }[]
): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  const text = cells
    .filter(cell => cell.cell_type === 'code')
    .map(cell => joinSource(cell.source))
    .join('\u0000');
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16);
}

function joinSource(source: MultilineString): string {
  return Array.isArray(source) ? source.join('') : source;
}

/** Durations of a stored validation, as the runner's `previousDurations`. */
export function previousDurations(
  cells: readonly Pick<IValidationCell, 'cellId' | 'codeIndex' | 'durationMs'>[]
): Map<string, number> {
  const durations = new Map<string, number>();
  for (const cell of cells) {
    if (typeof cell.durationMs === 'number') {
      durations.set(durationKey(cell), cell.durationMs);
    }
  }
  return durations;
}

/** The validation settings from the Settings Editor's values (seconds there). */
export function validationSettings(composite: {
  [key: string]: unknown;
}): IValidationSettings {
  const seconds = (key: string, fallbackMs: number) =>
    typeof composite[key] === 'number' && (composite[key] as number) >= 0
      ? Math.round((composite[key] as number) * 1000)
      : fallbackMs;
  const d = DEFAULT_VALIDATION_SETTINGS;
  return {
    stopOnError:
      typeof composite.stopOnError === 'boolean'
        ? composite.stopOnError
        : d.stopOnError,
    cellTimeoutMs: seconds('cellTimeout', d.cellTimeoutMs),
    budgetMs: seconds('notebookBudget', d.budgetMs),
    lateOutputMs: seconds('lateOutputTimeout', d.lateOutputMs),
    relativeTolerance:
      typeof composite.relativeTolerance === 'number'
        ? composite.relativeTolerance
        : d.relativeTolerance,
    sanitizers: Array.isArray(composite.sanitizers)
      ? (composite.sanitizers as ISanitizerSpec[]).map(s => ({ ...s }))
      : d.sanitizers,
    skipMimes: Array.isArray(composite.skipMimes)
      ? (composite.skipMimes as string[]).slice()
      : d.skipMimes
  };
}
