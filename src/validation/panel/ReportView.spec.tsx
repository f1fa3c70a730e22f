import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import React from 'react';
import { act } from 'react';
import { createRoot, Root } from 'react-dom/client';

import { FakeExperimentsClient } from '../../testing/fakeClient';
import { DEFAULT_VALIDATION_SETTINGS, pendingCell } from '../runner';
import type { IValidationReport } from '../types';
import { ValidationModel } from './model';
import { IReportActions, ReportView, ROWS_PER_FRAME } from './ReportView';

// React's act() runs renders and effects to completion in a test environment.
(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

function report(cells: number, head = 'x'): IValidationReport {
  return {
    runId: 'r1',
    notebookPath: 'nb.ipynb',
    notebookId: null,
    checkpoint: null,
    kernelName: 'python3',
    startedAt: 0,
    finishedAt: 1,
    durationMs: 1,
    verdict: 'passed',
    message: null,
    settings: DEFAULT_VALIDATION_SETTINGS,
    staticFindings: [],
    cells: Array.from({ length: cells }, (_, i) =>
      pendingCell({
        index: i,
        codeIndex: i,
        sourceHead: `${head}${i} = 1`,
        status: 'passed'
      })
    )
  };
}

const actions: IReportActions = {
  selectCell: () => undefined,
  cancel: () => undefined,
  runAgain: () => undefined,
  export: () => undefined
};

/** Let animation frames (and the renders they schedule) happen until `done`. */
async function framesUntil(done: () => boolean): Promise<void> {
  for (let k = 0; k < 200 && !done(); k++) {
    await act(() => new Promise<void>(resolve => setTimeout(resolve, 20)));
  }
}

describe('ReportView', () => {
  let host: HTMLDivElement;
  let root: Root;
  // Only shown reports here: the model never starts a run.
  const model = new ValidationModel({
    panel: null as any,
    sessions: null as any,
    settings: () => DEFAULT_VALIDATION_SETTINGS,
    validations: new FakeExperimentsClient().validations
  });
  const render = () =>
    act(() =>
      root.render(
        <ReportView
          model={model}
          rendermime={null as unknown as IRenderMimeRegistry}
          actions={actions}
        />
      )
    );
  const rows = () =>
    Array.from(host.querySelectorAll('.jp-Experiments-validationCell'));

  beforeEach(() => {
    host = document.createElement('div');
    document.body.appendChild(host);
    root = createRoot(host);
  });
  afterEach(() => {
    act(() => root.unmount());
    host.remove();
  });
  afterAll(() => model.dispose());

  it('mounts a long report’s rows a batch per animation frame', async () => {
    const cells = ROWS_PER_FRAME * 2 + 50;
    model.showStored(report(cells));
    render();
    expect(rows()).toHaveLength(ROWS_PER_FRAME);
    await framesUntil(() => rows().length > ROWS_PER_FRAME);
    // One more batch, not the rest: a frame never mounts more than a batch.
    expect(rows()).toHaveLength(ROWS_PER_FRAME * 2);
    await framesUntil(() => rows().length === cells);
    expect(rows()).toHaveLength(cells);
    expect(rows()[cells - 1].textContent).toContain(`x${cells - 1} = 1`);
  });

  it('mounts a new report afresh, first batch first', async () => {
    model.showStored(report(ROWS_PER_FRAME * 2));
    render();
    await framesUntil(() => rows().length === ROWS_PER_FRAME * 2);
    expect(rows()).toHaveLength(ROWS_PER_FRAME * 2);

    model.showStored(report(ROWS_PER_FRAME * 2, 'y'));
    render();
    expect(rows()).toHaveLength(ROWS_PER_FRAME);
    expect(rows()[0].textContent).toContain('y0 = 1');
    await framesUntil(() => rows().length === ROWS_PER_FRAME * 2);
    expect(rows()).toHaveLength(ROWS_PER_FRAME * 2);
  });

  it('shows a short report whole at once', () => {
    model.showStored(report(3));
    render();
    expect(rows().map(row => row.getAttribute('data-status'))).toEqual([
      'passed',
      'passed',
      'passed'
    ]);
  });
});
