/**
 * What can be told about a notebook's saved outputs without running it:
 * cells never run, run out of order, edited since, or run in more than one
 * kernel session. Instant, pure; shown before "Run top to bottom".
 */
import type { ICell, MultilineString } from '@jupyterlab/nbformat';

import { readMarkers } from './markers';
import type { IStaticFinding, StaticFindingKind } from './types';

export type { IStaticFinding, StaticFindingKind };

export interface IStaticCheckOptions {
  /** Ids of cells whose source changed since they last ran (from the editor). */
  editedCellIds?: ReadonlySet<string>;
}

/**
 * Check a notebook's cells in document order.
 *
 * Execution counts are read as a history: in one kernel session every
 * execution takes the next count, so a count seen twice proves two sessions
 * (`previous-session`), a count lower than the one above means the cell ran
 * before it (`out-of-order`), and a run that starts at 1 and then jumps means
 * executions happened that the notebook no longer shows: cells re-run or
 * deleted, or, often, outputs kept from an earlier session (`execution-gap`).
 * Cells marked to be skipped are not expected to have run.
 */
export function staticCheck(
  notebook: { cells: readonly ICell[] },
  options: IStaticCheckOptions = {}
): IStaticFinding[] {
  const findings: IStaticFinding[] = [];
  // Cells of the session being read, by execution count.
  let session = new Map<number, number>();
  let previous: { index: number; count: number } | null = null;
  // While counts go 1, 2, 3... from the start of a session.
  let inSequence = false;

  notebook.cells.forEach((cell, index) => {
    if (cell.cell_type !== 'code') {
      return;
    }
    const cellId = typeof cell.id === 'string' ? cell.id : null;
    const add = (kind: StaticFindingKind, message: string) =>
      findings.push({ cellIndex: index, cellId, kind, message });
    const count = cell.execution_count;
    if (typeof count !== 'number') {
      if (sourceText(cell.source).trim() && !readMarkers(cell).skip.value) {
        add('never-executed', `Cell ${index + 1} has never been executed.`);
      }
      return;
    }
    if (cellId !== null && options.editedCellIds?.has(cellId)) {
      add(
        'edited-after-run',
        `Cell ${index + 1} was edited after it ran: its outputs may not match its code.`
      );
    }
    const same = session.get(count);
    if (previous && same !== undefined) {
      add(
        'previous-session',
        `Cell ${index + 1} has execution count ${count}, like cell ${same + 1}: ` +
          `they ran in different kernel sessions, so cells from here on and ` +
          `the cells above did not run together.`
      );
      session = new Map();
      inSequence = count === 1;
    } else if (previous && count < previous.count) {
      add(
        'out-of-order',
        `Cell ${index + 1} ran before the cell above it ` +
          `(execution count ${count}, cell ${previous.index + 1} has ${previous.count}).`
      );
      inSequence = false;
    } else if (!previous) {
      inSequence = count === 1;
    } else if (inSequence && count > previous.count + 1) {
      const missing = count - previous.count - 1;
      add(
        'execution-gap',
        `Execution count jumps from ${previous.count} (cell ${previous.index + 1}) ` +
          `to ${count}: ${missing} execution${missing === 1 ? ' is' : 's are'} ` +
          `not in the notebook. The outputs from here on may come from an ` +
          `earlier kernel session, or cells were re-run or deleted.`
      );
      inSequence = false;
    }
    session.set(count, index);
    previous = { index, count };
  });
  return findings;
}

function sourceText(source: MultilineString): string {
  return Array.isArray(source) ? source.join('') : source;
}
