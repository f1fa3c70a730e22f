/// <reference types="node" />
/**
 * Benchmark of the notebook diff engine against nbdime:
 * `jlpm jest -c jest.bench.config.js bench/diff.bench.ts`.
 *
 * The same pairs of .ipynb files, in the same run, diffed by our
 * `diffNotebooks` and by nbdime's `diff_notebooks` (`bench/nbdime_timing.py`,
 * run once with the repository's Python, or `$PYTHON`):
 *
 * 1. a synthetic 200-cell notebook with ~20 MB of outputs (PNG images of
 *    ~100 KB of random bytes under a valid PNG header, and text) and a copy
 *    with one cell's source changed (target: >= 10x nbdime and <= 1 s); and
 *    the same two notebooks written as checkpoints by `CheckpointWriter` into
 *    an in-memory git directory, diffed by `diffCheckpoints` with a new
 *    (cold) `CheckpointReader` every time (target <= 50 ms);
 * 2. two 500-cell nbformat 4.5 notebooks (cell ids) differing by 50 scattered
 *    edits from a seeded generator: source edits, moves, inserts and deletes
 *    (target >= 10x nbdime);
 * 3. every nbdime reference pair in tests/reference/nbdime
 *    (`base--variant.ipynb` against `base.ipynb`, else `base--base.ipynb`,
 *    else `base--1.ipynb`; `x-local|remote|merged` against `x-base`): the
 *    slowest ratio (target >= 1x, never slower than nbdime).
 *
 * Both sides time the diff alone, parsing excluded: ours
 * `diffNotebooks(a, b)` on freshly parsed objects (normalisation included,
 * which diffNotebooks does), nbdime `diff_notebooks(a, b)` on notebooks read
 * with `nbformat.read` before each call. Each figure is a median after
 * untimed warm-up calls: one for nbdime; for ours, enough for V8 to have
 * optimised the engine (10 rounds over all reference pairs before the first
 * is timed, 20 calls on the 500-cell pair, 3 on the big one). Reference
 * pairs are timed round robin on both sides, so a burst of load on the
 * machine does not land on one pair's calls only. Every diff is
 * checked: `applyDiff(a, diff)` must give back `b`, so a fast wrong answer
 * fails the bench.
 *
 * Prints a Markdown section and writes it to bench/diff-report.md.
 */
import type * as nbformat from '@jupyterlab/nbformat';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { MemFs } from '../src/checkpoints/memfs';
import { CheckpointReader, fsObjectReader } from '../src/checkpoints/reader';
import { CheckpointWriter } from '../src/checkpoints/writer';
import { applyDiff, diffNotebooks, normalizeNotebook } from '../src/diff';
import { diffCheckpoints } from '../src/diff/checkpoints';
import type { INotebookDiff } from '../src/diff/types';
import { random, randomPng, uuid } from './synthetic';

const BIG_CELLS = 200;
const IMAGE_BYTES = 100_000;
const EDITED_CELL = 101;
const MANY_CELLS = 500;
/** The 50 edits, in this proportion, in a seeded order and place. */
const EDITS = { source: 20, move: 10, insert: 10, delete: 10 };

/**
 * Untimed calls before ours is timed: V8 optimises the engine only after a
 * few dozen calls (the 500-cell pair's first 20 take twice as long as the
 * next 20), CPython 3.11 specialises within the one warm-up call nbdime gets.
 */
const MANY_WARMUP = 20;
const BIG_WARMUP = 3;
/** Repetitions (medians), ours and nbdime's. */
const BIG_REPEATS = 10;
const NBDIME_BIG_REPEATS = 3; // ~1 s a call
const CHECKPOINT_REPEATS = 20;
const MANY_REPEATS = 20;
const NBDIME_MANY_REPEATS = 10;
const SMALL_REPEATS = 50;
/** Untimed rounds over every reference pair before any is timed. */
const SMALL_WARMUP_ROUNDS = 10;

const TARGET_RATIO = 10;
const TARGET_BIG_MS = 1000;
const TARGET_CHECKPOINT_MS = 50;
const TARGET_SMALL_RATIO = 1;

const ROOT = path.resolve(__dirname, '..');
const REFERENCE = path.join(ROOT, 'tests', 'reference', 'nbdime');
const NBDIME_TIMING = path.join(__dirname, 'nbdime_timing.py');
const PYTHON = process.env.PYTHON || path.join(ROOT, '.venv', 'bin', 'python');
const REPORT = path.join(__dirname, 'diff-report.md');

