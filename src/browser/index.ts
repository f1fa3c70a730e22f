/**
 * Plugin `jupyterlab-experiments:browser`: the command that opens the
 * Experiments panel (palette, launcher, View menu, the run sidebar's header),
 * one panel, restored with the layout and its view. Only this shell loads at
 * start-up; the panel's code (model, table, TanStack) is a chunk fetched on
 * first open.
 */
import {
  ILayoutRestorer,
  IRouter,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ILauncher } from '@jupyterlab/launcher';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { tableRowsIcon } from '@jupyterlab/ui-components';

import { lazy } from '../common/lazy';
import { ViewPanel } from '../common/viewPanel';
import { IExperimentsClient } from '../rest';
import { CommandIDs } from '../tokens';
import type { BrowserContent, IBrowserDeps, IBrowserSlots } from './panel';
import { openLinkedPanels } from './linked';
import { registerShareRoute } from './share';
import type { IViewState } from './viewState';

export const BROWSER_PLUGIN_ID = 'jupyterlab-experiments:browser';

/** The panel's content and its code: loaded on first open. */
const loadPanel = lazy(() => import('./panel'));

/**
 * Slots that replace the panel's own filter box, saved views, share, export
 * or details (the defaults are built in the panel's chunk): set before the
 * panel opens.
 */
export const browserSlots: { current: IBrowserSlots } = { current: {} };

export const browserPlugin: JupyterFrontEndPlugin<void> = {
  id: BROWSER_PLUGIN_ID,
  description:
    'The Experiments panel: every run in a table to filter, sort, group, tag and share.',
  autoStart: true,
  requires: [IExperimentsClient],
  optional: [
    ILayoutRestorer,
    ICommandPalette,
    ILauncher,
    IRouter,
    IRenderMimeRegistry
  ],
  activate: (
    app: JupyterFrontEnd,
    client: IExperimentsClient,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    launcher: ILauncher | null,
    router: IRouter | null,
    rendermime: IRenderMimeRegistry | null
  ) => {
    const deps: IBrowserDeps = { app, client, rendermime };
    const panels = new ViewPanel<Partial<IViewState>, BrowserContent>({
      app,
      id: 'jp-experiments-browser',
      label: 'Experiments',
      caption: 'Every run: filter, sort, group, tag, share',
      icon: tableRowsIcon,
      className: 'jp-ExperimentsBrowser-widget',
      command: CommandIDs.openBrowser,
      restorer,
      load: async state =>
        (await loadPanel()).createBrowserContent(deps, {
          state,
          slots: browserSlots.current
        }),
      viewChanged: content => content.model.stateChanged,
      apply: (content, state) => content.model.setState(state)
    });

    app.commands.addCommand(CommandIDs.openBrowser, {
      label: args => (args.isLauncher ? 'Experiments' : 'Experiments Browser'),
      caption:
        'Open the Experiments panel: every run, to filter, sort, group and tag',
      icon: args => (args.isPalette ? undefined : tableRowsIcon),
      describedBy: {
        args: {
          type: 'object',
          properties: {
            state: {
              type: 'object',
              description:
                'A view to show: {filter, orderBy, columns, groupBy, selection, anchor}'
            }
          }
        }
      },
      execute: async args => {
        const state =
          args.state && typeof args.state === 'object'
            ? (args.state as unknown as Partial<IViewState>)
            : null;
        // A view with a comparison or a progress view (a share link, a
        // saved view): the browser shows the rest, their panels open too,
        // after it, so they are the ones in front.
        const { compare, progress, ...view } = state ?? {};
        const widget = await panels.open(state ? view : null);
        await openLinkedPanels(app.commands, { compare, progress });
        return widget;
      }
    });

    palette?.addItem({
      command: CommandIDs.openBrowser,
      category: 'Experiments'
    });
    launcher?.add({
      command: CommandIDs.openBrowser,
      category: 'Experiments',
      rank: 0
    });
    // `/lab?experiments=<view>` opens the panel on that view.
    if (router) {
      registerShareRoute(router, app.commands, CommandIDs.openBrowser);
    }
  }
};
