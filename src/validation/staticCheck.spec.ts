/// <reference types="node" />
import type { ICell, INotebookContent } from '@jupyterlab/nbformat';

import { readReference } from '../testing/reference';
import { staticCheck } from './staticCheck';

function notebook(name: string): INotebookContent {
  return readReference(name);
}

/** Code cells with these execution counts (null: never run). */
function withCounts(...counts: (number | null)[]): { cells: ICell[] } {
  return {
    cells: counts.map((count, i) => ({
      cell_type: 'code',
      id: `c${i}`,
      source: `x${i} = ${i}`,
      metadata: {},
      execution_count: count,
      outputs: []
    }))
  };
}

function kinds(notebook: { cells: readonly ICell[] }): [number, string][] {
  return staticCheck(notebook).map(f => [f.cellIndex, f.kind]);
}

describe('staticCheck', () => {
  it('finds nothing in a notebook run once from the top', () => {
    expect(kinds(withCounts(1, 2, 3, 4))).toEqual([]);
    expect(kinds(notebook('nbclient/Clear Output.ipynb'))).toEqual([]);
  });

  it('finds the cell run twice in nbval sample, not its skipped cells', () => {
    // Cell 15 (# NBVAL_SKIP) has count 3, like cell 6: another session.
    // Cells 15 and 16 were never run but are marked to be skipped; 17 is empty.
    expect(staticCheck(notebook('nbval/sample_notebook.ipynb'))).toEqual([
      {
        cellIndex: 14,
        cellId: null,
        kind: 'previous-session',
        message:
          'Cell 15 has execution count 3, like cell 6: they ran in different ' +
          'kernel sessions, so cells from here on and the cells above did not ' +
          'run together.'
      }
    ]);
  });

  it('finds a cell never executed (test-stream-pass-missing-unexecuted-output)', () => {
    expect(
      staticCheck(
        notebook(
          'nbval/ipynb-test-samples/test-stream-pass-missing-unexecuted-output.ipynb'
        )
      )
    ).toEqual([
      {
        cellIndex: 1,
        cellId: null,
        kind: 'never-executed',
        message: 'Cell 2 has never been executed.'
      }
    ]);
  });

  it('does not expect a cell tagged skip-execution to have run', () => {
    expect(
      kinds(notebook('nbclient/Skip Execution with Cell Tag.ipynb'))
    ).toEqual([]);
  });

  it('finds cells run out of order (test-latex-fail-randomoutput)', () => {
    // Counts 5, 3, 6: the second cell ran before the first.
    const findings = staticCheck(
      notebook('nbval/ipynb-test-samples/test-latex-fail-randomoutput.ipynb')
    );
    expect(findings).toEqual([
      {
        cellIndex: 2,
        cellId: null,
        kind: 'out-of-order',
        message:
          'Cell 3 ran before the cell above it (execution count 3, cell 2 has 5).'
      }
    ]);
    expect(kinds(withCounts(3, 1, 2))).toEqual([[1, 'out-of-order']]);
  });

  it('finds a restart where counts repeat (exceptions.ipynb: 1, 2, 3, 1, 2)', () => {
    expect(kinds(notebook('nbval/exceptions.ipynb'))).toEqual([
      [3, 'previous-session']
    ]);
  });

  it('finds a jump after a clean run from 1', () => {
    const findings = staticCheck(withCounts(1, 2, 3, 41, 42));
    expect(findings.map(f => [f.cellIndex, f.kind])).toEqual([
      [3, 'execution-gap']
    ]);
    expect(findings[0].message).toMatch(
      /^Execution count jumps from 3 \(cell 3\) to 41: 37 executions are not in the notebook\./
    );
    // Counts that never started at 1 say nothing about sessions.
    expect(kinds(withCounts(11, 12, 40))).toEqual([]);
    // A restart begins a new clean run, and its jump is found too.
    expect(kinds(withCounts(1, 2, 1, 2, 9))).toEqual([
      [2, 'previous-session'],
      [4, 'execution-gap']
    ]);
  });

  it('reads both a restart and a jump (test-stream-fail-missingoutput: 1, 1, 3)', () => {
    expect(
      kinds(
        notebook(
          'nbval/ipynb-test-samples/test-stream-fail-missingoutput.ipynb'
        )
      )
    ).toEqual([
      [1, 'previous-session'],
      [2, 'execution-gap']
    ]);
  });

  it('finds cells edited after they ran, by id (Error.ipynb)', () => {
    const error = notebook('nbclient/Error.ipynb');
    expect(
      staticCheck(error, { editedCellIds: new Set(['d200673b']) })
    ).toEqual([
      {
        cellIndex: 0,
        cellId: 'd200673b',
        kind: 'edited-after-run',
        message:
          'Cell 1 was edited after it ran: its outputs may not match its code.'
      }
    ]);
    expect(staticCheck(error, { editedCellIds: new Set(['other']) })).toEqual(
      []
    );
    // A cell that never ran is reported as such, not as edited.
    expect(
      staticCheck(withCounts(null), { editedCellIds: new Set(['c0']) })
    ).toMatchObject([{ kind: 'never-executed' }]);
  });
});
