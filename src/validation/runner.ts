/**
 * Run a notebook top to bottom in a kernel of its own and judge each code
 * cell. No DOM: it needs a kernel connection from `@jupyterlab/services` and
 * runs in the browser and in Node alike.
 *
 * Cells run one at a time with `store_history=False` and stdin disabled.
 * Each has a timeout (settings, or the cell's `metadata.execution.timeout` /
 * `metadata.experiments.timeout` in seconds); past it the kernel is
 * interrupted. The cells have a budget in all, counted once the kernel has
 * started: cells not started within it are not reached. After a cell's reply, late outputs are awaited until the
 * kernel goes idle, for at most `lateOutputMs`.
 */
import type {
  ICell,
  ICodeCell,
  INotebookContent,
  IOutput
} from '@jupyterlab/nbformat';
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import { PromiseDelegate } from '@lumino/coreutils';
import { ISignal, Signal } from '@lumino/signaling';

import { errorMessage } from '../common/format';
import { classifyCell } from './compare';
import type { ImageComparator } from './pixels';
import { attributeFailures, ICellOutcome, OutcomeStatus } from './consequences';
import { ICellMarkers, readMarkers } from './markers';
import { RunOutputs } from './outputs';
import { DEFAULT_VALIDATION_SETTINGS, durationKey } from './settings';
import { staticCheck } from './staticCheck';
import type {
  IValidationCell,
  IValidationError,
  IValidationReport,
  IValidationSettings,
  ValidationCellStatus,
  ValidationVerdict
} from './types';

export { DEFAULT_VALIDATION_SETTINGS, durationKey };

/** How long an interrupted cell gets to answer before the kernel is given up. */
const INTERRUPT_GRACE_MS = 5_000;
const SHUTDOWN_ATTEMPTS = 5;
/** Execute requests kept queued in the kernel beyond the running cell. */
const QUEUE_AHEAD = 16;

export interface IValidationRunOptions {
  notebook: INotebookContent;
  notebookPath: string;
  notebookId?: string | null;
  checkpoint?: string | null;
  settings?: Partial<IValidationSettings>;
  /** Durations of the previous validation, by cell id (or `#<codeIndex>` for cells without id). */
  previousDurations?: ReadonlyMap<string, number>;
  /** Ids of cells edited since they last ran, for the static check. */
  editedCellIds?: ReadonlySet<string>;
  /** Starts the kernel the run uses. */
  startKernel: () => Promise<Kernel.IKernelConnection>;
  /** Ends it when the run ends; by default `kernel.shutdown()`. */
  shutdownKernel?: (kernel: Kernel.IKernelConnection) => Promise<void>;
  compareImages?: ImageComparator;
}

