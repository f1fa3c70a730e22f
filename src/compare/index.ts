/**
 * Plugin `jupyterlab-experiments:compare`: the commands that open the
 * Compare panel (2 to 50 runs side by side, their charts, images and code)
 * and the Progress panel (best so far over the runs a filter selects), each
 * one main-area panel restored with the layout and its view. Only this
 * shell loads at start-up; the panels' code (uPlot, ECharts) is fetched on
 * first open.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, Notification } from '@jupyterlab/apputils';
import { lineFormIcon } from '@jupyterlab/ui-components';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { lazy } from '../common/lazy';
import { ViewPanel } from '../common/viewPanel';
import { idsFilter } from '../browser/filter/literal';
import type { IViewState } from '../browser/viewState';
import { IExperimentsClient } from '../rest';
import { CommandIDs } from '../tokens';
import type { ICompareActions } from './CompareView';
import type { CompareContent, ProgressContent } from './panel';
import {
  emptyProgressState,
  ICompareState,
  IProgressState,
  MAX_COMPARED,
  parseCompareState,
  parseProgressState
} from './state';

export const COMPARE_PLUGIN_ID = 'jupyterlab-experiments:compare';

const loadPanel = lazy(() => import('./panel'));

export const comparePlugin: JupyterFrontEndPlugin<void> = {
  id: COMPARE_PLUGIN_ID,
  description:
    'The Compare and Progress panels: runs side by side, their metric charts, parallel coordinates, images and code.',
  autoStart: true,
  requires: [IExperimentsClient],
  optional: [ILayoutRestorer, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    client: IExperimentsClient,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null
  ) => {
    const openBrowserView = (state: Partial<IViewState>) =>
      void app.commands.execute(CommandIDs.openBrowser, {
        state: state as unknown as ReadonlyPartialJSONObject
      });
    const actions: ICompareActions = {
      openRun: runId =>
        openBrowserView({ filter: idsFilter([runId]), selection: [runId] }),
      openCheckpoint: commit =>
        void app.commands.execute(CommandIDs.openCheckpoint, { commit }),
      diffCheckpoints: (from, to) =>
        void app.commands.execute(CommandIDs.diff, { old: from, new: to }),
      filterBrowser: filter => openBrowserView({ filter }),
      openBrowserView
    };

    const comparePanel = new ViewPanel<Partial<ICompareState>, CompareContent>({
      app,
      id: 'jp-experiments-compare',
      label: 'Compare Runs',
      caption: 'Runs side by side: params, metrics, charts',
      icon: lineFormIcon,
      className: 'jp-ExperimentsCompare-widget',
      command: CommandIDs.compare,
      restorer,
      load: async state =>
        (await loadPanel()).createCompareContent(
          { client, actions },
          state ?? {}
        ),
      viewChanged: content => content.model.stateChanged,
      apply: (content, state) => content.model.setState(state)
    });

    app.commands.addCommand(CommandIDs.compare, {
      label: 'Compare Runs',
      caption: `Compare 2 to ${MAX_COMPARED} runs side by side: params, metrics, charts, images, code`,
      describedBy: {
        args: {
          type: 'object',
          properties: {
            runIds: {
              type: 'array',
              items: { type: 'string' },
              description: 'The runs to compare, in column order'
            },
            state: {
              type: 'object',
              description: 'A compare view: {runIds, differencesOnly, xAxis, …}'
            }
          }
        }
      },
      execute: async args => {
        let state: Partial<ICompareState> = {};
        if (args.state !== undefined) {
          const parsed = parseCompareState(args.state);
          if (!parsed) {
            Notification.error('This compare view cannot be read.', {
              autoClose: 8000
            });
            return;
          }
          state = parsed;
        }
        if (Array.isArray(args.runIds)) {
          state.runIds = (args.runIds as unknown[]).filter(
            (id): id is string => typeof id === 'string'
          );
        }
        if (state.runIds && state.runIds.length > MAX_COMPARED) {
          Notification.warning(
            `Comparing the first ${MAX_COMPARED} of ${state.runIds.length} runs.`,
            { autoClose: 6000 }
          );
          state.runIds = state.runIds.slice(0, MAX_COMPARED);
        }
        return comparePanel.open(state.runIds ? state : null);
      }
    });

    const progressPanel = new ViewPanel<IProgressState, ProgressContent>({
      app,
      id: 'jp-experiments-progress',
      label: 'Progress',
      caption: 'Best so far over the runs of a filter',
      icon: lineFormIcon,
      className: 'jp-ExperimentsProgress-widget',
      command: CommandIDs.progress,
      restorer,
      load: async state =>
        (await loadPanel()).createProgressContent(
          { client, actions },
          state ?? emptyProgressState()
        ),
      viewChanged: content => content.stateChanged,
      apply: (content, state) => content.setState(state)
    });

    app.commands.addCommand(CommandIDs.progress, {
      label: 'Show Experiment Progress',
      caption:
        'The best value so far of a metric over the runs a filter selects, each improvement marked',
      describedBy: {
        args: {
          type: 'object',
          properties: {
            state: {
              type: 'object',
              description: 'A progress view: {filter, metric, direction}'
            }
          }
        }
      },
      execute: async args => {
        if (args.state === undefined) {
          return progressPanel.open(null);
        }
        const state = parseProgressState(args.state);
        if (!state) {
          Notification.error('This progress view cannot be read.', {
            autoClose: 8000
          });
          return;
        }
        return progressPanel.open(state);
      }
    });

    palette?.addItem({ command: CommandIDs.compare, category: 'Experiments' });
    palette?.addItem({ command: CommandIDs.progress, category: 'Experiments' });
  }
};
