/// <reference types="node" />
/**
 * Round trips: `applyDiff(a, diffNotebooks(a, b))` is `normalizeNotebook(b)`
 * on every nbdime reference pair and on random edits (fast-check), and
 * nbdime's own `patch` (Python) agrees with our `toNbdime` output.
 */
import type * as nbformat from '@jupyterlab/nbformat';
import { spawnSync } from 'child_process';
import * as fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';

import {
  readReference,
  referenceFolder,
  REFERENCE
} from '../testing/reference';

import {
  applyDiff,
  deepEqual,
  diffNotebooks,
  normalizeNotebook,
  splitLines,
  toNbdime
} from './index';
import type { INotebookDiff } from './index';

// ---------------------------------------------------------------------------
// Reference pairs: `base--variant.ipynb` against the group's base.

/** [base, variant] file names under tests/reference/nbdime. */
function referencePairs(): [string, string][] {
  const files = referenceFolder('nbdime');
  const groups = new Map<string, string[]>();
  for (const file of files) {
    const cut = file.indexOf('--');
    const group = cut < 0 ? file.replace(/\.ipynb$/, '') : file.slice(0, cut);
    groups.set(group, [...(groups.get(group) ?? []), file]);
  }
  const pairs: [string, string][] = [];
  for (const [group, members] of groups) {
    const base = [
      `${group}.ipynb`,
      `${group}--base.ipynb`,
      `${group}--1.ipynb`
    ].filter(name => members.includes(name))[0];
    if (!base) {
      continue;
    }
    for (const variant of members) {
      if (variant !== base) {
        pairs.push([base, variant]);
      }
    }
  }
  // multilevel-test-{base,local,remote,merged}: the same idea, other names.
  for (const variant of ['local', 'remote', 'merged']) {
    const file = `multilevel-test-${variant}.ipynb`;
    if (files.includes(file)) {
      pairs.push(['multilevel-test-base.ipynb', file]);
    }
  }
  return pairs;
}

const PAIRS = referencePairs();
const read = (name: string) => readReference(`nbdime/${name}`);

/** The value, frozen all the way down: writing to it throws. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/**
 * Whether `a` patched with the diff is `b`; the inputs are frozen, so a diff
 * that wrote to what it was given (it shares their unjoined parts) throws.
 */
function roundTrips(
  a: nbformat.INotebookContent,
  b: nbformat.INotebookContent,
  diff: INotebookDiff = diffNotebooks(deepFreeze(a), deepFreeze(b))
): boolean {
  return deepEqual(applyDiff(a, diff), normalizeNotebook(b));
}

