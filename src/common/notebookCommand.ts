/**
 * A command that acts on the current notebook: enabled when there is one,
 * in the palette, with no label on a toolbar button (its icon says it), and
 * an error dialog when it fails.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { ICommandPalette, showErrorMessage } from '@jupyterlab/apputils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { LabIcon } from '@jupyterlab/ui-components';

export interface INotebookCommand {
  label: string;
  caption: string;
  icon?: LabIcon;
  /** Title of the error dialog if `execute` throws. */
  failure: string;
  execute(panel: NotebookPanel): Promise<unknown> | unknown;
}

export function addNotebookCommand(
  app: JupyterFrontEnd,
  notebooks: INotebookTracker,
  palette: ICommandPalette | null,
  id: string,
  command: INotebookCommand
): void {
  app.commands.addCommand(id, {
    label: args => (args.toolbar ? '' : command.label),
    caption: command.caption,
    icon: command.icon,
    isEnabled: () => notebooks.currentWidget !== null,
    describedBy: { args: { type: 'object', properties: {} } },
    execute: async () => {
      const panel = notebooks.currentWidget;
      if (!panel) {
        return;
      }
      try {
        await command.execute(panel);
      } catch (reason) {
        await showErrorMessage(command.failure, String(reason));
      }
    }
  });
  palette?.addItem({ command: id, category: 'Experiments' });
}
