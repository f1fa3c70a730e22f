/**
 * The notebook diff panel: a main-area widget that shows "Comparing…" while
 * the diff is worked out, then the diff view, or what went wrong and what to
 * do. Loaded on demand (with CodeMirror's merge view), never at start-up.
 */
import { MainAreaWidget, ReactWidget } from '@jupyterlab/apputils';
import type { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import type * as nbformat from '@jupyterlab/nbformat';
import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { Message } from '@lumino/messaging';
import React from 'react';

import { errorMessage } from '../common/format';
import { summarize } from '../diff';
import type { ICellDiff, IDiffSummary, INotebookDiff } from '../diff/types';
import { DiffView, ExportFormat, ExportSide } from './DiffView';
import type { IDiffToggles } from './model';

export interface IDiffPanelOptions {
  /** The tab's title, e.g. "analysis.ipynb: checkpoint 3f2a1c → now". */
  title: string;
  /** The two columns' headers. */
  labels: { old: string; new: string };
  diff: Promise<INotebookDiff>;
  /** The notebook's language name (e.g. 'python'), for highlighting. */
  language: string;
  rendermime: IRenderMimeRegistry;
  /** Null: no highlighting. */
  languages: IEditorLanguageRegistry | null;
  /**
   * Read a cell a checkpoint diff left unread: its unchanged cells come with
   * `old`/`new` null and `oldTree`/`newTree` naming them.
   */
  loadCell?: (tree: string) => Promise<nbformat.ICell>;
  /** Put a cell's old version into the open notebook. */
  onRestoreCell?: (cell: ICellDiff) => Promise<void> | void;
  onExport?: (side: ExportSide, format: ExportFormat) => Promise<void> | void;
}

/** The engine's counts under the view's toggles. */
function summaryOf(diff: INotebookDiff, toggles: IDiffToggles): IDiffSummary {
  return summarize(diff, {
    noise: toggles.noise,
    metadata: toggles.metadata,
    executionCount: toggles.executionCount
  });
}

type State =
  | { status: 'pending' }
  | { status: 'ready'; diff: INotebookDiff }
  | { status: 'error'; message: string };

/** The panel's content: the diff's state, then its view. */
export class DiffContent extends ReactWidget {
  constructor(private _options: IDiffPanelOptions) {
    super();
    this.addClass('jp-Experiments-panel');
    this.addClass('jp-ExperimentsDiff');
    _options.diff.then(
      diff => this._setState({ status: 'ready', diff }),
      reason =>
        this._setState({ status: 'error', message: errorMessage(reason) })
    );
  }

  /** 'pending', 'ready' or 'error' (tests and the plugin wait on it). */
  get status(): State['status'] {
    return this._state.status;
  }

  render(): JSX.Element {
    const state = this._state;
    const options = this._options;
    switch (state.status) {
      case 'pending':
        return (
          <div
            className="jp-ExperimentsDiff-state jp-ExperimentsDiff-pending"
            aria-busy="true"
            role="status"
          >
            Comparing…
          </div>
        );
      case 'error':
        return (
          <div
            className="jp-ExperimentsDiff-state jp-ExperimentsDiff-error jp-mod-error"
            role="alert"
          >
            <p>The notebooks could not be compared: {state.message}</p>
            <p>
              Check that both versions still exist (the checkpoint was not
              deleted, the notebook was not moved) and are valid notebooks, then
              open the diff again.
            </p>
          </div>
        );
      case 'ready':
        return (
          <DiffView
            diff={state.diff}
            labels={options.labels}
            language={options.language}
            rendermime={options.rendermime}
            languages={options.languages}
            summarize={summaryOf}
            loadCell={options.loadCell}
            onRestoreCell={options.onRestoreCell}
            onExport={options.onExport}
          />
        );
    }
  }

  protected onActivateRequest(msg: Message): void {
    super.onActivateRequest(msg);
    // Keys move between changes once the panel has focus.
    const target =
      this.node.querySelector<HTMLElement>('.jp-ExperimentsDiff-body') ??
      this.node;
    if (!this.node.contains(document.activeElement)) {
      target.focus();
    }
  }

  private _setState(state: State): void {
    if (this.isDisposed) {
      return;
    }
    this._state = state;
    this.update();
  }

  private _state: State = { status: 'pending' };
}

/**
 * A diff panel for the main area. Without an id: the plugin sets it and
 * adds the panel to its tracker.
 */
export function createDiffPanel(
  options: IDiffPanelOptions
): MainAreaWidget<DiffContent> {
  const content = new DiffContent(options);
  content.node.tabIndex = -1;
  const widget = new MainAreaWidget({ content });
  widget.title.label = options.title;
  widget.title.caption = options.title;
  widget.title.closable = true;
  return widget;
}
