/**
 * Runs of open notebooks: a run is one kernel session of one notebook.
 *
 * It starts at the first execution after a kernel start (or after
 * `experiments:new-run`) and ends when the kernel restarts, dies or is
 * replaced. Each execution is recorded; the kernel is attached to the run so
 * `jx.log_*` calls land in it with the id of the cell that made them.
 */
import { ISessionContext } from '@jupyterlab/apputils';
import { Cell, ICodeCellModel } from '@jupyterlab/cells';
import {
  INotebookTracker,
  Notebook,
  NotebookActions,
  NotebookPanel
} from '@jupyterlab/notebook';
import { Kernel, KernelMessage } from '@jupyterlab/services';
import { UUID } from '@lumino/coreutils';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { ensureNotebookId } from '../common/notebookId';
import type { IExperimentsClient } from '../rest';
import type { IBackgroundStatus } from '../status/tokens';
import {
  IExecutionEvent,
  IRunTracker,
  LOG_MIME_TYPE,
  LoggingAvailability,
  RunStatus
} from '../tokens';
import {
  attachCode,
  ExecutionClock,
  isPackageMissing,
  sourceHead
} from './kernelProtocol';

/** Cells tagged this way hold the notebook's parameters (papermill's convention). */
const PARAMETERS_TAG = 'parameters';

export class RunTracker implements IRunTracker, IDisposable {
  constructor(
    private _notebooks: INotebookTracker,
    private _client: IExperimentsClient,
    storeDir: string
  ) {
    this.storeDir = storeDir;
    NotebookActions.executionScheduled.connect(this._onScheduled, this);
    NotebookActions.executed.connect(this._onExecuted, this);
  }

  /** The server's store folder, told to kernels when they are attached. */
  storeDir: string;

  /** Whether executions start and feed runs (a user setting). */
  enabled = true;

  /** Where run requests report how they went. */
  background: IBackgroundStatus | null = null;

  get changed(): ISignal<IRunTracker, NotebookPanel> {
    return this._changed;
  }

  get executed(): ISignal<IRunTracker, IExecutionEvent> {
    return this._executed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  runId(panel: NotebookPanel): string | null {
    return this._sessions.get(panel)?.runId ?? null;
  }

  availability(panel: NotebookPanel): LoggingAvailability {
    return this._sessions.get(panel)?.availability ?? 'unknown';
  }

  async newRun(panel: NotebookPanel): Promise<void> {
    await this._sessions.get(panel)?.endRun('finished');
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
    for (const session of this._sessions.values()) {
      session.dispose();
    }
    this._sessions.clear();
  }

  private _panelOf(notebook: Notebook): NotebookPanel | null {
    return this._notebooks.find(panel => panel.content === notebook) ?? null;
  }

  private _session(panel: NotebookPanel): NotebookSession {
    let session = this._sessions.get(panel);
    if (!session) {
      session = new NotebookSession(panel, this._client, this.storeDir, () =>
        this._changed.emit(panel)
      );
      session.background = this.background;
      this._sessions.set(panel, session);
      panel.disposed.connect(() => {
        this._sessions.get(panel)?.dispose();
        this._sessions.delete(panel);
      });
    }
    return session;
  }

  private _onScheduled(
    _: unknown,
    { notebook, cell }: { notebook: Notebook; cell: Cell }
  ): void {
    const panel = this._panelOf(notebook);
    if (this.enabled && panel && cell.model.type === 'code') {
      this._session(panel).beforeExecution();
    }
  }

  private _onExecuted(
    _: unknown,
    args: { notebook: Notebook; cell: Cell; success: boolean; error?: any }
  ): void {
    const panel = this._panelOf(args.notebook);
    if (!panel || args.cell.model.type !== 'code') {
      return;
    }
    dropLogOutputs(args.cell.model as ICodeCellModel);
    const recorded = this._sessions
      .get(panel)
      ?.afterExecution(args.cell, args.success, args.error);
    const model = args.cell.model as ICodeCellModel;
    this._executed.emit({
      panel,
      cellId: model.id,
      cellIndex: args.notebook.widgets.indexOf(args.cell),
      executionCount: model.executionCount,
      status: args.success ? 'ok' : 'error',
      duration: recorded?.duration ?? null,
      runId: recorded?.runId ?? null
    });
  }

  private _changed = new Signal<IRunTracker, NotebookPanel>(this);
  private _executed = new Signal<IRunTracker, IExecutionEvent>(this);
  private _sessions = new Map<NotebookPanel, NotebookSession>();
  private _isDisposed = false;
}

/**
 * Log messages relayed from the kernel belong in the store, not in the
 * notebook file: drop them from the cell's outputs once it has run.
 */
function dropLogOutputs(model: ICodeCellModel): void {
  const outputs = model.outputs;
  for (let i = outputs.length - 1; i >= 0; i--) {
    if (LOG_MIME_TYPE in outputs.get(i).data) {
      outputs.remove(i);
    }
  }
}

/**
 * The run of one notebook panel and the kernel it is attached to.
 */
class NotebookSession implements IDisposable {
  constructor(
    private _panel: NotebookPanel,
    private _client: IExperimentsClient,
    private _storeDir: string,
    private _notify: () => void
  ) {
    this._context.kernelChanged.connect(this._onKernelChanged, this);
  }

