/**
 * The notebook diff engine: pure (no DOM, no network), the same code in
 * Node, a browser and a Web Worker.
 */
export { normalizeNotebook } from './normalize';
export { splitLines } from './lines';
export { deepEqual, diffJson, patch } from './json';
export {
  applyDiff,
  diffCellSlots,
  diffNotebookMetadata,
  diffNotebooks,
  toNbdime
} from './notebook';
export type { ICellSlot } from './notebook';
export { summarize } from './summary';
export type { ISummaryOptions } from './summary';
export type {
  DiffEntry,
  DiffKind,
  ICellDiff,
  IDiffOptions,
  IDiffSummary,
  INotebookDiff,
  IOutputDiff
} from './types';
