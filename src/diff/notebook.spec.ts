/**
 * diffNotebooks as a reader expects it on nbdime's reference pairs, the
 * checkpoint entry (`diffCellSlots`), `toNbdime`'s shape, and bad input.
 */
import type * as nbformat from '@jupyterlab/nbformat';

import { readReference } from '../testing/reference';

import { textSimilarity } from './align';
import {
  applyDiff,
  deepEqual,
  diffCellSlots,
  diffNotebookMetadata,
  diffNotebooks,
  normalizeNotebook,
  toNbdime
} from './index';
import type { ICellDiff, ICellSlot, INotebookDiff } from './index';

const read = (name: string) => readReference(`nbdime/${name}`);

/** One line per cell: `kind[+moved] old→new`, what a reader would say. */
function describeCells(diff: INotebookDiff): string[] {
  return diff.cells.map(
    c =>
      `${c.kind}${c.moved ? '+moved' : ''} ${c.oldIndex ?? '-'}→${c.newIndex ?? '-'}`
  );
}

function roundTrips(a: any, b: any, diff = diffNotebooks(a, b)): boolean {
  return deepEqual(applyDiff(a, diff), normalizeNotebook(b));
}

function nb(cells: any[], extra: any = {}): nbformat.INotebookContent {
  return { nbformat: 4, nbformat_minor: 5, metadata: {}, cells, ...extra };
}

function code(source: string, extra: any = {}): any {
  return {
    cell_type: 'code',
    source,
    metadata: {},
    execution_count: null,
    outputs: [],
    ...extra
  };
}

