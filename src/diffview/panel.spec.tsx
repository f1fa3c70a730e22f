import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { PromiseDelegate } from '@lumino/coreutils';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import { act } from 'react';

import type { INotebookDiff } from '../diff/types';
import { createDiffPanel, DiffContent, IDiffPanelOptions } from './panel';

// The view's counts, without the engine.
jest.mock('../diff', () => ({
  summarize: () => ({
    modified: 0,
    added: 0,
    removed: 0,
    moved: 0,
    unchanged: 1,
    outputsChanged: 0
  })
}));

(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

const EMPTY: INotebookDiff = { cells: [], metadata: [] };

describe('createDiffPanel', () => {
  let diff: PromiseDelegate<INotebookDiff>;
  let options: IDiffPanelOptions;

  beforeEach(() => {
    diff = new PromiseDelegate();
    options = {
      title: 'analysis.ipynb: checkpoint 3f2a1c → now',
      labels: { old: 'checkpoint 3f2a1c', new: 'now' },
      diff: diff.promise,
      language: 'python',
      rendermime: null as unknown as IRenderMimeRegistry,
      languages: null
    };
  });

  /** Let the promise settle, render. */
  async function show(content: DiffContent): Promise<void> {
    await act(async () => {
      await diff.promise.catch(() => undefined);
      await Promise.resolve();
      MessageLoop.sendMessage(content, Widget.Msg.UpdateRequest);
    });
  }

  it('titles the panel and shows progress while the diff is pending', async () => {
    const widget = createDiffPanel(options);
    expect(widget.title.label).toBe(options.title);
    expect(widget.title.closable).toBe(true);
    const content = widget.content;
    expect(content.hasClass('jp-ExperimentsDiff')).toBe(true);
    await act(async () => {
      Widget.attach(widget, document.body);
      MessageLoop.sendMessage(content, Widget.Msg.UpdateRequest);
    });
    expect(content.status).toBe('pending');
    expect(content.node.textContent).toContain('Comparing…');
    diff.resolve(EMPTY);
    await show(content);
    expect(content.status).toBe('ready');
    expect(
      content.node.querySelector('.jp-ExperimentsDiff-summary')?.textContent
    ).toBe('No differences');
    act(() => widget.dispose());
  });

  it('says what went wrong and what to do', async () => {
    const widget = createDiffPanel(options);
    act(() => Widget.attach(widget, document.body));
    diff.reject(new Error('checkpoint 3f2a1c not found'));
    await show(widget.content);
    expect(widget.content.status).toBe('error');
    const alert = widget.content.node.querySelector('[role="alert"]')!;
    expect(alert.textContent).toContain('checkpoint 3f2a1c not found');
    expect(alert.textContent).toContain('open the diff again');
    act(() => widget.dispose());
  });
});
