/**
 * Checkpoints of one notebook panel: which cells changed, the ref's position,
 * and shipping each checkpoint to the server in as few requests as possible.
 */
import { ICellModel } from '@jupyterlab/cells';
import type { INotebookContent } from '@jupyterlab/nbformat';
import { INotebookModel, NotebookPanel } from '@jupyterlab/notebook';
import { IDisposable } from '@lumino/disposable';

import {
  ensureNotebookId,
  METADATA_KEY,
  withFreshNotebookId
} from '../common/notebookId';
import { errorMessage } from '../common/format';
import { ApiError, type IExperimentsClient } from '../rest';
import type { ICheckpointTaken } from '../tokens';
import { CoalescingQueue } from './coalesce';
import { ICheckpointTrailers } from './message';
import { CheckpointWriter } from './writer';

/** What one checkpoint records about the execution that caused it. */
export interface ICheckpointCause {
  cellIndex: number | null;
  trailers: ICheckpointTrailers;
}

/** A request, numbered in the order asked. */
interface IQueuedCause {
  cause: ICheckpointCause;
  seq: number;
}

/**
 * Cells whose source, metadata or outputs changed since the last `take()`,
 * so a checkpoint serialises only those. A change of format changes every
 * cell: from nbformat 4.5 on, each cell is recorded with its id.
 */
class ChangedCells implements IDisposable {
  constructor(private _model: INotebookModel) {
    _model.cells.changed.connect(this._onCellsChanged, this);
    _model.sharedModel.changed.connect(this._onNotebookChanged, this);
    for (let i = 0; i < _model.cells.length; i++) {
      this._watch(_model.cells.get(i));
    }
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * The next `take()` reports every cell: a checkpoint failed midway, or the
   * notebook's format changed.
   */
  invalidate(): void {
    this._first = true;
  }

  /** Changed cell ids since the previous call (all cells the first time). */
  take(): Set<string> | undefined {
    const changed = this._first ? undefined : this._changed;
    this._first = false;
    this._changed = new Set();
    return changed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    // A closing notebook disposes its model (and cells) before the panel's
    // disposed signal reaches us: their signals are gone with them, and
    // their shared models are null by then.
    if (!this._model.isDisposed) {
      this._model.cells.changed.disconnect(this._onCellsChanged, this);
      this._model.sharedModel.changed.disconnect(this._onNotebookChanged, this);
    }
    for (const [cell, onChange] of this._watched) {
      if (!cell.isDisposed) {
        cell.sharedModel.changed.disconnect(onChange);
      }
    }
    this._watched.clear();
  }

  private _onCellsChanged(): void {
    for (let i = 0; i < this._model.cells.length; i++) {
      const cell = this._model.cells.get(i);
      if (!this._watched.has(cell)) {
        this._watch(cell);
        this._changed.add(cell.id);
      }
    }
  }

  private _onNotebookChanged(
    _: unknown,
    change: { nbformatChanged?: unknown }
  ): void {
    if (change.nbformatChanged) {
      this.invalidate();
    }
  }

  private _watch(cell: ICellModel): void {
    const onChange = () => this._changed.add(cell.id);
    cell.sharedModel.changed.connect(onChange);
    this._watched.set(cell, onChange);
  }

  private _changed = new Set<string>();
  private _first = true;
  private _watched = new Map<ICellModel, () => void>();
  private _isDisposed = false;
}

export class NotebookCheckpointer implements IDisposable {
  constructor(
    private _panel: NotebookPanel,
    private _client: IExperimentsClient,
    private _hooks: {
      /** A checkpoint landed. */
      landed: (commit: string) => void;
      /** Whether a file exists (tells a copy from a renamed notebook). */
      exists: (path: string) => Promise<boolean>;
      /** The notebook turned out to be a copy of `original` and got its own id. */
      separated: (original: string) => void;
      /** A checkpoint failed; it is retried later, or now by `retry`. */
      failed?: (reason: unknown, retry: () => void) => void;
    }
  ) {
    this._changes = new ChangedCells(_panel.model!);
  }

  get isDisposed(): boolean {
    return this._changes.isDisposed;
  }

  /** Ask for a checkpoint; returns at once, coalescing with one in flight. */
  request(cause: ICheckpointCause): void {
    this._queue.push({ cause, seq: ++this._requested });
  }

