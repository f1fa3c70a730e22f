import type { ICodeCell } from '@jupyterlab/nbformat';
import { NotebookPanel } from '@jupyterlab/notebook';

import { METADATA_KEY } from '../../common/notebookId';
import { ApiError } from '../../rest';
import { FakeExperimentsClient } from '../../testing/fakeClient';
import { FakeKernel, fakeSessions } from '../../testing/fakeKernel';
import {
  closeNotebook,
  codeCell,
  notebook,
  openNotebook,
  quietWarnings
} from '../../testing/notebooks';
import { DEFAULT_VALIDATION_SETTINGS, pendingCell } from '../runner';
import type { IValidationReport } from '../types';
import { sourceHash } from './format';
import { ValidationModel } from './model';

const NOTEBOOK_ID = '3e2d1c0b-9a8f-4e7d-8c6b-5a4f3e2d1c0b';

function content(fitSource: string) {
  const load: ICodeCell = {
    ...codeCell('load', 'print("ready")'),
    execution_count: 1,
    outputs: [{ output_type: 'stream', name: 'stdout', text: 'ready\n' }]
  };
  return notebook(
    [
      load,
      { cell_type: 'markdown', id: 'text', source: '# Fit', metadata: {} },
      codeCell('fit', fitSource)
    ],
    { [METADATA_KEY]: { notebook_id: NOTEBOOK_ID } } as any
  );
}

describe('ValidationModel', () => {
  let panel: NotebookPanel;
  let kernel: FakeKernel;
  let sessions: ReturnType<typeof fakeSessions>;
  let client: FakeExperimentsClient;

  const validate = async (fitSource: string) => {
    panel = await openNotebook(content(fitSource));
    const model = new ValidationModel({
      panel,
      sessions,
      settings: () => DEFAULT_VALIDATION_SETTINGS,
      validations: client.validations
    });
    const finished: { report: IValidationReport; hash: string }[] = [];
    model.finished.connect((_, latest) => finished.push(latest));
    await model.start();
    return { model, finished };
  };

  /** The validation the store recorded (there must be exactly one). */
  const recorded = () => {
    const all = [...client.validations.recorded.values()];
    expect(all).toHaveLength(1);
    return all[0];
  };

  beforeAll(quietWarnings);

  beforeEach(() => {
    kernel = new FakeKernel();
    sessions = fakeSessions(kernel);
    client = new FakeExperimentsClient();
  });

  afterEach(() => closeNotebook(panel));

  it('records the run, every code cell and the verdict through the recorder', async () => {
    const { model, finished } = await validate('x = 1');

    expect(kernel.executed).toEqual(['print("ready")', 'x = 1']);
    expect(model.report?.verdict).toBe('passed');
    expect(model.warnings).toEqual([]);

    const stored = recorded();
    const hash = sourceHash(content('x = 1').cells);
    expect(stored.validation).toEqual({
      run_id: model.report!.runId,
      notebook_path: panel.context.path,
      notebook_id: NOTEBOOK_ID,
      checkpoint: null,
      kernel_name: 'python3',
      kernel_id: kernel.id,
      settings: { ...DEFAULT_VALIDATION_SETTINGS, source_hash: hash },
      static_findings: model.report!.staticFindings,
      cell_count: 2
    });
    expect(
      [...stored.cells.values()].map(c => [c.index, c.code_index, c.status])
    ).toEqual([
      [0, 0, 'passed'],
      [2, 1, 'passed']
    ]);
    expect(stored.end).toEqual({
      verdict: 'passed',
      duration_ms: model.report!.durationMs,
      message: null
    });
    const methods = client.calls
      .map(c => c.method)
      .filter(m => m !== 'validations.list');
    expect(methods[0]).toBe('validations.create');
    expect(methods[methods.length - 1]).toBe('validations.finish');
    expect(new Set(methods.slice(1, -1))).toEqual(
      new Set(['validations.addCells'])
    );
    expect(finished).toEqual([{ report: model.report, hash }]);
    // Its own session, in the notebook's folder, shut down at the end.
    expect(sessions.started[0].type).toBe('validation');
    expect(sessions.shutdowns).toBeGreaterThan(0);
  });

  it('records a failing cell with its error and the failed verdict', async () => {
    const { model } = await validate('raise ValueError');

    expect(model.report?.verdict).toBe('failed');
    const cell = recorded().cells.get(2)!;
    expect(cell.status).toBe('failed');
    expect(cell.error).toEqual({
      ename: 'ValueError',
      evalue: '',
      traceback: ['ValueError']
    });
    expect(recorded().end?.verdict).toBe('failed');
  });

  it('goes on, with a warning, when the store refuses the run', async () => {
    client.failNext(
      'validations.create',
      new ApiError(500, 'database is locked')
    );
    const { model } = await validate('x = 1');

    expect(model.report?.verdict).toBe('passed');
    expect(model.warnings).toEqual([
      expect.stringContaining(
        'not being recorded in the store: database is locked'
      )
    ]);
    expect(client.callsTo('validations.addCells')).toEqual([]);
    expect(client.callsTo('validations.finish')).toEqual([]);
  });

  it("shows each cell's duration in the notebook's previous validation", async () => {
    client.validations.reports.push({
      ...(await validate('x = 1')).model.report!,
      runId: 'previous',
      cells: [
        pendingCell({
          index: 0,
          codeIndex: 0,
          cellId: 'load',
          durationMs: 1234
        })
      ]
    });
    closeNotebook(panel);

    const { model } = await validate('x = 1');

    expect(client.callsTo('validations.list')).toContainEqual([
      { notebook_id: NOTEBOOK_ID, limit: 1 }
    ]);
    expect(client.callsTo('validations.get')).toEqual([['previous']]);
    expect(model.report!.cells.map(c => c.previousDurationMs)).toEqual([
      1234,
      null
    ]);
  });
});