/** A code cell's result before it runs; `fields` name the cell. */
export function pendingCell(
  fields: Partial<IValidationCell> &
    Pick<IValidationCell, 'index' | 'codeIndex'>
): IValidationCell {
  return {
    cellId: null,
    sourceHead: '',
    status: 'pending',
    durationMs: null,
    previousDurationMs: null,
    executionCount: null,
    error: null,
    reason: '',
    rules: [],
    role: null,
    causeIndex: null,
    savedOutputs: [],
    outputs: [],
    differences: [],
    ...fields
  };
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
    const { notebook } = options;
    const cells: IValidationCell[] = [];
    notebook.cells.forEach((cell, index) => {
      if (cell.cell_type !== 'code') {
        return;
      }
      const codeIndex = cells.length;
      const result = pendingCell({
        index,
        codeIndex,
        cellId: typeof cell.id === 'string' ? cell.id : null,
        sourceHead: firstLine(cell.source),
        savedOutputs: ((cell as ICodeCell).outputs ?? []) as IOutput[]
      });
      result.previousDurationMs =
        options.previousDurations?.get(durationKey(result)) ?? null;
      cells.push(result);
    });
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
      staticFindings: staticCheck(notebook, {
        editedCellIds: options.editedCellIds
      }),
      cells
    };
  }

  /** The live report: cells are updated in place as the run goes. */
  readonly report: IValidationReport;

  get changed(): ISignal<this, IValidationCell | null> {
    return this._changed;
  }

  get isDone(): boolean {
    return this.report.verdict !== null;
  }

  /** Run it. Calling twice returns the same promise. */
  start(): Promise<IValidationReport> {
    if (!this._done) {
      this._done = this._run();
    }
    return this._done;
  }

  /**
   * Stop now: the running cell and the rest are not reached, the kernel is
   * ended. The verdict is `cancelled`.
   */
  cancel(): void {
    if (this._cancelled.value || this.isDone) {
      return;
    }
    // No interrupt: the kernel is shut down right after, and an interrupt
    // reaching a kernel that is still starting would kill it mid-import.
    this._cancelled.value = true;
    this._cancelled.delegate.resolve('cancelled');
  }

  private async _run(): Promise<IValidationReport> {
    const report = this.report;
    const started = now();
    report.startedAt = Date.now();
    this._changed.emit(null);
    let stop: { verdict: ValidationVerdict; message: string } | null = null;
    try {
      this._kernel = await this._options.startKernel();
      report.kernelName = this._kernel.name;
      this._watchKernel(this._kernel);
      // The budget is for running the cells: a slow kernel start is not in it.
      const budgetFrom = now();
      for (const cell of report.cells) {
        if (!stop) {
          stop = this._beforeCell(cell, budgetFrom);
        }
        if (stop) {
          this._set(cell, 'not-reached', 'not reached: ' + stop.message);
          continue;
        }
        const ended = await this._runCell(cell, budgetFrom);
        stop = ended ?? null;
      }
      // A later display update may have changed an earlier cell's outputs.
      for (const index of this._touchedLater) {
        const cell = report.cells[index];
        if (['passed', 'output-changed', 'failed'].includes(cell.status)) {
          await this._judge(cell, cell.error);
        }
      }
    } catch (reason) {
      stop = {
        verdict: 'error',
        message: `The validation could not run: ${errorMessage(reason)}`
      };
      for (const cell of report.cells) {
        if (cell.status === 'pending' || cell.status === 'running') {
          this._set(cell, 'not-reached', 'not reached: ' + stop.message);
        }
      }
    } finally {
      await this._shutdown();
    }
    this._attribute();
    report.finishedAt = Date.now();
    report.durationMs = now() - started;
    report.message = stop?.message ?? null;
    report.verdict = verdictOf(report.cells, stop?.verdict ?? null);
    this._changed.emit(null);
    return report;
  }

  /** Why the run cannot start this cell, if it cannot. */
  private _beforeCell(
    cell: IValidationCell,
    started: number
  ): { verdict: ValidationVerdict; message: string } | null {
    if (this._cancelled.value) {
      return { verdict: 'cancelled', message: 'the validation was cancelled' };
    }
    if (now() - started >= this.report.settings.budgetMs) {
      return {
        verdict: 'timed-out',
        message: `the notebook budget of ${seconds(this.report.settings.budgetMs)} ran out`
      };
    }
    return null;
  }

  /**
   * Execute and judge one cell; returns why the run must stop, if it must.
   */
  private async _runCell(
    cell: IValidationCell,
    runStarted: number
  ): Promise<{ verdict: ValidationVerdict; message: string } | void> {
    const code = this._codeToRun(cell);
    if (code === null) {
      await this._judge(cell, null);
      return;
    }
    const settings = this.report.settings;
    const budgetEnds = runStarted + settings.budgetMs;
    const pending = this._sent.get(cell.codeIndex) ?? this._send(cell, code);
    this._sendAhead(cell, runStarted);
    this._set(cell, 'running', 'running');
    const outcome = await this._execute(
      pending,
      this._cellTimeout(cell),
      budgetEnds
    );
    cell.durationMs = outcome.durationMs;
    cell.executionCount = outcome.executionCount;
    if (outcome.kind === 'died') {
      cell.error = {
        ename: 'DeadKernelError',
        evalue: 'The kernel died while this cell ran.'
      };
      this._set(
        cell,
        'failed',
        'DeadKernelError: the kernel died while this cell ran'
      );
      return {
        verdict: 'failed',
        message: `the kernel died at cell ${cell.index + 1}`
      };
    }
    if (outcome.kind === 'cancelled') {
      this._set(cell, 'not-reached', 'cancelled while running');
      return { verdict: 'cancelled', message: 'the validation was cancelled' };
    }
    if (outcome.kind === 'timeout') {
      const limit = outcome.budget ? 'notebook budget' : 'cell timeout';
      const still = outcome.started ? 'Still running' : 'Not started';
      cell.error = {
        ename: 'CellTimeoutError',
        evalue: `${still} after ${seconds(outcome.waitedMs)} (${limit}).`
      };
      this._set(
        cell,
        'timed-out',
        `timed out after ${seconds(outcome.waitedMs)} (${limit})`
      );
      this._attribute();
      if (!outcome.answered) {
        return {
          verdict: 'timed-out',
          message: `the kernel did not answer an interrupt at cell ${cell.index + 1}`
        };
      }
      if (limit === 'notebook budget') {
        return {
          verdict: 'timed-out',
          message: `the notebook budget of ${seconds(settings.budgetMs)} ran out`
        };
      }
      return settings.stopOnError
        ? { verdict: 'timed-out', message: `cell ${cell.index + 1} timed out` }
        : undefined;
    }
    await this._judge(cell, outcome.error);
    if (cell.status === 'failed') {
      this._attribute();
      if (settings.stopOnError) {
        return {
          verdict: 'failed',
          message: `cell ${cell.index + 1} failed and the run stops at the first error`
        };
      }
    }
  }

  /**
   * Send a cell's execute request. The kernel queues requests, so the run
   * keeps the next cells queued while one executes (`_sendAhead`), as Run
   * All does: the kernel never waits for a round trip between cells. With stop at first error, `stop_on_error` makes the
   * kernel abort what is queued behind a failure.
   */
  private _send(cell: IValidationCell, code: string): IRequest {
    const future = this._kernel!.requestExecute(
      {
        code,
        silent: false,
        store_history: false,
        allow_stdin: false,
        stop_on_error: this.report.settings.stopOnError
      },
      true
    );
    const pending: IRequest = {
      id: future.msg.header.msg_id,
      future,
      sent: now(),
      replied: null,
      repliedKernel: null,
      reply: null,
      replied$: new PromiseDelegate<'reply'>(),
      began$: new PromiseDelegate<'began'>(),
      died: future.done.then(
        () => 'done' as const,
        () => 'died' as const
      )
    };
    this._requests.set(pending.id, cell.codeIndex);
    future.onReply = message => {
      pending.replied = now();
      pending.repliedKernel = kernelTime(message.header.date);
      pending.reply = message.content;
      pending.replied$.resolve('reply');
    };
    this._sent.set(cell.codeIndex, pending);
    return pending;
  }

  /**
   * Keep the next `QUEUE_AHEAD` cells that will execute after `cell` queued
   * in the kernel, unless the run is ending.
   */
  private _sendAhead(cell: IValidationCell, runStarted: number): void {
    let queued = 0;
    const cells = this.report.cells;
    for (
      let i = cell.codeIndex + 1;
      i < cells.length && queued < QUEUE_AHEAD;
      i++
    ) {
      const code = this._codeToRun(cells[i]);
      if (code === null) {
        continue;
      }
      if (!this._sent.has(i)) {
        if (this._beforeCell(cells[i], runStarted)) {
          return;
        }
        this._send(cells[i], code);
      }
      queued++;
    }
  }

  /**
   * Wait for one request. The cell timeout counts from when the kernel starts
   * the cell (execute_input): a fresh kernel still warming up does not eat
   * into it, and an interrupt is never sent before the cell runs (ipykernel
   * drops a SIGINT that lands between cells, and the cell would then run to
   * its end). Waiting for the start is bounded by the notebook budget only.
   */
  private async _execute(
    pending: IRequest,
    cellTimeoutMs: number,
    budgetEnds: number
  ): Promise<IExecution> {
    const kernel = this._kernel!;
    const ends = [
      pending.replied$.promise,
      pending.died,
      this._kernelDied.promise,
      this._cancelled.delegate.promise
    ];
    const waitStarted = now();
    let first = await within(
      [...ends, pending.began$.promise],
      budgetEnds - now(),
      'timeout' as const
    );
    const started = first === 'began';
    let limitMs = budgetEnds - waitStarted;
    if (started) {
      limitMs = Math.min(cellTimeoutMs, budgetEnds - now());
      first = await within(ends, limitMs, 'timeout' as const);
    }
    const budget = !started || limitMs < cellTimeoutMs;
    // The kernel's own clock when it stamped both messages: IOPub and shell
    // are separate channels, so execute_input may arrive after the reply.
    const duration = () => {
      const began = this._began.get(pending.id);
      if (began && began.kernel !== null && pending.repliedKernel !== null) {
        return Math.max(0, pending.repliedKernel - began.kernel);
      }
      return Math.max(
        0,
        (pending.replied ?? now()) - (began?.client ?? pending.sent)
      );
    };
    const executionCount = () =>
      (pending.reply as any)?.execution_count ?? null;

    if (first === 'died' || first === 'dead') {
      return { kind: 'died', durationMs: duration(), executionCount: null };
    }
    if (first === 'cancelled') {
      return {
        kind: 'cancelled',
        durationMs: duration(),
        executionCount: null
      };
    }
    if (first === 'timeout') {
      // Only the notebook budget ends a wait for the start: the run stops and
      // the kernel is shut down, with nothing running to interrupt.
      let answered = true;
      if (started) {
        await kernel.interrupt().catch(() => undefined);
        const answer = await within(
          [pending.replied$.promise, pending.died],
          INTERRUPT_GRACE_MS,
          'silent' as const
        );
        await this._settle(pending.future);
        answered = answer === 'reply';
      }
      return {
        kind: 'timeout',
        answered,
        started,
        budget,
        waitedMs: Math.max(0, limitMs),
        durationMs: duration(),
        executionCount: executionCount()
      };
    }
    // A reply (or done): wait for late outputs until the kernel is idle.
    await this._settle(pending.future);
    const content: any = pending.reply;
    const error =
      content?.status === 'error'
        ? {
            ename: content.ename ?? '',
            evalue: content.evalue ?? '',
            traceback: content.traceback
          }
        : content?.status === 'aborted'
          ? { ename: 'Aborted', evalue: 'The kernel aborted this execution.' }
          : null;
    return {
      kind: 'done',
      error,
      durationMs: duration(),
      executionCount: executionCount()
    };
  }

  /** Wait for the kernel to go idle after a request, for at most `lateOutputMs`. */
  private async _settle(future: {
    done: Promise<unknown>;
    dispose(): void;
  }): Promise<void> {
    await within<unknown, string>(
      [future.done.catch(() => undefined), this._kernelDied.promise],
      this.report.settings.lateOutputMs,
      'late'
    );
    future.dispose();
  }

  /** Classify a cell that ran (or was skipped) against its saved outputs. */
  private async _judge(
    cell: IValidationCell,
    error: IValidationError | null
  ): Promise<void> {
    const saved = this._notebookCell(cell) as ICodeCell;
    const verdict = await classifyCell(
      {
        outputs: saved.outputs ?? [],
        execution_count: saved.execution_count ?? null
      },
      cell.outputs,
      error,
      this._plan(cell).markers,
      {
        sanitizers: this.report.settings.sanitizers,
        skipMimes: this.report.settings.skipMimes,
        relativeTolerance: this.report.settings.relativeTolerance,
        compareImages: this._options.compareImages
      }
    );
    cell.error = error;
    cell.rules = verdict.rules;
    cell.differences = verdict.comparison?.differences ?? [];
    this._set(cell, verdict.status, verdict.reason);
  }

  /** Mark root causes and consequences among the failed cells. */
  private _attribute(): void {
    const cells = this.report.cells;
    const outcomes: ICellOutcome[] = cells.map(cell => ({
      status: OUTCOME[cell.status],
      position: cell.index,
      source: sourceOf(this._notebookCell(cell)),
      errorName: cell.error?.ename ?? null,
      errorValue: cell.error?.evalue ?? null
    }));
    for (const found of attributeFailures(outcomes)) {
      const cell = cells[found.cellIndex];
      const cause =
        found.causeIndex === null ? null : cells[found.causeIndex].index;
      if (cell.role === found.role && cell.causeIndex === cause) {
        continue;
      }
      cell.role = found.role;
      cell.causeIndex = cause;
      this._changed.emit(cell);
    }
  }

  private _set(
    cell: IValidationCell,
    status: ValidationCellStatus,
    reason: string
  ): void {
    cell.status = status;
    cell.reason = reason;
    this._changed.emit(cell);
  }

  /** The code to execute, or null for a cell that is not sent: marked skip, or empty (as nbclient does). */
  private _codeToRun(cell: IValidationCell): string | null {
    return this._plan(cell).code;
  }

  /** A cell's markers and code to run, read once (the send-ahead looks at each cell many times). */
  private _plan(cell: IValidationCell): {
    markers: ICellMarkers;
    code: string | null;
  } {
    let plan = this._plans.get(cell.codeIndex);
    if (!plan) {
      const notebookCell = this._notebookCell(cell);
      const markers = readMarkers(notebookCell);
      const code = sourceOf(notebookCell);
      plan = {
        markers,
        code: markers.skip.value || !code.trim() ? null : code
      };
      this._plans.set(cell.codeIndex, plan);
    }
    return plan;
  }

  private _cellTimeout(cell: IValidationCell): number {
    const metadata = (this._notebookCell(cell).metadata ?? {}) as any;
    for (const value of [
      metadata.experiments?.timeout,
      metadata.execution?.timeout
    ]) {
      if (typeof value === 'number' && value > 0 && Number.isFinite(value)) {
        return value * 1000;
      }
    }
    return this.report.settings.cellTimeoutMs;
  }

  private _notebookCell(cell: IValidationCell): ICell {
    return this._options.notebook.cells[cell.index];
  }

  /**
   * Route every IOPub message to the cell whose request it answers. The
   * kernel connection, not the request's future, sees them all: a display
   * update reaches the connection only.
   */
  private _onIOPub(
    _: Kernel.IKernelConnection,
    message: KernelMessage.IIOPubMessage
  ): void {
    const request = (message.parent_header as any)?.msg_id;
    const codeIndex = this._requests.get(request);
    if (codeIndex === undefined) {
      return;
    }
    if (message.header.msg_type === 'execute_input') {
      this._began.set(request, {
        client: now(),
        kernel: kernelTime(message.header.date)
      });
      this._sent.get(codeIndex)?.began$.resolve('began');
      return;
    }
    for (const changed of this._outputs.apply(codeIndex, message)) {
      const target = this.report.cells[changed];
      target.outputs = this._outputs.outputs(changed);
      if (changed !== codeIndex) {
        this._touchedLater.add(changed);
      }
      this._changed.emit(target);
    }
  }

  private _watchKernel(kernel: Kernel.IKernelConnection): void {
    kernel.iopubMessage.connect(this._onIOPub, this);
    kernel.statusChanged.connect((_, status) => {
      if (status === 'dead' || status === 'autorestarting') {
        this._kernelDied.resolve('dead');
      }
    });
  }

  private async _shutdown(): Promise<void> {
    const kernel = this._kernel;
    if (!kernel) {
      return;
    }
    kernel.iopubMessage.disconnect(this._onIOPub, this);
    for (const pending of this._sent.values()) {
      pending.future.dispose();
    }
    const shutdown = () =>
      this._options.shutdownKernel
        ? this._options.shutdownKernel(kernel)
        : kernel.shutdown();
    // A kernel the server is restarting (it died) cannot be shut down until
    // the restart is over: the server answers 500. Try again a few times.
    for (let attempt = 1; ; attempt++) {
      try {
        await shutdown();
        return;
      } catch (reason) {
        if (attempt === SHUTDOWN_ATTEMPTS) {
          console.warn('The validation kernel could not be shut down:', reason);
          return;
        }
        await within([], 500 * attempt, null);
      }
    }
  }

  private readonly _options: IValidationRunOptions;
  private _done: Promise<IValidationReport> | null = null;
  private _kernel: Kernel.IKernelConnection | null = null;
  private _outputs = new RunOutputs();
  private _touchedLater = new Set<number>();
  private _plans = new Map<
    number,
    { markers: ICellMarkers; code: string | null }
  >();
  /** Requests sent, by code cell. */
  private _sent = new Map<number, IRequest>();
  /** The code cell each execute request was for, by message id. */
  private _requests = new Map<string, number>();
  /** When each request's execute_input arrived. */
  private _began = new Map<string, { client: number; kernel: number | null }>();
  private _kernelDied = new PromiseDelegate<'dead'>();
  private _cancelled = {
    value: false,
    delegate: new PromiseDelegate<'cancelled'>()
  };
  private _changed = new Signal<this, IValidationCell | null>(this);
}

