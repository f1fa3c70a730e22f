/**
 * A validation report as the server stores and serves it (camelCase, cells by
 * index): what the runner fills in, the report panel shows and the REST
 * client sends and reads. Types only; `validation/types.ts` re-exports them.
 */
import type { IOutput } from '@jupyterlab/nbformat';

export type StaticFindingKind =
  | 'never-executed'
  | 'out-of-order'
  | 'edited-after-run'
  | 'previous-session'
  | 'execution-gap';

export interface IStaticFinding {
  cellIndex: number;
  cellId: string | null;
  kind: StaticFindingKind;
  message: string;
}

/** Of a failed cell: the first failure, one that follows from it, or one of its own. */
export type FailureRole = 'root-cause' | 'consequence' | 'independent';

/** A user-supplied sanitizer, as in settings or an nbval sanitize file. */
export interface ISanitizerSpec {
  regex: string;
  /** Replacement: `$1`, `$<name>`, and nbval's Python style `\1`, `\g<name>`. */
  replace: string;
  /** Shown in reports as `user:<name>`; defaults to the regex. */
  name?: string;
}

export type DifferenceKind =
  | 'missing-output'
  | 'extra-output'
  | 'output-type'
  | 'missing-mime'
  | 'extra-mime'
  | 'text'
  | 'number'
  | 'image'
  | 'error'
  | 'traceback'
  | 'execution-count';

export interface IOutputDifference {
  /** Position among the compared outputs (streams merged). */
  index: number;
  /** Index in the saved / fresh output list of the output concerned. */
  savedIndex: number | null;
  freshIndex: number | null;
  /** The MIME type compared (`text/plain` for a stream); null for a whole output, an error or a count. */
  mime: string | null;
  kind: DifferenceKind;
  /** The values as compared (sanitized), or the output types. */
  saved: string | null;
  fresh: string | null;
}

/**
 * Where a code cell stands. `pending`: not started yet; `running`: executing
 * now; `not-reached`: never executed because the run stopped before it (stop
 * at first error, the notebook budget, a cancel, a dead kernel).
 */
export type ValidationCellStatus =
  | 'pending'
  | 'running'
  | 'passed'
  | 'output-changed'
  | 'failed'
  | 'skipped'
  | 'not-reached'
  | 'timed-out';

/** How the whole run ended. */
export type ValidationVerdict =
  | 'passed'
  | 'output-changed'
  | 'failed'
  | 'timed-out'
  | 'cancelled'
  /** The validation itself could not run: no kernel, a dead kernel. */
  | 'error';

export interface IValidationError {
  ename: string;
  evalue: string;
  traceback?: string[];
}

/** One code cell of a validation. */
export interface IValidationCell {
  /** Position in the notebook's cells (markdown cells count), from 0. */
  index: number;
  /** Position among code cells, from 0. */
  codeIndex: number;
  cellId: string | null;
  /** First non-empty line of the source, for lists. */
  sourceHead: string;
  status: ValidationCellStatus;
  /** From the kernel's execute_input to the reply and its last output. */
  durationMs: number | null;
  /** The same cell's duration in the previous validation of this notebook. */
  previousDurationMs: number | null;
  executionCount: number | null;
  error: IValidationError | null;
  /** One sentence: why this status. */
  reason: string;
  /** Sanitizer and comparison rules that decided the status. */
  rules: string[];
  /** For failed cells: root cause, consequence or independent failure. */
  role: FailureRole | null;
  /** Notebook index of the cell this failure follows from. */
  causeIndex: number | null;
  /** The outputs saved in the notebook, and the fresh ones. */
  savedOutputs: IOutput[];
  outputs: IOutput[];
  /** Empty unless `output-changed`. */
  differences: IOutputDifference[];
}

/** Settings of one validation (from the Settings Editor, cell metadata overrides timeouts). */
export interface IValidationSettings {
  /** Stop at the first failing cell (the rest are `not-reached`). */
  stopOnError: boolean;
  /** Per-cell timeout; `metadata.execution.timeout` (seconds) or `metadata.experiments.timeout` overrides. */
  cellTimeoutMs: number;
  /** Whole-notebook budget, from the kernel's start on: cells not started within it are `not-reached`. */
  budgetMs: number;
  /** After the execute reply, how long to wait for the kernel to go idle (late outputs). */
  lateOutputMs: number;
  /** User sanitizers (regex → replacement), on top of the default rules. */
  sanitizers: ISanitizerSpec[];
  /** MIME types never compared (nbval's `skip_compare`), e.g. `text/html`. */
  skipMimes: string[];
  /** Relative tolerance for floats in text outputs. */
  relativeTolerance: number;
}

export interface IValidationReport {
  /** The store run of kind `validation`; null until the server created it. */
  runId: string | null;
  notebookPath: string;
  notebookId: string | null;
  /** The checkpoint commit of the notebook that was validated, when known. */
  checkpoint: string | null;
  kernelName: string;
  startedAt: number;
  finishedAt: number | null;
  durationMs: number | null;
  /** null while running. */
  verdict: ValidationVerdict | null;
  /** What went wrong with the run itself (for `error`, `cancelled`, `timed-out`). */
  message: string | null;
  settings: IValidationSettings;
  staticFindings: IStaticFinding[];
  /** One per code cell, in notebook order. */
  cells: IValidationCell[];
}
