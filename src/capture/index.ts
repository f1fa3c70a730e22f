import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { Widget } from '@lumino/widgets';

import { addNotebookCommand } from '../common/notebookCommand';
import { IExperimentsClient } from '../rest';
import { IBackgroundStatus } from '../status/tokens';
import { CommandIDs, IRunTracker, LOG_MIME_TYPE } from '../tokens';
import { RunTracker } from './tracker';

export const CAPTURE_PLUGIN_ID = 'jupyterlab-experiments:capture';

/**
 * Log messages from kernels are relayed to the store as they arrive; in the
 * notebook they render as nothing.
 */
function registerSilentLogRenderer(rendermime: IRenderMimeRegistry): void {
  rendermime.addFactory(
    {
      safe: true,
      mimeTypes: [LOG_MIME_TYPE],
      defaultRank: 0,
      createRenderer: () => {
        const widget = new Widget();
        widget.addClass('jp-Experiments-logOutput');
        return Object.assign(widget, {
          renderModel: () => Promise.resolve()
        });
      }
    },
    0
  );
}

export const capturePlugin: JupyterFrontEndPlugin<IRunTracker> = {
  id: CAPTURE_PLUGIN_ID,
  description:
    'Records runs of notebooks and attaches kernels to them for logging.',
  autoStart: true,
  requires: [INotebookTracker, IExperimentsClient],
  optional: [
    ISettingRegistry,
    ICommandPalette,
    IRenderMimeRegistry,
    IBackgroundStatus
  ],
  provides: IRunTracker,
  activate: (
    app: JupyterFrontEnd,
    notebooks: INotebookTracker,
    client: IExperimentsClient,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null,
    rendermime: IRenderMimeRegistry | null,
    status: IBackgroundStatus | null
  ): IRunTracker => {
    const tracker = new RunTracker(notebooks, client, '');
    tracker.background = status;
    // Runs start once the server has said where its store is, and only if
    // the user wants them tracked.
    let serverAnswered = false;
    let trackRuns = true;
    const apply = () => (tracker.enabled = serverAnswered && trackRuns);
    apply();

    // Asked when the first notebook opens, not at start-up: a kernel takes
    // far longer to start than this request to come back.
    const askServer = () => {
      notebooks.widgetAdded.disconnect(askServer);
      void client.info.get().then(
        info => {
          tracker.storeDir = info.store_dir;
          serverAnswered = true;
          apply();
        },
        reason => {
          const path = notebooks.currentWidget?.context.path ?? '';
          status?.failed(
            'run-start',
            path,
            new Error(
              `The server extension is not answering (${reason}): runs are not tracked. Is jupyterlab_experiments enabled in \`jupyter server extension list\`? Reload the page once it is.`
            )
          );
          console.error('experiments: no answer from the server', reason);
        }
      );
    };
    if (notebooks.size > 0) {
      askServer();
    } else {
      notebooks.widgetAdded.connect(askServer);
    }

    if (settingRegistry) {
      void settingRegistry.load(CAPTURE_PLUGIN_ID).then(settings => {
        const read = () => {
          trackRuns = settings.get('trackRuns').composite as boolean;
          apply();
        };
        read();
        settings.changed.connect(read);
      });
    }
    if (rendermime) {
      registerSilentLogRenderer(rendermime);
    }

    addNotebookCommand(app, notebooks, palette, CommandIDs.newRun, {
      label: 'Start a New Run',
      caption:
        'End the current run of this notebook; the next execution starts a new one',
      failure: 'Could not end the run',
      execute: panel => tracker.newRun(panel)
    });
    return tracker;
  }
};