describe('alignment as a reader says it (nbdime reference pairs)', () => {
  it('cellids base → local', () => {
    // 0 `def f` same; 1 `x = 3` → `x = 5`; 2 `f(x)` output 9 → 25; 3, 4
    // same; 5 "BASE - no ID" is gone and "LOCAL - with unique ID" (a new
    // id, other words) is new; 6 "BASE #2 - with unique ID" → "LOCAL #2 -
    // with unique ID" (ids differ, same place, one word changed): edited;
    // 7 the empty last cell is the same (only its id changed).
    const diff = diffNotebooks(
      read('cellids--base.ipynb'),
      read('cellids--local.ipynb')
    );
    expect(describeCells(diff)).toEqual([
      'unchanged 0→0',
      'modified 1→1',
      'modified 2→2',
      'unchanged 3→3',
      'unchanged 4→4',
      'removed 5→-',
      'added -→5',
      'modified 6→6',
      'unchanged 7→7'
    ]);
    expect(diff.cells[1]).toMatchObject({
      source: true,
      linesAdded: 1,
      linesRemoved: 1,
      outputs: []
    });
    expect(diff.cells[2].source).toBe(false);
    expect(diff.cells[2].outputs.map(o => o.kind)).toEqual(['modified']);
    expect(diff.cells[2].outputs[0].noise).toBe(false);
  });

  it('cellids base → remote', () => {
    // 3 `x = 3` → `x = 7`; 4 its output 9 → 49; 5 replaced by a cell that
    // says it is "completely different"; 6 edited; 7 the same.
    const diff = diffNotebooks(
      read('cellids--base.ipynb'),
      read('cellids--remote.ipynb')
    );
    expect(describeCells(diff)).toEqual([
      'unchanged 0→0',
      'unchanged 1→1',
      'unchanged 2→2',
      'modified 3→3',
      'modified 4→4',
      'removed 5→-',
      'added -→5',
      'modified 6→6',
      'unchanged 7→7'
    ]);
  });

  it('multi_cell_nb → local', () => {
    // 1 `f(3, 4)` → `f(3, 7)` (and its output); 2 `g(7)` → `g(9)` (and its
    // output); 4 the markdown loses its header and spaces: edited.
    const diff = diffNotebooks(
      read('multi_cell_nb.ipynb'),
      read('multi_cell_nb--local.ipynb')
    );
    expect(describeCells(diff)).toEqual([
      'unchanged 0→0',
      'modified 1→1',
      'modified 2→2',
      'unchanged 3→3',
      'modified 4→4'
    ]);
    expect(diff.cells[1]).toMatchObject({ source: true, linesAdded: 2 });
    expect(diff.cells[1].outputs.map(o => o.kind)).toEqual(['modified']);
  });

  it('multi_cell_nb → remote', () => {
    // Only the first cell: `x**2+y**2` → `x**2 + y**2`.
    const diff = diffNotebooks(
      read('multi_cell_nb.ipynb'),
      read('multi_cell_nb--remote.ipynb')
    );
    expect(describeCells(diff)).toEqual([
      'modified 0→0',
      'unchanged 1→1',
      'unchanged 2→2',
      'unchanged 3→3',
      'unchanged 4→4'
    ]);
  });

  it('multi_cell_nb → cellchange', () => {
    // 0 edited; the `def g` cell is gone, a markdown cell and `f(6, -2)`
    // are new in its place; the empty cell stays; the header markdown at
    // the end is gone.
    const diff = diffNotebooks(
      read('multi_cell_nb.ipynb'),
      read('multi_cell_nb--cellchange.ipynb')
    );
    expect(describeCells(diff)).toEqual([
      'modified 0→0',
      'unchanged 1→1',
      'removed 2→-',
      'added -→2',
      'added -→3',
      'unchanged 3→4',
      'removed 4→-'
    ]);
    expect(diff.metadata.map(e => e.key)).toEqual(['metadata']);
  });

  it('src-and-output: swapped identical cells are moves, nothing edited', () => {
    // Cells 2 and 3 (`x` with output 3, `x` without output) swap places,
    // and so do 5 and 6 (`x` without output, `x` with output 5): the
    // output-less `x` cells moved. Nothing was added, removed or edited.
    const diff = diffNotebooks(
      read('src-and-output--1.ipynb'),
      read('src-and-output--2.ipynb')
    );
    expect(describeCells(diff)).toEqual([
      'unchanged 0→0',
      'unchanged 1→1',
      'unchanged+moved 3→2',
      'unchanged 2→3',
      'unchanged 4→4',
      'unchanged 6→5',
      'unchanged+moved 5→6'
    ]);
  });

  it.each(['1', '2', '3'])('apap → apap--%s', variant => {
    // A markdown cell is new at the top; the code cell's last line changed
    // (and its image output).
    const diff = diffNotebooks(
      read('apap.ipynb'),
      read(`apap--${variant}.ipynb`)
    );
    expect(describeCells(diff)).toEqual(['added -→0', 'modified 0→1']);
    expect(diff.cells[1]).toMatchObject({
      source: true,
      linesAdded: 1,
      linesRemoved: 1
    });
    expect(diff.cells[1].outputs.map(o => o.kind)).toEqual(['modified']);
  });
});

