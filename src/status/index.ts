import {
  ILabShell,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStatusBar } from '@jupyterlab/statusbar';
import { Signal } from '@lumino/signaling';

import { CAPTURE_PLUGIN_ID } from '../capture';
import { IRunTracker } from '../tokens';
import { BackgroundStatusModel, KIND_TEXT } from './model';
import { showFailures, StatusItem } from './StatusItem';
import { BackgroundKind, IBackgroundStatus } from './tokens';

export { IBackgroundStatus } from './tokens';

/**
 * Provides where background requests report; it depends on nothing, so the
 * plugins that make those requests can report to it.
 */
export const backgroundStatusPlugin: JupyterFrontEndPlugin<IBackgroundStatus> =
  {
    id: 'jupyterlab-experiments:background-status',
    description:
      'Keeps the failures of background checkpoints and run requests.',
    autoStart: true,
    provides: IBackgroundStatus,
    activate: (): IBackgroundStatus => new BackgroundStatusModel()
  };

/**
 * One notification per outage of a kind, not one per failure; it turns into
 * a short success note once no notebook fails that kind any longer.
 */
function notifyOutages(status: IBackgroundStatus): void {
  const shown = new Map<BackgroundKind, string>();
  status.alerted.connect((_, failure) => {
    const text = KIND_TEXT[failure.kind];
    const actions: Notification.IAction[] = [
      {
        label: 'Details',
        caption: 'What failed, why, and what to do',
        callback: () => void showFailures(status)
      }
    ];
    if (failure.canRetry) {
      actions.push({
        label: 'Retry',
        caption: 'Try again now',
        displayType: 'accent',
        callback: () => status.retry({ kind: failure.kind })
      });
    }
    shown.set(
      failure.kind,
      Notification.warning(
        `${text.title} (${failure.notebookPath}): ${failure.message}`,
        { autoClose: false, actions }
      )
    );
  });
  status.recovered.connect((_, kind) => {
    const id = shown.get(kind);
    shown.delete(kind);
    if (id !== undefined) {
      Notification.update({
        id,
        message: KIND_TEXT[kind].recovered,
        type: 'success',
        autoClose: 4000,
        actions: []
      });
    }
  });
}

export const statusItemPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-experiments:status-item',
  description:
    "Shows the current notebook's run and last checkpoint in the status bar, and background failures as they happen.",
  autoStart: true,
  requires: [IBackgroundStatus, INotebookTracker, IRunTracker],
  optional: [IStatusBar, ISettingRegistry, ILabShell],
  activate: (
    app: JupyterFrontEnd,
    status: IBackgroundStatus,
    notebooks: INotebookTracker,
    runs: IRunTracker,
    statusBar: IStatusBar | null,
    settingRegistry: ISettingRegistry | null,
    labShell: ILabShell | null
  ): void => {
    notifyOutages(status);
    notebooks.widgetAdded.connect((_, panel) => {
      panel.disposed.connect(() => {
        const path = panel.context.path;
        if (
          !notebooks.find(
            other => other !== panel && other.context.path === path
          )
        ) {
          status.forget(path);
        }
      });
    });
    if (!statusBar) {
      return;
    }

    const settings = { tracking: true, checkpoints: true };
    const current = (): NotebookPanel | null => {
      const panel = notebooks.currentWidget;
      return panel && (!labShell || labShell.currentWidget === panel)
        ? panel
        : null;
    };
    const item = new StatusItem(
      () => {
        const panel = current();
        const path = panel?.context.path ?? null;
        return {
          ...settings,
          notebookPath: path,
          runId: panel ? runs.runId(panel) : null,
          lastCheckpoint:
            path !== null ? status.lastSuccess('checkpoint', path) : null,
          failures: status.failures(),
          now: Date.now()
        };
      },
      () => void showFailures(status)
    );
    const activeStateChanged = new Signal<StatusItem, void>(item);
    statusBar.registerStatusItem('jupyterlab-experiments:status', {
      item,
      align: 'left',
      rank: 5,
      isActive: () => current() !== null || status.failures().length > 0,
      activeStateChanged
    });
    const refresh = () => {
      activeStateChanged.emit();
      item.update();
    };
    notebooks.currentChanged.connect(refresh);
    labShell?.currentChanged.connect(refresh);
    runs.changed.connect(refresh);
    status.changed.connect(refresh);

    void settingRegistry
      ?.load(CAPTURE_PLUGIN_ID)
      .then(loaded => {
        const apply = () => {
          settings.tracking = loaded.get('trackRuns').composite as boolean;
          settings.checkpoints = loaded.get('checkpoints').composite as boolean;
          refresh();
        };
        apply();
        loaded.changed.connect(apply);
      })
      .catch(reason =>
        console.error('experiments: settings not loaded', reason)
      );
  }
};
