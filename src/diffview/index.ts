/**
 * Plugin `jupyterlab-experiments:diff`: the commands that open a notebook
 * diff in the main area — two references (`experiments:diff`), the current
 * notebook against its last checkpoint (a notebook toolbar button), and the
 * file browser's selection. Only this shell loads at start-up; the engine
 * and the view (CodeMirror's merge view) are fetched on first use.
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
  showErrorMessage,
  WidgetTracker
} from '@jupyterlab/apputils';
import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import type * as nbformat from '@jupyterlab/nbformat';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { Contents } from '@jupyterlab/services';

import { errorMessage } from '../common/format';
import { lazy } from '../common/lazy';
import { METADATA_KEY, readNotebookId } from '../common/notebookId';
import type { ICellDiff, INotebookDiff } from '../diff/types';
import { IExperimentsClient } from '../rest';
import { CommandIDs, ICheckpoints } from '../tokens';
import { diffIcon } from './icon';
import {
  DiffRef,
  exportPaths,
  formatRef,
  notebookLanguage,
  notebookToScript,
  parseRef,
  refLabel
} from './refs';

export const DIFF_PLUGIN_ID = 'jupyterlab-experiments:diff';

const loadPanel = lazy(() => import('./panel'));
const loadWorker = lazy(() => import('../diff/inWorker'));

/** One side of a diff, resolved. */
interface ISide {
  ref: DiffRef;
  label: string;
  /** The checkpoint it is, if it is one. */
  commit: string | null;
  /** The notebook file it belongs to, if known. */
  path: string | null;
  load(): Promise<nbformat.INotebookContent>;
}

