import type * as nbformat from '@jupyterlab/nbformat';
import {
  IRenderMimeRegistry,
  RenderMimeRegistry,
  standardRendererFactories
} from '@jupyterlab/rendermime';
import React, { act } from 'react';
import { createRoot, Root } from 'react-dom/client';

import type {
  ICellDiff,
  IDiffSummary,
  INotebookDiff,
  IOutputDiff
} from '../diff/types';
import { DiffView, IDiffViewProps } from './DiffView';
import type { IDiffToggles } from './model';

// CodeMirror needs a laid-out page; the editors' texts are enough here.
jest.mock('./SourceDiff', () => ({
  scheduleMount: (task: () => void) => {
    setTimeout(task);
    return () => undefined;
  },
  TextDiff: (props: { old: string | null; new: string | null }) => (
    <pre className="fake-editor">
      {props.old ?? ''}|{props.new ?? ''}
    </pre>
  )
}));

(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

const ROW_HEIGHT = 100;
const VIEW_HEIGHT = 800;

function code(
  source: string,
  outputs: nbformat.IOutput[] = []
): nbformat.ICell {
  return {
    cell_type: 'code',
    source,
    metadata: {},
    execution_count: null,
    outputs
  } as nbformat.ICell;
}

function cell(extra: Partial<ICellDiff> = {}): ICellDiff {
  return {
    kind: 'unchanged',
    moved: false,
    oldIndex: 0,
    newIndex: 0,
    old: code('same'),
    new: code('same'),
    source: false,
    metadata: false,
    executionCount: false,
    attachments: false,
    outputs: [],
    linesAdded: 0,
    linesRemoved: 0,
    ...extra
  };
}

function modified(oldSource: string, newSource: string): ICellDiff {
  return cell({
    kind: 'modified',
    source: true,
    old: code(oldSource),
    new: code(newSource),
    linesAdded: 1,
    linesRemoved: 1
  });
}

function notebook(cells: ICellDiff[]): INotebookDiff {
  return {
    cells: cells.map((c, i) => ({
      ...c,
      oldIndex: c.kind === 'added' ? null : i,
      newIndex: c.kind === 'removed' ? null : i
    })),
    metadata: []
  };
}

/** Counts the way the engine does, enough for these diffs. */
function summarize(diff: INotebookDiff, toggles: IDiffToggles): IDiffSummary {
  const summary: IDiffSummary = {
    modified: 0,
    added: 0,
    removed: 0,
    moved: 0,
    unchanged: 0,
    outputsChanged: 0
  };
  for (const c of diff.cells) {
    const hiddenOnly =
      c.kind === 'modified' &&
      !c.source &&
      !(toggles.metadata && c.metadata) &&
      !c.outputs.some(
        o => o.kind !== 'unchanged' && (!o.noise || toggles.noise)
      );
    summary[hiddenOnly ? 'unchanged' : c.kind]++;
    if (c.moved) {
      summary.moved++;
    }
  }
  return summary;
}

describe('DiffView', () => {
  let host: HTMLDivElement;
  let root: Root;

  beforeAll(() => {
    // jsdom lays nothing out: the body and the rows say how big they are.
    Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
      configurable: true,
      get() {
        return this.classList?.contains('jp-ExperimentsDiff-body')
          ? VIEW_HEIGHT
          : 0;
      }
    });
    Object.defineProperty(HTMLElement.prototype, 'offsetHeight', {
      configurable: true,
      get() {
        return this.classList?.contains('jp-ExperimentsDiff-row')
          ? ROW_HEIGHT
          : 0;
      }
    });
  });

  afterAll(() => {
    delete (HTMLElement.prototype as any).clientHeight;
    delete (HTMLElement.prototype as any).offsetHeight;
  });

  beforeEach(() => {
    host = document.createElement('div');
    document.body.appendChild(host);
    root = createRoot(host);
  });

  afterEach(() => {
    act(() => root.unmount());
    host.remove();
  });

  async function render(
    diff: INotebookDiff,
    extra: Partial<IDiffViewProps> = {}
  ): Promise<void> {
    await act(async () =>
      root.render(
        <DiffView
          diff={diff}
          labels={{ old: 'checkpoint 3f2a1c', new: 'now' }}
          language="python"
          rendermime={null as unknown as IRenderMimeRegistry}
          languages={null}
          summarize={summarize}
          {...extra}
        />
      )
    );
  }

  const $ = (selector: string) => host.querySelector(selector) as HTMLElement;
  const $$ = (selector: string) =>
    Array.from(host.querySelectorAll<HTMLElement>(selector));
  const kinds = () =>
    $$('.jp-ExperimentsDiff-cell').map(
      node => `${node.dataset.kind}${node.dataset.moved === 'true' ? '*' : ''}`
    );
  const button = (name: string) =>
    $$('button').find(node => node.textContent?.trim() === name)!;
  const click = (node: HTMLElement) =>
    act(async () => {
      node.click();
    });
  const key = (init: KeyboardEventInit) =>
    act(async () => {
      $('.jp-ExperimentsDiff-body').dispatchEvent(
        new KeyboardEvent('keydown', { bubbles: true, ...init })
      );
    });

  it('lists changes, folds unchanged runs and sums up', async () => {
    await render(
      notebook([
        cell(),
        cell(),
        modified('a = 1', 'a = 10'),
        cell({ kind: 'added', old: null, new: code('e = 5') }),
        cell({ kind: 'removed', new: null, old: code('gone') }),
        cell({ moved: true, old: code('c = 3'), new: code('c = 3') }),
        cell()
      ])
    );
    expect($('.jp-ExperimentsDiff-summary').textContent).toBe(
      '1 cell changed, 1 added, 1 removed, 1 moved'
    );
    expect(kinds()).toEqual(['modified', 'added', 'removed', 'unchanged*']);
    expect(
      $$('.jp-ExperimentsDiff-collapsed').map(node => node.textContent)
    ).toEqual(['2 unchanged cells', '1 unchanged cell']);
    const edited = $$('.jp-ExperimentsDiff-cell')[0];
    expect(edited.textContent).toContain('modified');
    expect(edited.textContent).toContain('a = 1|a = 10');
    expect(edited.textContent).toContain('3 → 3');
    expect($$('.jp-ExperimentsDiff-cell')[1].textContent).toContain('|e = 5');
    expect($$('.jp-ExperimentsDiff-cell')[2].textContent).toContain('gone|');
    expect($$('.jp-ExperimentsDiff-cell')[3].textContent).toContain('c = 3');
  });

  it('says when there are no differences', async () => {
    await render(notebook([cell(), cell()]));
    expect($('.jp-ExperimentsDiff-summary').textContent).toBe('No differences');
    expect($('.jp-ExperimentsDiff-empty').textContent).toContain(
      'No differences'
    );
    expect(kinds()).toEqual([]);
  });

  it('hides metadata-only changes until the toggle is on', async () => {
    const metadataOnly = cell({
      kind: 'modified',
      metadata: true,
      old: code('x'),
      new: { ...code('x'), metadata: { tags: ['a'] } }
    });
    await render(notebook([cell(), metadataOnly]));
    expect(kinds()).toEqual([]);
    expect($('.jp-ExperimentsDiff-empty').textContent).toContain(
      '1 cell differs only in what the toolbar hides'
    );
    const toggle = $$('label')
      .find(label => label.textContent === 'Metadata')!
      .querySelector('input')!;
    expect(toggle.checked).toBe(false);
    await click(toggle);
    expect(kinds()).toEqual(['modified']);
    expect($('.jp-ExperimentsDiff-summary').textContent).toBe('1 cell changed');
    expect($('.jp-ExperimentsDiff-metadata').textContent).toContain('"tags"');
  });

  it('hides noisy outputs until asked for', async () => {
    const noisy: IOutputDiff = {
      kind: 'modified',
      oldIndex: 0,
      newIndex: 0,
      old: { output_type: 'stream', name: 'stdout', text: 'took 1.2 s\n' },
      new: { output_type: 'stream', name: 'stdout', text: 'took 1.3 s\n' },
      noise: true
    };
    await render(
      notebook([
        modified('a', 'b'),
        cell({ kind: 'modified', outputs: [noisy] })
      ])
    );
    expect(kinds()).toEqual(['modified']);
    await click(
      $$('label')
        .find(label => label.textContent === 'Output noise')!
        .querySelector('input')!
    );
    expect(kinds()).toEqual(['modified', 'modified']);
    const output = $('.jp-ExperimentsDiff-output[data-kind="modified"]');
    expect(output.textContent).toContain('noise');
    expect(output.textContent).toContain('took 1.2 s\n|took 1.3 s\n');
  });

  it('reads unchanged cells of a checkpoint diff when expanded', async () => {
    const unread = (tree: string) =>
      cell({ old: null, new: null, oldTree: tree, newTree: tree });
    const trees: string[] = [];
    const loadCell = jest.fn(async (tree: string) => {
      trees.push(tree);
      return code(`source of ${tree}`);
    });
    await render(notebook([unread('t1'), unread('t2'), modified('a', 'b')]), {
      loadCell
    });
    expect(loadCell).not.toHaveBeenCalled();
    await click($('.jp-ExperimentsDiff-collapsed button'));
    expect(trees).toEqual(['t1', 't2']);
    expect(kinds()).toEqual(['unchanged', 'unchanged', 'modified']);
    expect($$('.jp-ExperimentsDiff-cell')[1].textContent).toContain(
      '|source of t2'
    );
    // Folded again from any of them.
    await click(button('Hide unchanged'));
    expect(kinds()).toEqual(['modified']);
  });

  it('moves between changes with n/p and Alt+arrows', async () => {
    await render(
      notebook([
        modified('a', 'b'),
        cell(),
        cell({ kind: 'added', old: null, new: code('x') }),
        cell(),
        modified('c', 'd')
      ])
    );
    const current = () => {
      const node = $('.jp-ExperimentsDiff-row.jp-mod-current');
      return node
        ? [
            $$('.jp-ExperimentsDiff-row').indexOf(node),
            node.getAttribute('aria-current')
          ]
        : null;
    };
    expect(current()).toBeNull();
    await key({ key: 'n' });
    expect(current()).toEqual([0, 'true']);
    await key({ key: 'n' });
    expect(current()).toEqual([2, 'true']);
    await key({ key: 'ArrowDown', altKey: true });
    expect(current()).toEqual([4, 'true']);
    // The last change stays current.
    await key({ key: 'n' });
    expect(current()).toEqual([4, 'true']);
    await key({ key: 'p' });
    expect(current()).toEqual([2, 'true']);
    await key({ key: 'ArrowUp', altKey: true });
    expect(current()).toEqual([0, 'true']);
    // Ctrl+n is the browser's.
    await key({ key: 'n', ctrlKey: true });
    expect(current()).toEqual([0, 'true']);
    await click(button('↓ Next change'));
    expect(current()).toEqual([2, 'true']);
    expect($('.jp-ExperimentsDiff-toolbar').textContent).toContain('2 of 3');
  });

  it('restores a cell with an old side only', async () => {
    const restored: ICellDiff[] = [];
    const diff = notebook([
      modified('a = 1', 'a = 10'),
      cell({ kind: 'added', old: null, new: code('x') }),
      cell({ kind: 'removed', new: null, old: code('y') })
    ]);
    await render(diff, {
      onRestoreCell: async c => {
        restored.push(c);
        if (c.kind === 'removed') {
          throw new Error('the notebook is read-only');
        }
      }
    });
    const buttons = $$('button[title="Restore this cell"]');
    expect(buttons).toHaveLength(2);
    await click(buttons[0]);
    expect(restored).toEqual([diff.cells[0]]);
    expect($('.jp-ExperimentsDiff-note').textContent).toBe('');
    await click(buttons[1]);
    expect(restored).toEqual([diff.cells[0], diff.cells[2]]);
    expect($('.jp-ExperimentsDiff-note').textContent).toBe(
      'The cell could not be restored: the notebook is read-only'
    );
  });

  it('shows no restore button without a handler', async () => {
    await render(notebook([modified('a', 'b')]));
    expect($$('button[title="Restore this cell"]')).toHaveLength(0);
  });

  it('exports either side in either format', async () => {
    const exports: string[] = [];
    await render(notebook([modified('a', 'b')]), {
      onExport: (side, format) => {
        exports.push(`${side}.${format}`);
      }
    });
    await click(button('Export ▾'));
    const items = $$('[role="menuitem"]');
    expect(items.map(item => item.textContent)).toEqual([
      'checkpoint 3f2a1c as .ipynb',
      'checkpoint 3f2a1c as .py',
      'now as .ipynb',
      'now as .py'
    ]);
    await click(items[3]);
    expect(exports).toEqual(['new.py']);
    expect($$('[role="menuitem"]')).toHaveLength(0);
  });

  it('compares images in four modes', async () => {
    const png = (data: string): nbformat.IOutput => ({
      output_type: 'display_data',
      metadata: {},
      data: { 'image/png': data, 'text/plain': '<Figure>' }
    });
    const changed = cell({
      kind: 'modified',
      outputs: [
        {
          kind: 'modified',
          oldIndex: 0,
          newIndex: 0,
          old: png('AAAA'),
          new: png('BBBB'),
          noise: false
        }
      ]
    });
    await render(notebook([changed]));
    const image = $('.jp-ExperimentsDiff-image');
    const modes = Array.from(image.querySelectorAll('button')).map(
      b => b.textContent
    );
    expect(modes).toEqual([
      'Side by side',
      'Swipe',
      'Onion skin',
      'Pixel difference'
    ]);
    expect(image.querySelectorAll('img')).toHaveLength(2);
    await click(button('Swipe'));
    const slider = image.querySelector<HTMLInputElement>(
      'input[type="range"]'
    )!;
    expect(slider.value).toBe('50');
    await click(button('Onion skin'));
    expect(image.querySelector('input[type="range"]')).not.toBeNull();
    await click(button('Pixel difference'));
    // jsdom decodes no images: the mode says so instead of a count.
    expect($('.jp-ExperimentsDiff-pixelCount')).not.toBeNull();
  });

  it('renders rich outputs side by side, untrusted', async () => {
    const html = (text: string): nbformat.IOutput => ({
      output_type: 'display_data',
      metadata: {},
      data: {
        'text/html': `<b>${text}</b><img src="x" onerror="window.__pwned=1">`,
        'text/plain': text
      }
    });
    const changed = cell({
      kind: 'modified',
      outputs: [
        {
          kind: 'modified',
          oldIndex: 0,
          newIndex: 0,
          old: html('before'),
          new: html('after'),
          noise: false
        }
      ]
    });
    await render(notebook([changed]), {
      rendermime: new RenderMimeRegistry({
        initialFactories: standardRendererFactories
      })
    });
    await act(() => new Promise<void>(resolve => setTimeout(resolve, 50)));
    const figures = $$('.jp-ExperimentsDiff-figure');
    expect(
      figures.map(figure => figure.querySelector('b')?.textContent)
    ).toEqual(['before', 'after']);
    expect(host.querySelector('[onerror]')).toBeNull();
    expect((window as any).__pwned).toBeUndefined();
  });

  it('mounts only the rows near the screen', async () => {
    const cells = Array.from({ length: 500 }, (_, i) =>
      modified(`x = ${i}`, `x = ${i + 1}`)
    );
    await render(notebook(cells));
    const mounted = $$('.jp-ExperimentsDiff-cell').length;
    expect(mounted).toBeGreaterThan(0);
    expect(mounted).toBeLessThan(VIEW_HEIGHT / ROW_HEIGHT + 10);
    expect($('.jp-ExperimentsDiff-summary').textContent).toBe(
      '500 cells changed'
    );
  });
});
