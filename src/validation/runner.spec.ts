/**
 * The runner against a real Jupyter server and real ipykernel kernels: the
 * peers' reference notebooks (nbval's -pass-/-fail- samples, nbclient's
 * cases) and the run's own guarantees (timeouts, budget, cancel, a dying
 * kernel, stop at first error, the notebook's folder as working directory).
 */
/// <reference types="node" />
import type { INotebookContent } from '@jupyterlab/nbformat';
import * as path from 'path';

import { readReference, referenceFolder } from '../testing/reference';
import { IValidationRunOptions, ValidationRun } from './runner';
import { validationSession } from './session';
import { sessionRun, useJupyterServer } from './testing/server';
import type { IValidationReport } from './types';

jest.setTimeout(120_000);

const server = useJupyterServer(18765);

const reference = readReference;

function notebook(
  ...cells: (string | { source: string; outputs?: any[]; metadata?: any })[]
): INotebookContent {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: cells.map((cell, n) => {
      const {
        source,
        outputs = [],
        metadata = {}
      } = typeof cell === 'string' ? { source: cell } : cell;
      return {
        id: `cell-${n}`,
        cell_type: 'code',
        source,
        metadata,
        outputs,
        execution_count: outputs.length ? n + 1 : null
      };
    })
  };
}

const printed = (text: string) => ({
  output_type: 'stream',
  name: 'stdout',
  text
});

/** Validate in a kernel session of its own; the session is gone afterwards. */
async function validate(
  nb: INotebookContent,
  options: Partial<IValidationRunOptions> = {},
  folder = '',
  onRun?: (run: ValidationRun) => void
): Promise<IValidationReport> {
  const run = sessionRun(server.sessions, {
    notebook: nb,
    notebookPath: path.posix.join(folder, 'test.ipynb'),
    ...options
  });
  onRun?.(run);
  const report = await run.start();
  await server.sessions.refreshRunning();
  const left = Array.from(server.sessions.running()).map(model => model.path);
  expect(left.filter(p => p.includes('.validate-'))).toEqual([]);
  return report;
}

const statuses = (report: IValidationReport) =>
  report.cells.map(cell => cell.status);

/** The cells that did not pass, with why: what a failing expectation shows. */
const notPassed = (report: IValidationReport) =>
  explain(report).filter(line => !/^(passed|skipped):/.test(line));

/** Each cell's status and why, differences included. */
const explain = (report: IValidationReport) =>
  report.cells.map(
    c =>
      `${c.status}: ${c.reason}` +
      (c.differences.length ? ` ${JSON.stringify(c.differences)}` : '')
  );

describe('nbval reference samples: the verdict agrees with the file name', () => {
  const folder = 'nbval/ipynb-test-samples';
  const files = referenceFolder(folder);

  it('finds the samples', () => {
    expect(files.length).toBeGreaterThanOrEqual(6);
  });

  // nbval's defaults: bitmaps are not compared (rendering depends on the
  // machine), the rest is.
  it.each(files)('%s', async file => {
    const report = await validate(reference(`${folder}/${file}`), {
      settings: { skipMimes: ['image/png', 'image/jpeg'] }
    });
    const expected = file.includes('-pass-');
    const reasons = explain(report);
    expect({ passed: report.verdict === 'passed', reasons }).toEqual({
      passed: expected,
      reasons
    });
  });
});

