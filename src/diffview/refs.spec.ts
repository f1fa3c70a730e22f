import type * as nbformat from '@jupyterlab/nbformat';

import {
  exportPaths,
  formatRef,
  notebookLanguage,
  notebookToScript,
  parseRef,
  refLabel
} from './refs';

const COMMIT = 'a'.repeat(40);

describe('parseRef', () => {
  it('reads a path, a commit, path@commit and path@latest', () => {
    expect(parseRef('dir/a.ipynb')).toEqual({
      kind: 'file',
      path: 'dir/a.ipynb'
    });
    expect(parseRef(COMMIT)).toEqual({
      kind: 'checkpoint',
      commit: COMMIT,
      path: null
    });
    expect(parseRef(`dir/a.ipynb@${COMMIT}`)).toEqual({
      kind: 'checkpoint',
      commit: COMMIT,
      path: 'dir/a.ipynb'
    });
    expect(parseRef('a b@c.ipynb@latest')).toEqual({
      kind: 'latest',
      path: 'a b@c.ipynb'
    });
  });

  it('keeps an @ that is part of a file name', () => {
    expect(parseRef('team@home.ipynb')).toEqual({
      kind: 'file',
      path: 'team@home.ipynb'
    });
  });

  it('says what to do with an empty or shortened reference', () => {
    expect(() => parseRef('  ')).toThrow(/notebook path, a checkpoint id/);
    expect(() => parseRef('3f2a1c0')).toThrow(/full 40-character id/);
    expect(() => parseRef('a.ipynb@3f2a1c0')).toThrow(/full 40-character id/);
  });

  it('reads back what formatRef writes', () => {
    for (const text of [
      'a.ipynb',
      COMMIT,
      `a.ipynb@${COMMIT}`,
      'a.ipynb@latest'
    ]) {
      expect(formatRef(parseRef(text))).toBe(text);
    }
  });
});

describe('refLabel', () => {
  it('names the file and the short commit', () => {
    expect(refLabel(parseRef('dir/a.ipynb'))).toBe('a.ipynb (now)');
    expect(refLabel(parseRef(`dir/a.ipynb@${COMMIT}`))).toBe(
      'a.ipynb @ aaaaaaa'
    );
    expect(refLabel(parseRef('a.ipynb@latest'), 'b'.repeat(40))).toBe(
      'a.ipynb @ bbbbbbb'
    );
    expect(refLabel(parseRef(COMMIT))).toBe('checkpoint @ aaaaaaa');
  });
});

describe('notebookToScript', () => {
  it('writes percent-format cells, markdown as comments', () => {
    const script = notebookToScript({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        {
          cell_type: 'markdown',
          source: ['# Title\n', '\n', 'text'],
          metadata: {}
        },
        {
          cell_type: 'code',
          source: 'x = 1\n',
          metadata: {},
          outputs: [],
          execution_count: null
        }
      ]
    });
    expect(script).toBe(
      '# %% [markdown]\n# # Title\n#\n# text\n\n# %%\nx = 1\n'
    );
  });
});

describe('notebookLanguage', () => {
  it('prefers language_info, then the kernelspec, then python', () => {
    const nb = (metadata: nbformat.INotebookMetadata) => ({
      nbformat: 4,
      nbformat_minor: 5,
      metadata,
      cells: []
    });
    expect(notebookLanguage(nb({ language_info: { name: 'julia' } }))).toBe(
      'julia'
    );
    expect(
      notebookLanguage(
        nb({ kernelspec: { language: 'R', name: 'ir', display_name: 'R' } })
      )
    ).toBe('R');
    expect(notebookLanguage(nb({}))).toBe('python');
  });
});

describe('exportPaths', () => {
  it('puts the export next to the notebook, with a safe label', () => {
    const paths = exportPaths('dir/a.ipynb', '3f2a1c0', '.py');
    expect(paths[0]).toBe('dir/a-3f2a1c0.py');
    expect(paths[1]).toBe('dir/a-3f2a1c0-2.py');
    expect(exportPaths('a.ipynb', '../x y', '.ipynb')[0]).toBe('a-x-y.ipynb');
  });
});
