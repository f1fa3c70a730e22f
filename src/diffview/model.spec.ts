import type * as nbformat from '@jupyterlab/nbformat';

import type { ICellDiff, INotebookDiff, IOutputDiff } from '../diff/types';
import {
  badgeText,
  buildRows,
  cellTypeText,
  changeCount,
  DEFAULT_TOGGLES,
  describeEntries,
  DiffRow,
  effectiveKind,
  IDiffToggles,
  imageOf,
  jsonText,
  outputKind,
  outputText,
  pairKind,
  positionText,
  sourceText,
  stepChange,
  summaryText,
  unchangedRunAround,
  visibleOutputs
} from './model';

function code(source: string | string[], extra: object = {}): nbformat.ICell {
  return {
    cell_type: 'code',
    source,
    metadata: {},
    execution_count: null,
    outputs: [],
    ...extra
  } as nbformat.ICell;
}

function cell(extra: Partial<ICellDiff> = {}): ICellDiff {
  return {
    kind: 'unchanged',
    moved: false,
    oldIndex: 0,
    newIndex: 0,
    old: code('x'),
    new: code('x'),
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

function output(extra: Partial<IOutputDiff> = {}): IOutputDiff {
  return {
    kind: 'modified',
    oldIndex: 0,
    newIndex: 0,
    old: { output_type: 'stream', name: 'stdout', text: 'a\n' },
    new: { output_type: 'stream', name: 'stdout', text: 'b\n' },
    noise: false,
    ...extra
  };
}

const ALL: IDiffToggles = { metadata: true, executionCount: true, noise: true };

/** A diff of these cells, indices in order. */
function notebook(cells: ICellDiff[], metadata = []): INotebookDiff {
  return {
    cells: cells.map((c, i) => ({
      ...c,
      oldIndex: c.kind === 'added' ? null : i,
      newIndex: c.kind === 'removed' ? null : i
    })),
    metadata
  };
}

/** Rows as short strings: `c3` a cell row, `3..5` an unchanged run. */
function shape(rows: DiffRow[]): string[] {
  return rows.map(row =>
    row.type === 'cell'
      ? `c${row.index}`
      : row.type === 'collapsed'
        ? `${row.start}..${row.end}`
        : 'meta'
  );
}

describe('effectiveKind', () => {
  it('keeps added, removed and unchanged cells as they are', () => {
    expect(effectiveKind(cell({ kind: 'added' }), DEFAULT_TOGGLES)).toBe(
      'added'
    );
    expect(effectiveKind(cell({ kind: 'removed' }), DEFAULT_TOGGLES)).toBe(
      'removed'
    );
    expect(effectiveKind(cell(), ALL)).toBe('unchanged');
  });

  it('keeps a cell whose source changed modified', () => {
    const changed = cell({ kind: 'modified', source: true });
    expect(effectiveKind(changed, DEFAULT_TOGGLES)).toBe('modified');
  });

  it('treats a cell whose only differences are hidden as unchanged', () => {
    const metadataOnly = cell({ kind: 'modified', metadata: true });
    expect(effectiveKind(metadataOnly, DEFAULT_TOGGLES)).toBe('unchanged');
    expect(
      effectiveKind(metadataOnly, { ...DEFAULT_TOGGLES, metadata: true })
    ).toBe('modified');

    const countOnly = cell({ kind: 'modified', executionCount: true });
    expect(effectiveKind(countOnly, DEFAULT_TOGGLES)).toBe('unchanged');
    expect(
      effectiveKind(countOnly, { ...DEFAULT_TOGGLES, executionCount: true })
    ).toBe('modified');

    const noiseOnly = cell({
      kind: 'modified',
      outputs: [output({ noise: true }), output({ kind: 'unchanged' })]
    });
    expect(effectiveKind(noiseOnly, DEFAULT_TOGGLES)).toBe('unchanged');
    expect(effectiveKind(noiseOnly, { ...DEFAULT_TOGGLES, noise: true })).toBe(
      'modified'
    );

    const all = cell({
      kind: 'modified',
      metadata: true,
      executionCount: true,
      outputs: [output({ noise: true })]
    });
    expect(effectiveKind(all, DEFAULT_TOGGLES)).toBe('unchanged');
  });

  it('shows a real output change next to hidden ones', () => {
    const mixed = cell({
      kind: 'modified',
      executionCount: true,
      outputs: [output({ noise: true }), output()]
    });
    expect(effectiveKind(mixed, DEFAULT_TOGGLES)).toBe('modified');
  });

  it('shows a change of cell type and of attachments', () => {
    const retyped = cell({
      kind: 'modified',
      new: { cell_type: 'markdown', source: 'x', metadata: {} }
    });
    expect(effectiveKind(retyped, DEFAULT_TOGGLES)).toBe('modified');
    const attached = cell({ kind: 'modified', attachments: true });
    expect(effectiveKind(attached, DEFAULT_TOGGLES)).toBe('modified');
  });

  it('keeps a cell modified in a field it has no flag for', () => {
    // The type of an unread cell, say: the engine counts it changed too.
    const other = cell({ kind: 'modified', old: null, new: null });
    expect(effectiveKind(other, DEFAULT_TOGGLES)).toBe('modified');
  });
});

describe('visibleOutputs', () => {
  it('hides noise unless asked for', () => {
    const noisy = output({ noise: true });
    const real = output();
    const c = cell({ kind: 'modified', outputs: [noisy, real] });
    expect(visibleOutputs(c, DEFAULT_TOGGLES)).toEqual([real]);
    expect(visibleOutputs(c, ALL)).toEqual([noisy, real]);
  });
});

describe('buildRows', () => {
  const changed = () => cell({ kind: 'modified', source: true });

  it('folds each run of unchanged cells into one row', () => {
    const diff = notebook([
      cell(),
      cell(),
      changed(),
      cell(),
      cell({ kind: 'added', old: null }),
      cell({ kind: 'removed', new: null }),
      cell(),
      cell(),
      cell()
    ]);
    const rows = buildRows(diff, DEFAULT_TOGGLES);
    expect(shape(rows)).toEqual(['0..2', 'c2', '3..4', 'c4', 'c5', '6..9']);
    const first = rows[0];
    expect(first.type === 'collapsed' && first.count).toBe(2);
  });

  it('lists a diff without changes as one folded row', () => {
    const rows = buildRows(notebook([cell(), cell(), cell()]), ALL);
    expect(shape(rows)).toEqual(['0..3']);
    expect(changeCount(rows)).toBe(0);
  });

  it('lists an empty diff as no rows', () => {
    expect(buildRows(notebook([]), DEFAULT_TOGGLES)).toEqual([]);
  });

  it('does not fold a moved cell, even unchanged', () => {
    const diff = notebook([cell(), cell({ moved: true }), cell()]);
    const rows = buildRows(diff, DEFAULT_TOGGLES);
    expect(shape(rows)).toEqual(['0..1', 'c1', '2..3']);
    const moved = rows[1];
    expect(moved.type === 'cell' && [moved.kind, moved.moved]).toEqual([
      'unchanged',
      true
    ]);
  });

  it('folds cells whose only differences are hidden with their neighbours', () => {
    const diff = notebook([
      cell(),
      cell({ kind: 'modified', metadata: true }),
      cell({ kind: 'modified', outputs: [output({ noise: true })] }),
      cell(),
      changed()
    ]);
    expect(shape(buildRows(diff, DEFAULT_TOGGLES))).toEqual(['0..4', 'c4']);
    expect(
      shape(buildRows(diff, { ...DEFAULT_TOGGLES, metadata: true }))
    ).toEqual(['0..1', 'c1', '2..4', 'c4']);
    const rows = buildRows(diff, ALL);
    expect(shape(rows)).toEqual(['0..1', 'c1', 'c2', '3..4', 'c4']);
    const row = rows[1];
    expect(row.type === 'cell' && row.kind).toBe('modified');
  });

  it('lists expanded unchanged cells one a row', () => {
    const diff = notebook([cell(), cell(), changed(), cell(), cell()]);
    const rows = buildRows(diff, DEFAULT_TOGGLES, new Set([0, 1]));
    expect(shape(rows)).toEqual(['c0', 'c1', 'c2', '3..5']);
    const row = rows[0];
    expect(row.type === 'cell' && [row.kind, row.change]).toEqual([
      'unchanged',
      false
    ]);
  });

  it('puts the notebook metadata first when shown and changed', () => {
    const diff = notebook([changed()], [
      { op: 'remove', key: 'widgets' }
    ] as any);
    expect(shape(buildRows(diff, DEFAULT_TOGGLES))).toEqual(['c0']);
    expect(shape(buildRows(diff, ALL))).toEqual(['meta', 'c0']);
    expect(shape(buildRows(notebook([changed()]), ALL))).toEqual(['c0']);
  });

  it('keys rows stably by their first cell', () => {
    const diff = notebook([cell(), changed(), cell()]);
    expect(buildRows(diff, DEFAULT_TOGGLES).map(row => row.key)).toEqual([
      'run:0',
      'cell:1',
      'run:2'
    ]);
  });
});

describe('unchangedRunAround', () => {
  it('finds the unchanged run a cell is in', () => {
    const diff = notebook([
      cell(),
      cell({ kind: 'modified', source: true }),
      cell(),
      cell({ kind: 'modified', metadata: true }),
      cell(),
      cell({ moved: true })
    ]);
    expect(unchangedRunAround(diff, DEFAULT_TOGGLES, 3)).toEqual([2, 3, 4]);
    expect(unchangedRunAround(diff, ALL, 2)).toEqual([2]);
    expect(unchangedRunAround(diff, DEFAULT_TOGGLES, 0)).toEqual([0]);
    expect(unchangedRunAround(diff, DEFAULT_TOGGLES, 1)).toEqual([]);
  });
});

describe('stepChange', () => {
  // meta, run, c2, run, c4 (added), c5 (moved), run
  const diff = notebook(
    [
      cell(),
      cell(),
      cell({ kind: 'modified', source: true }),
      cell(),
      cell({ kind: 'added', old: null }),
      cell({ moved: true }),
      cell()
    ],
    [{ op: 'remove', key: 'widgets' }] as any
  );
  const rows = buildRows(diff, ALL);

  it('walks the changes in order, skipping folded rows', () => {
    expect(shape(rows)).toEqual([
      'meta',
      '0..2',
      'c2',
      '3..4',
      'c4',
      'c5',
      '6..7'
    ]);
    const order: string[] = [];
    let at: number | null = null;
    for (;;) {
      const next = stepChange(rows, at, 1);
      if (next === null) {
        break;
      }
      order.push(shape(rows)[next]);
      at = next;
    }
    expect(order).toEqual(['meta', 'c2', 'c4', 'c5']);
  });

  it('walks back from the end', () => {
    const order: string[] = [];
    let at: number | null = null;
    for (;;) {
      const next = stepChange(rows, at, -1);
      if (next === null) {
        break;
      }
      order.push(shape(rows)[next]);
      at = next;
    }
    expect(order).toEqual(['c5', 'c4', 'c2', 'meta']);
  });

  it('stops at either end', () => {
    expect(stepChange(rows, 5, 1)).toBeNull();
    expect(stepChange(rows, 0, -1)).toBeNull();
  });

  it('steps from a folded row to the changes around it', () => {
    expect(stepChange(rows, 3, 1)).toBe(4);
    expect(stepChange(rows, 3, -1)).toBe(2);
  });

  it('finds nothing without changes', () => {
    const none = buildRows(notebook([cell()]), DEFAULT_TOGGLES);
    expect(stepChange(none, null, 1)).toBeNull();
    expect(stepChange(none, null, -1)).toBeNull();
  });
});

describe('summaryText', () => {
  const zero = {
    modified: 0,
    added: 0,
    removed: 0,
    moved: 0,
    unchanged: 7,
    outputsChanged: 0
  };

  it('lists every count', () => {
    expect(
      summaryText({
        modified: 3,
        added: 1,
        removed: 1,
        moved: 1,
        unchanged: 4,
        outputsChanged: 2
      })
    ).toBe('3 cells changed, 1 added, 1 removed, 1 moved, 2 outputs changed');
  });

  it('names the noun on the first count and leaves zeros out', () => {
    expect(summaryText({ ...zero, added: 2, moved: 1 })).toBe(
      '2 cells added, 1 moved'
    );
    expect(summaryText({ ...zero, modified: 1, outputsChanged: 1 })).toBe(
      '1 cell changed, 1 output changed'
    );
    expect(summaryText({ ...zero, removed: 1 })).toBe('1 cell removed');
  });

  it('says there are no differences', () => {
    expect(summaryText(zero)).toBe('No differences');
  });

  it('mentions the notebook metadata when shown', () => {
    expect(summaryText(zero, true)).toBe('notebook metadata changed');
    expect(summaryText({ ...zero, modified: 2 }, true)).toBe(
      '2 cells changed, notebook metadata changed'
    );
  });
});

describe('cell headers', () => {
  it('badges the kind and the move', () => {
    expect(badgeText('modified', false)).toBe('modified');
    expect(badgeText('modified', true)).toBe('moved+modified');
    expect(badgeText('unchanged', true)).toBe('moved');
    expect(badgeText('added', false)).toBe('added');
  });

  it('numbers positions from 1', () => {
    expect(positionText(cell({ oldIndex: 2, newIndex: 4 }))).toBe('3 → 5');
    expect(positionText(cell({ oldIndex: null, newIndex: 0 }))).toBe('— → 1');
    expect(positionText(cell({ oldIndex: 0, newIndex: null }))).toBe('1 → —');
  });

  it('names the cell type and its change', () => {
    const md: nbformat.ICell = {
      cell_type: 'markdown',
      source: '',
      metadata: {}
    };
    expect(cellTypeText(code(''), code(''))).toBe('code');
    expect(cellTypeText(code(''), md)).toBe('code → markdown');
    expect(cellTypeText(null, md)).toBe('markdown');
    expect(cellTypeText(null, null)).toBe('');
  });
});

describe('text', () => {
  it('joins multiline sources', () => {
    expect(sourceText(code(['a\n', 'b']))).toBe('a\nb');
    expect(sourceText(code('a\nb'))).toBe('a\nb');
    expect(sourceText(null)).toBe('');
  });

  it('reads text outputs', () => {
    expect(
      outputText({ output_type: 'stream', name: 'stdout', text: ['a\n', 'b'] })
    ).toBe('a\nb');
    expect(
      outputText({
        output_type: 'error',
        ename: 'ValueError',
        evalue: 'bad',
        traceback: ['\u001b[0;31mValueError\u001b[0m', 'bad']
      })
    ).toBe('ValueError\nbad');
    expect(
      outputText({
        output_type: 'execute_result',
        execution_count: 1,
        metadata: {},
        data: { 'text/plain': ['1', '2'] }
      })
    ).toBe('12');
    expect(outputText(null)).toBe('');
  });

  it('sorts metadata keys before comparing', () => {
    expect(jsonText({ b: 1, a: { d: 2, c: [3] } })).toBe(
      '{\n  "a": {\n    "c": [\n      3\n    ],\n    "d": 2\n  },\n  "b": 1\n}\n'
    );
  });

  it('describes notebook metadata changes', () => {
    expect(
      describeEntries([
        { op: 'add', key: 'widgets', value: { x: 1 } },
        { op: 'remove', key: 'celltoolbar' },
        {
          op: 'patch',
          key: 'language_info',
          diff: [
            { op: 'replace', key: 'version', value: '3.12' },
            {
              op: 'patch',
              key: 'tags',
              diff: [
                { op: 'addrange', key: 1, valuelist: ['b'] },
                { op: 'removerange', key: 3, length: 2 }
              ]
            }
          ]
        }
      ])
    ).toEqual([
      '+ widgets: {"x":1}',
      '- celltoolbar',
      '~ language_info.version: "3.12"',
      '+ language_info.tags[1]: ["b"]',
      '- language_info.tags[3..4]'
    ]);
  });
});

describe('outputs', () => {
  const display = (data: Record<string, unknown>): nbformat.IOutput => ({
    output_type: 'display_data',
    metadata: {},
    data: data as nbformat.IMimeBundle
  });

  it('compares streams, errors and plain text as text', () => {
    expect(
      outputKind({ output_type: 'stream', name: 'stdout', text: '' })
    ).toBe('text');
    expect(
      outputKind({ output_type: 'error', ename: '', evalue: '', traceback: [] })
    ).toBe('text');
    expect(outputKind(display({ 'text/plain': 'x' }))).toBe('text');
  });

  it('compares images as images, before their text', () => {
    expect(
      outputKind(display({ 'image/png': 'iVBO', 'text/plain': '<Figure>' }))
    ).toBe('image');
    expect(outputKind(display({ 'image/svg+xml': '<svg/>' }))).toBe('image');
  });

  it('renders the rest', () => {
    expect(
      outputKind(display({ 'text/html': '<b>x</b>', 'text/plain': 'x' }))
    ).toBe('rich');
    expect(outputKind(display({ 'application/json': {} }))).toBe('rich');
  });

  it('renders a pair of different kinds', () => {
    const text = display({ 'text/plain': 'x' });
    const png = display({ 'image/png': 'iVBO' });
    expect(pairKind(output({ old: text, new: text }))).toBe('text');
    expect(pairKind(output({ old: png, new: png }))).toBe('image');
    expect(pairKind(output({ old: null, new: png }))).toBe('image');
    expect(pairKind(output({ old: text, new: png }))).toBe('rich');
  });

  it('makes data URLs of images', () => {
    expect(imageOf(display({ 'image/png': 'iVB\nORw==\n' }))).toEqual({
      mime: 'image/png',
      src: 'data:image/png;base64,iVBORw=='
    });
    expect(imageOf(display({ 'image/svg+xml': ['<svg>', '</svg>'] }))).toEqual({
      mime: 'image/svg+xml',
      src: 'data:image/svg+xml;charset=utf-8,%3Csvg%3E%3C%2Fsvg%3E'
    });
    expect(imageOf(display({ 'text/plain': 'x' }))).toBeNull();
    expect(imageOf(null)).toBeNull();
  });
});
