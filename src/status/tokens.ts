import { Token } from '@lumino/coreutils';
import { ISignal } from '@lumino/signaling';

/**
 * Requests made in the background, away from any user action: a failure of
 * one is shown, or the user would believe their history and runs kept.
 */
export type BackgroundKind = 'checkpoint' | 'run-start' | 'run-end' | 'record';

/** A kind of request failing for one notebook, since its last success. */
export interface IBackgroundFailure {
  readonly kind: BackgroundKind;
  readonly notebookPath: string;
  /** The server's message (or the error's). */
  readonly message: string;
  /** The HTTP status, when the server answered. */
  readonly status: number | null;
  /** Failures in a row. */
  readonly count: number;
  /** When the first and the latest of them happened (ms since the epoch). */
  readonly since: number;
  readonly last: number;
  /** Whether `retry` has something to try again. */
  readonly canRetry: boolean;
}

/**
 * How background requests went, per notebook: checkpoints and run requests
 * report here, the status bar item and notifications read it.
 */
export interface IBackgroundStatus {
  /**
   * A request of this kind failed for the notebook at `notebookPath`;
   * `retry`, if given, tries it again.
   */
  failed(
    kind: BackgroundKind,
    notebookPath: string,
    error: unknown,
    retry?: () => void
  ): void;
  /** A request of this kind succeeded: earlier failures of it are over. */
  succeeded(kind: BackgroundKind, notebookPath: string): void;
  /**
   * A success the server knows of from before this page (the latest
   * checkpoint of a notebook just opened), at `time` (ms since the epoch):
   * kept as the last success if it is later; failures stay as they are.
   */
  seen(kind: BackgroundKind, notebookPath: string, time: number): void;

  /** Emits the notebook path whose failures or successes changed. */
  readonly changed: ISignal<IBackgroundStatus, string>;
  /**
   * Emits the first failure of a kind while no notebook is failing it: once
   * per outage, not once per failure.
   */
  readonly alerted: ISignal<IBackgroundStatus, IBackgroundFailure>;
  /** Emits a kind no notebook is failing any longer. */
  readonly recovered: ISignal<IBackgroundStatus, BackgroundKind>;
  /** Current failures, of one notebook or of all. */
  failures(notebookPath?: string): IBackgroundFailure[];
  /** When a request of this kind last succeeded for the notebook. */
  lastSuccess(kind: BackgroundKind, notebookPath: string): number | null;
  /** Try again what failed; returns how many retries started. */
  retry(filter?: { notebookPath?: string; kind?: BackgroundKind }): number;
  /** The notebook closed: its failures and successes no longer matter. */
  forget(notebookPath: string): void;
}

export const IBackgroundStatus = new Token<IBackgroundStatus>(
  'jupyterlab-experiments:IBackgroundStatus',
  'Failures and recoveries of background checkpoints and run requests.'
);