/** An execute request on its way. */
interface IRequest {
  id: string;
  future: Kernel.IShellFuture<
    KernelMessage.IExecuteRequestMsg,
    KernelMessage.IExecuteReplyMsg
  >;
  sent: number;
  replied: number | null;
  /** The reply's date on the kernel's clock. */
  repliedKernel: number | null;
  reply: KernelMessage.IExecuteReplyMsg['content'] | null;
  replied$: PromiseDelegate<'reply'>;
  /** Resolves when the kernel starts executing it (execute_input). */
  began$: PromiseDelegate<'began'>;
  /** Settles when the request is done; 'died' if the kernel went away first. */
  died: Promise<'done' | 'died'>;
}

type IExecution =
  | { kind: 'died'; durationMs: number; executionCount: null }
  | {
      kind: 'timeout';
      /** Whether the kernel answered the interrupt (true if none was sent). */
      answered: boolean;
      /** Whether the kernel had started the cell (execute_input). */
      started: boolean;
      /** Whether the notebook budget, not the cell timeout, ran out. */
      budget: boolean;
      /** The limit that ran out, counted from the start (or the request). */
      waitedMs: number;
      durationMs: number;
      executionCount: number | null;
    }
  | { kind: 'cancelled'; durationMs: number; executionCount: null }
  | {
      kind: 'done';
      error: IValidationError | null;
      durationMs: number;
      executionCount: number | null;
    };

