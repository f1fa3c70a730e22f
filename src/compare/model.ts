/**
 * A Compare panel's model: the compared runs in full, every series they
 * logged (one request for the whole panel, downsampled by the server to the
 * charts' width), and the panel's view. Runs changed on the server reload;
 * a run deleted while compared shows as gone. No DOM.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { errorMessage } from '../common/format';
import type { IExperimentsClient } from '../rest';
import type { IRunsChanged } from '../rest/events';
import { ApiError } from '../rest/request';
import type { IRunMetricSeries } from '../rest/runs';
import type { IRun } from '../tokens';
import { emptyCompareState, ICompareState, MAX_COMPARED } from './state';

export type CompareStatus = 'loading' | 'ready' | 'error';

/** The points asked per series when the charts' width is not known yet. */
export const DEFAULT_MAX_POINTS = 1000;

export class CompareModel {
  constructor(
    private _client: IExperimentsClient,
    state: Partial<ICompareState> = {}
  ) {
    this._state = { ...emptyCompareState(), ...state };
    this._state.runIds = uniqueIds(this._state.runIds);
    _client.events.changed.connect(this._onRunsChanged, this);
  }

  /** Emits whenever anything shown changes (data or view). */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Emits the view whenever it changes (to save with the layout). */
  get stateChanged(): ISignal<this, ICompareState> {
    return this._stateChanged;
  }

  get state(): ICompareState {
    return this._state;
  }

  get status(): CompareStatus {
    return this._status;
  }

  /** Why the last load failed, when it did. */
  get error(): string | null {
    return this._error;
  }

  /** The compared runs that exist, in column order. */
  get runs(): readonly IRun[] {
    return this._runs;
  }

  /** Compared run ids the server does not have (deleted, or a bad link). */
  get gone(): readonly string[] {
    return this._gone;
  }

  /** Each metric key's series, one per run that logged it, in run order. */
  get series(): ReadonlyMap<string, readonly IRunMetricSeries[]> {
    return this._series;
  }

  /** Why the series could not be loaded, when they could not. */
  get seriesError(): string | null {
    return this._seriesError;
  }

  /** The points asked per series: the charts' width in pixels. */
  get maxPoints(): number {
    return this._maxPoints;
  }

  /** Change the view; a change of runs reloads. */
  setState(change: Partial<ICompareState>): void {
    const next = { ...this._state, ...change };
    if (change.runIds) {
      next.runIds = uniqueIds(change.runIds);
    }
    const reload =
      change.runIds !== undefined &&
      next.runIds.join('\n') !== this._state.runIds.join('\n');
    this._state = next;
    this._stateChanged.emit(next);
    this._changed.emit();
    if (reload) {
      void this.load();
    }
  }

  /**
   * Ask the series at this many points (the charts' width): reloads them
   * only when the new width needs noticeably more points than loaded.
   */
  setMaxPoints(points: number): void {
    const wanted = Math.min(
      Math.max(Math.ceil(points / 100) * 100, 200),
      10_000
    );
    if (wanted > this._maxPoints * 1.2 || wanted < this._maxPoints / 2) {
      this._maxPoints = wanted;
      if (this._status === 'ready') {
        void this._loadSeries(++this._generation);
      }
    }
  }

  /** Fetch the runs and their series. */
  async load(): Promise<void> {
    const generation = ++this._generation;
    this._status = 'loading';
    this._error = null;
    this._changed.emit();
    const ids = this._state.runIds.slice(0, MAX_COMPARED);
    try {
      const found = await Promise.all(
        ids.map(id =>
          this._client.runs.get(id).catch(reason => {
            if (reason instanceof ApiError && reason.status === 404) {
              return null;
            }
            throw reason;
          })
        )
      );
      if (generation !== this._generation || this._disposed) {
        return;
      }
      this._runs = found.filter((run): run is IRun => run !== null);
      this._gone = ids.filter((_, i) => found[i] === null);
    } catch (reason) {
      if (generation === this._generation && !this._disposed) {
        this._status = 'error';
        this._error = errorMessage(reason);
        this._changed.emit();
      }
      return;
    }
    this._status = 'ready';
    // Said before the runs show, so the charts' room is kept from the start.
    this._seriesLoading = true;
    this._changed.emit();
    await this._loadSeries(generation);
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    if (this._reloadTimer !== null) {
      clearTimeout(this._reloadTimer);
    }
    this._client.events.changed.disconnect(this._onRunsChanged, this);
    Signal.clearData(this);
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Every series of the compared runs: one request. */
  private async _loadSeries(generation: number): Promise<void> {
    const ids = this._runs.map(run => run.id);
    const anyMetric = this._runs.some(
      run => Object.keys(run.metrics ?? {}).length > 0
    );
    if (!ids.length || !anyMetric) {
      this._seriesLoading = false;
      this._series = new Map();
      this._seriesError = null;
      this._changed.emit();
      return;
    }
    this._seriesLoading = true;
    try {
      const all = await this._client.runs.metricSeriesMany(
        ids,
        null,
        this._maxPoints
      );
      if (generation !== this._generation || this._disposed) {
        return;
      }
      const byKey = new Map<string, IRunMetricSeries[]>();
      for (const one of all) {
        let list = byKey.get(one.key);
        if (!list) {
          byKey.set(one.key, (list = []));
        }
        list.push(one);
      }
      this._series = new Map(
        [...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      );
      this._seriesError = null;
    } catch (reason) {
      if (generation !== this._generation || this._disposed) {
        return;
      }
      this._seriesError = errorMessage(reason);
    } finally {
      this._seriesLoading = false;
    }
    this._changed.emit();
  }

  /** Whether the series are being fetched. */
  get seriesLoading(): boolean {
    return this._seriesLoading;
  }

  private _onRunsChanged(_: unknown, change: IRunsChanged): void {
    if (change.runIds.some(id => this._state.runIds.includes(id))) {
      // A burst of log calls is one reload, not one per event.
      if (this._reloadTimer === null) {
        this._reloadTimer = setTimeout(() => {
          this._reloadTimer = null;
          if (!this._disposed) {
            void this.load();
          }
        }, 500);
      }
    }
  }

  private _state: ICompareState;
  private _status: CompareStatus = 'loading';
  private _error: string | null = null;
  private _runs: IRun[] = [];
  private _gone: string[] = [];
  private _series = new Map<string, IRunMetricSeries[]>();
  private _seriesError: string | null = null;
  private _seriesLoading = false;
  private _maxPoints = DEFAULT_MAX_POINTS;
  private _generation = 0;
  private _disposed = false;
  private _reloadTimer: ReturnType<typeof setTimeout> | null = null;
  private _changed = new Signal<this, void>(this);
  private _stateChanged = new Signal<this, ICompareState>(this);
}

function uniqueIds(ids: readonly string[]): string[] {
  return [...new Set(ids.filter(id => typeof id === 'string' && id))];
}
