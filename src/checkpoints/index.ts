import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  Notification,
  showErrorMessage
} from '@jupyterlab/apputils';
import { ICell, INotebookContent } from '@jupyterlab/nbformat';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { Contents } from '@jupyterlab/services';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { historyIcon } from '@jupyterlab/ui-components';
import { ISignal, Signal } from '@lumino/signaling';

import { addNotebookCommand } from '../common/notebookCommand';
import { CAPTURE_PLUGIN_ID } from '../capture';
import { IExperimentsClient } from '../rest';
import { IBackgroundStatus } from '../status/tokens';
import {
  CellChange,
  CommandIDs,
  ICheckpoints,
  ICheckpointTaken,
  IExecutionEvent,
  IRunTracker
} from '../tokens';
import { lazy } from '../common/lazy';
import { METADATA_KEY, readNotebookId } from '../common/notebookId';
import { CellIdOffers, upgradeToCellIds } from './cellIds';
import type { ICheckpointCause, NotebookCheckpointer } from './checkpointer';
import type { CheckpointReader } from './reader';
import type { IDiffOptions, INotebookDiff } from '../diff/types';

/** isomorphic-git and the writer and reader: loaded on first use. */
const loadEngine = lazy(() => import('./engine'));

class Checkpoints implements ICheckpoints {
  constructor(
    private _notebooks: INotebookTracker,
    private _contents: Contents.IManager,
    private _client: IExperimentsClient
  ) {}

  /** Checkpoint after each execution (a user setting). */
  automatic = true;

  /** Where checkpoints report how they went. */
  status: IBackgroundStatus | null = null;

  get checkpointed(): ISignal<
    ICheckpoints,
    { panel: NotebookPanel; commit: string }
  > {
    return this._checkpointed;
  }

  onExecuted(event: IExecutionEvent): void {
    if (this.automatic && this._notebooks.has(event.panel)) {
      const request = {
        cellIndex: event.cellIndex,
        trailers: {
          runId: event.runId,
          cellId: event.cellId,
          executionCount: event.executionCount,
          status: event.status,
          duration: event.duration
        }
      };
      // Requests keep their order: each waits on the same checkpointer.
      this._for(event.panel).then(
        checkpointer => checkpointer.request(request),
        reason =>
          this.status?.failed('checkpoint', event.panel.context.path, reason)
      );
    }
  }

  async checkpoint(panel: NotebookPanel): Promise<ICheckpointTaken> {
    const cause: ICheckpointCause = { cellIndex: null, trailers: {} };
    return (await this._for(panel)).now(cause);
  }

  async read(commit: string): Promise<INotebookContent> {
    return (await this._reader()).readNotebook(commit);
  }

  async diff(
    from: string,
    to: string,
    options?: IDiffOptions
  ): Promise<INotebookDiff> {
    const [{ diffCheckpoints }, reader] = await Promise.all([
      loadEngine(),
      this._reader()
    ]);
    return diffCheckpoints(reader, from, to, options);
  }

  async readCell(tree: string): Promise<ICell> {
    return (await this._reader()).readCell(tree);
  }

  async changedCells(
    from: string | null,
    to: string
  ): Promise<Map<string, CellChange>> {
    const changes = new Map<string, CellChange>();
    if (from === null) {
      return changes;
    }
    const reader = await this._reader();
    for (const change of await reader.changedCells(from, to)) {
      if (change.status !== 'unchanged') {
        changes.set(change.key, change.status);
      } else if (change.moved) {
        changes.set(change.key, 'moved');
      }
    }
    return changes;
  }

  /** The panel's checkpointer, made (and the engine loaded) on first use. */
  private _for(panel: NotebookPanel): Promise<NotebookCheckpointer> {
    let checkpointer = this._panels.get(panel);
    if (!checkpointer) {
      checkpointer = loadEngine().then(({ NotebookCheckpointer }) => {
        if (panel.isDisposed) {
          throw new Error(`${panel.context.path} was closed`);
        }
        const made = new NotebookCheckpointer(panel, this._client, {
          landed: commit => this._checkpointed.emit({ panel, commit }),
          exists: path =>
            this._contents.get(path, { content: false }).then(
              () => true,
              () => false
            ),
          separated: original =>
            Notification.info(
              `New history for this copy: ${panel.context.path} had the id of ${original}.`,
              { autoClose: 5000 }
            ),
          failed: (reason, retry) =>
            this.status?.failed('checkpoint', panel.context.path, reason, retry)
        });
        panel.disposed.connect(() => made.dispose());
        return made;
      });
      this._panels.set(panel, checkpointer);
      // A failed load is tried again at the next request.
      checkpointer.catch(() => this._panels.delete(panel));
      panel.disposed.connect(() => this._panels.delete(panel));
    }
    return checkpointer;
  }

  private _panels = new Map<NotebookPanel, Promise<NotebookCheckpointer>>();
  private _reader = lazy(async (): Promise<CheckpointReader> => {
    const { CheckpointReader, batchedReads } = await loadEngine();
    return new CheckpointReader(
      batchedReads(oids => this._client.git.readObjects(oids))
    );
  });
  private _checkpointed = new Signal<
    ICheckpoints,
    { panel: NotebookPanel; commit: string }
  >(this);
}

