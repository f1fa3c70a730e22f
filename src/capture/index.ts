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
  activate: async (
    app: JupyterFrontEnd,
    notebooks: INotebookTracker,
    client: IExperimentsClient,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null,
    rendermime: IRenderMimeRegistry | null,
    status: IBackgroundStatus | null
  ): Promise<IRunTracker> => {
    let storeDir = '';
    try {
      storeDir = (await client.info.get()).store_dir;
    } catch (reason) {
      console.error(
        'experiments: the server extension is not answering; is jupyterlab_experiments enabled in `jupyter server extension list`?',
        reason
      );
    }
    const tracker = new RunTracker(notebooks, client, storeDir);
    tracker.enabled = storeDir !== '';
    tracker.background = status;

    if (settingRegistry) {
      void settingRegistry.load(CAPTURE_PLUGIN_ID).then(settings => {
        const apply = () => {
          tracker.enabled =
            storeDir !== '' && (settings.get('trackRuns').composite as boolean);
        };
        apply();
        settings.changed.connect(apply);
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