const METADATA: nbformat.INotebookMetadata = {
  kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' },
  language_info: { name: 'python', version: '3.11.7' }
};

/** 200 cells, ~20 MB: images, training logs, a markdown cell every 10. */
function bigNotebook(): nbformat.INotebookContent {
  const next = random(42);
  const cells: nbformat.ICell[] = [];
  for (let i = 0; i < BIG_CELLS; i++) {
    const id = uuid(next);
    if (i % 10 === 0) {
      cells.push({
        cell_type: 'markdown',
        id,
        metadata: {},
        source: `## Section ${i / 10}\n\nSome prose about the next steps.`
      });
      continue;
    }
    let outputs: nbformat.IOutput[];
    let source: string;
    if (i % 8 !== 3) {
      source = `fig, ax = plt.subplots()\nax.plot(data[${i}])\nplt.show()`;
      outputs = [
        {
          output_type: 'display_data',
          data: {
            'image/png': randomPng(IMAGE_BYTES, next),
            'text/plain': '<Figure size 640x480 with 1 Axes>'
          },
          metadata: {}
        }
      ];
    } else {
      source = `for epoch in range(40):\n    print(epoch, train(model, ${i}))`;
      const lines = Array.from(
        { length: 40 },
        (_, e) => `${e} loss=${next().toFixed(6)} acc=${next().toFixed(6)}\n`
      );
      outputs = [{ output_type: 'stream', name: 'stdout', text: lines }];
    }
    cells.push({
      cell_type: 'code',
      id,
      metadata: {},
      source,
      execution_count: i,
      outputs
    });
  }
  return { nbformat: 4, nbformat_minor: 5, metadata: METADATA, cells };
}

/** The big notebook with one cell's source changed, nothing else. */
function editOneCell(
  notebook: nbformat.INotebookContent
): nbformat.INotebookContent {
  const cells = notebook.cells.slice();
  const cell = cells[EDITED_CELL];
  cells[EDITED_CELL] = {
    ...cell,
    source: `${cell.source}\nax.set_title("edited")`
  };
  return { ...notebook, cells };
}

/** A small cell: code with a short output, or markdown. */
function smallCell(n: number, next: () => number): nbformat.ICell {
  const id = uuid(next);
  if (n % 7 === 0) {
    return {
      cell_type: 'markdown',
      id,
      metadata: {},
      source: `## Step ${n}\n\nWe now look at item ${n} and its score.`
    };
  }
  const alpha = next().toFixed(3);
  return {
    cell_type: 'code',
    id,
    metadata: {},
    source: `x${n} = load(${n})\ny${n} = model.fit(x${n}, alpha=${alpha})\nprint(y${n}.score)`,
    execution_count: n,
    outputs:
      n % 5 === 2
        ? [
            {
              output_type: 'execute_result',
              execution_count: n,
              data: { 'text/plain': `Model(alpha=${alpha})` },
              metadata: {}
            }
          ]
        : [
            {
              output_type: 'stream',
              name: 'stdout',
              text: `score ${next().toFixed(5)}\n`
            }
          ]
  };
}

interface IManyPair {
  a: nbformat.INotebookContent;
  b: nbformat.INotebookContent;
}

/**
 * 500 cells, and a copy with 50 edits, each at a seeded place and on a cell
 * no other edit touched: a line of source changed, a cell moved elsewhere, a
 * new cell inserted, a cell deleted.
 */
function manyCellPair(): IManyPair {
  const next = random(2024);
  const cells = Array.from({ length: MANY_CELLS }, (_, n) =>
    smallCell(n, next)
  );
  const edited = cells.slice();
  const touched = new Set<string>();
  const untouched = (): number => {
    for (;;) {
      const i = Math.floor(next() * edited.length);
      if (!touched.has(edited[i].id as string)) {
        return i;
      }
    }
  };
  const kinds = Object.entries(EDITS).flatMap(([kind, count]) =>
    Array.from({ length: count }, () => kind)
  );
  // Seeded shuffle, so kinds interleave.
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j], kinds[i]];
  }
  kinds.forEach((kind, k) => {
    if (kind === 'insert') {
      const cell = smallCell(MANY_CELLS + k, next);
      touched.add(cell.id as string);
      edited.splice(Math.floor(next() * (edited.length + 1)), 0, cell);
      return;
    }
    const i = untouched();
    const cell = edited[i];
    touched.add(cell.id as string);
    if (kind === 'source') {
      const lines = String(cell.source).split('\n');
      const line = Math.floor(next() * lines.length);
      lines[line] = `${lines[line]}  # edited ${k}`;
      edited[i] = { ...cell, source: lines.join('\n') };
    } else if (kind === 'move') {
      edited.splice(i, 1);
      let to = i;
      while (Math.abs(to - i) < 5) {
        to = Math.floor(next() * (edited.length + 1));
      }
      edited.splice(to, 0, cell);
    } else {
      edited.splice(i, 1);
    }
  });
  const notebook = (list: nbformat.ICell[]): nbformat.INotebookContent => ({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: METADATA,
    cells: list
  });
  return { a: notebook(cells), b: notebook(edited) };
}

