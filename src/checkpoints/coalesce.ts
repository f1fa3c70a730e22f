/**
 * Serial work where only the latest request matters.
 *
 * Checkpoints must never delay the next cell, and during "Run All" cells can
 * finish faster than checkpoints complete: requests that arrive while one is
 * in flight collapse into one, made from the latest request, so the last
 * state is always captured and no queue builds up.
 */
export class CoalescingQueue<T> {
  constructor(private _work: (request: T) => Promise<void>) {}

  /** Ask for work; returns at once. */
  push(request: T): void {
    this._pending = { request };
    if (!this._running) {
      this._running = this._drain();
    }
  }

  /** Resolves when nothing is pending or running. */
  async idle(): Promise<void> {
    while (this._running) {
      await this._running;
    }
  }

  private async _drain(): Promise<void> {
    while (this._pending) {
      const { request } = this._pending;
      this._pending = null;
      try {
        await this._work(request);
      } catch (reason) {
        console.error('experiments: checkpoint failed', reason);
      }
    }
    this._running = null;
  }

  private _pending: { request: T } | null = null;
  private _running: Promise<void> | null = null;
}
