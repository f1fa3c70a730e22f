/**
 * The panels a browser view can carry (a share link, a saved view): its
 * Compare and Progress views open through their commands, in front of the
 * browser. One place for the command, the browser's toolbar and links.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { CommandIDs } from '../tokens';
import type { IViewState } from './viewState';

/** Open the Compare and Progress panels `view` carries, in that order. */
export async function openLinkedPanels(
  commands: JupyterFrontEnd['commands'],
  view: Partial<IViewState>
): Promise<void> {
  for (const [command, state] of [
    [CommandIDs.compare, view.compare],
    [CommandIDs.progress, view.progress]
  ] as const) {
    if (state) {
      await commands.execute(command, {
        state: state as unknown as ReadonlyPartialJSONObject
      });
    }
  }
}