/** A pair of files to diff, b against a. */
interface IPair {
  name: string;
  a: string;
  b: string;
}

/** The nbdime reference pairs: each variant against its base. */
function referencePairs(): IPair[] {
  if (!fs.existsSync(REFERENCE)) {
    throw new Error(`nbdime reference notebooks not found in ${REFERENCE}`);
  }
  const files = new Set(
    fs.readdirSync(REFERENCE).filter(n => n.endsWith('.ipynb'))
  );
  const pairs: IPair[] = [];
  for (const file of [...files].sort()) {
    const stem = file.slice(0, -'.ipynb'.length);
    let candidates: string[] = [];
    const split = stem.indexOf('--');
    if (split > 0) {
      const base = stem.slice(0, split);
      candidates = [`${base}.ipynb`, `${base}--base.ipynb`, `${base}--1.ipynb`];
    } else {
      const match = /^(.*)-(local|remote|merged)$/.exec(stem);
      candidates = match ? [`${match[1]}-base.ipynb`] : [];
    }
    const base = candidates.find(c => c !== file && files.has(c));
    if (base) {
      pairs.push({
        name: `${base.slice(0, -6)} → ${stem}`,
        a: path.join(REFERENCE, base),
        b: path.join(REFERENCE, file)
      });
    }
  }
  return pairs;
}

const ipynb = (notebook: nbformat.INotebookContent) =>
  JSON.stringify(notebook, null, 1) + '\n';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Milliseconds, from Node's monotonic clock (not jsdom's). */
const now = () => Number(process.hrtime.bigint()) / 1e6;

interface ITimed {
  ms: number;
  runs: number[];
  diff: INotebookDiff;
}

/**
 * Our `diffNotebooks` on the two files' text: parsed afresh before every
 * call (untimed), so no call reuses objects an earlier call has seen.
 */
function timeOurs(
  a: string,
  b: string,
  repeat: number,
  warmup: number
): ITimed {
  for (let w = 0; w < warmup; w++) {
    diffNotebooks(JSON.parse(a), JSON.parse(b));
  }
  let diff: INotebookDiff = { cells: [], metadata: [] };
  const runs: number[] = [];
  for (let r = 0; r < repeat; r++) {
    const left = JSON.parse(a);
    const right = JSON.parse(b);
    const started = now();
    diff = diffNotebooks(left, right);
    runs.push(now() - started);
  }
  return { ms: median(runs), runs, diff };
}

interface INbdimeResult {
  name: string;
  ms: number;
  runs: number[];
  entries: number;
  nbdime: string;
}

/** nbdime's `diff_notebooks` on the same files, in one Python process. */
function timeNbdime(
  workdir: string,
  pairs: (IPair & { repeat: number; warmup?: boolean })[]
): Map<string, INbdimeResult> {
  if (!fs.existsSync(PYTHON)) {
    throw new Error(`no Python at ${PYTHON}: set PYTHON to one with nbdime`);
  }
  const list = path.join(workdir, 'pairs.json');
  fs.writeFileSync(list, JSON.stringify(pairs));
  const result = spawnSync(PYTHON, [NBDIME_TIMING, list], {
    encoding: 'utf8',
    maxBuffer: 1 << 26
  });
  if (result.status !== 0) {
    throw new Error(
      `nbdime timing failed (${PYTHON}, exit ${result.status}): ${result.stderr || result.error}`
    );
  }
  const results: INbdimeResult[] = JSON.parse(result.stdout);
  return new Map(results.map(r => [r.name, r]));
}

