/// <reference types="node" />
/**
 * Benchmark of checkpoints: `jlpm jest -c jest.bench.config.js`.
 *
 * A synthetic 200-cell notebook with ~20 MB of outputs (PNG images of ~100 KB
 * of random bytes under a valid PNG header, and text) is checkpointed once,
 * then one small cell is re-executed (new source, output and execution count)
 * and checkpointed, 1,000 times:
 *
 * 1. client build time per checkpoint, median (target <= 20 ms), with the
 *    caller's hint of which cell changed, and without it;
 * 2. objects and deflated bytes sent per checkpoint (target <= 2x the changed
 *    cell's JSON + 16 KB);
 * 3. deflated bytes added by the 1,000 checkpoints against 1,000 full copies
 *    of the .ipynb (target <= 1%);
 * 4. the first checkpoint after a page reload: a new writer hashes the whole
 *    notebook, asks which objects the server lacks (answered from the
 *    repository) and deflates only those;
 * 5. for comparison, the git CLI committing the whole .ipynb
 *    (`BENCH_GIT_COMMITS`, default 20, commits), and both repositories' size
 *    before and after `git gc`.
 *
 * Prints a Markdown section and writes it to bench/checkpoints-report.md.
 * Environment: jest's jsdom, so isomorphic-git hashes with sha.js and deflates
 * with pako; a browser hashes with SubtleCrypto and deflates with pako too.
 */
import type * as nbformat from '@jupyterlab/nbformat';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { IGitObject } from '../src/checkpoints/git';
import { CheckpointWriter } from '../src/checkpoints/writer';
import { random, randomPng, uuid } from './synthetic';

const CELLS = 200;
const IMAGE_BYTES = 100_000;
const CHECKPOINTS = 1000;
const UNHINTED_CHECKPOINTS = 20;
const RELOADS = 3;
const GIT_COMMITS = Number(process.env.BENCH_GIT_COMMITS ?? 20);
const SMALL_CELL = 101;

const TARGET_BUILD_MS = 20;
const TARGET_OVERHEAD_BYTES = 16 * 1024;
const TARGET_RATIO = 0.01;

const REPORT = path.join(__dirname, 'checkpoints-report.md');
const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'bench',
  GIT_AUTHOR_EMAIL: 'bench@localhost',
  GIT_COMMITTER_NAME: 'bench',
  GIT_COMMITTER_EMAIL: 'bench@localhost'
};

function syntheticNotebook(): nbformat.INotebookContent {
  const next = random(42);
  const cells: nbformat.ICell[] = [];
  for (let i = 0; i < CELLS; i++) {
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
    if (i === SMALL_CELL) {
      source = 'x = 0\nx';
      outputs = [
        {
          output_type: 'execute_result',
          execution_count: i,
          data: { 'text/plain': '0' },
          metadata: {}
        }
      ];
    } else if (i % 8 !== 3) {
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
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: {
        name: 'python3',
        display_name: 'Python 3',
        language: 'python'
      },
      language_info: { name: 'python', version: '3.11.7' },
      experiments: { notebook_id: '0f8fad5b-d9cb-469f-a165-70867728950e' }
    },
    cells
  };
}

/** The notebook after the small cell's k-th re-execution. */
function rerun(
  notebook: nbformat.INotebookContent,
  k: number
): nbformat.INotebookContent {
  const cells = notebook.cells.slice();
  cells[SMALL_CELL] = {
    ...cells[SMALL_CELL],
    source: `x = ${k}\nx`,
    execution_count: CELLS + k,
    outputs: [
      {
        output_type: 'execute_result',
        execution_count: CELLS + k,
        data: { 'text/plain': String(k) },
        metadata: {}
      }
    ]
  };
  return { ...notebook, cells };
}

const ipynb = (notebook: nbformat.INotebookContent) =>
  Buffer.from(JSON.stringify(notebook, null, 1) + '\n');

const bytesOf = (objects: IGitObject[]) =>
  objects.reduce((sum, o) => sum + o.deflated.byteLength, 0);

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Bytes of the files under a folder. */
function du(folder: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    total += entry.isDirectory() ? du(full) : fs.statSync(full).size;
  }
  return total;
}