describe('nbclient reference notebooks', () => {
  const nbclient = (name: string) => reference(`nbclient/${name}.ipynb`);

  it.each([
    'HelloWorld',
    'Factorials',
    'Unicode',
    'UnicodePy3',
    'SVG',
    'Clear Output',
    'update-display-id',
    'Empty Cell',
    'Sleep1s',
    'Other Comms',
    'Skip Exceptions with Cell Tags',
    'Skip Execution with Cell Tag'
  ])('%s runs top to bottom as saved', async name => {
    const report = await validate(nbclient(name));
    expect(notPassed(report)).toEqual([]);
    expect(report.verdict).toBe('passed');
  });

  it('Skip Execution with Cell Tag: the tagged cell is skipped, not run', async () => {
    const report = await validate(nbclient('Skip Execution with Cell Tag'));
    expect(statuses(report)).toContain('skipped');
    const skipped = report.cells.find(c => c.status === 'skipped')!;
    expect(skipped.reason).toMatch(/skip-execution/);
    expect(skipped.outputs).toEqual([]);
  });

  it('update-display-id: later cells update displays of earlier cells', async () => {
    const report = await validate(nbclient('update-display-id'));
    const plain = (cell: number) =>
      report.cells[cell].outputs.map(o => (o as any).data?.['text/plain']);
    // Every display "here" shows the last value sent to it (8), in cells 1 to 3;
    // the execute result of cell 3 was updated to 10 by cell 4.
    expect(plain(1)).toEqual(["'above'", '8', "'below'"]);
    expect(plain(2)).toEqual(['8', '6', '8']);
    expect(plain(3)).toEqual(['6']);
    expect(plain(4)).toEqual(['8', '10']);
    expect(plain(5)).toEqual([]);
  });

  it('Error: the failing cell is the root cause', async () => {
    const report = await validate(nbclient('Error'));
    expect(report.verdict).toBe('failed');
    const failed = report.cells.filter(c => c.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0].role).toBe('root-cause');
    expect(failed[0].error?.ename).toBe('ZeroDivisionError');
  });

  it('Skip Exceptions: an untagged exception fails the run', async () => {
    const report = await validate(nbclient('Skip Exceptions'));
    expect(report.verdict).toBe('failed');
  });

  it('Disable Stdin: input() fails instead of waiting', async () => {
    const report = await validate(nbclient('Disable Stdin'));
    expect(report.verdict).toBe('failed');
    const failed = report.cells.find(c => c.status === 'failed')!;
    expect(failed.error?.ename).toBe('StdinNotImplementedError');
  });

  it('Interrupt: a cell past its timeout is interrupted and the run goes on', async () => {
    const report = await validate(nbclient('Interrupt'), {
      settings: { cellTimeoutMs: 1500 }
    });
    expect(statuses(report)).toEqual(['timed-out', 'passed']);
    expect(report.cells[0].reason).toMatch(/cell timeout/);
    expect(report.cells[1].outputs).toEqual([printed('done\n')]);
    expect(report.verdict).toBe('timed-out');
  });

  it('Autokill: a kernel that dies fails its cell and ends the run', async () => {
    const nb = nbclient('Autokill');
    nb.cells.push(...notebook('print("after")').cells);
    const report = await validate(nb);
    expect(report.cells[0].error?.ename).toBe('DeadKernelError');
    expect(statuses(report)).toEqual(['failed', 'not-reached']);
    expect(report.verdict).toBe('failed');
    expect(report.message).toMatch(/kernel died/);
  });
});