/** JSON with sorted keys: equal for equal values whatever the key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v).sort(([x], [y]) => (x < y ? -1 : 1))
        )
      : v
  );
}

/** Fails the bench when the diff does not turn `a` into `b`. */
function check(name: string, a: string, b: string, diff: INotebookDiff): void {
  const applied = canonical(normalizeNotebook(applyDiff(JSON.parse(a), diff)));
  const expected = canonical(normalizeNotebook(JSON.parse(b)));
  if (applied !== expected) {
    throw new Error(`${name}: applying our diff to a does not give b`);
  }
}

function counts(diff: INotebookDiff) {
  const count = (kind: string) =>
    diff.cells.filter(c => c.kind === kind).length;
  return {
    modified: count('modified'),
    added: count('added'),
    removed: count('removed'),
    moved: diff.cells.filter(c => c.moved).length
  };
}

/** The big pair's diff: the edited cell's source, nothing else. */
function oneSourceEdit(diff: INotebookDiff): void {
  expect(counts(diff)).toEqual({ modified: 1, added: 0, removed: 0, moved: 0 });
  expect(diff.cells.find(c => c.kind === 'modified')).toMatchObject({
    newIndex: EDITED_CELL,
    source: true,
    metadata: false,
    executionCount: false,
    outputs: []
  });
  expect(diff.metadata).toEqual([]);
}

interface ICheckpointTimed {
  ms: number;
  runs: number[];
  reads: number;
  readBytes: number;
  objects: number;
  diff: INotebookDiff;
}

/**
 * Both notebooks checkpointed by the product's writer into a git directory
 * in memory; each diff uses a new reader, so nothing is cached.
 */
async function timeCheckpoints(
  a: nbformat.INotebookContent,
  b: nbformat.INotebookContent
): Promise<ICheckpointTimed> {
  const gitdir = '/bench.git';
  const memfs = new MemFs();
  const folders = new Set<string>();
  const store = async (objects: { oid: string; deflated: Uint8Array }[]) => {
    for (const { oid, deflated } of objects) {
      for (const folder of [
        gitdir,
        `${gitdir}/objects`,
        `${gitdir}/objects/${oid.slice(0, 2)}`
      ]) {
        if (!folders.has(folder)) {
          await memfs.mkdir(folder);
          folders.add(folder);
        }
      }
      await memfs.writeFile(
        `${gitdir}/objects/${oid.slice(0, 2)}/${oid.slice(2)}`,
        deflated
      );
    }
  };
  const writer = new CheckpointWriter();
  const first = await writer.checkpoint({ notebook: a, parent: null });
  await store(first.objects);
  await writer.markKnown(first.objects.map(o => o.oid));
  const second = await writer.checkpoint({
    notebook: b,
    parent: first.commit
  });
  await store(second.objects);

  const read = fsObjectReader(memfs, gitdir);
  let reads = 0;
  let readBytes = 0;
  const counted = async (oid: string) => {
    const bytes = await read(oid);
    reads++;
    readBytes += bytes.byteLength;
    return bytes;
  };
  let diff = await diffCheckpoints(
    new CheckpointReader(read),
    first.commit,
    second.commit
  );
  const runs: number[] = [];
  for (let r = 0; r < CHECKPOINT_REPEATS; r++) {
    reads = 0;
    readBytes = 0;
    const reader = new CheckpointReader(counted);
    const started = now();
    diff = await diffCheckpoints(reader, first.commit, second.commit);
    runs.push(now() - started);
  }
  return {
    ms: median(runs),
    runs,
    reads,
    readBytes,
    objects: first.objects.length + second.objects.length,
    diff
  };
}

interface ISmallRow {
  name: string;
  bytes: number;
  ours: number;
  nbdime: number;
}

const ms = (value: number) =>
  value >= 100
    ? value.toFixed(0)
    : value >= 1
      ? value.toFixed(1)
      : value.toFixed(3);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const ratio = (ours: number, peer: number) => `${(peer / ours).toFixed(1)}×`;
const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');

