/**
 * Records a validation in the store while it runs: the run at the start,
 * finished cells in batches, the verdict at the end. A server error never
 * stops the validation: it becomes a warning.
 */
import { errorMessage } from '../../common/format';
import type { IValidationsClient } from '../../rest';
import type { IValidationCell, IValidationReport } from '../types';
import { isFinished } from './format';

/** The store calls the recorder makes (the REST client's in the app). */
export type IValidationStore = Pick<
  IValidationsClient,
  'create' | 'addCells' | 'finish'
>;

/** A cell result as the REST API takes it. */
export function cellRecord(cell: IValidationCell): { [key: string]: unknown } {
  return {
    index: cell.index,
    code_index: cell.codeIndex,
    cell_id: cell.cellId,
    source_head: cell.sourceHead,
    status: cell.status,
    duration_ms: cell.durationMs,
    execution_count: cell.executionCount,
    error: cell.error
      ? {
          ename: cell.error.ename,
          evalue: cell.error.evalue,
          traceback: cell.error.traceback ?? []
        }
      : null,
    reason: cell.reason,
    rules: cell.rules,
    role: cell.role,
    cause_index: cell.causeIndex,
    differences: cell.differences,
    outputs: cell.outputs,
    saved_outputs: cell.savedOutputs
  };
}

export interface IRecorderOptions {
  store: IValidationStore;
  /** Shown in the panel; the validation goes on. */
  warn: (message: string) => void;
  /** How long finished cells wait to be sent together. */
  interval?: number;
}

export class ValidationRecorder {
  constructor(options: IRecorderOptions) {
    this._store = options.store;
    this._warn = options.warn;
    this._interval = options.interval ?? 500;
  }

  /** Create the stored run; `report.runId` is set once the server has it. */
  begin(
    report: IValidationReport,
    run: {
      runId: string;
      kernelName: string;
      kernelId: string | null;
      cellCount: number;
      /** Stored with the settings, to tell later whether the notebook changed. */
      sourceHash: string;
    }
  ): void {
    this._created = this._store
      .create({
        run_id: run.runId,
        notebook_path: report.notebookPath,
        notebook_id: report.notebookId,
        checkpoint: report.checkpoint,
        kernel_name: run.kernelName,
        kernel_id: run.kernelId,
        settings: { ...report.settings, source_hash: run.sourceHash },
        static_findings: report.staticFindings,
        cell_count: run.cellCount
      })
      .then(
        ({ run_id }) => {
          report.runId = run_id;
          return run_id;
        },
        reason => {
          this._warn(
            `This validation is not being recorded in the store: ${errorMessage(reason)}. ` +
              'It goes on; check the server log.'
          );
          return null;
        }
      );
  }

  /** A cell changed: once finished, it goes out with the next batch (its latest state). */
  cellChanged(cell: IValidationCell): void {
    if (!isFinished(cell.status)) {
      return;
    }
    this._pending.set(cell.index, cell);
    if (this._timer === null) {
      this._timer = setTimeout(() => {
        this._timer = null;
        void this._flush();
      }, this._interval);
    }
  }

  /** Send what is left, then the verdict. Resolves when the store has them (or failed). */
  async finish(report: IValidationReport): Promise<void> {
    this._clearTimer();
    await this._flush();
    const runId = await this._created;
    if (runId === null || report.verdict === null) {
      return;
    }
    try {
      await this._store.finish(runId, {
        verdict: report.verdict,
        duration_ms: report.durationMs,
        message: report.message
      });
    } catch (reason) {
      this._warn(`The verdict could not be recorded: ${errorMessage(reason)}.`);
    }
  }

  dispose(): void {
    this._clearTimer();
    this._pending.clear();
  }

  private _flush(): Promise<void> {
    this._sending = this._sending.then(async () => {
      const runId = await this._created;
      const cells = Array.from(this._pending.values());
      this._pending.clear();
      if (runId === null || cells.length === 0) {
        return;
      }
      try {
        await this._store.addCells(runId, cells.map(cellRecord));
      } catch (reason) {
        if (!this._cellsWarned) {
          this._cellsWarned = true;
          this._warn(
            `Some cell results could not be recorded: ${errorMessage(reason)}.`
          );
        }
      }
    });
    return this._sending;
  }

  private _clearTimer(): void {
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
  }

  private _store: IValidationStore;
  private _warn: (message: string) => void;
  private _interval: number;
  private _created: Promise<string | null> = Promise.resolve(null);
  private _pending = new Map<number, IValidationCell>();
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _sending: Promise<void> = Promise.resolve();
  private _cellsWarned = false;
}
