/**
 * The large cases the benchmark times (bench/diff.bench.ts), checked for
 * what they produce: a big notebook with one changed cell, a long notebook
 * with scattered edits, and one where every cell moved and changed.
 */
import {
  applyDiff,
  deepEqual,
  diffNotebooks,
  normalizeNotebook
} from './index';

/** mulberry32: a small deterministic generator. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function base64(rnd: () => number, length: number): string {
  const chars = new Array<string>(length);
  for (let i = 0; i < length; i++) {
    chars[i] = B64[(rnd() * 64) | 0];
  }
  return chars.join('');
}

/** ~100 KB a cell: a 50 KB stream split into lines and a 50 KB image. */
function bigNotebook(cells: number, ids: boolean): any {
  const rnd = random(1);
  return {
    nbformat: 4,
    nbformat_minor: ids ? 5 : 4,
    metadata: {},
    cells: Array.from({ length: cells }, (_, i) => ({
      cell_type: 'code',
      ...(ids ? { id: `cell-${i}` } : {}),
      execution_count: i + 1,
      metadata: {},
      source: [`x${i} = load(${i})\n`, `plot(x${i})`],
      outputs: [
        {
          output_type: 'stream',
          name: 'stdout',
          text: Array.from(
            { length: 640 },
            (_, k) => `row ${k}: ${base64(rnd, 66)}\n`
          )
        },
        {
          output_type: 'display_data',
          metadata: {},
          data: { 'image/png': base64(rnd, 50_000), 'text/plain': ['<Figure>'] }
        }
      ]
    }))
  };
}

const WORDS = [
  'alpha',
  'beta',
  'gamma',
  'df',
  'model',
  'fit',
  'plot',
  'x',
  'y',
  'loss',
  'np',
  'pd'
];

function cell(rnd: () => number, i: number, ids: boolean): any {
  const lines = Array.from({ length: 3 + ((rnd() * 15) | 0) }, (_, k) => {
    const words = Array.from(
      { length: 2 + ((rnd() * 6) | 0) },
      () => WORDS[(rnd() * WORDS.length) | 0]
    );
    return `${words.join(' ')}  # ${i}.${k}\n`;
  });
  return rnd() < 0.8
    ? {
        cell_type: 'code',
        ...(ids ? { id: `c${i}` } : {}),
        metadata: {},
        source: lines,
        execution_count: i,
        outputs: [
          { output_type: 'stream', name: 'stdout', text: [`out ${i}\n`] }
        ]
      }
    : {
        cell_type: 'markdown',
        ...(ids ? { id: `c${i}` } : {}),
        metadata: {},
        source: lines
      };
}

describe('large notebooks', () => {
  it.each([false, true])('20 MB, 200 cells, one changed (ids: %s)', ids => {
    const a = bigNotebook(200, ids);
    const b = JSON.parse(JSON.stringify(a));
    b.cells[117].source[0] = 'x117 = load(118)\n';
    b.cells[117].outputs[0].text[5] = 'changed\n';
    expect(JSON.stringify(a).length).toBeGreaterThan(20_000_000);
    const diff = diffNotebooks(a, b);
    expect(
      diff.cells.filter(c => c.kind !== 'unchanged').map(c => c.oldIndex)
    ).toEqual([117]);
    expect(diff.cells[117].outputs.map(o => o.kind)).toEqual([
      'modified',
      'unchanged'
    ]);
    expect(deepEqual(applyDiff(a, diff), normalizeNotebook(b))).toBe(true);
  });

  it.each([false, true])(
    '500 cells, 50 edits, moves, inserts, deletes (ids: %s)',
    ids => {
      const rnd = random(42);
      const a = {
        nbformat: 4,
        nbformat_minor: ids ? 5 : 4,
        metadata: {},
        cells: Array.from({ length: 500 }, (_, i) => cell(rnd, i, ids))
      };
      const b = JSON.parse(JSON.stringify(a));
      let next = 1000;
      for (let edit = 0; edit < 50; edit++) {
        const kind = rnd();
        const at = (rnd() * b.cells.length) | 0;
        if (kind < 0.4) {
          const source = b.cells[at].source;
          source.splice((rnd() * source.length) | 0, 1, 'edited line\n');
        } else if (kind < 0.6) {
          const [moved] = b.cells.splice(at, 1);
          b.cells.splice((rnd() * b.cells.length) | 0, 0, moved);
        } else if (kind < 0.8) {
          b.cells.splice(at, 0, cell(rnd, next++, ids));
        } else {
          b.cells.splice(at, 1);
        }
      }
      const diff = diffNotebooks(a, b);
      const changed = diff.cells.filter(c => c.kind !== 'unchanged' || c.moved);
      expect(changed.length).toBeGreaterThan(20);
      expect(changed.length).toBeLessThan(80);
      expect(deepEqual(applyDiff(a as any, diff), normalizeNotebook(b))).toBe(
        true
      );
    }
  );

  it('500 cells without ids, every one edited and the order reversed', () => {
    const rnd = random(3);
    const a: any = {
      nbformat: 4,
      nbformat_minor: 4,
      metadata: {},
      cells: Array.from({ length: 500 }, (_, i) => cell(rnd, i, false))
    };
    const b = JSON.parse(JSON.stringify(a));
    b.cells.reverse();
    b.cells.forEach((c: any) => c.source.push('edited\n'));
    const diff = diffNotebooks(a, b);
    expect(diff.cells.filter(c => c.kind === 'modified')).toHaveLength(500);
  });
});