describe('alignment rules', () => {
  it('matches by id first, even when the content changed completely', () => {
    const a = nb([code('alpha', { id: 'a' }), code('beta', { id: 'b' })]);
    const b = nb([code('gamma', { id: 'a' }), code('alpha', { id: 'c' })]);
    expect(describeCells(diffNotebooks(a, b))).toEqual([
      'modified 0→0',
      'removed 1→-',
      'added -→1'
    ]);
  });

  it('ignores duplicate ids and aligns by content', () => {
    const a = nb([
      code('one\n', { id: 'dup' }),
      code('two\n', { id: 'dup' }),
      code('three\n', { id: 'x' })
    ]);
    const b = nb([
      code('two\n', { id: 'dup' }),
      code('one\n', { id: 'dup' }),
      code('three\n', { id: 'x' })
    ]);
    const diff = diffNotebooks(a, b);
    expect(diff.cells.filter(c => c.moved)).toHaveLength(1);
    expect(diff.cells.every(c => c.kind === 'unchanged')).toBe(true);
    expect(roundTrips(a, b, diff)).toBe(true);
  });

  it('a re-executed notebook without ids: every cell matched by source', () => {
    const a = nb(
      ['x = 1', 'print(x)', 'x', 'print(x)'].map((s, i) =>
        code(s, { execution_count: i + 1 })
      ),
      { nbformat_minor: 4 }
    );
    const b = nb(
      ['x = 1', 'print(x)', 'x', 'print(x)'].map((s, i) =>
        code(s, {
          execution_count: i + 10,
          outputs: [{ output_type: 'stream', name: 'stdout', text: '1\n' }]
        })
      ),
      { nbformat_minor: 4 }
    );
    const diff = diffNotebooks(a, b);
    expect(describeCells(diff)).toEqual([
      'modified 0→0',
      'modified 1→1',
      'modified 2→2',
      'modified 3→3'
    ]);
    expect(diff.cells.every(c => c.executionCount && !c.source)).toBe(true);
  });

  it('prefers a similar cell in the same gap over one elsewhere', () => {
    const a = nb([
      code('import os\n'),
      code('value = compute(1)\nprint(value)\n'),
      code('# anchor\n'),
      code('value = compute(1)\nprint(value)\nplot()\n')
    ]);
    const b = nb([
      code('import os\n'),
      code('value = compute(2)\nprint(value)\n'),
      code('# anchor\n'),
      code('value = compute(1)\nprint(value)\nplot(3)\n')
    ]);
    expect(describeCells(diffNotebooks(a, b))).toEqual([
      'unchanged 0→0',
      'modified 1→1',
      'unchanged 2→2',
      'modified 3→3'
    ]);
  });

  it('finds a moved and edited cell across gaps', () => {
    const body = Array.from({ length: 8 }, (_, i) => `line_${i} = ${i}\n`);
    const a = nb([
      code(body.join('')),
      code('a = 1\n'),
      code('b = 2\n'),
      code('c = 3\n')
    ]);
    const b = nb([
      code('a = 1\n'),
      code('b = 2\n'),
      code('c = 3\n'),
      code([...body, 'extra = 1\n'].join(''))
    ]);
    const diff = diffNotebooks(a, b);
    expect(describeCells(diff)).toEqual([
      'unchanged 1→0',
      'unchanged 2→1',
      'unchanged 3→2',
      'modified+moved 0→3'
    ]);
    expect(roundTrips(a, b, diff)).toBe(true);
  });

  it('short one-line edits are modifications, unrelated text is not', () => {
    const a = nb([code('x = 1'), code('print(alpha)'), code('df.head()')]);
    const b = nb([code('x = 2'), code('print(beta)'), code('plt.show()')]);
    expect(describeCells(diffNotebooks(a, b))).toEqual([
      'modified 0→0',
      'modified 1→1',
      'removed 2→-',
      'added -→2'
    ]);
  });

  it('similarity: blank sources, short edits, shared words', () => {
    expect(textSimilarity('', '  \n')).toBe(1);
    expect(textSimilarity('', 'x = 1')).toBe(0);
    expect(textSimilarity('x = 1', 'x = 2')).toBeGreaterThanOrEqual(0.5);
    expect(textSimilarity('df.head()', 'plt.show()')).toBe(0);
    expect(textSimilarity('BASE - no ID', 'LOCAL - with unique ID')).toBe(0);
    // Lines: half of them kept is similar, trailing spaces do not count.
    expect(textSimilarity('a\nb\nc\nd\n', 'a  \nb\nX\nY\n')).toBe(0.5);
    expect(textSimilarity('a\nb\nc\nd\n', 'a\nX\nY\nZ\n')).toBe(0);
  });

  it('does not pair cells of different types', () => {
    const a = nb([{ cell_type: 'markdown', source: 'x = 1', metadata: {} }]);
    const b = nb([code('x = 1')]);
    expect(describeCells(diffNotebooks(a, b))).toEqual([
      'removed 0→-',
      'added -→0'
    ]);
  });

  it('places removed cells where they were', () => {
    const a = nb([code('a\n'), code('gone\n'), code('b\n'), code('c\n')]);
    const b = nb([code('a\n'), code('b\n'), code('new one\n'), code('c\n')]);
    expect(describeCells(diffNotebooks(a, b))).toEqual([
      'unchanged 0→0',
      'removed 1→-',
      'unchanged 2→1',
      'added -→2',
      'unchanged 3→3'
    ]);
  });
});