const OUTCOME: { [status in ValidationCellStatus]: OutcomeStatus } = {
  pending: 'not-run',
  running: 'not-run',
  'not-reached': 'not-run',
  passed: 'passed',
  'output-changed': 'output-changed',
  failed: 'failed',
  'timed-out': 'failed',
  skipped: 'skipped'
};

/** The run's verdict from its cells, unless the run stopped for a reason of its own. */
export function verdictOf(
  cells: readonly Pick<IValidationCell, 'status'>[],
  stopped: ValidationVerdict | null
): ValidationVerdict {
  if (stopped === 'cancelled' || stopped === 'error') {
    return stopped;
  }
  const has = (status: ValidationCellStatus) =>
    cells.some(cell => cell.status === status);
  if (stopped === 'timed-out' || has('timed-out')) {
    return 'timed-out';
  }
  if (stopped === 'failed' || has('failed')) {
    return 'failed';
  }
  return has('output-changed') ? 'output-changed' : 'passed';
}

function sourceOf(cell: ICell): string {
  return Array.isArray(cell.source) ? cell.source.join('') : cell.source;
}

function firstLine(source: ICell['source']): string {
  const line = sourceOf({ source } as ICell)
    .split('\n')
    .find(text => text.trim() !== '');
  // By code point, so an emoji is never cut in half.
  return Array.from((line ?? '').trim())
    .slice(0, 120)
    .join('');
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** Milliseconds from a message header's ISO date, microseconds kept; null if unreadable. */
export function kernelTime(date: string | undefined): number | null {
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$/.exec(
    date ?? ''
  );
  if (!match) {
    return null;
  }
  const whole = Date.parse(match[1] + (match[3] ?? 'Z'));
  const fraction = match[2] ? Number(`0.${match[2]}`) * 1000 : 0;
  return Number.isNaN(whole) ? null : whole + fraction;
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

/** The first of `promises` to settle, or `onTimeout` after `ms`; the timer never outlives the race. */
async function within<T, U>(
  promises: Promise<T>[],
  ms: number,
  onTimeout: U
): Promise<T | U> {
  let handle: ReturnType<typeof setTimeout> | undefined;
  const timer = new Promise<U>(resolve => {
    handle = setTimeout(() => resolve(onTimeout), Math.max(0, ms));
  });
  try {
    return await Promise.race([...promises, timer]);
  } finally {
    clearTimeout(handle);
  }
}