  /**
   * Take a checkpoint and wait for it (and any in flight) to land: the commit
   * and the notebook it recorded, as it was when asked or later. Throws if it
   * could not be written (an earlier checkpoint is never passed off as it).
   */
  async now(cause: ICheckpointCause): Promise<ICheckpointTaken> {
    const seq = ++this._requested;
    this._queue.push({ cause, seq });
    // Asked for now: an earlier failure's wait does not apply.
    this._queue.retryNow();
    await this._queue.idle();
    const landed = this._landed;
    if (!landed || landed.seq < seq) {
      throw new Error(
        `The checkpoint could not be written: ${this._failure === null ? 'the notebook was closed' : errorMessage(this._failure)}. It is retried in the background; the status bar says when it lands.`
      );
    }
    return { commit: landed.commit, notebook: landed.notebook };
  }

  dispose(): void {
    this._changes.dispose();
    this._queue.dispose();
  }

  private async _take({ cause, seq }: IQueuedCause): Promise<void> {
    const model = this._panel.model;
    if (!model || this.isDisposed) {
      return;
    }
    const ref = await this._ownRef(model);
    const changedCellIds = this._changes.take();
    const cellIds: string[] = [];
    for (let i = 0; i < model.cells.length; i++) {
      cellIds.push(model.cells.get(i).id);
    }
    const notebook = model.toJSON() as unknown as INotebookContent;
    for (let attempt = 0; ; attempt++) {
      const built = await this._writer.checkpoint({
        notebook,
        parent: this._parent,
        cellIndex: cause.cellIndex,
        trailers: { ...cause.trailers, notebookPath: this._panel.context.path },
        changedCellIds: attempt === 0 ? changedCellIds : new Set(),
        cellIds,
        // After a page load the writer knows nothing: it asks once which
        // objects the server lacks instead of sending the whole notebook again.
        missing: this._seeded
          ? undefined
          : oids => this._client.git.missing(oids)
      });
      this._seeded = true;
      const objects = built.objects;
      try {
        await this._client.git.write(objects, {
          name: ref,
          old: this._parent,
          new: built.commit
        });
      } catch (reason) {
        // Another tab moved the ref: build on top of its checkpoint, once.
        if (
          reason instanceof ApiError &&
          reason.status === 409 &&
          attempt === 0
        ) {
          this._parent = await this._client.git.readRef(ref);
          continue;
        }
        throw reason;
      }
      await this._writer.markKnown(objects.map(o => o.oid));
      this._parent = built.commit;
      this._landed = { seq, commit: built.commit, notebook };
      this._hooks.landed(built.commit);
      return;
    }
  }

  /**
   * The notebook's ref, positioned at its latest checkpoint. A notebook whose
   * latest checkpoint was taken at another path that still exists is a copy
   * that kept the original's id (File > Duplicate, cp): it gets an id of its
   * own so the two histories never interleave. A renamed notebook keeps its.
   */
  private async _ownRef(model: INotebookModel): Promise<string> {
    const id = ensureNotebookId(model);
    const ref = `refs/notebooks/${id}`;
    if (ref === this._ref) {
      return ref;
    }
    const path = this._panel.context.path;
    const [latest] = (await this._client.git.log(id, { limit: 1 })).checkpoints;
    const original = latest?.notebook_path;
    if (original && original !== path && (await this._hooks.exists(original))) {
      model.setMetadata(
        METADATA_KEY,
        withFreshNotebookId(model.getMetadata(METADATA_KEY))
      );
      this._hooks.separated(original);
      this._ref = `refs/notebooks/${ensureNotebookId(model)}`;
      this._parent = null;
    } else {
      this._ref = ref;
      this._parent = latest?.commit ?? null;
    }
    return this._ref;
  }

  private async _takeOrForget(queued: IQueuedCause): Promise<void> {
    try {
      await this._take(queued);
    } catch (reason) {
      this._changes.invalidate();
      throw reason;
    }
  }

  private _changes: ChangedCells;
  private _writer = new CheckpointWriter();
  /** Why the latest checkpoint failed, for `now()` to say. */
  private _failure: unknown = null;
  private _queue: CoalescingQueue<IQueuedCause> = new CoalescingQueue(
    queued => this._takeOrForget(queued),
    {
      failed: reason => {
        this._failure = reason;
        this._hooks.failed?.(reason, () => this._queue.retryNow());
      }
    }
  );
  private _requested = 0;
  private _landed:
    | (ICheckpointTaken & {
        /** The request it answered (and those before it). */
        seq: number;
      })
    | null = null;
  /** The notebook's ref and its value as last seen. */
  private _ref: string | null = null;
  private _parent: string | null = null;
  private _seeded = false;
}
