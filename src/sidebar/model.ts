/**
 * State of the Experiments sidebar: the run of the active notebook, refreshed
 * while the sidebar is visible. No DOM.
 *
 * It refreshes when the server announces a change (the run-change events
 * of the client's `events`), not on a clock: an open sidebar makes no
 * request while nothing changes. Only when the frontend has no event bus does
 * it poll, slowly (`pollInterval`).
 */
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { errorMessage } from '../common/format';
import { readNotebookId, METADATA_KEY } from '../common/notebookId';
import type { IExperimentsClient, IRunsChanged } from '../rest';
import {
  IMetricSeries,
  IRun,
  IRunTracker,
  LoggingAvailability
} from '../tokens';

/** Points fetched per sparkline. */
const SPARKLINE_POINTS = 60;

export class RunPanelModel implements IDisposable {
  constructor(
    private _notebooks: INotebookTracker,
    private _tracker: IRunTracker,
    private _client: IExperimentsClient
  ) {
    _notebooks.currentChanged.connect(this._refreshSoon, this);
    _tracker.changed.connect(this._refreshSoon, this);
    _client.events.changed.connect(this._onRunsChanged, this);
  }

  /**
   * Milliseconds between refreshes while visible, used only without run
   * events (no event bus: nothing else would say the run changed). Slow on
   * purpose: a poll costs a request per open sidebar whether or not anything
   * changed, which is what the events avoid.
   */
  pollInterval = 10_000;

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get panel(): NotebookPanel | null {
    return this._notebooks.currentWidget;
  }

  get run(): IRun | null {
    return this._run;
  }

  get series(): ReadonlyMap<string, IMetricSeries> {
    return this._series;
  }

  get availability(): LoggingAvailability {
    return this.panel ? this._tracker.availability(this.panel) : 'unknown';
  }

  get error(): string | null {
    return this._error;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Start or stop refreshing (the sidebar is shown or hidden). */
  setActive(active: boolean): void {
    this._active = active;
    if (active) {
      void this.refresh();
    } else {
      this._clearTimer();
    }
  }

  async refresh(): Promise<void> {
    this._clearTimer();
    if (this._isDisposed) {
      return;
    }
    this._refreshing++;
    try {
      await this._refresh();
    } finally {
      this._refreshing--;
    }
    // Changes announced while this one was in flight.
    if (this._again && !this._refreshing && this._active) {
      this._again = false;
      void this.refresh();
    }
  }

  private async _refresh(): Promise<void> {
    const generation = ++this._generation;
    try {
      const run = await this._fetchRun();
      if (generation !== this._generation) {
        return;
      }
      if (run?.id !== this._run?.id) {
        this._series = new Map();
      }
      this._run = run;
      this._error = null;
      if (run) {
        await this._fetchChangedSeries(run, generation);
      }
    } catch (reason) {
      this._error = errorMessage(reason);
    }
    if (generation !== this._generation) {
      return;
    }
    this._changed.emit();
    if (this._active && !this._isDisposed && !this._client.events.available) {
      this._timer = setTimeout(() => void this.refresh(), this.pollInterval);
    }
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._clearTimer();
    Signal.clearData(this);
  }

  private async _fetchRun(): Promise<IRun | null> {
    const panel = this.panel;
    if (!panel) {
      return null;
    }
    const runId = this._tracker.runId(panel);
    if (runId) {
      try {
        return await this._client.runs.get(runId);
      } catch {
        // The run is being created; fall back to the notebook's last run.
      }
    }
    const notebookId = readNotebookId(panel.model?.getMetadata(METADATA_KEY));
    if (!notebookId) {
      return null;
    }
    const { runs } = await this._client.runs.list({
      notebook_id: notebookId,
      limit: 1
    });
    return runs.length ? this._client.runs.get(runs[0].id) : null;
  }

  private async _fetchChangedSeries(
    run: IRun,
    generation: number
  ): Promise<void> {
    const stale = Object.entries(run.metrics).filter(
      ([key, summary]) => this._series.get(key)?.count !== summary.count
    );
    const fetched = await Promise.all(
      stale.map(([key]) =>
        this._client.runs.metricSeries(run.id, key, SPARKLINE_POINTS)
      )
    );
    if (generation === this._generation) {
      const series = new Map(this._series);
      fetched.forEach(s => series.set(s.key, s));
      this._series = series;
    }
  }

  /**
   * Runs changed on the server. Refresh for the run shown; and when the
   * tracker names no run for the notebook (the sidebar shows the notebook's
   * latest run, or none yet), for any run, as it may be a new one of this
   * notebook. Hidden, it refreshes when shown anyway.
   */
  private _onRunsChanged(_: unknown, change: IRunsChanged): void {
    if (!this._active || this._isDisposed) {
      return;
    }
    const panel = this.panel;
    const shown = this._run?.id ?? null;
    const tracked = panel ? this._tracker.runId(panel) : null;
    const relevant =
      (shown !== null && change.runIds.includes(shown)) ||
      (tracked !== null && change.runIds.includes(tracked)) ||
      (tracked === null && panel !== null && change.action === 'changed');
    if (!relevant) {
      return;
    }
    if (this._refreshing) {
      // One refresh at a time: the changes are read once it lands.
      this._again = true;
    } else {
      void this.refresh();
    }
  }

  private _refreshSoon(): void {
    if (this._active) {
      void this.refresh();
    } else {
      this._run = null;
      this._changed.emit();
    }
  }

  private _clearTimer(): void {
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
  }

  private _run: IRun | null = null;
  private _series = new Map<string, IMetricSeries>();
  private _error: string | null = null;
  private _active = false;
  private _generation = 0;
  /** Refreshes in flight, and whether a change came meanwhile. */
  private _refreshing = 0;
  private _again = false;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _changed = new Signal<this, void>(this);
  private _isDisposed = false;
}