describe('reference pairs (tests/reference/nbdime)', () => {
  it('finds more than 20 pairs', () => {
    expect(PAIRS.length).toBeGreaterThan(20);
    expect(PAIRS).toContainEqual(['apap.ipynb', 'apap--1.ipynb']);
    expect(PAIRS).toContainEqual([
      'cellids--base.ipynb',
      'cellids--local.ipynb'
    ]);
    expect(PAIRS).toContainEqual(['foo--1.ipynb', 'foo--2.ipynb']);
  });

  it.each(PAIRS)('%s → %s round-trips both ways', (base, variant) => {
    const a = read(base);
    const b = read(variant);
    expect(roundTrips(a, b)).toBe(true);
    expect(roundTrips(b, a)).toBe(true);
  });

  it.each(PAIRS)('%s → %s: equal to itself, all unchanged', base => {
    const a = read(base);
    const diff = diffNotebooks(a, read(base));
    expect(diff.metadata).toEqual([]);
    expect(diff.cells.every(c => c.kind === 'unchanged' && !c.moved)).toBe(
      true
    );
    expect(toNbdime(diff)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// Generated notebooks and edits.

const LINES = [
  'x = 1',
  'y = x + 1',
  'print(x)',
  'import os',
  'def f(a):',
  '    return a * 2',
  '# a comment',
  '',
  'for i in range(3):',
  '    print(i)',
  'df.head()',
  'plt.plot(x)',
  'Some *markdown* text',
  'ünïcödé ✓ 🎉'
];
const ENDS = ['\n', '\n', '\n', '\r\n', '\r', '\u2028', '\v', '\x85', '\f'];

const textArb = fc
  .tuple(
    fc.array(fc.tuple(fc.constantFrom(...LINES), fc.constantFrom(...ENDS)), {
      maxLength: 6
    }),
    fc.boolean()
  )
  .map(([lines, trailing]) => {
    const text = lines.map(([line, end]) => line + end).join('');
    return trailing ? text : text.replace(/(\r\n|[\n\r\v\f\x85\u2028])$/, '');
  });

const dataArb = fc.record(
  {
    'text/plain': textArb,
    'text/html': textArb.map(t => `<p>${t}</p>`),
    'application/json': fc.record({
      a: fc.integer(),
      b: fc.array(fc.constantFrom('x', 'y', 'z\n'), { maxLength: 3 })
    }),
    'image/png': fc.constantFrom(
      'iVBORw0KGgo=',
      'iVBORw0KGgoAAAANSUhEUg==\n',
      '!!not base64!!'
    )
  },
  { requiredKeys: ['text/plain'] }
);

const outputArb: fc.Arbitrary<any> = fc.oneof(
  fc.record({
    output_type: fc.constant('stream'),
    name: fc.constantFrom('stdout', 'stderr'),
    text: textArb
  }),
  fc.record({
    output_type: fc.constant('execute_result'),
    execution_count: fc.option(fc.nat(50), { nil: null }),
    data: dataArb,
    metadata: fc.constant({})
  }),
  fc.record({
    output_type: fc.constant('display_data'),
    data: dataArb,
    metadata: fc.constantFrom({}, { isolated: true })
  }),
  fc.record({
    output_type: fc.constant('error'),
    ename: fc.constantFrom('ValueError', 'KeyError'),
    evalue: fc.constantFrom('bad', 'worse'),
    traceback: fc.array(
      fc.constantFrom('Traceback', '  line 1', 'ValueError'),
      {
        maxLength: 3
      }
    )
  })
);

const metadataArb = fc.oneof(
  fc.constant({}),
  fc.record(
    {
      tags: fc.array(fc.constantFrom('a', 'b', 'parameters'), { maxLength: 3 }),
      collapsed: fc.boolean(),
      scrolled: fc.constantFrom(true, false, 'auto')
    },
    { requiredKeys: [] }
  )
);

const cellArb: fc.Arbitrary<any> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      cell_type: fc.constant('code'),
      source: textArb,
      metadata: metadataArb,
      execution_count: fc.option(fc.nat(99), { nil: null }),
      outputs: fc.array(outputArb, { maxLength: 3 })
    })
  },
  {
    weight: 1,
    arbitrary: fc.record(
      {
        cell_type: fc.constant('markdown'),
        source: textArb,
        metadata: metadataArb,
        attachments: fc.record({
          'a.png': fc.record({ 'image/png': fc.constantFrom('iVBOR', 'AAAA') })
        })
      },
      { requiredKeys: ['cell_type', 'source', 'metadata'] }
    )
  },
  {
    weight: 1,
    arbitrary: fc.record({
      cell_type: fc.constant('raw'),
      source: textArb,
      metadata: metadataArb
    })
  }
);

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value));

let idCounter = 0;
const freshId = () => `id-${(idCounter++).toString(36)}`;

/** Turn joined strings into file form (line lists) at random. */
function fileForm(nb: any, split: boolean[]): any {
  let k = 0;
  const maybe = (text: unknown) =>
    typeof text === 'string' && split[k++ % split.length]
      ? splitLines(text)
      : text;
  for (const cell of nb.cells) {
    cell.source = maybe(cell.source);
    for (const output of cell.outputs ?? []) {
      if (output.text !== undefined) {
        output.text = maybe(output.text);
      }
      for (const mime of Object.keys(output.data ?? {})) {
        output.data[mime] = maybe(output.data[mime]);
      }
    }
  }
  return nb;
}

const notebookArb = (withIds: boolean, distinct = false) =>
  fc
    .tuple(
      fc.array(cellArb, { maxLength: 12 }),
      fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
      fc.constantFrom(
        {},
        { kernelspec: { name: 'python3', display_name: 'Python 3' } }
      )
    )
    .map(([cells, split, metadata]) => {
      const nb: any = {
        nbformat: 4,
        nbformat_minor: withIds ? 5 : 4,
        metadata: clone(metadata),
        cells: clone(cells)
      };
      nb.cells.forEach((cell: any, i: number) => {
        if (distinct) {
          cell.source = `${cell.source}\n# cell ${i}`;
        }
        if (withIds) {
          cell.id = freshId();
        }
      });
      return fileForm(nb, split);
    });

