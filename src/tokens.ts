import { Token } from '@lumino/coreutils';
import { ISignal } from '@lumino/signaling';
import { ICell, INotebookContent } from '@jupyterlab/nbformat';
import { NotebookPanel } from '@jupyterlab/notebook';

import type { IDiffOptions, INotebookDiff } from './diff/types';

/**
 * Command ids (contract: users bind keys to these).
 */
export namespace CommandIDs {
  export const newRun = 'experiments:new-run';
  export const showRun = 'experiments:show-run';
  export const checkpoint = 'experiments:checkpoint';
  export const history = 'experiments:history';
  export const openCheckpoint = 'experiments:open-checkpoint';
  export const validate = 'experiments:validate';
  export const openBrowser = 'experiments:open-browser';
  export const compare = 'experiments:compare';
  export const progress = 'experiments:progress';
  export const diff = 'experiments:diff';
  export const diffCheckpoint = 'experiments:diff-checkpoint';
  export const diffSelected = 'experiments:diff-selected';
}

/** The MIME type through which a kernel of any language logs (see docs/logging-protocol.md). */
export const LOG_MIME_TYPE = 'application/vnd.jupyterlab-experiments.log+json';

export type RunStatus = 'running' | 'finished' | 'failed' | 'interrupted';

/** Summary of one metric's series, kept by the store as points arrive. */
export interface IMetricSummary {
  last: number;
  last_step: number;
  min: number | null;
  min_step: number | null;
  max: number | null;
  max_step: number | null;
  count: number;
  cell_id: string | null;
}

export interface IRunSummary {
  id: string;
  name: string | null;
  kind: string;
  status: RunStatus;
  notebook_path: string | null;
  notebook_id: string | null;
  kernel_name: string | null;
  user: string | null;
  start_time: number;
  end_time: number | null;
  updated: number;
  tags: { [key: string]: string };
  notes: string;
  params: { [key: string]: unknown };
  metrics: { [key: string]: IMetricSummary };
  starred: boolean;
  /** Hidden from lists unless a filter names `archived`. */
  archived: boolean;
  /** When the run went to the trash (unix seconds); null outside it. */
  deleted: number | null;
  /** A validation's verdict (`passed`, `failed`, …); null for other runs. */
  verdict?: string | null;
}

export interface ICellRef {
  cell_id: string | null;
  checkpoint?: string | null;
}

export interface IRunImage extends ICellRef {
  id: string;
  key: string;
  step: number | null;
  sha256: string;
  width: number | null;
  height: number | null;
  timestamp: number;
}

export interface IDataInput extends ICellRef {
  path: string;
  sha256: string;
  size: number;
  file_count: number;
  timestamp: number;
}

export interface ICellExecution extends ICellRef {
  execution_count: number | null;
  started: number | null;
  duration: number | null;
  status: string;
  error_name: string | null;
  source_head?: string | null;
}

export interface IRun extends IRunSummary {
  param_cells: { [key: string]: ICellRef };
  images: IRunImage[];
  data: IDataInput[];
  environment: { [key: string]: any } | null;
  executions: ICellExecution[];
}

export interface IMetricSeries {
  key: string;
  steps: number[];
  values: number[];
  timestamps: number[];
  count: number;
}

/**
 * Whether the kernel of a notebook can log from code.
 */
export type LoggingAvailability = 'unknown' | 'direct' | 'missing' | 'relay';

/** A code cell finished executing in a tracked notebook. */
export interface IExecutionEvent {
  panel: NotebookPanel;
  cellId: string;
  cellIndex: number;
  executionCount: number | null;
  status: 'ok' | 'error';
  /** Seconds, when the kernel announced the execution's start. */
  duration: number | null;
  runId: string | null;
}

/**
 * Tracks the run of each open notebook.
 */
export interface IRunTracker {
  /** Emits a notebook panel whose run or logging availability changed. */
  readonly changed: ISignal<IRunTracker, NotebookPanel>;
  /** Emits after each code cell execution, recorded or not. */
  readonly executed: ISignal<IRunTracker, IExecutionEvent>;
  /** The id of the panel's current run, if it started. */
  runId(panel: NotebookPanel): string | null;
  /** Whether `import jupyterlab_experiments` works in the panel's kernel. */
  availability(panel: NotebookPanel): LoggingAvailability;
  /** End the panel's run: the next execution starts a new one. */
  newRun(panel: NotebookPanel): Promise<void>;
}

export const IRunTracker = new Token<IRunTracker>(
  'jupyterlab-experiments:IRunTracker',
  'Tracks the run of each open notebook.'
);

/** How one cell differs between two checkpoints. */
export type CellChange = 'added' | 'removed' | 'modified' | 'moved';

/** A checkpoint taken on demand, and the notebook exactly as it recorded it. */
export interface ICheckpointTaken {
  commit: string;
  notebook: INotebookContent;
}

/**
 * Checkpoints of notebooks: taken after every execution, read back on demand.
 */
export interface ICheckpoints {
  /** Emits the panel and the new commit after each checkpoint lands. */
  readonly checkpointed: ISignal<
    ICheckpoints,
    { panel: NotebookPanel; commit: string }
  >;
  /**
   * Take a checkpoint of the panel's notebook now: resolves to the commit and
   * the notebook it recorded; rejects if it could not be written.
   */
  checkpoint(panel: NotebookPanel): Promise<ICheckpointTaken>;
  /** The notebook as it was at a checkpoint. */
  read(commit: string): Promise<INotebookContent>;
  /**
   * The diff of two checkpoints; cells whose subtree is the same on both
   * sides are not read (their diff entries carry the subtree ids instead).
   */
  diff(
    from: string,
    to: string,
    options?: IDiffOptions
  ): Promise<INotebookDiff>;
  /** One cell by its subtree id (as a checkpoint diff names it). */
  readCell(tree: string): Promise<ICell>;
  /** Cells that differ between two checkpoints, by cell key. */
  changedCells(
    from: string | null,
    to: string
  ): Promise<Map<string, CellChange>>;
}

export const ICheckpoints = new Token<ICheckpoints>(
  'jupyterlab-experiments:ICheckpoints',
  'Checkpoints of notebooks, one per execution.'
);