  runId: string | null = null;
  availability: LoggingAvailability = 'unknown';
  background: IBackgroundStatus | null = null;

  get isDisposed(): boolean {
    return this._kernel === undefined;
  }

  /**
   * Called synchronously just before a code cell's execute request is sent,
   * so the attach request reaches the kernel ahead of it.
   */
  beforeExecution(): void {
    const kernel = this._context.session?.kernel;
    if (!kernel) {
      return;
    }
    if (kernel !== this._kernel) {
      this._watch(kernel);
    }
    if (this.runId) {
      return;
    }
    const runId = UUID.uuid4().replace(/-/g, '');
    this.runId = runId;
    const notebookId = ensureNotebookId(this._panel.model!);
    const path = this._panel.context.path;
    this._created = this._client.runs
      .create({
        run_id: runId,
        kind: 'notebook',
        notebook_path: path,
        notebook_id: notebookId,
        kernel_id: kernel.id,
        kernel_name: kernel.name
      })
      .then(
        () => {
          this.background?.succeeded('run-start', path);
          return true;
        },
        reason => {
          console.error('experiments: could not start a run', reason);
          // Retrying means a new run: the next execution starts it.
          this.background?.failed('run-start', path, reason, () => {
            if (this.runId === runId) {
              void this.endRun('interrupted');
            }
          });
          return false;
        }
      );
    if (this._isPython()) {
      this._attach(kernel, {
        store_dir: this._storeDir,
        run_id: runId,
        notebook_path: path,
        notebook_id: notebookId
      });
    } else {
      this.availability = 'relay';
    }
    this._notify();
  }

  /** Record a finished execution; returns what was recorded, if a run is on. */
  afterExecution(
    cell: Cell,
    success: boolean,
    error: any
  ): { runId: string; duration: number | null } | null {
    const runId = this.runId;
    if (!runId) {
      return null;
    }
    const model = cell.model as ICodeCellModel;
    const { started, duration } = this._clock.finished(model.executionCount);
    const source = model.sharedModel.getSource();
    const batch: { [key: string]: unknown } = {
      executions: [
        {
          cell_id: model.id,
          execution_count: model.executionCount,
          started,
          duration,
          status: success ? 'ok' : 'error',
          error_name: success ? null : (error?.errorName ?? null),
          source_head: sourceHead(source)
        }
      ]
    };
    const tags = model.getMetadata('tags');
    if (Array.isArray(tags) && tags.includes(PARAMETERS_TAG)) {
      batch.parameters_source = source;
      batch.cell_id = model.id;
    }
    this._send(runId, batch);
    return { runId, duration };
  }

