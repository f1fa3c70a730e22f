/// <reference types="node" />
import type * as nbformat from '@jupyterlab/nbformat';

import {
  cellFiles,
  cellKeys,
  normalise,
  notebookFiles,
  reassemble,
  reassembleCell
} from './layout';
import { referenceNotebooks } from '../testing/reference';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

function codeCell(
  source: string,
  outputs: nbformat.IOutput[] = [],
  id?: string
): nbformat.ICodeCell {
  return {
    cell_type: 'code',
    ...(id ? { id } : {}),
    metadata: {},
    source,
    execution_count: 1,
    outputs
  };
}

function notebook(cells: nbformat.ICell[], minor = 5) {
  return {
    nbformat: 4,
    nbformat_minor: minor,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3' } },
    cells
  } as nbformat.INotebookContent;
}

function png(size: number): string {
  const bytes = new Uint8Array(size);
  bytes.set(PNG_SIGNATURE);
  for (let i = PNG_SIGNATURE.length; i < size; i++) {
    bytes[i] = (i * 7919) % 251;
  }
  return Buffer.from(bytes).toString('base64');
}

describe('layout', () => {
  const { notebooks, skipped } = referenceNotebooks();

  it('finds the reference notebooks', () => {
    expect(notebooks.length).toBeGreaterThan(50);
    // None is skipped today; a new one that is not nbformat 4 is listed here.
    expect(skipped).toEqual([]);
  });

  for (const [name, nb] of notebooks) {
    it(`round-trips ${name}`, () => {
      expect(reassemble(notebookFiles(nb))).toEqual(normalise(nb));
    });
  }

  it('normalises only sources, joining arrays', () => {
    const nb = notebook([
      {
        ...codeCell('', [
          { output_type: 'stream', name: 'stdout', text: ['a\n', 'b'] }
        ]),
        source: ['x = 1\n', 'y = 2']
      }
    ]);
    const back = reassemble(notebookFiles(nb));
    expect(back.cells[0].source).toBe('x = 1\ny = 2');
    expect((back.cells[0].outputs as nbformat.IStream[])[0].text).toEqual([
      'a\n',
      'b'
    ]);
  });

  it('writes notebook.json with the metadata and the cell order', () => {
    const nb = notebook([
      codeCell('a', [], 'first'),
      codeCell('b', [], 'second')
    ]);
    const files = notebookFiles(nb);
    expect(JSON.parse(text(files.get('notebook.json')))).toEqual({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: nb.metadata,
      cells: ['first', 'second']
    });
    expect([...files.keys()].sort()).toEqual([
      'cells/first/cell.json',
      'cells/first/outputs.json',
      'cells/second/cell.json',
      'cells/second/outputs.json',
      'notebook.json'
    ]);
    expect(JSON.parse(text(files.get('cells/first/cell.json')))).toEqual({
      cell_type: 'code',
      id: 'first',
      metadata: {},
      source: 'a',
      execution_count: 1
    });
  });

  it('gives markdown cells no outputs file', () => {
    const files = cellFiles({
      cell_type: 'markdown',
      metadata: {},
      source: '# T'
    });
    expect([...files.keys()]).toEqual(['cell.json']);
    expect(reassembleCell(files)).not.toHaveProperty('outputs');
  });

  describe('cell keys', () => {
    it('uses valid ids', () => {
      expect(
        cellKeys([codeCell('a', [], 'abc-_1'), codeCell('b', [], 'X')])
      ).toEqual(['abc-_1', 'X']);
    });

    it('generates a key from the position and source without an id', () => {
      const [key] = cellKeys([codeCell('print(1)')]);
      expect(key).toMatch(/^cell-0-[0-9a-f]{8}$/);
      // Re-executing (new outputs, new count) keeps the key.
      const rerun = {
        ...codeCell('print(1)', [
          { output_type: 'stream', name: 'stdout', text: '1' }
        ]),
        execution_count: 9
      };
      expect(cellKeys([rerun])).toEqual([key]);
      expect(cellKeys([codeCell('print(2)')])).not.toEqual([key]);
    });

    it('replaces ids that are not path segments', () => {
      const keys = cellKeys([
        codeCell('a', [], '../etc'),
        codeCell('b', [], 'x'.repeat(65)),
        codeCell('c', [], 'has space')
      ]);
      keys.forEach((key, i) => expect(key).toMatch(new RegExp(`^cell-${i}-`)));
    });

    it('makes repeated ids unique without taking a later id', () => {
      const cells = [
        codeCell('a', [], 'dup'),
        codeCell('b', [], 'dup'),
        codeCell('c', [], 'z')
      ];
      const generated = cellKeys(cells)[1];
      expect(cellKeys(cells)).toEqual(['dup', generated, 'z']);
      // A later cell whose real id equals the generated key keeps it.
      const clash = [...cells, codeCell('d', [], generated)];
      const keys = cellKeys(clash);
      expect(keys[3]).toBe(generated);
      expect(keys[1]).toBe(`${generated}-2`);
      expect(new Set(keys).size).toBe(4);
      const nb = notebook(clash);
      expect(reassemble(notebookFiles(nb))).toEqual(nb);
    });
  });

  describe('binary payloads', () => {
    const image = png(3000);

    it('stores an image decoded as its own blob', () => {
      const files = cellFiles(
        codeCell('plot()', [
          {
            output_type: 'display_data',
            data: { 'image/png': image, 'text/plain': '<Figure>' },
            metadata: { 'image/png': { width: 10 } }
          }
        ])
      );
      const blob = files.get('outputs/0-image-png')!;
      expect([...blob.slice(0, 8)]).toEqual(PNG_SIGNATURE);
      expect(blob.byteLength).toBe(3000);
      const outputs = JSON.parse(text(files.get('outputs.json')));
      expect(outputs[0].data).toEqual({
        'image/png': { $blob: '0-image-png' },
        'text/plain': '<Figure>'
      });
    });

    it('gives identical payloads identical files in any cell', () => {
      const output: nbformat.IOutput = {
        output_type: 'display_data',
        data: { 'image/png': image },
        metadata: {}
      };
      const a = cellFiles(codeCell('a', [output], 'one'));
      const b = cellFiles(codeCell('b', [output], 'two'));
      expect(a.get('outputs/0-image-png')).toEqual(
        b.get('outputs/0-image-png')
      );
      expect(a.get('outputs.json')).toEqual(b.get('outputs.json'));
    });

    it.each([
      ['wrapped at 76 with a final newline', (s: string) => wrap(s, 76) + '\n'],
      ['wrapped without a final newline', (s: string) => wrap(s, 64)],
      ['a list of lines', (s: string) => (wrap(s, 76) + '\n').split(/(?<=\n)/)]
    ])('keeps base64 %s exactly', (_name, layout) => {
      const value = layout(image);
      const nb = notebook([
        codeCell('x', [
          {
            output_type: 'execute_result',
            execution_count: 1,
            data: { 'image/png': value },
            metadata: {}
          }
        ])
      ]);
      const files = notebookFiles(nb);
      const key = cellKeys(nb.cells)[0];
      expect([
        ...files.get(`cells/${key}/outputs/0-image-png`)!.slice(0, 8)
      ]).toEqual(PNG_SIGNATURE);
      expect(reassemble(files)).toEqual(nb);
    });

    it('decodes large base64 values of other binary types, not text', () => {
      const big = png(6000);
      const files = cellFiles(
        codeCell('x', [
          {
            output_type: 'display_data',
            data: {
              'application/octet-stream': big,
              'text/plain': big,
              'image/webp': png(100)
            },
            metadata: {}
          }
        ])
      );
      expect(files.has('outputs/0-application-octet-stream')).toBe(true);
      expect(files.has('outputs/0-text-plain')).toBe(false);
      expect(files.has('outputs/0-image-webp')).toBe(false);
    });

    it('keeps values that are not canonical base64 inline', () => {
      const values = ['not base64!', 'QUJD\n\nREVG', 'QUI=', 'QUJ=QUJD'];
      const nb = notebook([
        codeCell(
          'x',
          values.map(v => ({
            output_type: 'display_data',
            data: { 'image/png': v },
            metadata: {}
          }))
        )
      ]);
      const files = notebookFiles(nb);
      const payloads = [...files.keys()].filter(p => p.includes('/outputs/'));
      // 'QUI=' is canonical ("AB"); the others are not.
      expect(payloads).toEqual([
        `cells/${cellKeys(nb.cells)[0]}/outputs/2-image-png`
      ]);
      expect(reassemble(files)).toEqual(nb);
    });

    it('escapes JSON outputs that look like references', () => {
      const nb = notebook([
        codeCell('x', [
          {
            output_type: 'execute_result',
            execution_count: 1,
            data: {
              'application/json': { $blob: '0-image-png' },
              'application/vnd.x+json': { $json: 1 }
            },
            metadata: {}
          }
        ])
      ]);
      expect(reassemble(notebookFiles(nb))).toEqual(nb);
    });

    it('stores reference images decoded', () => {
      const nb = notebooks.find(
        ([name]) => name === 'nbclient/Inline Image.ipynb'
      )?.[1];
      if (!nb) {
        return;
      }
      const files = notebookFiles(nb);
      const blobs = [...files].filter(([p]) => p.endsWith('-image-png'));
      expect(blobs.length).toBeGreaterThan(0);
      for (const [, bytes] of blobs) {
        expect([...bytes.slice(0, 8)]).toEqual(PNG_SIGNATURE);
      }
    });
  });

  it('reports a missing file', () => {
    const files = notebookFiles(notebook([codeCell('a', [], 'k')]));
    files.delete('cells/k/cell.json');
    expect(() => reassemble(files)).toThrow('cells/k: missing cell.json');
    expect(() => reassemble(new Map())).toThrow('missing notebook.json');
  });
});

function wrap(text: string, width: number): string {
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += width) {
    lines.push(text.slice(i, i + width));
  }
  return lines.join('\n');
}