describe('diff benchmark', () => {
  let workdir: string;

  beforeAll(() => {
    workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-diff-'));
  });

  afterAll(() => {
    fs.rmSync(workdir, { recursive: true, force: true });
  });

  it('diffs notebooks faster than nbdime', async () => {
    // The pairs, as files both sides read.
    const big = bigNotebook();
    const bigEdited = editOneCell(big);
    const many = manyCellPair();
    const write = (name: string, notebook: nbformat.INotebookContent) => {
      const file = path.join(workdir, name);
      fs.writeFileSync(file, ipynb(notebook));
      return file;
    };
    const bigPair = {
      name: 'big',
      a: write('big.ipynb', big),
      b: write('big-edited.ipynb', bigEdited)
    };
    const manyPair = {
      name: 'many',
      a: write('many.ipynb', many.a),
      b: write('many-edited.ipynb', many.b)
    };
    const small = referencePairs();
    if (!small.length) {
      throw new Error(`no nbdime reference pairs in ${REFERENCE}`);
    }

    const nbdime = timeNbdime(workdir, [
      ...small.map(p => ({ ...p, repeat: SMALL_REPEATS })),
      { ...manyPair, repeat: NBDIME_MANY_REPEATS },
      { ...bigPair, repeat: NBDIME_BIG_REPEATS }
    ]);
    const peer = (name: string) => {
      const result = nbdime.get(name);
      if (!result) {
        throw new Error(`nbdime gave no timing for ${name}`);
      }
      return result;
    };

    const text = (file: string) => fs.readFileSync(file, 'utf8');
    // Reference pairs: V8 warmed on all of them first, then timed round
    // robin (as nbdime is), so a burst of load on the machine does not land
    // on one pair's calls only; every diff checked.
    const smallTexts = small.map(pair => [text(pair.a), text(pair.b)]);
    for (let round = 0; round < SMALL_WARMUP_ROUNDS; round++) {
      for (const [a, b] of smallTexts) {
        diffNotebooks(JSON.parse(a), JSON.parse(b));
      }
    }
    const smallRuns = small.map((): number[] => []);
    for (let round = 0; round < SMALL_REPEATS; round++) {
      smallTexts.forEach(([a, b], i) => {
        smallRuns[i].push(timeOurs(a, b, 1, 0).ms);
      });
    }
    const smallRows: ISmallRow[] = small.map((pair, i) => {
      const [a, b] = smallTexts[i];
      check(pair.name, a, b, diffNotebooks(JSON.parse(a), JSON.parse(b)));
      return {
        name: pair.name,
        bytes: Buffer.byteLength(a) + Buffer.byteLength(b),
        ours: median(smallRuns[i]),
        nbdime: peer(pair.name).ms
      };
    });

    const [manyA, manyB] = [text(manyPair.a), text(manyPair.b)];
    const manyOurs = timeOurs(manyA, manyB, MANY_REPEATS, MANY_WARMUP);
    check('many', manyA, manyB, manyOurs.diff);

    const [bigA, bigB] = [text(bigPair.a), text(bigPair.b)];
    const bigOurs = timeOurs(bigA, bigB, BIG_REPEATS, BIG_WARMUP);
    check('big', bigA, bigB, bigOurs.diff);
    oneSourceEdit(bigOurs.diff);

    const checkpoints = await timeCheckpoints(big, bigEdited);
    oneSourceEdit(checkpoints.diff);

    const markdown = report({
      bigBytes: Buffer.byteLength(bigA),
      bigOurs,
      bigPeer: peer('big'),
      checkpoints,
      manyBytes: Buffer.byteLength(manyA) + Buffer.byteLength(manyB),
      manyOurs,
      manyPeer: peer('many'),
      smallRows,
      version: peer('big').nbdime
    });
    fs.writeFileSync(REPORT, markdown);
    process.stdout.write(`\n${markdown}\n`);
  });
});