type Edit =
  | { kind: 'insert'; at: number; cell: any }
  | { kind: 'delete'; at: number }
  | { kind: 'move'; from: number; to: number }
  | { kind: 'source'; at: number; line: string; pos: number; remove: boolean }
  | { kind: 'outputs'; at: number; output: any; pos: number; remove: boolean }
  | { kind: 'metadata'; at: number; metadata: any }
  | { kind: 'executionCount'; at: number; count: number | null }
  | { kind: 'notebookMetadata'; value: string };

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(20),
    cell: cellArb
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(20) }),
  fc.record({
    kind: fc.constant('move' as const),
    from: fc.nat(20),
    to: fc.nat(20)
  }),
  fc.record({
    kind: fc.constant('source' as const),
    at: fc.nat(20),
    line: fc.constantFrom(...LINES),
    pos: fc.nat(10),
    remove: fc.boolean()
  }),
  fc.record({
    kind: fc.constant('outputs' as const),
    at: fc.nat(20),
    output: outputArb,
    pos: fc.nat(4),
    remove: fc.boolean()
  }),
  fc.record({
    kind: fc.constant('metadata' as const),
    at: fc.nat(20),
    metadata: metadataArb
  }),
  fc.record({
    kind: fc.constant('executionCount' as const),
    at: fc.nat(20),
    count: fc.option(fc.nat(99), { nil: null })
  }),
  fc.record({
    kind: fc.constant('notebookMetadata' as const),
    value: fc.constantFrom('python', 'julia')
  })
);

/** `nb` (file form) edited: a new notebook, `nb` untouched. */
function applyEdits(nb: any, edits: Edit[], withIds: boolean): any {
  const result = clone(nb);
  const cells: any[] = result.cells;
  for (const edit of edits) {
    const n = cells.length;
    switch (edit.kind) {
      case 'insert': {
        const cell = clone(edit.cell);
        if (withIds) {
          cell.id = freshId();
        }
        cells.splice(edit.at % (n + 1), 0, cell);
        break;
      }
      case 'delete':
        if (n) {
          cells.splice(edit.at % n, 1);
        }
        break;
      case 'move':
        if (n) {
          const [cell] = cells.splice(edit.from % n, 1);
          cells.splice(edit.to % n, 0, cell);
        }
        break;
      case 'source':
        if (n) {
          const cell = cells[edit.at % n];
          const lines = splitLines(
            Array.isArray(cell.source) ? cell.source.join('') : cell.source
          );
          if (edit.remove && lines.length) {
            lines.splice(edit.pos % lines.length, 1);
          } else {
            lines.splice(edit.pos % (lines.length + 1), 0, `${edit.line}\n`);
          }
          cell.source = lines.join('');
        }
        break;
      case 'outputs':
        if (n && cells[edit.at % n].cell_type === 'code') {
          const outputs = cells[edit.at % n].outputs;
          if (edit.remove && outputs.length) {
            outputs.splice(edit.pos % outputs.length, 1);
          } else {
            outputs.splice(
              edit.pos % (outputs.length + 1),
              0,
              clone(edit.output)
            );
          }
        }
        break;
      case 'metadata':
        if (n) {
          cells[edit.at % n].metadata = clone(edit.metadata);
        }
        break;
      case 'executionCount':
        if (n && cells[edit.at % n].cell_type === 'code') {
          cells[edit.at % n].execution_count = edit.count;
        }
        break;
      case 'notebookMetadata':
        result.metadata.language_info = { name: edit.value };
        break;
    }
  }
  return result;
}

const pairArb = (withIds: boolean) =>
  fc
    .tuple(notebookArb(withIds), fc.array(editArb, { maxLength: 8 }))
    .map(([a, edits]) => ({ a, b: applyEdits(a, edits, withIds), edits }));

/**
 * One cell whose source, made of many lines with every kind of line end, is
 * edited line by line: keys of string diffs must count lines as Python does.
 */
const sourcePairArb = fc
  .tuple(
    fc.array(
      fc.tuple(
        fc.constantFrom(...LINES),
        fc.constantFrom(...ENDS, '\x1c', '\x1d', '\x1e', '\u2029')
      ),
      {
        minLength: 3,
        maxLength: 12
      }
    ),
    fc.array(fc.tuple(fc.nat(12), fc.constantFrom(...LINES), fc.boolean()), {
      minLength: 1,
      maxLength: 4
    })
  )
  .map(([lines, edits]) => {
    const before = lines.map(([line, end]) => line + end);
    const after = [...before];
    for (const [at, line, remove] of edits) {
      if (remove && after.length) {
        after.splice(at % after.length, 1);
      } else {
        after.splice(at % (after.length + 1), 0, `${line}\n`);
      }
    }
    const nb = (source: string) => ({
      nbformat: 4,
      nbformat_minor: 4,
      metadata: {},
      cells: [{ cell_type: 'markdown', metadata: {}, source }]
    });
    return { a: nb(before.join('')), b: nb(after.join('')) };
  });