describe('outputs of a matched cell', () => {
  const stream = (text: string) => ({
    output_type: 'stream',
    name: 'stdout',
    text
  });
  const result = (text: string, count: number) => ({
    output_type: 'execute_result',
    execution_count: count,
    data: { 'text/plain': text },
    metadata: {}
  });

  it('is empty when the outputs are equal', () => {
    const a = nb([code('x', { outputs: [stream('1\n')], execution_count: 1 })]);
    const b = nb([code('x', { outputs: [stream('1\n')], execution_count: 2 })]);
    const [cell] = diffNotebooks(a, b).cells;
    expect(cell).toMatchObject({
      kind: 'modified',
      executionCount: true,
      outputs: []
    });
  });

  it('aligns equal outputs and pairs changed ones by type', () => {
    const a = nb([
      code('x', {
        outputs: [stream('start\n'), result('1', 1), stream('end\n')]
      })
    ]);
    const b = nb([
      code('x', {
        outputs: [
          stream('start\n'),
          {
            output_type: 'display_data',
            data: { 'text/plain': 'p' },
            metadata: {}
          },
          result('2', 1),
          stream('end\n')
        ]
      })
    ]);
    const diff = diffNotebooks(a, b);
    expect(
      diff.cells[0].outputs.map(o => `${o.kind} ${o.oldIndex}→${o.newIndex}`)
    ).toEqual([
      'unchanged 0→0',
      'added null→1',
      'modified 1→2',
      'unchanged 2→3'
    ]);
    expect(roundTrips(a, b, diff)).toBe(true);
  });

  it('marks outputs equal after the sanitizers as noise', () => {
    const a = nb([
      code('%time f()', {
        outputs: [
          stream('CPU times: user 1 ms\nWall time: 1.5 s\n'),
          result('<Obj at 0x7fae26a349b0>', 3),
          result('42', 3)
        ]
      })
    ]);
    const b = nb([
      code('%time f()', {
        outputs: [
          stream('CPU times: user 3 ms\nWall time: 2.25 s\n'),
          result('<Obj at 0x7fae26b00000>', 4),
          result('43', 4)
        ]
      })
    ]);
    const diff = diffNotebooks(a, b);
    expect(diff.cells[0].outputs.map(o => [o.kind, o.noise])).toEqual([
      ['modified', true],
      ['modified', true],
      ['modified', false]
    ]);
    const quiet = diffNotebooks(a, b, { detectNoise: false });
    expect(quiet.cells[0].outputs.map(o => o.noise)).toEqual([
      false,
      false,
      false
    ]);
    // Noise never changes what the diff applies to.
    expect(toNbdime(quiet)).toEqual(toNbdime(diff));
    expect(roundTrips(a, b, diff)).toBe(true);
  });
});