function report(figures: {
  bigBytes: number;
  bigOurs: ITimed;
  bigPeer: INbdimeResult;
  checkpoints: ICheckpointTimed;
  manyBytes: number;
  manyOurs: ITimed;
  manyPeer: INbdimeResult;
  smallRows: ISmallRow[];
  version: string;
}): string {
  const { bigOurs, bigPeer, checkpoints, manyOurs, manyPeer, smallRows } =
    figures;
  const bigRatio = bigPeer.ms / bigOurs.ms;
  const manyRatio = manyPeer.ms / manyOurs.ms;
  const slowest = smallRows.reduce((worst, row) =>
    row.nbdime / row.ours < worst.nbdime / worst.ours ? row : worst
  );
  const slowestRatio = slowest.nbdime / slowest.ours;
  const many = counts(manyOurs.diff);
  const rows: string[][] = [
    [
      `one cell's source changed in a ${BIG_CELLS}-cell notebook (median of ${BIG_REPEATS}; nbdime ${NBDIME_BIG_REPEATS})`,
      `${mb(figures.bigBytes)}, ${BIG_CELLS} cells`,
      ms(bigOurs.ms),
      ms(bigPeer.ms),
      ratio(bigOurs.ms, bigPeer.ms),
      `>= ${TARGET_RATIO}× and <= ${TARGET_BIG_MS} ms`,
      verdict(bigRatio >= TARGET_RATIO && bigOurs.ms <= TARGET_BIG_MS)
    ],
    [
      `the same two notebooks as checkpoints, \`diffCheckpoints\` with a cold reader (median of ${CHECKPOINT_REPEATS})`,
      `${checkpoints.objects} objects; ${checkpoints.reads} read, ${kb(checkpoints.readBytes)} deflated`,
      ms(checkpoints.ms),
      ms(bigPeer.ms),
      ratio(checkpoints.ms, bigPeer.ms),
      `<= ${TARGET_CHECKPOINT_MS} ms`,
      verdict(checkpoints.ms <= TARGET_CHECKPOINT_MS)
    ],
    [
      `${Object.values(EDITS).reduce((s, n) => s + n, 0)} scattered edits between two ${MANY_CELLS}-cell notebooks (median of ${MANY_REPEATS}; nbdime ${NBDIME_MANY_REPEATS})`,
      `${kb(figures.manyBytes)}; ours: ${many.modified} modified, ${many.added} added, ${many.removed} removed, ${many.moved} moved`,
      ms(manyOurs.ms),
      ms(manyPeer.ms),
      ratio(manyOurs.ms, manyPeer.ms),
      `>= ${TARGET_RATIO}×`,
      verdict(manyRatio >= TARGET_RATIO)
    ],
    [
      `slowest ratio of the ${smallRows.length} nbdime reference pairs: ${slowest.name} (medians of ${SMALL_REPEATS})`,
      kb(slowest.bytes),
      ms(slowest.ours),
      ms(slowest.nbdime),
      ratio(slowest.ours, slowest.nbdime),
      `>= ${TARGET_SMALL_RATIO}×`,
      verdict(slowestRatio >= TARGET_SMALL_RATIO)
    ]
  ];
  const edits = Object.entries(EDITS)
    .map(
      ([kind, n]) => `${n} ${kind === 'source' ? 'source edits' : `${kind}s`}`
    )
    .join(', ');
  const intro =
    `Our \`diffNotebooks\` (jest, jsdom) against nbdime ${figures.version}'s \`diff_notebooks\` ` +
    '(`bench/nbdime_timing.py`, CPython) on the same .ipynb files in the same run. Both time the diff ' +
    "alone, on notebooks parsed before each call: ours includes normalisation; nbdime's excludes " +
    '`nbformat.read`. Medians after untimed warm-up calls: one for nbdime (CPython specialises within it); for ' +
    `ours, enough for V8 to optimise the engine (${SMALL_WARMUP_ROUNDS} rounds over all reference pairs, ` +
    `${MANY_WARMUP} calls on the 500-cell pair, ${BIG_WARMUP} on the big one); reference pairs timed round robin on ` +
    `both sides. Ratio: nbdime ÷ ours. The big notebook holds PNG images of ` +
    `${IMAGE_BYTES / 1000} KB of random bytes and text outputs; the 500-cell pair (nbformat 4.5, cell ids) ` +
    `differs by ${edits} from a seeded generator. Every diff is checked: applying it to the first ` +
    'notebook gives the second.';
  const table = [
    '| case | size | ours ms | nbdime ms | ratio | target | met? |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(row => `| ${row.join(' | ')} |`)
  ];
  const perPair = [
    '| reference pair | size | ours ms | nbdime ms | ratio |',
    '| --- | --- | --- | --- | --- |',
    ...smallRows.map(
      row =>
        `| ${row.name} | ${kb(row.bytes)} | ${ms(row.ours)} | ${ms(row.nbdime)} | ${ratio(row.ours, row.nbdime)} |`
    )
  ];
  return [
    '## Notebook diff: ours against nbdime',
    '',
    intro,
    '',
    ...table,
    '',
    `Each nbdime reference pair (\`tests/reference/nbdime\`, both files' size), median of ${SMALL_REPEATS}:`,
    '',
    ...perPair,
    ''
  ].join('\n');
}
