import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { LabIcon } from '@jupyterlab/ui-components';

import { CAPTURE_PLUGIN_ID } from '../capture';
import { LazyPanel } from '../common/lazyPanel';
import type { ModelPanel } from '../common/sidePanel';
import { IExperimentsClient } from '../rest';
import { CommandIDs, IRunTracker } from '../tokens';
import type { RunPanelModel } from './model';

const flaskIcon = new LabIcon({
  name: 'jupyterlab-experiments:flask',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="16"><path class="jp-icon3" fill="#616161" d="M9 2h6v2h-1v5.2l5.6 9.4A2 2 0 0 1 17.9 22H6.1a2 2 0 0 1-1.7-3.4L10 9.2V4H9V2zm3 9-3.6 6h7.2L12 11z"/></svg>'
});

export const sidebarPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-experiments:sidebar',
  description: "A sidebar showing the active notebook's current run, live.",
  autoStart: true,
  requires: [INotebookTracker, IRunTracker, IExperimentsClient],
  optional: [ILayoutRestorer, ISettingRegistry, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    notebooks: INotebookTracker,
    tracker: IRunTracker,
    client: IExperimentsClient,
    restorer: ILayoutRestorer | null,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null
  ) => {
    let pollInterval: number | null = null;
    const panel = new LazyPanel({
      id: 'jp-experiments-run',
      icon: flaskIcon,
      caption: 'Experiments: the current run',
      load: async () => {
        const { createRunPanel } = await import('./panel');
        const content = createRunPanel(app, notebooks, tracker, client);
        if (pollInterval !== null) {
          content.model.pollInterval = pollInterval;
        }
        return content;
      }
    });
    app.shell.add(panel, 'right', { rank: 400 });
    restorer?.add(panel, panel.id);

    if (settingRegistry) {
      void settingRegistry.load(CAPTURE_PLUGIN_ID).then(settings => {
        const apply = () => {
          pollInterval = settings.get('pollInterval').composite as number;
          const content = panel.content as ModelPanel<RunPanelModel> | null;
          if (content) {
            content.model.pollInterval = pollInterval;
          }
        };
        apply();
        settings.changed.connect(apply);
      });
    }

    app.commands.addCommand(CommandIDs.showRun, {
      label: 'Show the Current Run',
      caption: "Open the Experiments sidebar on the active notebook's run",
      describedBy: { args: { type: 'object', properties: {} } },
      execute: () => app.shell.activateById(panel.id)
    });
    palette?.addItem({ command: CommandIDs.showRun, category: 'Experiments' });
  }
};
