/**
 * The Experiments panel's content: its model and view, with TanStack Table
 * and Virtual. Loaded on first open (a chunk of its own), never at start-up.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Notification, ReactWidget } from '@jupyterlab/apputils';
import type { NotebookPanel } from '@jupyterlab/notebook';
import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { Message } from '@lumino/messaging';
import React from 'react';

import type { IExperimentsClient } from '../rest';
import { revealCell } from '../sidebar/panel';
import { CommandIDs } from '../tokens';
import { BrowserView, IBrowserSlots } from './BrowserView';
import { BrowserModel } from './model';
import { openLinkedPanels } from './linked';
import { defaultSlots, IDetailsActions } from './slots';
import type { IViewState } from './viewState';

export type { IBrowserSlots } from './BrowserView';
export { BrowserModel } from './model';

/** What the panel works with. */
export interface IBrowserDeps {
  app: JupyterFrontEnd;
  client: IExperimentsClient;
  /** Renders a run's notes as markdown in the details. */
  rendermime?: IRenderMimeRegistry | null;
}

/** The panel's content: renders the model; disposes it when closed. */
export class BrowserContent extends ReactWidget {
  constructor(
    readonly model: BrowserModel,
    private _options: {
      slots?: IBrowserSlots;
      onOpenNotebook?: (path: string) => void;
      onCompare?: (runIds: string[]) => void;
      onProgress?: (filter: string) => void;
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
        onCompare={this._options.onCompare}
        onProgress={this._options.onProgress}
      />
    );
  }
}

/** Open a notebook (and, given a cell id, scroll to that cell). */
async function openNotebook(
  app: JupyterFrontEnd,
  path: string,
  cellId?: string
): Promise<void> {
  try {
    const widget = await app.commands.execute('docmanager:open', { path });
    if (cellId && widget && 'content' in widget && 'context' in widget) {
      const panel = widget as NotebookPanel;
      await panel.context.ready;
      await panel.revealed;
      if (!(await revealCell(panel, cellId))) {
        Notification.warning(
          `The cell that logged this is no longer in ${path}.`,
          { autoClose: 6000 }
        );
      }
    }
  } catch (reason) {
    Notification.error(`Could not open ${path}: ${String(reason)}`, {
      autoClose: 8000
    });
  }
}

/** What the run details open, through the app's commands. */
function detailsActions(app: JupyterFrontEnd): IDetailsActions {
  return {
    openCell: (path, cellId) => void openNotebook(app, path, cellId),
    // The checkpoint command reads the commit from the store: the notebook
    // id is not needed to find it.
    openCheckpoint: (_notebookId, commit) =>
      void app.commands.execute(CommandIDs.openCheckpoint, { commit }),
    openNotebook: path => void openNotebook(app, path)
  };
}

/**
 * The panel's content on a view (a restored layout, a share link). Each slot
 * of `options.slots` replaces the default one (filter box, saved views,
 * share, export, run details).
 */
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
  const slots: IBrowserSlots = {
    ...defaultSlots({
      client,
      actions: detailsActions(app),
      rendermime: deps.rendermime ?? null,
      openLinked: view => void openLinkedPanels(app.commands, view)
    }),
    ...options.slots
  };
  return new BrowserContent(model, {
    slots,
    onOpenNotebook: path => void openNotebook(app, path),
    onCompare: runIds =>
      void app.commands.execute(CommandIDs.compare, { runIds }),
    onProgress: filter =>
      void app.commands.execute(CommandIDs.progress, { state: { filter } })
  });
}
