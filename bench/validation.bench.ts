/**
 * Validation speed: a 100-cell notebook of fast cells validated by
 * `ValidationRun` through a real Jupyter server, against `jupyter nbconvert
 * --to notebook --execute` on the same notebook, in the same run. Both
 * include starting and ending their kernel. Target: ours ≤ 1.1× nbconvert.
 *
 * Prints a Markdown section and writes it to bench/validation-report.md.
 */
/// <reference types="node" />
import type { INotebookContent } from '@jupyterlab/nbformat';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { sessionRun, useJupyterServer } from '../src/validation/testing/server';

const REPORT = path.join(__dirname, 'validation-report.md');
/** The figure's notebook size, and a larger one to show how it scales. */
const SIZES = [100, 500];
const ROUNDS = 5;

function fastNotebook(cells: number): INotebookContent {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' }
    },
    cells: Array.from({ length: cells }, (_, i) => ({
      id: `c${i}`,
      cell_type: 'code',
      source: `x${i} = ${i} * 2\nprint(x${i})`,
      metadata: {},
      execution_count: i + 1,
      outputs: [{ output_type: 'stream', name: 'stdout', text: `${i * 2}\n` }]
    }))
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const server = useJupyterServer(18766);

async function ours(notebook: INotebookContent): Promise<number> {
  const started = performance.now();
  const run = sessionRun(server.sessions, {
    notebook,
    notebookPath: 'bench.ipynb'
  });
  const report = await run.start();
  const elapsed = performance.now() - started;
  if (report.verdict !== 'passed') {
    throw new Error(`the benchmark notebook did not pass: ${report.verdict}`);
  }
  return elapsed;
}

function nbconvert(file: string, out: string): number {
  const started = performance.now();
  const result = spawnSync(
    'jupyter',
    ['nbconvert', '--to', 'notebook', '--execute', file, '--output', out],
    { encoding: 'utf8' }
  );
  const elapsed = performance.now() - started;
  if (result.status !== 0) {
    throw new Error(`nbconvert failed: ${result.stderr}`);
  }
  return elapsed;
}

it('validates a 100-cell notebook about as fast as nbconvert executes it', async () => {
  const ms = (value: number) => `${Math.round(value)} ms`;
  const rows: string[] = [];
  const medians: { ours: number; peer: number }[] = [];
  for (const size of SIZES) {
    const notebook = fastNotebook(size);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'validation-bench-'));
    const file = path.join(dir, 'bench.ipynb');
    fs.writeFileSync(file, JSON.stringify(notebook));
    const out = path.join(dir, 'out.ipynb');

    // One of each to warm caches (imports, kernel spec lookup).
    await ours(notebook);
    nbconvert(file, out);
    const timesOurs: number[] = [];
    const timesPeer: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      timesOurs.push(await ours(notebook));
      timesPeer.push(nbconvert(file, out));
    }
    const a = median(timesOurs);
    const b = median(timesPeer);
    medians.push({ ours: a, peer: b });
    rows.push(
      `| ${size} cells | ${ms(a)} (min ${ms(Math.min(...timesOurs))}) | ` +
        `${ms(b)} (min ${ms(Math.min(...timesPeer))}) | ${(a / b).toFixed(2)} | ` +
        `${size === SIZES[0] ? '≤ 1.1' : ''} |`
    );
  }
  const perCell = (who: 'ours' | 'peer') =>
    `${((medians[1][who] - medians[0][who]) / (SIZES[1] - SIZES[0])).toFixed(1)} ms`;
  const markdown = [
    '## Validation: run top to bottom (jest: bench/validation.bench.ts)',
    '',
    `Notebooks of fast cells (\`x = i * 2; print(x)\`), ${ROUNDS} rounds each after one warm-up, ` +
      'kernel start and shutdown included in both: `ValidationRun` through a real Jupyter ' +
      'server against `jupyter nbconvert --to notebook --execute`, medians.',
    '',
    '| notebook | `ValidationRun` | nbconvert | ratio ours / nbconvert | target |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    // nbconvert's figure includes starting its own Python process; the cost of
    // one more cell compares the execution paths alone.
    `One more cell costs ${perCell('ours')} with \`ValidationRun\` and ${perCell('peer')} ` +
      `with nbconvert (the difference between the two sizes over ${SIZES[1] - SIZES[0]} cells); ` +
      "nbconvert's totals include starting its own Python process.",
    ''
  ].join('\n');
  fs.writeFileSync(REPORT, markdown);
  console.log(markdown);
  expect(rows).toHaveLength(SIZES.length);
});
