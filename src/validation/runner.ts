/**
 * Run a notebook top to bottom in a kernel of its own and judge each code
 * cell. No DOM: it needs a kernel connection from `@jupyterlab/services` and
 * runs in the browser and in Node alike.
 */
import type { INotebookContent } from '@jupyterlab/nbformat';
import type { Kernel } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import type { ImageComparator } from './compare';
import type {
  IValidationCell,
  IValidationReport,
  IValidationSettings
} from './types';

export const DEFAULT_VALIDATION_SETTINGS: IValidationSettings = {
  stopOnError: false,
  cellTimeoutMs: 600_000,
  budgetMs: 3_600_000,
  lateOutputMs: 2_000,
  sanitizers: [],
  relativeTolerance: 1e-6
};

export interface IValidationRunOptions {
  notebook: INotebookContent;
  notebookPath: string;
  notebookId?: string | null;
  checkpoint?: string | null;
  settings?: Partial<IValidationSettings>;
  /** Durations of the previous validation, by cell id (or `#<codeIndex>` for cells without id). */
  previousDurations?: ReadonlyMap<string, number>;
  /** Starts the kernel the run uses; the run shuts it down when it ends. */
  startKernel: () => Promise<Kernel.IKernelConnection>;
  compareImages?: ImageComparator;
}

/**
 * One validation. `start()` resolves with the report when the run ends (it
 * never rejects: a run that cannot go on ends with verdict `error`);
 * `changed` fires with a cell whenever its result changes, and with null
 * when the report itself does (start, verdict).
 */
export class ValidationRun {
  constructor(options: IValidationRunOptions) {
    this._options = options;
    this.report = {
      runId: null,
      notebookPath: options.notebookPath,
      notebookId: options.notebookId ?? null,
      checkpoint: options.checkpoint ?? null,
      kernelName: '',
      startedAt: Date.now(),
      finishedAt: null,
      durationMs: null,
      verdict: null,
      message: null,
      settings: { ...DEFAULT_VALIDATION_SETTINGS, ...options.settings },
      staticFindings: [],
      cells: []
    };
  }

  /** The live report: cells are updated in place as the run goes. */
  readonly report: IValidationReport;

  get changed(): ISignal<this, IValidationCell | null> {
    return this._changed;
  }

  /** Run it. Calling twice returns the same promise. */
  start(): Promise<IValidationReport> {
    throw new Error('not implemented yet');
  }

  /** Stop: interrupt the running cell, mark the rest not reached, shut the kernel down. */
  cancel(): void {
    this._cancelled = true;
  }

  get isDone(): boolean {
    return this.report.verdict !== null;
  }

  protected readonly _options: IValidationRunOptions;
  protected _cancelled = false;
  private _changed = new Signal<this, IValidationCell | null>(this);
}