describe('toNbdime', () => {
  it('a moved cell is removerange + addrange, keyed by old index', () => {
    const a = nb([code('a\n'), code('b\n'), code('c\n')]);
    const b = nb([code('c\n'), code('a\n'), code('b\n')]);
    const diff = diffNotebooks(a, b);
    expect(diff.cells.filter(c => c.moved)).toHaveLength(1);
    expect(toNbdime(diff)).toEqual([
      {
        op: 'patch',
        key: 'cells',
        diff: [
          { op: 'addrange', key: 0, valuelist: [code('c\n')] },
          { op: 'removerange', key: 2, length: 1 }
        ]
      }
    ]);
  });

  it('patches a modified cell: source by lines, other keys by dict ops', () => {
    const a = nb([code('x = 1\ny = 2\n', { execution_count: 1 })]);
    const b = nb([
      code('x = 1\ny = 3\n', { execution_count: 2, metadata: { tags: ['t'] } })
    ]);
    expect(toNbdime(diffNotebooks(a, b))).toEqual([
      {
        op: 'patch',
        key: 'cells',
        diff: [
          {
            op: 'patch',
            key: 0,
            diff: [
              { op: 'replace', key: 'execution_count', value: 2 },
              {
                op: 'patch',
                key: 'metadata',
                diff: [{ op: 'add', key: 'tags', value: ['t'] }]
              },
              {
                op: 'patch',
                key: 'source',
                diff: [
                  { op: 'addrange', key: 1, valuelist: ['y = 3\n'] },
                  { op: 'removerange', key: 1, length: 1 }
                ]
              }
            ]
          }
        ]
      }
    ]);
  });

  it('sorts cell ops by key, addrange first at a key', () => {
    const a = nb([code('a\n'), code('b\n'), code('c\n'), code('d\n')]);
    const b = nb([code('new\n'), code('b\n'), code('d\n'), code('e\n')]);
    const [cells] = toNbdime(diffNotebooks(a, b)) as any[];
    const keys = cells.diff.map((e: any) => [e.key, e.op]);
    expect(keys).toEqual([
      [0, 'addrange'],
      [0, 'removerange'],
      [2, 'removerange'],
      [4, 'addrange']
    ]);
  });

  it('includes top-level metadata changes', () => {
    const a = nb([], { metadata: { kernelspec: { name: 'python3' } } });
    const b = nb([], {
      metadata: { kernelspec: { name: 'julia' } },
      nbformat_minor: 4
    });
    const diff = diffNotebooks(a, b);
    expect(diff.metadata).toEqual(
      diffNotebookMetadata(normalizeNotebook(a), normalizeNotebook(b))
    );
    expect(toNbdime(diff).map(e => [e.op, e.key])).toEqual([
      ['patch', 'metadata'],
      ['replace', 'nbformat_minor']
    ]);
    expect(roundTrips(a, b, diff)).toBe(true);
  });
});