function git(...args: string[]): string {
  return execFileSync('git', args, {
    env: GIT_ENV,
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 1 << 26
  }).toString();
}

interface IOurs {
  images: number;
  ipynbBytes: number;
  cellBytes: number;
  first: { ms: number; objects: number; bytes: number };
  reloaded: { ms: number[]; objects: number; bytes: number };
  hintedMs: number[];
  unhintedMs: number[];
  objects: number[];
  bytes: number[];
  looseBytes: number;
  packedBytes: number;
  fsckClean: boolean;
}

async function benchOurs(workdir: string): Promise<IOurs> {
  const base = syntheticNotebook();
  const gitdir = path.join(workdir, 'checkpoints.git');
  git('init', '--bare', '-q', gitdir);
  const store = (objects: IGitObject[]) => {
    for (const { oid, deflated } of objects) {
      const dir = path.join(gitdir, 'objects', oid.slice(0, 2));
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, oid.slice(2)), deflated);
    }
  };

  const writer = new CheckpointWriter();
  let started = performance.now();
  const first = await writer.checkpoint({ notebook: base, parent: null });
  const firstMs = performance.now() - started;
  store(first.objects);
  await writer.markKnown(first.objects.map(o => o.oid));
  const looseBefore = du(path.join(gitdir, 'objects'));

  const hintedMs: number[] = [];
  const objects: number[] = [];
  const bytes: number[] = [];
  const changed = new Set([base.cells[SMALL_CELL].id as string]);
  let parent = first.commit;
  for (let k = 1; k <= CHECKPOINTS; k++) {
    const notebook = rerun(base, k);
    started = performance.now();
    const checkpoint = await writer.checkpoint({
      notebook,
      parent,
      cellIndex: SMALL_CELL,
      changedCellIds: changed,
      trailers: {
        runId: 'bench',
        cellId: changed.values().next().value,
        executionCount: CELLS + k,
        status: 'ok',
        duration: 0.01
      }
    });
    hintedMs.push(performance.now() - started);
    objects.push(checkpoint.objects.length);
    bytes.push(bytesOf(checkpoint.objects));
    store(checkpoint.objects);
    await writer.markKnown(checkpoint.objects.map(o => o.oid));
    parent = checkpoint.commit;
  }
  fs.mkdirSync(path.join(gitdir, 'refs', 'notebooks'), { recursive: true });
  fs.writeFileSync(
    path.join(gitdir, 'refs', 'notebooks', 'bench'),
    `${parent}\n`
  );

  // A page reload: a new writer knows nothing of what the server has.
  // The server's answer to `POST git/missing`, read from the repository.
  const missing = async (oids: string[]) =>
    oids.filter(
      oid =>
        !fs.existsSync(
          path.join(gitdir, 'objects', oid.slice(0, 2), oid.slice(2))
        )
    );
  const reloadedMs: number[] = [];
  let shipped: IGitObject[] = [];
  for (let k = 1; k <= RELOADS; k++) {
    const reloaded = new CheckpointWriter();
    started = performance.now();
    shipped = (
      await reloaded.checkpoint({
        notebook: rerun(base, CHECKPOINTS + k),
        parent,
        cellIndex: SMALL_CELL,
        missing
      })
    ).objects;
    reloadedMs.push(performance.now() - started);
  }

  // Without the hint every cell is serialised to be compared.
  const unhinted = new CheckpointWriter();
  await unhinted.checkpoint({ notebook: base, parent: null });
  const unhintedMs: number[] = [];
  for (let k = 1; k <= UNHINTED_CHECKPOINTS; k++) {
    const notebook = rerun(base, k);
    started = performance.now();
    const checkpoint = await unhinted.checkpoint({ notebook, parent: null });
    unhintedMs.push(performance.now() - started);
    await unhinted.markKnown(checkpoint.objects.map(o => o.oid));
  }

  const looseBytes = du(path.join(gitdir, 'objects')) - looseBefore;
  let fsckClean = true;
  try {
    git(
      '--git-dir',
      gitdir,
      'fsck',
      '--strict',
      '--no-progress',
      '--no-dangling'
    );
  } catch {
    fsckClean = false;
  }
  git('--git-dir', gitdir, 'gc', '-q');
  return {
    images: base.cells.filter(c =>
      JSON.stringify(c.outputs ?? []).includes('image/png')
    ).length,
    ipynbBytes: ipynb(base).byteLength,
    cellBytes: Buffer.byteLength(
      JSON.stringify(rerun(base, 1).cells[SMALL_CELL])
    ),
    first: {
      ms: firstMs,
      objects: first.objects.length,
      bytes: bytesOf(first.objects)
    },
    reloaded: {
      ms: reloadedMs,
      objects: shipped.length,
      bytes: bytesOf(shipped)
    },
    hintedMs,
    unhintedMs,
    objects,
    bytes,
    looseBytes: looseBefore + looseBytes,
    packedBytes: du(path.join(gitdir, 'objects')),
    fsckClean
  };
}

