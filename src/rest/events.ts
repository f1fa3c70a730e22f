/**
 * Run changes announced on Jupyter Server's event bus. Kernels write the
 * store directly, so the server extension watches it and emits the ids of
 * the runs that changed; this turns those events into a signal, so views
 * refetch only what changed instead of polling.
 */
import type { Event } from '@jupyterlab/services';
import type { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

/** The schema id the server extension registers (version 1). */
export const RUNS_CHANGED_SCHEMA =
  'https://jupyterlab-experiments.readthedocs.io/events/runs-changed';

export type RunsAction = 'changed' | 'deleted';

export interface IRunsChanged {
  runIds: readonly string[];
  /** `deleted`: purged for good; anything else (edits, trash) is `changed`. */
  action: RunsAction;
}

export interface IRunEvents extends IDisposable {
  readonly changed: ISignal<IRunEvents, IRunsChanged>;
  /**
   * Whether changes are announced at all. False without an event bus (a
   * frontend with no server events): views must then poll, slowly.
   */
  readonly available: boolean;
}

/** `IRunEvents` over the service manager's event stream. */
export class RunEvents implements IRunEvents {
  constructor(private _manager: Event.IManager | null | undefined) {
    _manager?.stream.connect(this._onEvent, this);
  }

  get changed(): ISignal<this, IRunsChanged> {
    return this._changed;
  }

  get available(): boolean {
    return !!this._manager && !this._manager.isDisposed && !this._isDisposed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._manager?.stream.disconnect(this._onEvent, this);
    Signal.clearData(this);
  }

  private _onEvent(_: Event.IManager, event: Event.Emission): void {
    const change = parseRunsChanged(event);
    if (change) {
      this._changed.emit(change);
    }
  }

  private _changed = new Signal<this, IRunsChanged>(this);
  private _isDisposed = false;
}

/**
 * The change an event announces, or null for another schema's event or a
 * malformed one. The server sends the event's data beside its `schema_id`.
 */
export function parseRunsChanged(event: unknown): IRunsChanged | null {
  if (!event || typeof event !== 'object') {
    return null;
  }
  const { schema_id, run_ids, action } = event as {
    [key: string]: unknown;
  };
  if (schema_id !== RUNS_CHANGED_SCHEMA || !Array.isArray(run_ids)) {
    return null;
  }
  const runIds = run_ids.filter((id): id is string => typeof id === 'string');
  if (!runIds.length) {
    return null;
  }
  // An action a later server adds still means "look again".
  return { runIds, action: action === 'deleted' ? 'deleted' : 'changed' };
}
