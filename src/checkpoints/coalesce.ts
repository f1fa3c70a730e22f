import { IDisposable } from '@lumino/disposable';

/** The longest wait between two attempts. */
export const MAX_RETRY_DELAY_MS = 30000;

/** Wait before the next attempt after `failures` in a row: 1 s, 2 s, 4 s … 30 s. */
export function retryDelay(failures: number): number {
  return Math.min(1000 * 2 ** Math.max(failures - 1, 0), MAX_RETRY_DELAY_MS);
}

export interface ICoalescingQueueOptions {
  /** Told of each failed attempt and of the wait before the next one (ms). */
  failed?: (reason: unknown, retryInMs: number) => void;
  /** The wait before the next attempt after `failures` in a row. */
  backoff?: (failures: number) => number;
}

/**
 * Serial work where only the latest request matters.
 *
 * Checkpoints must never delay the next cell, and during "Run All" cells can
 * finish faster than checkpoints complete: requests that arrive while one is
 * in flight collapse into one, made from the latest request, so the last
 * state is always captured and no queue builds up.
 *
 * A failed attempt is retried after a growing wait (`retryDelay`); requests
 * arriving meanwhile replace the one to retry instead of hammering a server
 * that is failing, so the latest state is captured once it answers again.
 */
export class CoalescingQueue<T> implements IDisposable {
  constructor(
    private _work: (request: T) => Promise<void>,
    private _options: ICoalescingQueueOptions = {}
  ) {}

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Whether an attempt failed and the next one waits for its time. */
  get isRetrying(): boolean {
    return this._timer !== null;
  }

  /** Ask for work; returns at once. */
  push(request: T): void {
    if (this._isDisposed) {
      return;
    }
    this._pending = { request };
    if (this._timer === null) {
      this._start();
    }
  }

  /** Attempt now what waits for a retry. */
  retryNow(): void {
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
      this._start();
    }
  }

  /**
   * Resolves when no attempt is in flight or due: nothing is pending, or the
   * pending request waits for a retry after a failure.
   */
  async idle(): Promise<void> {
    while (this._running) {
      await this._running;
    }
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._pending = null;
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
  }

  private _start(): void {
    if (!this._running && this._pending) {
      this._running = this._drain();
    }
  }

  private async _drain(): Promise<void> {
    let failure: { reason: unknown; delay: number } | null = null;
    while (this._pending && !this._isDisposed) {
      const { request } = this._pending;
      this._pending = null;
      try {
        await this._work(request);
        this._failures = 0;
      } catch (reason) {
        console.error('experiments: checkpoint failed', reason);
        this._failures++;
        // A newer request, if one arrived, supersedes the failed one.
        this._pending ??= { request };
        const delay = (this._options.backoff ?? retryDelay)(this._failures);
        failure = { reason, delay };
        break;
      }
    }
    this._running = null;
    if (failure && !this._isDisposed) {
      this._timer = setTimeout(() => {
        this._timer = null;
        this._start();
      }, failure.delay);
      this._options.failed?.(failure.reason, failure.delay);
    }
  }

  private _pending: { request: T } | null = null;
  private _running: Promise<void> | null = null;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _failures = 0;
  private _isDisposed = false;
}
