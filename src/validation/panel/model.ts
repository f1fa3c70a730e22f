/**
 * One notebook's validation as the report panel shows it: starts the kernel
 * session, the run and its recording, and turns the run's many `changed`
 * signals into at most one render every 100 ms, on an animation frame. No DOM.
 */
import type { ICodeCellModel } from '@jupyterlab/cells';
import type { INotebookContent } from '@jupyterlab/nbformat';
import { NotebookPanel } from '@jupyterlab/notebook';
import { Session } from '@jupyterlab/services';
import { UUID } from '@lumino/coreutils';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import type { ICheckpointTaken } from '../../tokens';
import { errorMessage } from '../../common/format';
import { METADATA_KEY, readNotebookId } from '../../common/notebookId';
import type { IValidationsClient } from '../../rest';
import type { ImageComparator } from '../pixels';
import { ValidationRun } from '../runner';
import { IValidationSession, validationSession } from '../session';
import { checkSanitizers } from '../sanitize';
import type { IStaticFinding } from '../staticCheck';
import type {
  IValidationCell,
  IValidationReport,
  IValidationSettings
} from '../types';
import { previousDurations, sourceHash } from './format';
import { latestValidation } from './latest';
import { ValidationRecorder } from './recorder';

/** The report re-renders at most this often while a validation runs. */
const RENDER_INTERVAL_MS = 100;

export type ValidationPhase = 'idle' | 'starting' | 'running' | 'done';

export interface IValidationModelOptions {
  panel: NotebookPanel;
  sessions: Session.IManager;
  settings: () => IValidationSettings;
  /**
   * Take a checkpoint of the notebook (it also gives it an id): the notebook
   * it recorded is the one validated.
   */
  checkpoint?: (panel: NotebookPanel) => Promise<ICheckpointTaken>;
  compareImages?: ImageComparator;
  /** Records the validation and reads the previous one. */
  validations: IValidationsClient;
}

export class ValidationModel implements IDisposable {
  constructor(private _options: IValidationModelOptions) {}

  /** Coalesced: at most once every 100 ms, on an animation frame (a row toggle at once). */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** A validation ended, or a stored one was shown: its report and source hash. */
  get finished(): ISignal<this, { report: IValidationReport; hash: string }> {
    return this._finished;
  }

  get panel(): NotebookPanel {
    return this._options.panel;
  }

  get phase(): ValidationPhase {
    return this._phase;
  }

  get isRunning(): boolean {
    return this._phase === 'starting' || this._phase === 'running';
  }

  get report(): IValidationReport | null {
    return this._run?.report ?? this._stored;
  }

  /** Findings of the static check, known before the kernel starts. */
  get staticFindings(): readonly IStaticFinding[] {
    return this.report?.staticFindings ?? [];
  }

  /** Why the validation could not start (no kernel, invalid settings). */
  get error(): string | null {
    return this._error;
  }

  /** Problems recording to the store; the validation went on. */
  get warnings(): readonly string[] {
    return this._warnings;
  }

  get kernelName(): string {
    return this._kernelName;
  }

  /** Shown or hidden: nothing to do, a validation runs either way. */
  setActive(): void {
    // The panel model interface asks for it.
  }

  /** Bumped when a cell's result changes, so unchanged rows skip rendering. */
  version(index: number): number {
    return this._versions.get(index) ?? 0;
  }

  isExpanded(index: number): boolean {
    return this._expanded.has(index);
  }

  /** Show or hide a row's details (bound: rows keep the same function). */
  readonly toggle = (index: number): void => {
    if (!this._expanded.delete(index)) {
      this._expanded.add(index);
    }
    this._bump(index);
    // A click shows at once, not at the next throttled render.
    this._emitNow();
  };

  /** Bumped whenever another report replaces the shown one. */
  get generation(): number {
    return this._generation;
  }

  /** Show a stored validation (after a reload) until the next run. */
  showStored(report: IValidationReport): void {
    if (this.isRunning) {
      return;
    }
    this._run = null;
    this._stored = report;
    this._generation++;
    this._phase = 'done';
    this._bumpAll();
    this._schedule();
  }

  /** Validate the notebook as it is now in the editor. Resolves when the run ended. */
  async start(): Promise<void> {
    if (this.isRunning || this._isDisposed) {
      return;
    }
    this._phase = 'starting';
    this._error = null;
    this._warnings = [];
    this._cancelled = false;
    this._run = null;
    this._stored = null;
    this._expanded.clear();
    this._emitNow();
    let kernels: IValidationSession | null = null;
    try {
      const prepared = await this._prepare();
      if (!prepared || this._cancelled) {
        return;
      }
      const { notebook, kernelName } = prepared;
      const hash = sourceHash(notebook.cells);
      const recorder = new ValidationRecorder({
        store: this._options.validations,
        warn: message => {
          this._warnings = [...this._warnings, message];
          this._schedule();
        }
      });
      this._recorder = recorder;
      kernels = validationSession(
        this._options.sessions,
        this.panel.context.path,
        kernelName
      );
      const session = kernels;
      const run = new ValidationRun({
        notebook,
        notebookPath: this.panel.context.path,
        notebookId: readNotebookId(notebook.metadata[METADATA_KEY]),
        checkpoint: prepared.checkpoint,
        settings: prepared.settings,
        previousDurations: prepared.durations,
        editedCellIds: prepared.editedCellIds,
        startKernel: async () => {
          const kernel = await session.startKernel();
          recorder.begin(run.report, {
            runId: UUID.uuid4().replace(/-/g, ''),
            kernelName,
            kernelId: kernel.id,
            cellCount: run.report.cells.length,
            sourceHash: hash
          });
          return kernel;
        },
        shutdownKernel: () => session.shutdownKernel(),
        compareImages: this._options.compareImages
      });
      this._run = run;
      this._generation++;
      this._phase = 'running';
      run.changed.connect(this._onRunChanged, this);
      this._startTicker();
      this._emitNow();
      const report = await run.start();
      await recorder.finish(report);
      this._finished.emit({ report, hash });
    } catch (reason) {
      this._error = `The validation could not run: ${errorMessage(reason)}`;
    } finally {
      this._stopTicker();
      this._recorder?.dispose();
      this._recorder = null;
      this._phase = 'done';
      this._bumpAll();
      this._emitNow();
      // The run shuts its kernel down; the session goes too, whatever happened.
      await kernels?.shutdownKernel().catch(() => undefined);
    }
  }

