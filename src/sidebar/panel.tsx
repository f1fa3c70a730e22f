import { JupyterFrontEnd } from '@jupyterlab/application';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import React from 'react';

import { ModelPanel } from '../common/sidePanel';
import { IExperimentsClient } from '../rest';
import { CommandIDs, IRunTracker } from '../tokens';
import { RunPanelModel } from './model';
import { RunView } from './RunView';

/** Move the notebook's active cell to the cell with this id. */
export async function revealCell(
  panel: NotebookPanel,
  cellId: string
): Promise<boolean> {
  const notebook = panel.content;
  const index = notebook.widgets.findIndex(cell => cell.model.id === cellId);
  if (index < 0) {
    return false;
  }
  notebook.activeCellIndex = index;
  await notebook.scrollToCell(notebook.widgets[index]);
  return true;
}

/** The run sidebar's content: its model and view, loaded on first show. */
export function createRunPanel(
  app: JupyterFrontEnd,
  notebooks: INotebookTracker,
  tracker: IRunTracker,
  client: IExperimentsClient
): ModelPanel<RunPanelModel> {
  const model = new RunPanelModel(notebooks, tracker, client);
  // One function, so images are not fetched again at each render.
  const imageUrl = (runId: string, imageId: string) =>
    client.runs.imageUrl(runId, imageId);
  return new ModelPanel(model, {
    id: 'jp-experiments-run-content',
    caption: 'Experiments: the current run',
    view: model => (
      <RunView
        run={model.run}
        series={model.series}
        hasNotebook={model.panel !== null}
        availability={model.availability}
        error={model.error}
        onCheckpoint={commit =>
          void app.commands.execute(CommandIDs.openCheckpoint, { commit })
        }
        imageUrl={imageUrl}
        onOpenBrowser={() =>
          void app.commands.execute(CommandIDs.openBrowser, {})
        }
        onCell={cellId => {
          if (model.panel) {
            void revealCell(model.panel, cellId);
          }
        }}
      />
    )
  });
}
