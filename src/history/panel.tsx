import { JupyterFrontEnd } from '@jupyterlab/application';
import {
  Clipboard,
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

/** What the History panel and the checkpoint view work with. */
export interface IHistoryDeps {
  app: JupyterFrontEnd;
  notebooks: INotebookTracker;
  checkpoints: ICheckpoints;
  rendermime: IRenderMimeRegistry;
  client: IExperimentsClient;
  editorServices: IEditorServices | null;
  contentFactory: NotebookPanel.IContentFactory | null;
}

/** A checkpoint, read-only, in the main area. */
export async function openCheckpoint(
  deps: IHistoryDeps,
  checkpoint: Pick<ICheckpointInfo, 'commit'> & Partial<ICheckpointInfo>
): Promise<void> {
  const { app, checkpoints, rendermime, editorServices, contentFactory } = deps;
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
    checkpoint.time ? new Date(checkpoint.time * 1000).toLocaleString() : null,
    'read-only'
  ]
    .filter(Boolean)
    .join('\n');
  widget.title.icon = historyIcon;
  widget.addClass('jp-Experiments-checkpointView');
  widget.disposed.connect(() => notebookModel.dispose());
  app.shell.add(widget, 'main');
}

/** The History panel's content: its model and view, loaded on first show. */
export function createHistoryPanel(
  deps: IHistoryDeps
): ModelPanel<HistoryModel> {
  const { app, notebooks, checkpoints, client } = deps;
  const model = new HistoryModel(notebooks, checkpoints, client);

  const restore = async (checkpoint: ICheckpointInfo) => {
    const panel = notebooks.currentWidget;
    if (!panel) {
      return;
    }
    const content = asRestoredCopy(await checkpoints.read(checkpoint.commit), {
      notebookId: model.notebookId,
      commit: checkpoint.commit
    });
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
      void openCheckpoint(deps, checkpoint).catch(reason =>
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
    diff: (checkpoint, against) => {
      const path = notebooks.currentWidget?.context.path;
      if (!path) {
        return;
      }
      const at = (commit: string) => `${path}@${commit}`;
      const [from, to] =
        against === 'previous'
          ? [
              checkpoint.parent ? at(checkpoint.parent) : null,
              at(checkpoint.commit)
            ]
          : against === 'latest'
            ? [at(checkpoint.commit), `${path}@latest`]
            : [at(checkpoint.commit), path];
      if (from) {
        void app.commands.execute(CommandIDs.diff, { old: from, new: to });
      }
    },
    changes: (checkpoint, against) => {
      if (against === 'previous') {
        return checkpoints.changedCells(checkpoint.parent, checkpoint.commit);
      }
      const latest = model.checkpoints[0]?.commit ?? checkpoint.commit;
      return checkpoints.changedCells(checkpoint.commit, latest);
    }
  };

  return new ModelPanel(model, {
    id: 'jp-experiments-history-content',
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
}
