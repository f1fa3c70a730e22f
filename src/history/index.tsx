import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  Clipboard,
  ICommandPalette,
  MainAreaWidget,
  Notification,
  showErrorMessage
} from '@jupyterlab/apputils';
import { IEditorServices } from '@jupyterlab/codeeditor';
import {
  INotebookTracker,
  NotebookModel,
  NotebookPanel,
  StaticNotebook
} from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { historyIcon } from '@jupyterlab/ui-components';
import React from 'react';

import { ModelPanel } from '../common/sidePanel';
import { ICheckpointInfo, IExperimentsClient } from '../rest';
import { CommandIDs, ICheckpoints } from '../tokens';
import { HistoryModel } from './model';
import { asRestoredCopy, restorePaths } from './restore';
import { HistoryView, IHistoryActions } from './HistoryView';

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
    const model = new HistoryModel(notebooks, checkpoints, client);

    const open = async (
      checkpoint: Pick<ICheckpointInfo, 'commit'> & Partial<ICheckpointInfo>
    ) => {
      if (!editorServices || !contentFactory) {
        await showErrorMessage(
          'Cannot show the checkpoint',
          'The notebook editor services are not available.'
        );
        return;
      }
      const content = await checkpoints.read(checkpoint.commit);
      const notebookModel = new NotebookModel();
      notebookModel.fromJSON(content);
      const notebook = new StaticNotebook({
        rendermime,
        contentFactory,
        mimeTypeService: editorServices.mimeTypeService
      });
      notebook.model = notebookModel;
      notebook.widgets.forEach(cell => (cell.readOnly = true));
      const widget = new MainAreaWidget({ content: notebook });
      widget.id = `jp-experiments-checkpoint-${checkpoint.commit}`;
      widget.title.label = `${checkpoint.commit.slice(0, 7)} (checkpoint)`;
      widget.title.caption = [
        checkpoint.message ?? checkpoint.commit,
        checkpoint.time
          ? new Date(checkpoint.time * 1000).toLocaleString()
          : null,
        'read-only'
      ]
        .filter(Boolean)
        .join('\n');
      widget.title.icon = historyIcon;
      widget.addClass('jp-Experiments-checkpointView');
      widget.disposed.connect(() => notebookModel.dispose());
      app.shell.add(widget, 'main');
    };

    const restore = async (checkpoint: ICheckpointInfo) => {
      const panel = notebooks.currentWidget;
      if (!panel) {
        return;
      }
      const content = asRestoredCopy(
        await checkpoints.read(checkpoint.commit),
        {
          notebookId: model.notebookId,
          commit: checkpoint.commit
        }
      );
      const contents = app.serviceManager.contents;
      for (const path of restorePaths(panel.context.path, checkpoint.commit)) {
        const exists = await contents.get(path, { content: false }).then(
          () => true,
          () => false
        );
        if (!exists) {
          await contents.save(path, {
            type: 'notebook',
            format: 'json',
            content
          });
          Notification.success(`Restored as ${path}`, { autoClose: 4000 });
          await app.commands.execute('docmanager:open', { path });
          return;
        }
      }
    };

    const actions: IHistoryActions = {
      open: checkpoint =>
        void open(checkpoint).catch(reason =>
          showErrorMessage('Cannot open the checkpoint', String(reason))
        ),
      restore: checkpoint =>
        void restore(checkpoint).catch(reason =>
          showErrorMessage('Cannot restore the checkpoint', String(reason))
        ),
      copyId: checkpoint => {
        Clipboard.copyToSystem(checkpoint.commit);
        Notification.info(`Copied ${checkpoint.commit}`, { autoClose: 2000 });
      },
      changes: (checkpoint, against) => {
        if (against === 'previous') {
          return checkpoints.changedCells(checkpoint.parent, checkpoint.commit);
        }
        const latest = model.checkpoints[0]?.commit ?? checkpoint.commit;
        return checkpoints.changedCells(checkpoint.commit, latest);
      }
    };

    const panel = new ModelPanel(model, {
      id: 'jp-experiments-history',
      icon: historyIcon,
      caption: 'Experiments: notebook history',
      view: model => (
        <HistoryView
          hasNotebook={model.hasNotebook}
          checkpoints={model.checkpoints}
          total={model.total}
          loading={model.loading}
          error={model.error}
          onMore={() => void model.loadMore()}
          actions={actions}
        />
      )
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
        open({ commit: args.commit as string }).catch(reason =>
          showErrorMessage('Cannot open the checkpoint', String(reason))
        )
    });
  }
};
