/**
 * The nouns of a notebook diff, shared by the engine, the worker, the
 * checkpoint reader and the view. Plain data only: a diff crosses a
 * `postMessage` boundary.
 */
import type * as nbformat from '@jupyterlab/nbformat';

/**
 * One operation of nbdime's documented diff format. Dict keys are strings;
 * list and string keys are indices into the *old* value. A string is diffed
 * as the list of its lines (Python's `splitlines(True)`), with `addrange` and
 * `removerange` only, as nbdime does.
 */
export type DiffEntry =
  | { op: 'add'; key: string; value: unknown }
  | { op: 'remove'; key: string }
  | { op: 'replace'; key: string | number; value: unknown }
  | { op: 'patch'; key: string | number; diff: DiffEntry[] }
  | { op: 'addrange'; key: number; valuelist: unknown[] }
  | { op: 'removerange'; key: number; length: number };

/** How a cell or an output differs. */
export type DiffKind = 'unchanged' | 'modified' | 'added' | 'removed';

/** How one output of a matched cell differs. */
export interface IOutputDiff {
  kind: DiffKind;
  oldIndex: number | null;
  newIndex: number | null;
  old: nbformat.IOutput | null;
  new: nbformat.IOutput | null;
  /**
   * A modified output that is equal once the validation sanitizers have run
   * (timings, addresses, dates...): volatile noise, hidden by default.
   */
  noise: boolean;
}

/** How one cell differs. Cells are listed in the new notebook's order. */
export interface ICellDiff {
  kind: DiffKind;
  /** A matched cell that changed place relative to the cells around it. */
  moved: boolean;
  oldIndex: number | null;
  newIndex: number | null;
  /**
   * The cell on each side. Null on the side where it does not exist, and on
   * both sides for an unchanged cell of a checkpoint diff, which is never
   * read: `oldTree`/`newTree` name its subtree for reading it on demand.
   */
  old: nbformat.ICell | null;
  new: nbformat.ICell | null;
  oldTree?: string | null;
  newTree?: string | null;
  /** What changed in a matched cell (all false for added/removed cells). */
  source: boolean;
  metadata: boolean;
  executionCount: boolean;
  attachments: boolean;
  /** Per output, aligned; empty when the outputs are equal. */
  outputs: IOutputDiff[];
  /** Source lines added and removed (whole cell for added/removed cells). */
  linesAdded: number;
  linesRemoved: number;
}

export interface INotebookDiff {
  cells: ICellDiff[];
  /** Top-level metadata (and nbformat version) changes, nbdime format. */
  metadata: DiffEntry[];
}

/** The counts a summary line shows. */
export interface IDiffSummary {
  modified: number;
  added: number;
  removed: number;
  moved: number;
  unchanged: number;
  outputsChanged: number;
}

export interface IDiffOptions {
  /**
   * Mark modified outputs that are equal after the validation sanitizers as
   * `noise` (default true). Never changes what `applyDiff` produces.
   */
  detectNoise?: boolean;
}