describe('a validation run', () => {
  it('reports changed output, root cause and consequence, with durations', async () => {
    const report = await validate(
      notebook(
        { source: 'print("new")', outputs: [printed('old\n')] },
        'raise ValueError("no data")\ndf = 1',
        'df + 1',
        'print("fine")'
      )
    );
    expect(statuses(report)).toEqual([
      'output-changed',
      'failed',
      'failed',
      'passed'
    ]);
    expect(report.cells[0].differences.length).toBeGreaterThan(0);
    expect(report.cells[0].outputs).toEqual([printed('new\n')]);
    expect(report.cells[1].role).toBe('root-cause');
    expect(report.cells[2]).toMatchObject({
      role: 'consequence',
      causeIndex: 1
    });
    expect(report.cells[2].error?.ename).toBe('NameError');
    for (const cell of report.cells) {
      expect(cell.durationMs).toBeGreaterThanOrEqual(0);
    }
    expect(report.durationMs).toBeGreaterThan(0);
    expect(report.verdict).toBe('failed');
  });

  it('runs in the notebook folder, without adding to the history', async () => {
    await server.contents.save('sub', { type: 'directory' });
    const report = await validate(
      notebook(
        'import os; print(os.path.basename(os.getcwd()))',
        'print(len(get_ipython().history_manager.input_hist_raw))'
      ),
      {},
      'sub'
    );
    expect(report.cells[0].outputs).toEqual([printed('sub\n')]);
    // store_history=False: nothing joined In[].
    expect(report.cells[1].outputs).toEqual([printed('1\n')]);
  });

  it('stops at the first error when asked', async () => {
    const report = await validate(notebook('1/0', 'print(1)'), {
      settings: { stopOnError: true }
    });
    expect(statuses(report)).toEqual(['failed', 'not-reached']);
    expect(report.message).toMatch(/first error/);
  });

  it('honours a cell timeout from the cell metadata', async () => {
    const report = await validate(
      notebook(
        {
          source: 'import time; time.sleep(30)',
          metadata: { execution: { timeout: 1 } }
        },
        'print(2)'
      )
    );
    expect(statuses(report)).toEqual(['timed-out', 'passed']);
    expect(report.cells[0].error?.ename).toBe('CellTimeoutError');
  });

  /** Validate in a kernel still busy for `seconds` when the run begins (as a fresh kernel warming up on a loaded machine is). */
  async function validateInBusyKernel(
    nb: INotebookContent,
    seconds: number,
    settings: IValidationRunOptions['settings'] = {}
  ): Promise<IValidationReport> {
    const session = validationSession(server.sessions, 'busy.ipynb', 'python3');
    const run = new ValidationRun({
      notebook: nb,
      notebookPath: 'busy.ipynb',
      settings,
      startKernel: async () => {
        const kernel = await session.startKernel();
        kernel.requestExecute({ code: `import time; time.sleep(${seconds})` });
        return kernel;
      },
      shutdownKernel: () => session.shutdownKernel()
    });
    return run.start();
  }

  it('counts a cell timeout from when the kernel starts the cell', async () => {
    // The first cell waits 2 s to start, longer than its 1 s timeout, and must
    // neither time out nor be interrupted.
    const report = await validateInBusyKernel(
      notebook(
        { source: 'print(1)', metadata: { execution: { timeout: 1 } } },
        'print(2)'
      ),
      2
    );
    expect(statuses(report)).toEqual(['passed', 'passed']);
    expect(report.cells[0].outputs).toEqual([printed('1\n')]);
  });

  it('ends at the notebook budget a cell the kernel never started', async () => {
    const report = await validateInBusyKernel(
      notebook('print(1)', 'print(2)'),
      4,
      { budgetMs: 1500 }
    );
    expect(statuses(report)).toEqual(['timed-out', 'not-reached']);
    expect(report.cells[0].error?.evalue).toMatch(
      /^Not started after 1\.5 s \(notebook budget\)/
    );
    expect(report.message).toMatch(/notebook budget/);
    expect(report.verdict).toBe('timed-out');
  });

  it('leaves cells past the notebook budget not reached', async () => {
    const report = await validate(
      notebook('import time; time.sleep(30)', 'print(2)'),
      { settings: { budgetMs: 1500 } }
    );
    expect(statuses(report)).toEqual(['timed-out', 'not-reached']);
    expect(report.cells[0].reason).toMatch(/notebook budget/);
    expect(report.verdict).toBe('timed-out');
  });

  it('cancels: interrupts the running cell and ends the kernel session', async () => {
    const report = await validate(
      notebook('import time; time.sleep(60)', 'print(2)'),
      {},
      '',
      run =>
        run.changed.connect((_, cell) => {
          if (cell?.status === 'running') {
            run.cancel();
          }
        })
    );
    expect(statuses(report)).toEqual(['not-reached', 'not-reached']);
    expect(report.verdict).toBe('cancelled');
  });

  it('ends with verdict error when no kernel can start', async () => {
    const run = new ValidationRun({
      notebook: notebook('print(1)'),
      notebookPath: 'x.ipynb',
      startKernel: () => Promise.reject(new Error('No such kernel named nope'))
    });
    const report = await run.start();
    expect(report.verdict).toBe('error');
    expect(report.message).toMatch(/No such kernel named nope/);
    expect(statuses(report)).toEqual(['not-reached']);
  });
});
