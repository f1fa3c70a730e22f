import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, showErrorMessage } from '@jupyterlab/apputils';
import { IEditorServices } from '@jupyterlab/codeeditor';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { historyIcon } from '@jupyterlab/ui-components';

import { lazy } from '../common/lazy';
import { LazyPanel } from '../common/lazyPanel';
import { IExperimentsClient } from '../rest';
import { CommandIDs, ICheckpoints } from '../tokens';
import type { IHistoryDeps } from './panel';

/** The panel, the checkpoint view and their code: loaded on first use. */
const loadPanel = lazy(() => import('./panel'));

export const historyPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-experiments:history',
  description:
    'The checkpoint timeline of the active notebook: open, compare and restore.',
  autoStart: true,
  requires: [
    INotebookTracker,
    ICheckpoints,
    IRenderMimeRegistry,
    IExperimentsClient
  ],
  optional: [
    IEditorServices,
    NotebookPanel.IContentFactory,
    ILayoutRestorer,
    ICommandPalette
  ],
  activate: (
    app: JupyterFrontEnd,
    notebooks: INotebookTracker,
    checkpoints: ICheckpoints,
    rendermime: IRenderMimeRegistry,
    client: IExperimentsClient,
    editorServices: IEditorServices | null,
    contentFactory: NotebookPanel.IContentFactory | null,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null
  ) => {
    const deps: IHistoryDeps = {
      app,
      notebooks,
      checkpoints,
      rendermime,
      client,
      editorServices,
      contentFactory
    };
    const panel = new LazyPanel({
      id: 'jp-experiments-history',
      icon: historyIcon,
      caption: 'Experiments: notebook history',
      load: async () => (await loadPanel()).createHistoryPanel(deps)
    });
    app.shell.add(panel, 'right', { rank: 410 });
    restorer?.add(panel, panel.id);

    app.commands.addCommand(CommandIDs.history, {
      label: 'Show Notebook History',
      caption: 'Open the timeline of checkpoints of the active notebook',
      describedBy: { args: { type: 'object', properties: {} } },
      execute: () => app.shell.activateById(panel.id)
    });
    palette?.addItem({ command: CommandIDs.history, category: 'Experiments' });

    app.commands.addCommand(CommandIDs.openCheckpoint, {
      label: 'Open a Checkpoint',
      caption: 'Show a checkpoint of a notebook, read-only',
      describedBy: {
        args: {
          type: 'object',
          properties: {
            commit: { type: 'string', description: 'The checkpoint commit id' }
          },
          required: ['commit']
        }
      },
      execute: args =>
        loadPanel()
          .then(panel =>
            panel.openCheckpoint(deps, { commit: args.commit as string })
          )
          .catch(reason =>
            showErrorMessage('Cannot open the checkpoint', String(reason))
          )
    });
  }
};