  async endRun(status: RunStatus): Promise<void> {
    const runId = this.runId;
    if (!runId) {
      return;
    }
    this.runId = null;
    this._clock.reset();
    this._notify();
    if (await this._created) {
      await this._client.runs.update(runId, { status }).then(
        () => this.background?.succeeded('run-end', this._panel.context.path),
        reason => {
          console.error('experiments: could not end run', runId, reason);
          this.background?.failed('run-end', this._panel.context.path, reason);
        }
      );
    }
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._unwatch();
    this._kernel = undefined;
    Signal.disconnectReceiver(this);
  }

  private get _context(): ISessionContext {
    return this._panel.sessionContext;
  }

  private _isPython(): boolean {
    const metadata = this._panel.model?.getMetadata('language_info') as
      { name?: string } | undefined;
    const spec = this._panel.model?.getMetadata('kernelspec') as
      { language?: string } | undefined;
    const language = (
      this._language ??
      metadata?.name ??
      spec?.language ??
      'python'
    ).toLowerCase();
    return language === 'python';
  }

  private _attach(
    kernel: Kernel.IKernelConnection,
    config: Parameters<typeof attachCode>[0]
  ): void {
    const future = kernel.requestExecute({
      code: attachCode(config),
      silent: true,
      store_history: false,
      allow_stdin: false,
      stop_on_error: false
    });
    future.done.then(
      reply => {
        const content = reply.content as { status: string; ename?: string };
        this.availability =
          content.status === 'ok'
            ? 'direct'
            : isPackageMissing(content)
              ? 'missing'
              : 'relay';
        this._notify();
      },
      () => undefined
    );
  }

  private _send(runId: string, batch: unknown): void {
    void this._created?.then(created =>
      created
        ? this._client.runs.log(runId, batch).then(
            () =>
              this.background?.succeeded('record', this._panel.context.path),
            reason => {
              console.error('experiments: could not record', reason);
              this.background?.failed(
                'record',
                this._panel.context.path,
                reason,
                () => this._send(runId, batch)
              );
            }
          )
        : undefined
    );
  }

  private _watch(kernel: Kernel.IKernelConnection): void {
    this._unwatch();
    this._kernel = kernel;
    this._language = null;
    kernel.statusChanged.connect(this._onStatus, this);
    kernel.iopubMessage.connect(this._onIOPub, this);
    void kernel.info.then(info => {
      if (this._kernel === kernel) {
        this._language = info.language_info.name;
      }
    });
  }

  private _unwatch(): void {
    if (this._kernel) {
      this._kernel.statusChanged.disconnect(this._onStatus, this);
      this._kernel.iopubMessage.disconnect(this._onIOPub, this);
    }
    this._kernel = null;
  }

  private _onKernelChanged(): void {
    this._unwatch();
    void this.endRun('finished');
  }

  private _onStatus(
    kernel: Kernel.IKernelConnection,
    status: Kernel.Status
  ): void {
    if (status === 'restarting') {
      void this.endRun('finished');
    } else if (status === 'autorestarting' || status === 'dead') {
      void this.endRun('interrupted');
    }
  }

  private _onIOPub(
    _: Kernel.IKernelConnection,
    msg: KernelMessage.IIOPubMessage
  ): void {
    if (KernelMessage.isExecuteInputMsg(msg)) {
      if (msg.content.execution_count !== null) {
        this._clock.started(msg.content.execution_count);
      }
    } else if (
      KernelMessage.isDisplayDataMsg(msg) &&
      LOG_MIME_TYPE in msg.content.data
    ) {
      const payload = msg.content.data[LOG_MIME_TYPE] as {
        run_id?: string;
        batch?: unknown;
      };
      const runId = payload?.run_id ?? this.runId;
      if (runId && payload?.batch) {
        this._send(runId, payload.batch);
      }
    }
  }

  private _kernel: Kernel.IKernelConnection | null | undefined = null;
  private _language: string | null = null;
  private _created: Promise<boolean> | null = null;
  private _clock = new ExecutionClock();
}
