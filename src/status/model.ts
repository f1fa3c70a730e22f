/**
 * How background requests went, per notebook and kind: no DOM, no network.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { errorMessage } from '../common/format';

import {
  BackgroundKind,
  IBackgroundFailure,
  IBackgroundStatus
} from './tokens';

/** Kinds in the order they are listed. */
export const KINDS: readonly BackgroundKind[] = [
  'checkpoint',
  'run-start',
  'run-end',
  'record'
];

/** What a failure of each kind means to the user, and what to do. */
export const KIND_TEXT: {
  [kind in BackgroundKind]: {
    /** For the status bar. */
    short: string;
    /** What failed. */
    title: string;
    /** What is missing because of it. */
    effect: string;
    /** What happens next, or what to do. */
    action: string;
    /** Once no notebook fails it any longer. */
    recovered: string;
  };
} = {
  checkpoint: {
    short: 'checkpoint failed',
    title: 'Checkpoint not saved',
    effect: "The notebook's history lacks its latest executions.",
    action:
      'Checkpoints are retried automatically, at most 30 s apart: the notebook as it is then is recorded as soon as the server answers. Retry tries now.',
    recovered: 'Checkpoints are saved again.'
  },
  'run-start': {
    short: 'run not started',
    title: 'Run not started',
    effect: "This run's executions and parameters are not recorded.",
    action: 'Retry: the next execution starts a new run.',
    recovered: 'Runs start again.'
  },
  'run-end': {
    short: 'run not ended',
    title: 'Run not ended',
    effect: 'The run still shows as running.',
    action: 'The server marks it interrupted once its kernel shuts down.',
    recovered: 'Runs end again.'
  },
  record: {
    short: 'recording failed',
    title: 'Executions or logs not recorded',
    effect: 'What was sent while the server failed is missing from the run.',
    action: 'Retry sends it again.',
    recovered: 'Executions and logs are recorded again.'
  }
};

interface IEntry {
  failure: IBackgroundFailure;
  retries: Set<() => void>;
}

function statusOf(error: unknown): number | null {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : null;
}

export class BackgroundStatusModel implements IBackgroundStatus {
  constructor(private _now: () => number = Date.now) {}

  /** Emits the notebook path whose failures or successes changed. */
  get changed(): ISignal<this, string> {
    return this._changed;
  }

  /**
   * Emits the first failure of a kind while no notebook is failing it: once
   * per outage, not once per failure.
   */
  get alerted(): ISignal<this, IBackgroundFailure> {
    return this._alerted;
  }

  /** Emits a kind no notebook is failing any longer. */
  get recovered(): ISignal<this, BackgroundKind> {
    return this._recovered;
  }

  failed(
    kind: BackgroundKind,
    notebookPath: string,
    error: unknown,
    retry?: () => void
  ): void {
    const alerting = !this.isFailing(kind);
    const now = this._now();
    const entries = this._entries(notebookPath);
    const entry = entries.get(kind) ?? {
      failure: { count: 0, since: now } as IBackgroundFailure,
      retries: new Set()
    };
    if (retry) {
      entry.retries.add(retry);
    }
    entry.failure = {
      kind,
      notebookPath,
      message: errorMessage(error),
      status: statusOf(error),
      count: entry.failure.count + 1,
      since: entry.failure.since,
      last: now,
      canRetry: entry.retries.size > 0
    };
    entries.set(kind, entry);
    this._changed.emit(notebookPath);
    if (alerting) {
      this._alerted.emit(entry.failure);
    }
  }

  succeeded(kind: BackgroundKind, notebookPath: string): void {
    this._successes.set(successKey(kind, notebookPath), this._now());
    const entries = this._failing.get(notebookPath);
    const ended = entries?.delete(kind) ?? false;
    if (entries?.size === 0) {
      this._failing.delete(notebookPath);
    }
    this._changed.emit(notebookPath);
    if (ended && !this.isFailing(kind)) {
      this._recovered.emit(kind);
    }
  }

  seen(kind: BackgroundKind, notebookPath: string, time: number): void {
    const key = successKey(kind, notebookPath);
    if ((this._successes.get(key) ?? -Infinity) < time) {
      this._successes.set(key, time);
      this._changed.emit(notebookPath);
    }
  }

  /** When a request of this kind last succeeded for the notebook. */
  lastSuccess(kind: BackgroundKind, notebookPath: string): number | null {
    return this._successes.get(successKey(kind, notebookPath)) ?? null;
  }

  /** Whether any notebook is failing this kind. */
  isFailing(kind: BackgroundKind): boolean {
    for (const entries of this._failing.values()) {
      if (entries.has(kind)) {
        return true;
      }
    }
    return false;
  }

  /** Current failures, of one notebook or of all, in `KINDS` order. */
  failures(notebookPath?: string): IBackgroundFailure[] {
    const paths =
      notebookPath === undefined ? [...this._failing.keys()] : [notebookPath];
    const failures: IBackgroundFailure[] = [];
    for (const path of paths) {
      const entries = this._failing.get(path);
      for (const kind of KINDS) {
        const entry = entries?.get(kind);
        if (entry) {
          failures.push(entry.failure);
        }
      }
    }
    return failures;
  }

