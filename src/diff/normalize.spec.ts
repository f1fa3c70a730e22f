/**
 * normalizeNotebook: nbformat's rejoin_lines on a deep copy.
 */
import { readReference } from '../testing/reference';

import { normalizeNotebook } from './index';

describe('normalizeNotebook', () => {
  const notebook = (): any => ({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { tags: ['a', 'b'] },
    cells: [
      {
        cell_type: 'code',
        id: 'c1',
        source: ['x = 1\n', 'print(x)'],
        metadata: { tags: ['keep', 'as list'] },
        execution_count: 1,
        outputs: [
          { output_type: 'stream', name: 'stdout', text: ['1\n', '2\n'] },
          {
            output_type: 'execute_result',
            execution_count: 1,
            metadata: {},
            data: {
              'text/plain': ['a\n', 'b'],
              'text/html': ['<b>', '</b>'],
              'image/svg+xml': ['<svg>', '</svg>'],
              'application/json': ['not', 'joined'],
              'application/vnd.custom+json': ['also', 'kept'],
              'application/vnd.custom+jsonx': ['joined', '!'],
              'application/javascript': ['f()', ';']
            }
          },
          {
            output_type: 'error',
            ename: 'E',
            evalue: 'v',
            traceback: ['line 1', 'line 2']
          }
        ]
      },
      {
        cell_type: 'markdown',
        source: ['# T\n', 'text'],
        metadata: {},
        attachments: {
          'a.png': { 'image/png': ['iVBOR', 'w0KG'], 'application/json': ['x'] }
        },
        outputs: [{ output_type: 'stream', text: ['not a code cell'] }]
      }
    ]
  });

  it('joins what rejoin_lines joins, and only that', () => {
    const nb = normalizeNotebook(notebook()) as any;
    const [codeCell, markdown] = nb.cells;
    expect(codeCell.source).toBe('x = 1\nprint(x)');
    expect(codeCell.metadata.tags).toEqual(['keep', 'as list']);
    expect(codeCell.outputs[0].text).toBe('1\n2\n');
    expect(codeCell.outputs[1].data).toEqual({
      'text/plain': 'a\nb',
      'text/html': '<b></b>',
      'image/svg+xml': '<svg></svg>',
      'application/json': ['not', 'joined'],
      'application/vnd.custom+json': ['also', 'kept'],
      'application/vnd.custom+jsonx': 'joined!',
      'application/javascript': 'f();'
    });
    // A traceback is a list of lines, not split text.
    expect(codeCell.outputs[2].traceback).toEqual(['line 1', 'line 2']);
    expect(markdown.source).toBe('# T\ntext');
    expect(markdown.attachments['a.png']).toEqual({
      'image/png': 'iVBORw0KG',
      'application/json': ['x']
    });
    // Outputs of a non-code cell are left alone, as nbformat does.
    expect(markdown.outputs[0].text).toEqual(['not a code cell']);
    expect(nb.metadata.tags).toEqual(['a', 'b']);
  });

  it('copies: the input is not changed and shares nothing mutable', () => {
    const input = notebook();
    const before = JSON.parse(JSON.stringify(input));
    const nb = normalizeNotebook(input) as any;
    expect(input).toEqual(before);
    nb.cells[0].metadata.tags.push('x');
    expect(input.cells[0].metadata.tags).toEqual(['keep', 'as list']);
  });

  it('is idempotent', () => {
    const once = normalizeNotebook(notebook());
    expect(normalizeNotebook(once)).toEqual(once);
  });

  it('leaves malformed parts as they are', () => {
    const nb = normalizeNotebook({
      nbformat: 4,
      cells: [
        null,
        {
          cell_type: 'code',
          source: ['a', 1],
          outputs: [null, { output_type: 'stream', text: [2] }]
        },
        {
          cell_type: 'code',
          source: 'x',
          outputs: { not: 'a list' },
          attachments: []
        },
        {
          cell_type: 'code',
          outputs: [
            { text: ['no type'] },
            { output_type: 'display_data', data: 'x' }
          ]
        }
      ]
    } as any) as any;
    expect(nb.cells[0]).toBeNull();
    expect(nb.cells[1].source).toEqual(['a', 1]);
    expect(nb.cells[1].outputs[1].text).toEqual([2]);
    expect(nb.cells[2].outputs).toEqual({ not: 'a list' });
    expect(nb.cells[3].outputs[0].text).toEqual(['no type']);
  });

  it('gives a notebook without a cell list an empty one', () => {
    expect(
      normalizeNotebook({ nbformat: 4, metadata: {} } as any).cells
    ).toEqual([]);
    expect(
      normalizeNotebook({ metadata: {}, cells: 'x' } as any).cells
    ).toEqual([]);
  });

  it('reads the reference notebooks', () => {
    const nb = normalizeNotebook(readReference('nbdime/multi_cell_nb.ipynb'));
    expect(nb.cells[0].source).toBe(
      'from math import sqrt\n\ndef f(x, y):\n    r2 = x**2+y**2\n    return sqrt(r2)'
    );
    expect((nb.cells[1] as any).outputs[0].text).toBe('5.0\n');
  });

  it.each([null, undefined, 1, 'nb', [], {}, { foo: 1 }])(
    'throws for %p',
    value => {
      expect(() => normalizeNotebook(value as any)).toThrow(/^Not a notebook/);
    }
  );
});
