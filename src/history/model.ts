/**
 * The checkpoint timeline of the active notebook, loaded a page at a time.
 * No DOM.
 */
import { INotebookTracker } from '@jupyterlab/notebook';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { errorMessage } from '../common/format';
import { METADATA_KEY, readNotebookId } from '../common/notebookId';
import type { ICheckpointInfo, IExperimentsClient } from '../rest';
import { ICheckpoints } from '../tokens';

export const PAGE_SIZE = 50;

export class HistoryModel implements IDisposable {
  constructor(
    private _notebooks: INotebookTracker,
    checkpoints: ICheckpoints,
    private _client: IExperimentsClient
  ) {
    _notebooks.currentChanged.connect(this._onNotebookChanged, this);
    checkpoints.checkpointed.connect((_, { panel }) => {
      if (panel === this._notebooks.currentWidget) {
        void this.reload();
      }
    }, this);
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get checkpoints(): readonly ICheckpointInfo[] {
    return this._checkpoints;
  }

  get total(): number {
    return this._total;
  }

  get loading(): boolean {
    return this._loading;
  }

  get error(): string | null {
    return this._error;
  }

  get notebookId(): string | null {
    const model = this._notebooks.currentWidget?.model;
    return model ? readNotebookId(model.getMetadata(METADATA_KEY)) : null;
  }

  /** Whether a notebook is active (it has no id until its first checkpoint). */
  get hasNotebook(): boolean {
    return this._notebooks.currentWidget !== null;
  }

  get hasMore(): boolean {
    return this._checkpoints.length < this._total;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Start or stop following the active notebook (the panel is shown or hidden). */
  setActive(active: boolean): void {
    this._active = active;
    if (active) {
      void this.reload();
    }
  }

  /** The newest page again. */
  async reload(): Promise<void> {
    await this._load(false);
  }

  /** The next (older) page. */
  async loadMore(): Promise<void> {
    if (this.hasMore && !this._loading) {
      await this._load(true);
    }
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private async _load(more: boolean): Promise<void> {
    const notebookId = this.notebookId;
    const generation = ++this._generation;
    if (!notebookId) {
      this._checkpoints = [];
      this._total = 0;
      this._error = null;
      this._changed.emit();
      return;
    }
    this._loading = true;
    this._changed.emit();
    try {
      // Paged by commit, not time: Run All makes several checkpoints a second.
      const last = this._checkpoints[this._checkpoints.length - 1];
      const page = await this._client.git.log(notebookId, {
        limit: PAGE_SIZE,
        before_commit: more && last ? last.commit : undefined
      });
      if (generation !== this._generation) {
        return;
      }
      this._checkpoints = more
        ? [...this._checkpoints, ...page.checkpoints]
        : page.checkpoints;
      this._total = page.total;
      this._error = null;
    } catch (reason) {
      if (generation === this._generation) {
        this._error = errorMessage(reason);
      }
    } finally {
      if (generation === this._generation) {
        this._loading = false;
        this._changed.emit();
      }
    }
  }

  private _onNotebookChanged(): void {
    this._checkpoints = [];
    this._total = 0;
    if (this._active) {
      void this.reload();
    } else {
      this._changed.emit();
    }
  }

  private _checkpoints: ICheckpointInfo[] = [];
  private _total = 0;
  private _loading = false;
  private _error: string | null = null;
  private _active = false;
  private _generation = 0;
  private _changed = new Signal<this, void>(this);
  private _isDisposed = false;
}