describe('diffCellSlots (checkpoints)', () => {
  const cell = (source: string, id?: string) =>
    code(source, id ? { id } : {}) as nbformat.ICell;

  function slots(keys: (string | null)[], prints: string[]): ICellSlot[] {
    return keys.map((key, i) => ({
      key,
      fingerprint: prints[i],
      cell: null,
      tree: `tree-${prints[i]}`
    }));
  }

  it('never reads a pair with equal fingerprints', async () => {
    const oldCells = [cell('a\n'), cell('b\n'), cell('c\n'), cell('d\n')];
    const newCells = [cell('a\n'), cell('B\n'), cell('d\n'), cell('e\n')];
    const content = new Map<string, nbformat.ICell>();
    ['fa', 'fb', 'fc', 'fd'].forEach((f, i) =>
      content.set(`tree-${f}`, oldCells[i])
    );
    ['fa', 'fB', 'fd', 'fe'].forEach((f, i) =>
      content.set(`tree-${f}`, newCells[i])
    );
    const load = jest.fn(async (slot: ICellSlot) => content.get(slot.tree!)!);
    const cells = await diffCellSlots(
      slots(['k1', 'k2', 'k3', 'k4'], ['fa', 'fb', 'fc', 'fd']),
      slots(['k1', 'k2', 'k4', 'k5'], ['fa', 'fB', 'fd', 'fe']),
      load
    );
    const read = load.mock.calls.map(([slot]) => slot.tree).sort();
    expect(read).toEqual(['tree-fB', 'tree-fb', 'tree-fc', 'tree-fe']);
    expect(read).not.toContain('tree-fa');
    expect(read).not.toContain('tree-fd');
    expect(cells.map(c => `${c.kind} ${c.oldIndex}→${c.newIndex}`)).toEqual([
      'unchanged 0→0',
      'modified 1→1',
      'removed 2→null',
      'unchanged 3→2',
      'added null→3'
    ]);
    const unchanged = cells.filter(c => c.kind === 'unchanged');
    for (const c of unchanged) {
      expect(c.old).toBeNull();
      expect(c.new).toBeNull();
      expect(c.oldTree).toBe(c.newTree);
      expect(c.oldTree).toMatch(/^tree-f/);
    }
    expect(cells[1]).toMatchObject({
      source: true,
      oldTree: 'tree-fb',
      newTree: 'tree-fB'
    });
    // Unread unchanged cells produce no op: the diff still applies.
    const diff: INotebookDiff = { cells, metadata: [] };
    expect(
      deepEqual(applyDiff(nb(oldCells), diff), normalizeNotebook(nb(newCells)))
    ).toBe(true);
  });

  it('matches equal fingerprints without keys, even moved, unread', async () => {
    const load = jest.fn(async () => cell('never'));
    const cells = await diffCellSlots(
      slots([null, null, null], ['f1', 'f2', 'f3']),
      slots([null, null, null], ['f3', 'f1', 'f2']),
      load
    );
    expect(load).not.toHaveBeenCalled();
    expect(cells.map(c => `${c.kind}${c.moved ? '+moved' : ''}`)).toEqual([
      'unchanged+moved',
      'unchanged',
      'unchanged'
    ]);
    // A move of a cell never read cannot be serialized: said clearly.
    expect(() => toNbdime({ cells, metadata: [] })).toThrow(/not read/);
  });

  it('reads a changed fingerprint even when the content is the same', async () => {
    const load = jest.fn(async () => cell('same\n'));
    const cells = await diffCellSlots(
      slots(['k'], ['f1']),
      slots(['k'], ['f2']),
      load
    );
    expect(load).toHaveBeenCalledTimes(2);
    expect(cells[0]).toMatchObject({ kind: 'unchanged', moved: false });
  });

  it('aligns as diffNotebooks does when every cell is at hand', async () => {
    for (const [base, variant] of [
      ['cellids--base.ipynb', 'cellids--local.ipynb'],
      ['multi_cell_nb.ipynb', 'multi_cell_nb--cellchange.ipynb'],
      ['src-and-output--1.ipynb', 'src-and-output--2.ipynb'],
      ['apap.ipynb', 'apap--3.ipynb']
    ]) {
      const a = read(base);
      const b = read(variant);
      const present = (cells: nbformat.ICell[]): ICellSlot[] =>
        cells.map(c => ({
          key: typeof c.id === 'string' ? c.id : null,
          fingerprint: '',
          cell: c
        }));
      const load = jest.fn();
      const viaSlots = await diffCellSlots(
        present(a.cells),
        present(b.cells),
        load
      );
      expect(load).not.toHaveBeenCalled();
      const strip = (cells: ICellDiff[]) =>
        cells.map(({ oldTree, newTree, ...rest }) => rest);
      expect(strip(viaSlots)).toEqual(diffNotebooks(a, b).cells);
    }
  });
});

