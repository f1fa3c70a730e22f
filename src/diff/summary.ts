/**
 * What a summary line says about a diff ("3 cells changed, 1 added,
 * 1 moved, 2 outputs changed"), with hidden kinds of change left out. Pure.
 */
import type {
  ICellDiff,
  IDiffSummary,
  INotebookDiff,
  IOutputDiff
} from './types';

/** Which kinds of change are shown (true) or hidden (false). */
export interface ISummaryOptions {
  /** Outputs that differ only by noise (timings, addresses...). */
  noise: boolean;
  /** Cell metadata. */
  metadata: boolean;
  /** Execution counts. */
  executionCount: boolean;
}

function outputShown(output: IOutputDiff, options: ISummaryOptions): boolean {
  return output.kind !== 'unchanged' && (options.noise || !output.noise);
}

/**
 * Whether a matched cell shows a change: its source, attachments, a shown
 * output, its metadata or execution count when shown, or another field
 * (cell type...). A cell changed only in hidden ways is unchanged.
 */
export function cellChangeShown(
  cell: ICellDiff,
  options: ISummaryOptions
): boolean {
  if (cell.kind !== 'modified') {
    return false;
  }
  if (
    cell.source ||
    cell.attachments ||
    (options.metadata && cell.metadata) ||
    (options.executionCount && cell.executionCount) ||
    cell.outputs.some(output => outputShown(output, options))
  ) {
    return true;
  }
  // Modified, but none of the known fields: another field changed.
  return (
    !cell.source &&
    !cell.attachments &&
    !cell.metadata &&
    !cell.executionCount &&
    cell.outputs.every(output => output.kind === 'unchanged')
  );
}

/**
 * The counts of a summary line. `modified` counts matched cells with a shown
 * change and `moved` moved cells (a moved cell that also changed counts in
 * both); `unchanged` counts matched cells neither changed (as shown) nor
 * moved; `outputsChanged` counts the shown output changes of matched cells.
 */
export function summarize(
  diff: INotebookDiff,
  options: ISummaryOptions
): IDiffSummary {
  const summary: IDiffSummary = {
    modified: 0,
    added: 0,
    removed: 0,
    moved: 0,
    unchanged: 0,
    outputsChanged: 0
  };
  for (const cell of diff.cells) {
    if (cell.kind === 'added') {
      summary.added++;
      continue;
    }
    if (cell.kind === 'removed') {
      summary.removed++;
      continue;
    }
    const changed = cellChangeShown(cell, options);
    if (changed) {
      summary.modified++;
    }
    if (cell.moved) {
      summary.moved++;
    }
    if (!changed && !cell.moved) {
      summary.unchanged++;
    }
    summary.outputsChanged += cell.outputs.filter(output =>
      outputShown(output, options)
    ).length;
  }
  return summary;
}
