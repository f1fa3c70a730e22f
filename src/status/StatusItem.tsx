import {
  Dialog,
  ReactWidget,
  showDialog,
  UseSignal
} from '@jupyterlab/apputils';
import React from 'react';

import { IItemState, itemText, KIND_TEXT, relativeTime } from './model';
import { IBackgroundFailure, IBackgroundStatus } from './tokens';

/** How often relative times ("2 min ago") are brought up to date. */
const TICK_MS = 15000;

/**
 * The status bar item: the current notebook's run and last checkpoint, or a
 * warning when a background request failed. A click shows the details.
 */
export class StatusItem extends ReactWidget {
  constructor(
    private _state: () => IItemState,
    private _onClick: () => void
  ) {
    super();
    this.addClass('jp-Experiments-statusItem');
    this._tick = setInterval(() => this.update(), TICK_MS);
  }

  dispose(): void {
    clearInterval(this._tick);
    super.dispose();
  }

  protected render(): JSX.Element {
    const { text, title, warning } = itemText(this._state());
    this.toggleClass('jp-mod-warning', warning);
    return (
      <button
        className="jp-Experiments-statusButton"
        title={title}
        onClick={this._onClick}
      >
        {text}
      </button>
    );
  }

  private _tick: ReturnType<typeof setInterval>;
}

/** The failures, each with the server's message and what to do. */
export function FailureList(props: {
  failures: IBackgroundFailure[];
  now: number;
}): JSX.Element {
  if (props.failures.length === 0) {
    return (
      <p className="jp-Experiments-failures">
        Nothing is failing: checkpoints and runs are recorded.
      </p>
    );
  }
  return (
    <ul className="jp-Experiments-failures">
      {props.failures.map(failure => {
        const text = KIND_TEXT[failure.kind];
        return (
          <li
            key={`${failure.kind}\n${failure.notebookPath}`}
            className="jp-Experiments-failure"
            data-kind={failure.kind}
          >
            <div className="jp-Experiments-failureTitle">
              {text.title} <span>{failure.notebookPath}</span>
            </div>
            <div className="jp-Experiments-failureMessage">
              {failure.status !== null ? `${failure.status}: ` : ''}
              {failure.message}
            </div>
            <div className="jp-Experiments-failureWhen">
              {failure.count === 1
                ? `Failed ${relativeTime(failure.last, props.now)}.`
                : `Failed ${failure.count} times in a row since ${new Date(failure.since).toLocaleTimeString()}; the latest ${relativeTime(failure.last, props.now)}.`}
            </div>
            <div>{text.effect}</div>
            <div>{text.action}</div>
          </li>
        );
      })}
    </ul>
  );
}

/**
 * What failed in the background, kept up to date while shown; Retry tries
 * again whatever can be.
 */
export async function showFailures(status: IBackgroundStatus): Promise<void> {
  const canRetry = status.failures().some(f => f.canRetry);
  const result = await showDialog({
    title: 'Experiments: background requests',
    body: (
      <UseSignal signal={status.changed}>
        {() => <FailureList failures={status.failures()} now={Date.now()} />}
      </UseSignal>
    ),
    buttons: canRetry
      ? [
          Dialog.cancelButton({ label: 'Close' }),
          Dialog.okButton({ label: 'Retry' })
        ]
      : [Dialog.okButton({ label: 'Close' })]
  });
  if (canRetry && result.button.accept) {
    status.retry();
  }
}
