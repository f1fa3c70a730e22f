import { DEFAULT_VALIDATION_SETTINGS, pendingCell } from '../runner';
import type { IValidationCell, IValidationReport } from '../types';
import { cellRecord, IValidationStore, ValidationRecorder } from './recorder';

function cell(
  index: number,
  status: IValidationCell['status']
): IValidationCell {
  return pendingCell({
    index,
    codeIndex: index,
    cellId: `c${index}`,
    sourceHead: `x${index} = 1`,
    status,
    durationMs: 5,
    executionCount: index + 1
  });
}

function report(): IValidationReport {
  return {
    runId: null,
    notebookPath: 'nb.ipynb',
    notebookId: null,
    checkpoint: null,
    kernelName: 'python3',
    startedAt: 0,
    finishedAt: null,
    durationMs: null,
    verdict: null,
    message: null,
    settings: DEFAULT_VALIDATION_SETTINGS,
    staticFindings: [],
    cells: []
  };
}

class FakeStore implements IValidationStore {
  calls: [string, ...any[]][] = [];
  failCreate = false;
  failCells = false;
  async create(validation: any) {
    this.calls.push(['create', validation]);
    if (this.failCreate) {
      throw new Error('500 database is locked');
    }
    return { run_id: validation.run_id };
  }
  async addCells(runId: string, cells: any[]) {
    this.calls.push(['cells', runId, cells.map(c => [c.index, c.status])]);
    if (this.failCells) {
      throw new Error('413 too large');
    }
  }
  async finish(runId: string, end: any) {
    this.calls.push(['finish', runId, end]);
  }
}

const RUN = {
  runId: 'r1',
  kernelName: 'python3',
  kernelId: 'k1',
  cellCount: 3,
  sourceHash: 'abc'
};

/** A recorder on a fake store that fails as asked, and the warnings it gave. */
function setup(fail: { failCells?: boolean; failCreate?: boolean } = {}) {
  const store = Object.assign(new FakeStore(), fail);
  const warnings: string[] = [];
  const recorder = new ValidationRecorder({
    store,
    warn: w => warnings.push(w),
    interval: 500
  });
  return { store, warnings, recorder };
}

describe('ValidationRecorder', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('creates the run, batches finished cells, then sends the verdict', async () => {
    const { store, warnings, recorder } = setup();
    const r = report();
    recorder.begin(r, RUN);
    recorder.cellChanged(cell(0, 'running'));
    recorder.cellChanged(cell(0, 'passed'));
    recorder.cellChanged(cell(1, 'failed'));
    await jest.advanceTimersByTimeAsync(500);
    expect(r.runId).toBe('r1');
    recorder.cellChanged(cell(2, 'output-changed'));
    // The same cell again (its role changed): its latest state is sent.
    recorder.cellChanged({ ...cell(1, 'failed'), role: 'root-cause' });
    r.verdict = 'failed';
    r.durationMs = 42;
    await recorder.finish(r);
    expect(store.calls).toEqual([
      [
        'create',
        expect.objectContaining({
          run_id: 'r1',
          kernel_id: 'k1',
          cell_count: 3
        })
      ],
      [
        'cells',
        'r1',
        [
          [0, 'passed'],
          [1, 'failed']
        ]
      ],
      [
        'cells',
        'r1',
        [
          [2, 'output-changed'],
          [1, 'failed']
        ]
      ],
      ['finish', 'r1', { verdict: 'failed', duration_ms: 42, message: null }]
    ]);
    expect((store.calls[0][1] as any).settings.source_hash).toBe('abc');
    expect(warnings).toEqual([]);
  });

  it('warns once and keeps going when the server fails', async () => {
    const { store, warnings, recorder } = setup({ failCells: true });
    const r = report();
    recorder.begin(r, RUN);
    recorder.cellChanged(cell(0, 'passed'));
    await jest.advanceTimersByTimeAsync(500);
    recorder.cellChanged(cell(1, 'passed'));
    r.verdict = 'passed';
    await recorder.finish(r);
    expect(warnings).toEqual([
      'Some cell results could not be recorded: 413 too large.'
    ]);
    expect(store.calls[store.calls.length - 1][0]).toBe('finish');
  });

  it('sends nothing more when the run could not be created', async () => {
    const { store, warnings, recorder } = setup({ failCreate: true });
    const r = report();
    recorder.begin(r, RUN);
    recorder.cellChanged(cell(0, 'passed'));
    r.verdict = 'passed';
    await recorder.finish(r);
    expect(store.calls.map(c => c[0])).toEqual(['create']);
    expect(r.runId).toBeNull();
    expect(warnings[0]).toMatch(
      /not being recorded in the store: 500 database is locked/
    );
  });
});

describe('cellRecord', () => {
  it('speaks the REST API’s snake_case', () => {
    const record = cellRecord({
      ...cell(3, 'failed'),
      error: { ename: 'ValueError', evalue: 'bad' },
      role: 'root-cause'
    });
    expect(record).toMatchObject({
      index: 3,
      code_index: 3,
      cell_id: 'c3',
      source_head: 'x3 = 1',
      duration_ms: 5,
      execution_count: 4,
      error: { ename: 'ValueError', evalue: 'bad', traceback: [] },
      role: 'root-cause',
      cause_index: null,
      saved_outputs: []
    });
  });
});
