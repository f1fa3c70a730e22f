/**
 * The diff of two checkpoints, from their trees: a cell whose subtree id is
 * the same on both sides is equal and is never read, so one edited cell of a
 * 200-cell, 20 MB notebook costs reading that cell twice.
 */
import type { CheckpointReader } from '../checkpoints/reader';
import { diffCellSlots, diffNotebookMetadata } from './index';
import type { ICellSlot } from './index';
import type { IDiffOptions, INotebookDiff } from './types';

export async function diffCheckpoints(
  reader: CheckpointReader,
  from: string,
  to: string,
  options?: IDiffOptions
): Promise<INotebookDiff> {
  const [a, b] = await Promise.all([
    reader.cellTrees(from),
    reader.cellTrees(to)
  ]);
  const slots = (cells: { key: string; tree: string }[]): ICellSlot[] =>
    cells.map(({ key, tree }) => ({
      key,
      fingerprint: tree,
      cell: null,
      tree
    }));
  const cells = await diffCellSlots(
    slots(a.cells),
    slots(b.cells),
    slot => reader.readCell(slot.tree!),
    options
  );
  return {
    cells,
    metadata: diffNotebookMetadata(
      { ...a.header, cells: [] },
      { ...b.header, cells: [] }
    )
  };
}
