/**
 * The Experiments panel's content: its model and view, with TanStack Table
 * and Virtual. Loaded on first open (a chunk of its own), never at start-up.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Notification, ReactWidget } from '@jupyterlab/apputils';
import { Message } from '@lumino/messaging';
import React from 'react';

import type { IExperimentsClient } from '../rest';
import { BrowserView, IBrowserSlots } from './BrowserView';
import { BrowserModel } from './model';
import type { IViewState } from './viewState';

export type { IBrowserSlots } from './BrowserView';
export { BrowserModel } from './model';

/** What the panel works with. */
export interface IBrowserDeps {
  app: JupyterFrontEnd;
  client: IExperimentsClient;
}

/** The panel's content: renders the model; disposes it when closed. */
export class BrowserContent extends ReactWidget {
  constructor(
    readonly model: BrowserModel,
    private _options: {
      slots?: IBrowserSlots;
      onOpenNotebook?: (path: string) => void;
    } = {}
  ) {
    super();
    this.addClass('jp-Experiments-panel');
    this.addClass('jp-ExperimentsBrowser');
  }

  /** Where the filter box, saved views, share, export and details plug in. */
  get slots(): IBrowserSlots {
    return this._options.slots ?? {};
  }

  set slots(slots: IBrowserSlots) {
    this._options = { ...this._options, slots };
    this.update();
  }

  protected onActivateRequest(msg: Message): void {
    super.onActivateRequest(msg);
    this.node.querySelector<HTMLElement>('.jp-ExperimentsTable')?.focus();
  }

  dispose(): void {
    if (!this.isDisposed) {
      this.model.dispose();
    }
    super.dispose();
  }

  render(): JSX.Element {
    return (
      <BrowserView
        model={this.model}
        slots={this._options.slots}
        onOpenNotebook={this._options.onOpenNotebook}
      />
    );
  }
}

/** The panel's content on a view (a restored layout, a share link). */
export function createBrowserContent(
  deps: IBrowserDeps,
  options: { state?: Partial<IViewState> | null; slots?: IBrowserSlots } = {}
): BrowserContent {
  const { app, client } = deps;
  const model = new BrowserModel(client, {
    state: options.state ?? undefined
  });
  // A refused edit was rolled back in the table: say why, once.
  model.failed.connect((_, failure) => {
    Notification.error(failure.message, { autoClose: 8000 });
  });
  return new BrowserContent(model, {
    slots: options.slots,
    onOpenNotebook: path =>
      void app.commands.execute('docmanager:open', { path }).catch(reason =>
        Notification.error(`Could not open ${path}: ${String(reason)}`, {
          autoClose: 8000
        })
      )
  });
}