  /** Stop the running validation; its report says which cells were not reached. */
  cancel(): void {
    this._cancelled = true;
    this._run?.cancel();
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Closing the panel cancels its validation (recording and shutdown still finish). */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this.cancel();
    this._stopTicker();
    this._cancelScheduled();
    Signal.clearData(this);
  }

  /** Everything the run needs from the editor, or null with `error` set. */
  private async _prepare(): Promise<{
    notebook: INotebookContent;
    kernelName: string;
    settings: IValidationSettings;
    checkpoint: string | null;
    durations: Map<string, number>;
    editedCellIds: Set<string>;
  } | null> {
    const settings = this._options.settings();
    const problems = checkSanitizers(settings.sanitizers);
    if (problems.length) {
      this._error =
        'Fix the sanitizers in Settings > Validation, then validate again:\n' +
        problems.join('\n');
      return null;
    }
    const panel = this.panel;
    await panel.context.ready;
    const editedCellIds = editedCells(panel);
    let taken: ICheckpointTaken | null = null;
    if (this._options.checkpoint) {
      taken = await this._options.checkpoint(panel).catch(reason => {
        this._warnings = [
          ...this._warnings,
          `Not linked to a checkpoint: ${errorMessage(reason)}`
        ];
        return null;
      });
    }
    const checkpoint = taken?.commit ?? null;
    // Exactly what the checkpoint recorded, without serialising it again.
    const notebook =
      taken?.notebook ?? (panel.model!.toJSON() as INotebookContent);
    const kernelName =
      panel.sessionContext.session?.kernel?.name ??
      notebook.metadata.kernelspec?.name ??
      '';
    this._kernelName = kernelName;
    if (!kernelName) {
      this._error =
        'This notebook has no kernel: choose one (Kernel > Change Kernel…) and validate again.';
      return null;
    }
    const notebookId = readNotebookId(notebook.metadata[METADATA_KEY]);
    const durations = notebookId
      ? await latestValidation(this._options.validations, notebookId).then(
          latest => previousDurations(latest?.cells ?? []),
          () => new Map<string, number>()
        )
      : new Map<string, number>();
    return {
      notebook,
      kernelName,
      settings,
      checkpoint,
      durations,
      editedCellIds
    };
  }

  private _onRunChanged(_: ValidationRun, cell: IValidationCell | null): void {
    if (cell) {
      this._bump(cell.index);
      this._recorder?.cellChanged(cell);
    }
    this._schedule();
  }

  private _bump(index: number): void {
    this._versions.set(index, this.version(index) + 1);
  }

  private _bumpAll(): void {
    for (const cell of this.report?.cells ?? []) {
      this._bump(cell.index);
    }
  }

  /**
   * One emission per animation frame at most every `RENDER_INTERVAL_MS`,
   * however many cells changed: while fast cells run, each render takes in
   * several of them, and the page keeps most frames for everything else.
   */
  private _schedule(): void {
    if (this._frame !== null || this._timer !== null || this._isDisposed) {
      return;
    }
    const wait = this._lastEmit + RENDER_INTERVAL_MS - performance.now();
    const onFrame = () => {
      this._frame = null;
      this._emit();
    };
    if (wait <= 0) {
      this._frame = requestAnimationFrame(onFrame);
    } else {
      this._timer = setTimeout(() => {
        this._timer = null;
        this._frame = requestAnimationFrame(onFrame);
      }, wait);
    }
  }

  private _emitNow(): void {
    this._cancelScheduled();
    if (!this._isDisposed) {
      this._emit();
    }
  }

  private _emit(): void {
    this._lastEmit = performance.now();
    this._changed.emit();
  }

  private _cancelScheduled(): void {
    if (this._frame !== null) {
      cancelAnimationFrame(this._frame);
      this._frame = null;
    }
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
  }

  /** The elapsed time in the header moves once a second. */
  private _startTicker(): void {
    this._ticker = setInterval(() => this._schedule(), 1000);
  }

  private _stopTicker(): void {
    if (this._ticker !== null) {
      clearInterval(this._ticker);
      this._ticker = null;
    }
  }

  private _phase: ValidationPhase = 'idle';
  private _run: ValidationRun | null = null;
  private _stored: IValidationReport | null = null;
  private _recorder: ValidationRecorder | null = null;
  private _error: string | null = null;
  private _warnings: string[] = [];
  private _kernelName = '';
  private _cancelled = false;
  private _generation = 0;
  private _versions = new Map<number, number>();
  private _expanded = new Set<number>();
  private _frame: number | null = null;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _lastEmit = -Infinity;
  private _ticker: ReturnType<typeof setInterval> | null = null;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
  private _finished = new Signal<
    this,
    { report: IValidationReport; hash: string }
  >(this);
}

/** Code cells edited since they last ran, as the editor knows. */
function editedCells(panel: NotebookPanel): Set<string> {
  const ids = new Set<string>();
  for (const cell of panel.model?.cells ?? []) {
    if (cell.type === 'code' && (cell as ICodeCellModel).isDirty) {
      ids.add(cell.id);
    }
  }
  return ids;
}