  /**
   * Try again what failed (of one notebook or kind, or everything that can
   * be); returns how many retries started. A failure stays until a request
   * of its kind succeeds.
   */
  retry(filter: { notebookPath?: string; kind?: BackgroundKind } = {}): number {
    const retries: (() => void)[] = [];
    for (const [path, entries] of this._failing) {
      if (filter.notebookPath !== undefined && filter.notebookPath !== path) {
        continue;
      }
      for (const [kind, entry] of entries) {
        if (filter.kind !== undefined && filter.kind !== kind) {
          continue;
        }
        retries.push(...entry.retries);
        entry.retries.clear();
        entry.failure = { ...entry.failure, canRetry: false };
      }
      this._changed.emit(path);
    }
    for (const retry of retries) {
      try {
        retry();
      } catch (reason) {
        console.error('experiments: retry failed', reason);
      }
    }
    return retries.length;
  }

  /** The notebook closed: its failures and successes no longer matter. */
  forget(notebookPath: string): void {
    const kinds = [...(this._failing.get(notebookPath)?.keys() ?? [])];
    this._failing.delete(notebookPath);
    for (const kind of KINDS) {
      this._successes.delete(successKey(kind, notebookPath));
    }
    this._changed.emit(notebookPath);
    for (const kind of kinds) {
      if (!this.isFailing(kind)) {
        this._recovered.emit(kind);
      }
    }
  }

  private _entries(notebookPath: string): Map<BackgroundKind, IEntry> {
    let entries = this._failing.get(notebookPath);
    if (!entries) {
      entries = new Map();
      this._failing.set(notebookPath, entries);
    }
    return entries;
  }

  private _failing = new Map<string, Map<BackgroundKind, IEntry>>();
  private _successes = new Map<string, number>();
  private _changed = new Signal<this, string>(this);
  private _alerted = new Signal<this, IBackgroundFailure>(this);
  private _recovered = new Signal<this, BackgroundKind>(this);
}

function successKey(kind: BackgroundKind, notebookPath: string): string {
  return `${kind}\n${notebookPath}`;
}

/** "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago". */
export function relativeTime(then: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < 10) {
    return 'just now';
  }
  if (seconds < 60) {
    return `${seconds} s ago`;
  }
  if (seconds < 3600) {
    return `${Math.floor(seconds / 60)} min ago`;
  }
  if (seconds < 86400) {
    return `${Math.floor(seconds / 3600)} h ago`;
  }
  return `${Math.floor(seconds / 86400)} d ago`;
}

/** What the status bar item shows about the current notebook. */
export interface IItemState {
  /** Whether runs are tracked, and whether executions are checkpointed. */
  tracking: boolean;
  checkpoints: boolean;
  /** The current notebook's path and run, if there is a current notebook. */
  notebookPath: string | null;
  runId: string | null;
  lastCheckpoint: number | null;
  /** Every current failure, of any notebook. */
  failures: IBackgroundFailure[];
  now: number;
}

/** The status bar item's text and tooltip, and whether it warns. */
export function itemText(state: IItemState): {
  text: string;
  title: string;
  warning: boolean;
} {
  const parts: string[] = [];
  const titles: string[] = [];
  const own = state.failures.filter(f => f.notebookPath === state.notebookPath);
  const shown = own[0] ?? state.failures[0];
  if (shown) {
    const others = state.failures.length - 1;
    const where =
      shown.notebookPath === state.notebookPath
        ? ''
        : ` in ${basename(shown.notebookPath)}`;
    parts.push(
      `⚠ ${KIND_TEXT[shown.kind].short}${where}${others > 0 ? ` (+${others})` : ''}`
    );
    titles.push(
      `${KIND_TEXT[shown.kind].title}: ${shown.message}. Click for details.`
    );
  }
  if (state.notebookPath !== null) {
    if (!state.tracking) {
      parts.push('Tracking off');
      titles.push('Run tracking is off (Settings → Experiments).');
    } else if (state.runId) {
      parts.push(`Run ${state.runId.slice(0, 8)}`);
      titles.push(`Current run: ${state.runId}.`);
    } else {
      parts.push('No run yet');
      titles.push('The next code cell execution starts a run.');
    }
    if (!state.checkpoints) {
      parts.push('checkpoints off');
      titles.push('Checkpoints are off (Settings → Experiments).');
    } else if (state.lastCheckpoint !== null) {
      parts.push(
        `last checkpoint ${relativeTime(state.lastCheckpoint, state.now)}`
      );
      titles.push(
        `Last checkpoint: ${new Date(state.lastCheckpoint).toLocaleString()}.`
      );
    } else {
      parts.push('no checkpoint yet');
      titles.push('No checkpoint taken since the notebook opened.');
    }
  }
  return {
    text: parts.join(' · '),
    title: titles.join('\n'),
    warning: shown !== undefined
  };
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