describe('properties (fast-check)', () => {
  it.each([true, false])('round trip after random edits (ids: %s)', withIds => {
    fc.assert(
      fc.property(pairArb(withIds), ({ a, b }) => {
        const diff = diffNotebooks(a, b);
        expect(deepEqual(applyDiff(a, diff), normalizeNotebook(b))).toBe(true);
        // Every cell of each side is listed exactly once.
        const olds = diff.cells
          .filter(c => c.oldIndex !== null)
          .map(c => c.oldIndex);
        const news = diff.cells
          .filter(c => c.newIndex !== null)
          .map(c => c.newIndex);
        expect(olds.sort((x, y) => x! - y!)).toEqual(
          a.cells.map((_: unknown, i: number) => i)
        );
        expect(news).toEqual(b.cells.map((_: unknown, i: number) => i));
      }),
      { numRuns: 300 }
    );
  });

  it.each([true, false])('a pure move is one moved cell (ids: %s)', withIds => {
    fc.assert(
      fc.property(
        notebookArb(withIds, true).filter(nb => nb.cells.length >= 2),
        fc.nat(),
        fc.nat(),
        (a, from, to) => {
          const n = a.cells.length;
          fc.pre(from % n !== to % n);
          const b = applyEdits(a, [{ kind: 'move', from, to }], withIds);
          const diff = diffNotebooks(a, b);
          expect(diff.cells.filter(c => c.moved)).toHaveLength(1);
          expect(diff.cells.filter(c => c.kind !== 'unchanged')).toEqual([]);
          expect(diff.cells).toHaveLength(n);
          expect(roundTrips(a, b, diff)).toBe(true);
        }
      ),
      { numRuns: 200 }
    );
  });

  it.each([true, false])(
    'equal notebooks are all unchanged (ids: %s)',
    withIds => {
      fc.assert(
        fc.property(
          notebookArb(withIds),
          fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
          (a, split) => {
            // The same notebook with its strings split differently.
            const b = fileForm(normalizeNotebook(clone(a)), split);
            const diff = diffNotebooks(a, b);
            expect(diff.metadata).toEqual([]);
            expect(
              diff.cells.every(c => c.kind === 'unchanged' && !c.moved)
            ).toBe(true);
            expect(diff.cells).toHaveLength(a.cells.length);
            expect(toNbdime(diff)).toEqual([]);
          }
        ),
        { numRuns: 200 }
      );
    }
  );
});

// ---------------------------------------------------------------------------
// nbdime's own patch agrees.

const REPO = path.resolve(REFERENCE, '..', '..');
const SCRIPT = path.join(REPO, 'tests', 'python', 'nbdime_patch.py');

function python(): string {
  const chosen =
    process.env.PYTHON || path.join(REPO, '.venv', 'bin', 'python');
  if (!fs.existsSync(chosen)) {
    throw new Error(
      `No Python at ${chosen}: set PYTHON to a Python with nbdime, or create ` +
        'the repository .venv (the nbdime cross-check cannot be skipped)'
    );
  }
  return chosen;
}

describe('nbdime cross-check', () => {
  it('nbdime.patch(a, toNbdime(diffNotebooks(a, b))) == b for every case', () => {
    const cases: { name: string; a: unknown; b: unknown; diff: unknown }[] = [];
    const add = (name: string, a: any, b: any) => {
      cases.push({
        name,
        a: normalizeNotebook(a),
        b: normalizeNotebook(b),
        diff: toNbdime(diffNotebooks(a, b))
      });
    };
    for (const [base, variant] of PAIRS) {
      add(`${base} → ${variant}`, read(base), read(variant));
      add(`${variant} → ${base}`, read(variant), read(base));
    }
    const generated = [
      ...fc.sample(pairArb(true), 15),
      ...fc.sample(pairArb(false), 15),
      ...fc.sample(sourcePairArb, 20)
    ];
    generated.forEach(({ a, b }, i) => add(`generated #${i}`, a, b));
    expect(cases.length).toBe(PAIRS.length * 2 + 50);

    const run = spawnSync(python(), [SCRIPT], {
      input: JSON.stringify({ cases }),
      encoding: 'utf8',
      maxBuffer: 1 << 28
    });
    if (run.error) {
      throw run.error;
    }
    if (run.status !== 0) {
      throw new Error(
        `nbdime_patch.py failed (exit ${run.status}): ${run.stderr}` +
          (run.status === 3 ? ' — install nbdime in that Python' : '')
      );
    }
    const report = JSON.parse(run.stdout) as {
      checked: number;
      failures: { name: string; error: string }[];
    };
    expect(report.failures).toEqual([]);
    expect(report.checked).toBe(cases.length);
  });
});