interface IGitCli {
  commits: number;
  commitMs: number[];
  looseAdded: number;
  looseBytes: number;
  packedBytes: number;
}

function benchGitCli(workdir: string): IGitCli {
  const base = syntheticNotebook();
  const tree = path.join(workdir, 'cli');
  fs.mkdirSync(tree);
  git('init', '-q', tree);
  const gitdir = path.join(tree, '.git');
  const file = path.join(tree, 'notebook.ipynb');
  const commit = (notebook: nbformat.INotebookContent, message: string) => {
    fs.writeFileSync(file, ipynb(notebook));
    git('-C', tree, 'add', 'notebook.ipynb');
    git('-C', tree, 'commit', '-q', '-m', message);
  };
  commit(base, 'initial');
  const before = du(path.join(gitdir, 'objects'));
  const commitMs: number[] = [];
  for (let k = 1; k <= GIT_COMMITS; k++) {
    const notebook = rerun(base, k);
    const started = performance.now();
    commit(notebook, `Ran cell ${SMALL_CELL + 1}`);
    commitMs.push(performance.now() - started);
  }
  const looseBytes = du(path.join(gitdir, 'objects'));
  git('--git-dir', gitdir, 'gc', '-q');
  return {
    commits: GIT_COMMITS,
    commitMs,
    looseAdded: looseBytes - before,
    looseBytes,
    packedBytes: du(path.join(gitdir, 'objects'))
  };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const pct = (ratio: number) => `${(ratio * 100).toFixed(3)}%`;
const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');

function report(ours: IOurs, cli: IGitCli): string {
  const medianMs = quantile(ours.hintedMs, 0.5);
  const medianBytes = quantile(ours.bytes, 0.5);
  const maxBytes = Math.max(...ours.bytes);
  const byteTarget = 2 * ours.cellBytes + TARGET_OVERHEAD_BYTES;
  const added = ours.bytes.reduce((a, b) => a + b, 0);
  const ratio = added / (CHECKPOINTS * ours.ipynbBytes);
  const objectCounts = [...new Set(ours.objects)].sort().join(', ');
  const cliMedian = quantile(cli.commitMs, 0.5);
  const cliPerCommit = cli.looseAdded / cli.commits;
  const rows: string[][] = [
    [
      'first checkpoint (whole notebook)',
      `${ours.first.ms.toFixed(0)} ms, ${ours.first.objects} objects, ${mb(ours.first.bytes)}`,
      '',
      ''
    ],
    [
      `first checkpoint after a page reload: build, ask which objects are missing, ship those (median of ${RELOADS})`,
      `${quantile(ours.reloaded.ms, 0.5).toFixed(0)} ms, ${ours.reloaded.objects} objects, ${kb(ours.reloaded.bytes)}`,
      '',
      ''
    ],
    [
      'build per checkpoint, caller names the changed cell (median / p95)',
      `${medianMs.toFixed(1)} / ${quantile(ours.hintedMs, 0.95).toFixed(1)} ms`,
      `<= ${TARGET_BUILD_MS} ms`,
      verdict(medianMs <= TARGET_BUILD_MS)
    ],
    [
      `build per checkpoint, no hint: every cell compared (median of ${UNHINTED_CHECKPOINTS})`,
      `${quantile(ours.unhintedMs, 0.5).toFixed(1)} ms`,
      '',
      ''
    ],
    ['objects sent per checkpoint', objectCounts, '', ''],
    [
      'bytes sent per checkpoint (median / max)',
      `${kb(medianBytes)} / ${kb(maxBytes)}`,
      `<= 2 x ${ours.cellBytes} B + 16 KB = ${kb(byteTarget)}`,
      verdict(maxBytes <= byteTarget)
    ],
    [
      `added by ${CHECKPOINTS.toLocaleString('en')} checkpoints vs as many full copies`,
      `${mb(added)} = ${pct(ratio)}`,
      `<= ${pct(TARGET_RATIO)}`,
      verdict(ratio <= TARGET_RATIO)
    ],
    [
      'our repository, loose / after `git gc` (first checkpoint included)',
      `${mb(ours.looseBytes)} / ${mb(ours.packedBytes)}`,
      '',
      ''
    ],
    [
      '`git fsck --strict` on our repository',
      ours.fsckClean ? 'clean' : '**errors**',
      'clean',
      verdict(ours.fsckClean)
    ],
    [
      `git CLI, \`git add\` + \`git commit\` of the whole .ipynb (median of ${cli.commits})`,
      `${cliMedian.toFixed(0)} ms`,
      '',
      ''
    ],
    [
      'git CLI, added per commit vs a full copy (loose)',
      `${mb(cliPerCommit)} = ${pct(cliPerCommit / ours.ipynbBytes)}`,
      '',
      ''
    ],
    [
      `git CLI repository, ${cli.commits + 1} commits, loose / after \`git gc\`, vs as many full copies`,
      `${mb(cli.looseBytes)} / ${mb(cli.packedBytes)} = ${pct(cli.looseBytes / ((cli.commits + 1) * ours.ipynbBytes))} / ${pct(cli.packedBytes / ((cli.commits + 1) * ours.ipynbBytes))}`,
      '',
      ''
    ],
    [
      'build time ratio ours / git CLI (median)',
      (medianMs / cliMedian).toFixed(4),
      '',
      ''
    ],
    [
      'bytes per checkpoint ratio ours / git CLI (loose)',
      (medianBytes / cliPerCommit).toFixed(5),
      '',
      ''
    ]
  ];
  const intro =
    `A ${CELLS}-cell notebook of ${mb(ours.ipynbBytes)} (${ours.images} PNG ` +
    `images of ${IMAGE_BYTES / 1000} KB of random bytes, text outputs); one small cell ` +
    `(${ours.cellBytes} bytes of JSON) re-executed and checkpointed ${CHECKPOINTS.toLocaleString('en')} ` +
    'times by `CheckpointWriter` in jest (jsdom: sha.js and pako; a browser uses ' +
    'SubtleCrypto and pako). Bytes are zlib-deflated loose objects, as sent.';
  const table = ['| figure | value | target | |', '| --- | --- | --- | --- |'];
  table.push(...rows.map(row => `| ${row.join(' | ')} |`));
  return [
    '## Checkpoints: one re-executed cell in a 20 MB notebook',
    '',
    intro,
    '',
    ...table,
    ''
  ].join('\n');
}

describe('checkpoints benchmark', () => {
  let workdir: string;

  beforeAll(() => {
    workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-checkpoints-'));
  });

  afterAll(() => {
    fs.rmSync(workdir, { recursive: true, force: true });
  });

  it('checkpoints one re-executed cell cheaply', async () => {
    const ours = await benchOurs(workdir);
    const cli = benchGitCli(workdir);
    const markdown = report(ours, cli);
    fs.writeFileSync(REPORT, markdown);
    process.stdout.write(`\n${markdown}\n`);
  });
});