/**
 * Offers to upgrade a notebook that saves no cell ids to nbformat 4.5, once
 * per notebook and session, unless the user said not to ask again.
 */
function offerCellIds(
  notebooks: INotebookTracker,
  offers: CellIdOffers,
  settings: Promise<ISettingRegistry.ISettings | null>
): void {
  const upgrade = async (panel: NotebookPanel) => {
    if (!panel.model || panel.isDisposed) {
      return;
    }
    try {
      upgradeToCellIds(panel.model);
      await panel.context.save();
    } catch (reason) {
      await showErrorMessage('Could not upgrade the notebook', String(reason));
    }
  };
  notebooks.widgetAdded.connect((_, panel) => {
    void Promise.all([settings, panel.context.ready]).then(([loaded]) => {
      const model = panel.model;
      const format = model && {
        nbformat: model.nbformat,
        nbformat_minor: model.nbformatMinor
      };
      if (!format || !offers.take(panel.context.path, format)) {
        return;
      }
      Notification.info(
        `${panel.title.label} saves no cell ids (nbformat ${format.nbformat}.${format.nbformat_minor}), so its history matches cells by content. Cell ids make it exact.`,
        {
          autoClose: false,
          actions: [
            {
              label: 'Upgrade to 4.5',
              caption: 'Save the notebook now as nbformat 4.5, with cell ids',
              displayType: 'accent',
              callback: () => void upgrade(panel)
            },
            {
              label: "Don't ask again",
              callback: () => {
                offers.enabled = false;
                void loaded?.set('offerCellIds', false);
              }
            }
          ]
        }
      );
    });
  });
}

/**
 * A notebook that opens with a history shows its latest checkpoint's time in
 * the status bar, not "no checkpoint yet" until its next execution.
 */
function showLatestCheckpoint(
  notebooks: INotebookTracker,
  client: IExperimentsClient,
  status: IBackgroundStatus
): void {
  notebooks.widgetAdded.connect((_, panel) => {
    void panel.context.ready
      .then(async () => {
        const id = readNotebookId(panel.model?.getMetadata(METADATA_KEY));
        if (!id || panel.isDisposed) {
          return;
        }
        const { checkpoints } = await client.git.log(id, { limit: 1 });
        if (checkpoints.length && !panel.isDisposed) {
          status.seen(
            'checkpoint',
            panel.context.path,
            checkpoints[0].time * 1000
          );
        }
      })
      .catch(reason =>
        // Only the time shown is missing: the next checkpoint sets it.
        console.warn('experiments: latest checkpoint not read', reason)
      );
  });
}

export const checkpointsPlugin: JupyterFrontEndPlugin<ICheckpoints> = {
  id: 'jupyterlab-experiments:checkpoints',
  description:
    'Checkpoints every cell execution into a git repository, cell by cell.',
  autoStart: true,
  requires: [INotebookTracker, IRunTracker, IExperimentsClient],
  optional: [ISettingRegistry, ICommandPalette, IBackgroundStatus],
  provides: ICheckpoints,
  activate: (
    app: JupyterFrontEnd,
    notebooks: INotebookTracker,
    runs: IRunTracker,
    client: IExperimentsClient,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null,
    status: IBackgroundStatus | null
  ): ICheckpoints => {
    const checkpoints = new Checkpoints(
      notebooks,
      app.serviceManager.contents,
      client
    );
    runs.executed.connect((_, event) => checkpoints.onExecuted(event));
    checkpoints.status = status;
    checkpoints.checkpointed.connect((_, { panel }) =>
      status?.succeeded('checkpoint', panel.context.path)
    );
    if (status) {
      showLatestCheckpoint(notebooks, client, status);
    }
    const settings = settingRegistry
      ? settingRegistry.load(CAPTURE_PLUGIN_ID).catch(reason => {
          console.error('experiments: settings not loaded', reason);
          return null;
        })
      : Promise.resolve(null);
    const offers = new CellIdOffers();
    void settings.then(loaded => {
      if (!loaded) {
        return;
      }
      const apply = () => {
        checkpoints.automatic = loaded.get('checkpoints').composite as boolean;
        offers.enabled = loaded.get('offerCellIds').composite as boolean;
      };
      apply();
      loaded.changed.connect(apply);
    });
    offerCellIds(notebooks, offers, settings);

    addNotebookCommand(app, notebooks, palette, CommandIDs.checkpoint, {
      label: 'Take a Checkpoint',
      caption: 'Record the notebook as it is now in its history',
      icon: historyIcon,
      failure: 'Could not take a checkpoint',
      execute: async panel => {
        const { commit } = await checkpoints.checkpoint(panel);
        Notification.success(`Checkpoint ${commit.slice(0, 7)} taken`, {
          autoClose: 2000
        });
      }
    });
    return checkpoints;
  }
};