describe('bad input', () => {
  it.each([0, 1, 2, 3, 4, 5])('nbformat 4.%i notebooks', minor => {
    const cells = [
      code('x = 1\n', minor >= 5 ? { id: 'one' } : {}),
      { cell_type: 'markdown', source: ['# Title\n', 'text'], metadata: {} }
    ];
    if (minor < 1) {
      // 4.0 had no attachments and a heading-less markdown: just as well.
      cells.push({ cell_type: 'raw', source: 'raw', metadata: {} });
    }
    const a = nb(cells, { nbformat_minor: minor });
    const b = nb([...cells.slice(1), code('y = 2\n')], {
      nbformat_minor: minor
    });
    expect(roundTrips(a, b)).toBe(true);
    expect(roundTrips(b, a)).toBe(true);
  });

  it('old reference notebooks (nbformat 4.0) diff against 4.5 ones', () => {
    const a = read('multi_cell_nb.ipynb');
    const b = read('cellids--local.ipynb');
    expect(roundTrips(a, b)).toBe(true);
    expect(roundTrips(b, a)).toBe(true);
  });

  it('a 5 MB single-line output', () => {
    const big = 'x'.repeat(5_000_000);
    const a = nb([
      code('print(big)', {
        outputs: [{ output_type: 'stream', name: 'stdout', text: big }]
      })
    ]);
    const b = nb([
      code('print(big)', {
        outputs: [{ output_type: 'stream', name: 'stdout', text: `${big}y` }]
      })
    ]);
    const start = Date.now();
    const diff = diffNotebooks(a, b);
    expect(Date.now() - start).toBeLessThan(2000);
    expect(diff.cells[0].outputs.map(o => o.kind)).toEqual(['modified']);
    expect(roundTrips(a, b, diff)).toBe(true);
  });

  it('outputs with invalid base64', () => {
    const image = (data: string) => ({
      output_type: 'display_data',
      data: { 'image/png': data, 'text/plain': '<Figure>' },
      metadata: {}
    });
    const a = nb([code('plot()', { outputs: [image('!!! not base64 ***')] })]);
    const b = nb([code('plot()', { outputs: [image('%%%%')] })]);
    const diff = diffNotebooks(a, b);
    expect(diff.cells[0].outputs[0]).toMatchObject({
      kind: 'modified',
      noise: false
    });
    expect(roundTrips(a, b, diff)).toBe(true);
  });

  it('missing and mistyped fields', () => {
    const weird: any[] = [
      { cell_type: 'code', metadata: {} },
      { cell_type: 'code', source: 'x', outputs: null },
      { cell_type: 'code', source: ['a', 1, 'b'], outputs: [{ text: ['t'] }] },
      { cell_type: 'markdown', source: 7 },
      { source: 'no type' },
      null,
      'a string cell',
      42,
      code('normal\n', { outputs: [null, { output_type: 'stream' }] }),
      code('attachments', { attachments: { 'a.png': ['not', 'a', 'bundle'] } })
    ];
    const a = nb(weird);
    const b = nb([
      ...weird.slice(1, 5),
      { cell_type: 'code', source: ['x', '\n'], outputs: 'oops' },
      'another string',
      ...weird.slice(8),
      { cell_type: 'raw' }
    ]);
    expect(() => diffNotebooks(a, b)).not.toThrow();
    expect(roundTrips(a, b)).toBe(true);
    expect(roundTrips(b, a)).toBe(true);
    // No cells at all, or cells that are not a list.
    const empty = { nbformat: 4, nbformat_minor: 5, metadata: {} } as any;
    expect(roundTrips(empty, a)).toBe(true);
    expect(roundTrips({ ...empty, cells: { not: 'a list' } }, a)).toBe(true);
  });

  it('an nbformat 3 notebook: no cells, worksheets diffed as data', () => {
    const v3 = (source: string) =>
      ({
        nbformat: 3,
        nbformat_minor: 0,
        metadata: { name: 'old' },
        worksheets: [{ cells: [{ cell_type: 'code', input: source }] }]
      }) as any;
    const diff = diffNotebooks(v3('a = 1'), v3('a = 2'));
    expect(diff.cells).toEqual([]);
    expect(diff.metadata.map(e => e.key)).toEqual(['worksheets']);
    expect(roundTrips(v3('a = 1'), v3('a = 2'), diff)).toBe(true);
  });

  it.each([
    ['null', null],
    ['a number', 42],
    ['a string', '{"cells": []}'],
    ['a list', [{ cell_type: 'code' }]],
    ['an object without notebook keys', { hello: 'world' }]
  ])('throws a clear error for %s', (_, value) => {
    expect(() => diffNotebooks(value as any, nb([]))).toThrow(/Not a notebook/);
    expect(() => normalizeNotebook(value as any)).toThrow(/Not a notebook/);
  });
});
