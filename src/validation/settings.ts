/**
 * A validation's default settings and the key of a cell's previous duration:
 * pure, and light enough for the toolbar badge to load at start-up.
 */
import type { IValidationCell, IValidationSettings } from './types';

export const DEFAULT_VALIDATION_SETTINGS: IValidationSettings = {
  stopOnError: false,
  cellTimeoutMs: 600_000,
  budgetMs: 3_600_000,
  lateOutputMs: 2_000,
  sanitizers: [],
  skipMimes: [],
  relativeTolerance: 1e-6
};

/** The key `previousDurations` uses for a cell. */
export function durationKey(
  cell: Pick<IValidationCell, 'cellId' | 'codeIndex'>
): string {
  return cell.cellId ?? `#${cell.codeIndex}`;
}
