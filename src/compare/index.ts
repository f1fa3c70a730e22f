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
import {
  ICommandPalette,
  MainAreaWidget,
  Notification,
  WidgetTracker
} from '@jupyterlab/apputils';
import { lineFormIcon, tableRowsIcon } from '@jupyterlab/ui-components';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { errorMessage } from '../common/format';
import { lazy } from '../common/lazy';
import { LazyPanel } from '../common/lazyPanel';
import type { IViewState } from '../browser/viewState';
import { IExperimentsClient } from '../rest';
import { CommandIDs, ICheckpoints } from '../tokens';
import type { ICompareActions } from './CompareView';
import type { CompareContent, ProgressContent } from './panel';
import {
  ICompareState,
  IProgressState,
  MAX_COMPARED,
  parseCompareState,
  parseProgressState
} from './state';

export const COMPARE_PLUGIN_ID = 'jupyterlab-experiments:compare';

const loadPanel = lazy(() => import('./panel'));

/** The filter that shows exactly these runs in the browser. */
export function idFilter(runIds: readonly string[]): string {
  return `id IN (${runIds.map(id => `'${id.replace(/'/g, "''")}'`).join(', ')})`;
}

export const comparePlugin: JupyterFrontEndPlugin<void> = {
  id: COMPARE_PLUGIN_ID,
  description:
    'The Compare and Progress panels: runs side by side, their metric charts, parallel coordinates, images and code.',
  autoStart: true,
  requires: [IExperimentsClient],
  optional: [ILayoutRestorer, ICommandPalette, ICheckpoints],
  activate: (
    app: JupyterFrontEnd,
    client: IExperimentsClient,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    checkpoints: ICheckpoints | null
  ) => {
    const openBrowserView = (state: Partial<IViewState>) =>
      void app.commands.execute(CommandIDs.openBrowser, {
        state: state as unknown as ReadonlyPartialJSONObject
      });
    const actions: ICompareActions = {
      openRun: runId =>
        openBrowserView({ filter: idFilter([runId]), selection: [runId] }),
      openCheckpoint: commit =>
        void app.commands.execute(CommandIDs.openCheckpoint, { commit }),
      diffCheckpoints: (from, to) => void diff(from, to),
      filterBrowser: filter => openBrowserView({ filter }),
      openBrowserView
    };

    /**
     * Until a notebook diff view exists: both checkpoints open side by side,
     * and which cells changed between them is said.
     */
    const diff = async (from: string, to: string) => {
      await app.commands.execute(CommandIDs.openCheckpoint, { commit: from });
      await app.commands.execute(CommandIDs.openCheckpoint, { commit: to });
      if (!checkpoints) {
        return;
      }
      try {
        const changes = await checkpoints.changedCells(from, to);
        const counts = new Map<string, number>();
        for (const change of changes.values()) {
          counts.set(change, (counts.get(change) ?? 0) + 1);
        }
        const text = [...counts]
          .map(([change, n]) => `${n} ${change}`)
          .join(', ');
        Notification.info(
          changes.size
            ? `Between ${from.slice(0, 7)} and ${to.slice(0, 7)}: ${changes.size} ${changes.size === 1 ? 'cell differs' : 'cells differ'} (${text}).`
            : `The notebooks at ${from.slice(0, 7)} and ${to.slice(0, 7)} have the same cells.`,
          { autoClose: 10000 }
        );
      } catch (reason) {
        Notification.error(
          `Could not compare the checkpoints: ${errorMessage(reason)}`,
          { autoClose: 8000 }
        );
      }
    };

    // The Compare panel.
    const compareTracker = new WidgetTracker<MainAreaWidget<LazyPanel>>({
      namespace: 'experiments-compare'
    });
    const compareViews = new WeakMap<
      MainAreaWidget<LazyPanel>,
      ICompareState
    >();
    const compareContent = async (widget: MainAreaWidget<LazyPanel>) =>
      (await widget.content.ready()) as CompareContent;

    const createCompare = (state: Partial<ICompareState>) => {
      const lazyPanel = new LazyPanel({
        id: 'jp-experiments-compare-content',
        icon: lineFormIcon,
        caption: 'Experiments: compare runs',
        load: async () => {
          const panel = await loadPanel();
          const content = panel.createCompareContent(
            { client, actions },
            state
          );
          content.model.stateChanged.connect((_, view) => {
            compareViews.set(widget, view);
            void compareTracker.save(widget);
          });
          return content;
        }
      });
      const widget = new MainAreaWidget({ content: lazyPanel });
      widget.id = 'jp-experiments-compare';
      widget.title.label = 'Compare Runs';
      widget.title.caption = 'Runs side by side: params, metrics, charts';
      widget.title.icon = lineFormIcon;
      widget.title.closable = true;
      widget.addClass('jp-ExperimentsCompare-widget');
      if (state.runIds) {
        compareViews.set(widget, state as ICompareState);
      }
      return widget;
    };

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
        let widget = compareTracker.find(() => true);
        if (!widget || widget.isDisposed) {
          widget = createCompare(state);
          void compareTracker.add(widget);
          app.shell.add(widget, 'main');
        } else if (state.runIds) {
          (await compareContent(widget)).model.setState(state);
        }
        app.shell.activateById(widget.id);
        return widget;
      }
    });

    // The Progress panel.
    const progressTracker = new WidgetTracker<MainAreaWidget<LazyPanel>>({
      namespace: 'experiments-progress'
    });
    const progressViews = new WeakMap<
      MainAreaWidget<LazyPanel>,
      IProgressState
    >();
    const createProgress = (state: IProgressState) => {
      const lazyPanel = new LazyPanel({
        id: 'jp-experiments-progress-content',
        icon: tableRowsIcon,
        caption: 'Experiments: progress',
        load: async () => {
          const panel = await loadPanel();
          const content = panel.createProgressContent(
            { client, actions },
            state
          );
          content.stateChanged.connect((_, view) => {
            progressViews.set(widget, view);
            void progressTracker.save(widget);
          });
          return content;
        }
      });
      const widget = new MainAreaWidget({ content: lazyPanel });
      widget.id = 'jp-experiments-progress';
      widget.title.label = 'Progress';
      widget.title.caption = 'Best so far over the runs of a filter';
      widget.title.icon = lineFormIcon;
      widget.title.closable = true;
      widget.addClass('jp-ExperimentsProgress-widget');
      progressViews.set(widget, state);
      return widget;
    };

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
        const state =
          args.state === undefined
            ? parseProgressState({})
            : parseProgressState(args.state);
        if (!state) {
          Notification.error('This progress view cannot be read.', {
            autoClose: 8000
          });
          return;
        }
        let widget = progressTracker.find(() => true);
        if (!widget || widget.isDisposed) {
          widget = createProgress(state);
          void progressTracker.add(widget);
          app.shell.add(widget, 'main');
        } else if (args.state !== undefined) {
          ((await widget.content.ready()) as ProgressContent).setState(state);
        }
        app.shell.activateById(widget.id);
        return widget;
      }
    });

    palette?.addItem({ command: CommandIDs.compare, category: 'Experiments' });
    palette?.addItem({ command: CommandIDs.progress, category: 'Experiments' });

    if (restorer) {
      void restorer.restore(compareTracker, {
        command: CommandIDs.compare,
        args: widget => {
          const view = compareViews.get(widget);
          return (
            view ? { state: view as unknown as ReadonlyPartialJSONObject } : {}
          ) as ReadonlyPartialJSONObject;
        },
        name: () => 'experiments-compare'
      });
      void restorer.restore(progressTracker, {
        command: CommandIDs.progress,
        args: widget => {
          const view = progressViews.get(widget);
          return (
            view ? { state: view as unknown as ReadonlyPartialJSONObject } : {}
          ) as ReadonlyPartialJSONObject;
        },
        name: () => 'experiments-progress'
      });
    }
  }
};
