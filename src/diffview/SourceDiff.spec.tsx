import type { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import React, { act } from 'react';
import { createRoot, Root } from 'react-dom/client';

import {
  languageSupport,
  MAX_SHOWN_CHARS,
  scheduleMount,
  TextDiff
} from './SourceDiff';

(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

/** Let the queued editors be built (one animation frame or more). */
async function frames(count = 3): Promise<void> {
  for (let i = 0; i < count; i++) {
    await act(
      () => new Promise<void>(resolve => requestAnimationFrame(() => resolve()))
    );
  }
}

describe('scheduleMount', () => {
  it('runs tasks in a later frame, in order, unless cancelled', async () => {
    const ran: number[] = [];
    scheduleMount(() => ran.push(1));
    const cancel = scheduleMount(() => ran.push(2));
    scheduleMount(() => ran.push(3));
    cancel();
    expect(ran).toEqual([]);
    await frames(2);
    expect(ran).toEqual([1, 3]);
  });
});

describe('languageSupport', () => {
  it('asks the registry once per language and tolerates failures', async () => {
    const support = { extension: [] };
    const registry = {
      findBest: jest.fn((name: string) =>
        name === 'python' ? { name } : null
      ),
      getLanguage: jest.fn(async () => ({ name: 'python', support }))
    } as unknown as IEditorLanguageRegistry;
    expect(await languageSupport(registry, 'python')).toBe(support);
    expect(await languageSupport(registry, 'python')).toBe(support);
    expect(registry.getLanguage).toHaveBeenCalledTimes(1);
    expect(await languageSupport(registry, 'cobol')).toBeNull();
    expect(await languageSupport(null, 'python')).toBeNull();
    expect(await languageSupport(registry, null)).toBeNull();
  });
});

describe('TextDiff', () => {
  let host: HTMLDivElement;
  let root: Root;

  beforeEach(() => {
    host = document.createElement('div');
    document.body.appendChild(host);
    root = createRoot(host);
  });

  afterEach(() => {
    act(() => root.unmount());
    host.remove();
  });

  async function render(props: Partial<React.ComponentProps<typeof TextDiff>>) {
    await act(async () =>
      root.render(
        <TextDiff
          old={null}
          new={null}
          layout="split"
          language={null}
          languages={null}
          {...props}
        />
      )
    );
    await frames();
  }

  it('shows two texts side by side in a read-only merge view', async () => {
    await render({ old: 'a = 1\nb = 2\n', new: 'a = 10\nb = 2\n' });
    const merge = host.querySelector('.cm-mergeView')!;
    expect(merge).not.toBeNull();
    const editors = host.querySelectorAll('.cm-editor');
    expect(editors).toHaveLength(2);
    expect(editors[0].textContent).toContain('a = 1');
    expect(editors[1].textContent).toContain('a = 10');
    expect(
      host.querySelector('.cm-content')!.getAttribute('contenteditable')
    ).toBe('false');
  });

  it('shows them unified in one editor', async () => {
    await render({ old: 'a = 1\n', new: 'a = 10\n', layout: 'unified' });
    expect(host.querySelector('.cm-mergeView')).toBeNull();
    expect(host.querySelectorAll('.cm-editor')).toHaveLength(1);
    expect(host.querySelector('.cm-deletedChunk')?.textContent).toContain(
      'a = 1'
    );
    expect(host.textContent).toContain('a = 10');
  });

  it('shows one added text tinted', async () => {
    await render({ new: 'e = 5' });
    const editor = host.querySelector('.jp-ExperimentsDiff-editor')!;
    expect(editor.classList).toContain('jp-mod-added');
    expect(editor.textContent).toContain('e = 5');
  });

  it('clips a huge single-line text and says so', async () => {
    const huge = 'x'.repeat(MAX_SHOWN_CHARS * 25);
    await render({ old: huge, new: huge + 'y' });
    expect(host.querySelector('.jp-ExperimentsDiff-clipped')!.textContent).toBe(
      `Showing the first ${MAX_SHOWN_CHARS.toLocaleString()} of ${(huge.length + 1).toLocaleString()} characters.`
    );
    for (const editor of Array.from(host.querySelectorAll('.cm-editor'))) {
      expect(editor.textContent!.length).toBeLessThanOrEqual(
        MAX_SHOWN_CHARS + 100
      );
    }
  });

  it('destroys its editors when unmounted', async () => {
    await render({ old: 'x', new: 'y' });
    expect(host.querySelectorAll('.cm-editor')).toHaveLength(2);
    await act(async () => root.render(<div />));
    expect(host.querySelectorAll('.cm-editor')).toHaveLength(0);
  });
});