export const diffPlugin: JupyterFrontEndPlugin<void> = {
  id: DIFF_PLUGIN_ID,
  description:
    'Notebook diffs: two notebooks, two checkpoints, or a notebook and a checkpoint, cell by cell.',
  autoStart: true,
  requires: [ICheckpoints, IRenderMimeRegistry, IExperimentsClient],
  optional: [
    INotebookTracker,
    IEditorLanguageRegistry,
    ICommandPalette,
    IDefaultFileBrowser,
    ILayoutRestorer
  ],
  activate: (
    app: JupyterFrontEnd,
    checkpoints: ICheckpoints,
    rendermime: IRenderMimeRegistry,
    client: IExperimentsClient,
    notebooks: INotebookTracker | null,
    languages: IEditorLanguageRegistry | null,
    palette: ICommandPalette | null,
    fileBrowser: IDefaultFileBrowser | null,
    restorer: ILayoutRestorer | null
  ) => {
    const contents = app.serviceManager.contents;
    const tracker = new WidgetTracker<MainAreaWidget>({
      namespace: 'experiments-diff'
    });
    const refsOf = new WeakMap<MainAreaWidget, { old: string; new: string }>();
    let count = 0;

    const openPanel = (path: string): NotebookPanel | null =>
      notebooks?.find(panel => panel.context.path === path) ?? null;

    const readFile = async (path: string) => {
      const panel = openPanel(path);
      if (panel) {
        // A panel being restored has an empty model until its file is read.
        await panel.context.ready;
        return panel.context.model.toJSON() as nbformat.INotebookContent;
      }
      const model = await contents.get(path, {
        type: 'notebook',
        content: true
      });
      return model.content as nbformat.INotebookContent;
    };

    const latestCheckpoint = async (path: string): Promise<string> => {
      const notebook = await readFile(path);
      const id = readNotebookId(notebook.metadata?.[METADATA_KEY]);
      const latest = id
        ? (await client.git.log(id, { limit: 1 })).checkpoints[0]
        : undefined;
      if (!latest) {
        throw new Error(
          `${path} has no checkpoint yet: run a cell, or use Experiments: Checkpoint, first.`
        );
      }
      return latest.commit;
    };

    const resolve = async (ref: DiffRef): Promise<ISide> => {
      if (ref.kind === 'file') {
        return {
          ref,
          label: refLabel(ref),
          commit: null,
          path: ref.path,
          load: () => readFile(ref.path)
        };
      }
      const commit =
        ref.kind === 'latest' ? await latestCheckpoint(ref.path) : ref.commit;
      return {
        ref,
        label: refLabel(ref, commit),
        commit,
        path: ref.path,
        load: () => checkpoints.read(commit)
      };
    };

    /** Restore a cell's old version into the open notebook, undoably. */
    const restoreCell = async (path: string, cell: ICellDiff) => {
      const old =
        cell.old ??
        (cell.oldTree ? await checkpoints.readCell(cell.oldTree) : null);
      if (!old) {
        return;
      }
      const panel =
        openPanel(path) ??
        ((await app.commands.execute('docmanager:open', {
          path
        })) as NotebookPanel);
      await panel.context.ready;
      const shared = panel.context.model.sharedModel;
      const source = Array.isArray(old.source)
        ? old.source.join('')
        : old.source;
      const newId = cell.new?.id as string | undefined;
      let index = newId ? shared.cells.findIndex(c => c.id === newId) : -1;
      if (index < 0 && cell.new) {
        const current = Array.isArray(cell.new.source)
          ? cell.new.source.join('')
          : cell.new.source;
        index = shared.cells.findIndex(c => c.getSource() === current);
      }
      if (index >= 0) {
        shared.cells[index].setSource(source);
        Notification.success(
          `Restored cell ${index + 1} of ${panel.context.path}: undo with Ctrl+Z in the cell.`,
          { autoClose: 4000 }
        );
      } else {
        const at = Math.min(
          cell.oldIndex ?? shared.cells.length,
          shared.cells.length
        );
        shared.insertCell(at, {
          cell_type: old.cell_type,
          source,
          metadata: old.metadata ?? {}
        });
        Notification.success(
          `Inserted the removed cell as cell ${at + 1} of ${panel.context.path}.`,
          { autoClose: 4000 }
        );
      }
      app.shell.activateById(panel.id);
    };

    const exportSide = async (
      side: ISide,
      format: 'ipynb' | 'py'
    ): Promise<void> => {
      const notebook = await side.load();
      const extension = format === 'ipynb' ? '.ipynb' : '.py';
      const label = side.commit ? side.commit.slice(0, 7) : 'now';
      for (const path of exportPaths(
        side.path ?? 'notebook.ipynb',
        label,
        extension
      )) {
        const exists = await contents.get(path, { content: false }).then(
          () => true,
          () => false
        );
        if (exists) {
          continue;
        }
        const model: Partial<Contents.IModel> =
          format === 'ipynb'
            ? { type: 'notebook', format: 'json', content: notebook }
            : {
                type: 'file',
                format: 'text',
                content: notebookToScript(notebook)
              };
        await contents.save(path, model);
        Notification.success(`Exported as ${path}`, { autoClose: 4000 });
        await app.commands.execute('docmanager:open', { path });
        return;
      }
      throw new Error('Every export name next to the notebook is taken.');
    };

    const computeDiff = async (a: ISide, b: ISide): Promise<INotebookDiff> => {
      if (a.commit && b.commit) {
        return checkpoints.diff(a.commit, b.commit);
      }
      const [x, y, { diffInBackground }] = await Promise.all([
        a.load(),
        b.load(),
        loadWorker()
      ]);
      return diffInBackground(x, y);
    };

    const open = async (oldText: string, newText: string) => {
      const [a, b] = await Promise.all([
        resolve(parseRef(oldText)),
        resolve(parseRef(newText))
      ]);
      const target = b.path ?? a.path;
      const live = target ? openPanel(target) : null;
      const language = live?.context.model
        ? notebookLanguage(
            live.context.model.toJSON() as nbformat.INotebookContent
          )
        : 'python';
      const { createDiffPanel } = await loadPanel();
      const widget = createDiffPanel({
        title: `${a.label} → ${b.label}`,
        labels: { old: a.label, new: b.label },
        diff: computeDiff(a, b),
        language,
        rendermime,
        languages,
        loadCell: tree => checkpoints.readCell(tree),
        onRestoreCell: target
          ? cell =>
              restoreCell(target, cell).catch(reason =>
                showErrorMessage(
                  'Cannot restore the cell',
                  errorMessage(reason)
                )
              )
          : undefined,
        onExport: (side, format) =>
          exportSide(side === 'old' ? a : b, format).catch(reason =>
            showErrorMessage('Cannot export', errorMessage(reason))
          )
      });
      widget.id = `jp-experiments-diff-${++count}`;
      widget.title.icon = diffIcon;
      widget.title.closable = true;
      // "latest" is kept as the checkpoint it was, so a restored diff shows
      // the same two versions.
      const keep = (side: ISide) =>
        side.commit && side.ref.kind === 'latest'
          ? formatRef({
              kind: 'checkpoint',
              commit: side.commit,
              path: side.path
            })
          : formatRef(side.ref);
      refsOf.set(widget, { old: keep(a), new: keep(b) });
      app.shell.add(widget, 'main');
      void tracker.add(widget);
      app.shell.activateById(widget.id);
      return widget;
    };

    app.commands.addCommand(CommandIDs.diff, {
      label: 'Diff Notebooks',
      caption:
        'Compare two notebook versions cell by cell: paths, checkpoint ids, or path@checkpoint',
      icon: diffIcon,
      describedBy: {
        args: {
          type: 'object',
          properties: {
            old: {
              type: 'string',
              description:
                'The old side: a notebook path, a checkpoint id, path@<checkpoint id> or path@latest'
            },
            new: {
              type: 'string',
              description: 'The new side, in the same forms'
            }
          },
          required: ['old', 'new']
        }
      },
      // A failure is shown, not awaited: the layout restorer waits for this
      // command, and a dialog nobody closes must not hold JupyterLab's start.
      execute: args =>
        open(String(args.old ?? ''), String(args.new ?? '')).catch(reason => {
          void showErrorMessage(
            'Cannot diff the notebooks',
            errorMessage(reason)
          );
        })
    });

    app.commands.addCommand(CommandIDs.diffCheckpoint, {
      label: args =>
        args.toolbar ? '' : 'What Changed Since the Last Checkpoint',
      caption: 'Diff this notebook, as it is now, with its last checkpoint',
      icon: diffIcon,
      isEnabled: () => !!notebooks?.currentWidget,
      describedBy: { args: { type: 'object', properties: {} } },
      execute: async () => {
        const panel = notebooks?.currentWidget;
        if (!panel) {
          return;
        }
        const path = panel.context.path;
        try {
          await latestCheckpoint(path);
        } catch (reason) {
          Notification.info(errorMessage(reason), { autoClose: 5000 });
          return;
        }
        await app.commands.execute(CommandIDs.diff, {
          old: `${path}@latest`,
          new: path
        });
      }
    });
    palette?.addItem({
      command: CommandIDs.diffCheckpoint,
      category: 'Experiments'
    });

    const selectedNotebooks = (): string[] =>
      fileBrowser
        ? [...fileBrowser.selectedItems()]
            .filter(item => item.type === 'notebook')
            .map(item => item.path)
        : [];
    app.commands.addCommand(CommandIDs.diffSelected, {
      label: () =>
        selectedNotebooks().length === 2
          ? 'Diff the Two Notebooks'
          : 'Diff With Its Last Checkpoint',
      caption:
        'Two selected notebooks against each other, or one against its last checkpoint',
      icon: diffIcon,
      isVisible: () => [1, 2].includes(selectedNotebooks().length),
      describedBy: { args: { type: 'object', properties: {} } },
      execute: () => {
        const [first, second] = selectedNotebooks();
        if (!first) {
          return;
        }
        return app.commands.execute(CommandIDs.diff, {
          old: second ? first : `${first}@latest`,
          new: second ?? first
        });
      }
    });
    app.contextMenu.addItem({
      command: CommandIDs.diffSelected,
      selector: '.jp-DirListing-item[data-file-type="notebook"]',
      rank: 11
    });

    restorer?.restore(tracker, {
      command: CommandIDs.diff,
      args: widget => ({ ...(refsOf.get(widget) ?? { old: '', new: '' }) }),
      name: widget => {
        const refs = refsOf.get(widget);
        return refs ? `${refs.old}|${refs.new}` : widget.id;
      }
    });
  }
};
