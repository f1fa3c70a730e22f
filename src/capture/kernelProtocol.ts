/**
 * What the frontend says to a kernel, and how it reads the answers. Pure: no
 * DOM, no network.
 */

/** What the kernel needs to write to the store directly. */
export interface IAttachConfig {
  store_dir: string;
  run_id: string;
  notebook_path: string;
  notebook_id: string;
}

/**
 * Python source of the silent request that attaches a kernel to its run.
 *
 * The config travels as JSON inside a Python string literal, so no value can
 * break out of the literal whatever the notebook's path contains.
 */
export function attachCode(config: IAttachConfig): string {
  const literal = JSON.stringify(JSON.stringify(config));
  return [
    'import json as __jx_json, jupyterlab_experiments as __jx',
    `__jx._attach(__jx_json.loads(${literal}))`,
    'del __jx, __jx_json'
  ].join('\n');
}

/** Whether an execute reply says the package is not installed in the kernel. */
export function isPackageMissing(reply: {
  status: string;
  ename?: string;
}): boolean {
  return (
    reply.status === 'error' &&
    (reply.ename === 'ModuleNotFoundError' || reply.ename === 'ImportError')
  );
}

/**
 * Pairs `execute_input` messages with finished cells to time executions.
 *
 * The kernel announces each execution with its execution count as it starts;
 * the cell reports the same count when it is done. Timing from scheduling
 * instead would count the time a cell waited behind others in "Run All".
 */
export class ExecutionClock {
  constructor(private _now: () => number = () => Date.now()) {}

  started(executionCount: number): void {
    this._starts.set(executionCount, this._now());
  }

  /** Start time (ms) and duration (s) of a finished execution, if seen. */
  finished(executionCount: number | null): {
    started: number | null;
    duration: number | null;
  } {
    if (executionCount === null || !this._starts.has(executionCount)) {
      return { started: null, duration: null };
    }
    const started = this._starts.get(executionCount)!;
    this._starts.delete(executionCount);
    return {
      started: started / 1000,
      duration: (this._now() - started) / 1000
    };
  }

  reset(): void {
    this._starts.clear();
  }

  private _starts = new Map<number, number>();
}

/** First non-empty line of a cell's source, shortened for lists. */
export function sourceHead(source: string, max = 80): string {
  const line = source.split('\n').find(l => l.trim() !== '') ?? '';
  return line.length > max ? line.slice(0, max - 1) + '…' : line;
}
