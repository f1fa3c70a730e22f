/**
 * Notebook panels for specs: real JupyterLab models and widgets on
 * JupyterLab's mocked services (a mock kernel that answers execute requests).
 */
import type {
  ICodeCell,
  INotebookContent,
  INotebookMetadata
} from '@jupyterlab/nbformat';
import { NotebookPanel } from '@jupyterlab/notebook';
import { NBTestUtils } from '@jupyterlab/notebook/lib/testutils';

/** A panel showing `content`, its session started; add it to a tracker to follow it. */
export async function openNotebook(
  content: INotebookContent
): Promise<NotebookPanel> {
  const context = await NBTestUtils.createMockContext(true);
  const panel = NBTestUtils.createNotebookPanel(context);
  context.model.fromJSON(content);
  await context.sessionContext.ready;
  return panel;
}

export function closeNotebook(panel: NotebookPanel): void {
  panel.context.dispose();
  panel.dispose();
}

/** A code cell in nbformat 4.5, not executed. */
export function codeCell(
  id: string,
  source: string,
  metadata: ICodeCell['metadata'] = {}
): ICodeCell {
  return {
    cell_type: 'code',
    id,
    source,
    metadata,
    outputs: [],
    execution_count: null
  };
}

export function notebook(
  cells: INotebookContent['cells'],
  metadata: INotebookMetadata = {} as INotebookMetadata
): INotebookContent {
  return { nbformat: 4, nbformat_minor: 5, metadata, cells };
}

/** Let pending promises and zero-delay timers run. */
export function settle(ms = 10): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/** Wait until `condition` holds, for at most `timeout` ms. */
export async function until(
  condition: () => boolean,
  timeout = 2000
): Promise<void> {
  const ends = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() > ends) {
      throw new Error('timed out waiting for a condition');
    }
    await settle(5);
  }
}

/** JupyterLab's widgets warn about jsdom (clipboard, Yjs): keep spec logs readable. */
export function quietWarnings(): void {
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
}
