import {
  NotebookActions,
  NotebookPanel,
  NotebookTracker
} from '@jupyterlab/notebook';
import type { Kernel } from '@jupyterlab/services';
import { Signal } from '@lumino/signaling';

import { METADATA_KEY, readNotebookId } from '../common/notebookId';
import { FakeExperimentsClient } from '../testing/fakeClient';
import {
  closeNotebook,
  codeCell,
  notebook,
  openNotebook,
  quietWarnings,
  settle
} from '../testing/notebooks';
import { RunTracker } from './tracker';

const NOTEBOOK = notebook([
  codeCell('params', 'lr = 0.1', { tags: ['parameters'] }),
  { cell_type: 'markdown', id: 'text', source: '# Training', metadata: {} },
  codeCell('train', '\ntrain(lr)\nevaluate()')
]);

async function run(panel: NotebookPanel, index: number): Promise<void> {
  panel.content.activeCellIndex = index;
  await NotebookActions.run(panel.content, panel.sessionContext);
  await settle();
}

function kernelOf(panel: NotebookPanel): Kernel.IKernelConnection {
  return panel.sessionContext.session!.kernel!;
}

describe('RunTracker', () => {
  let notebooks: NotebookTracker;
  let panel: NotebookPanel;
  let client: FakeExperimentsClient;
  let tracker: RunTracker;

  beforeAll(quietWarnings);

  beforeEach(async () => {
    notebooks = new NotebookTracker({ namespace: 'test' });
    panel = await openNotebook(NOTEBOOK);
    await notebooks.add(panel);
    client = new FakeExperimentsClient();
    tracker = new RunTracker(notebooks, client, '/store');
  });

  afterEach(() => {
    tracker.dispose();
    closeNotebook(panel);
    notebooks.dispose();
  });

  it('starts a run at the first code cell execution, not before', async () => {
    await settle();
    expect(client.callsTo('runs.create')).toEqual([]);
    expect(tracker.runId(panel)).toBeNull();

    await run(panel, 0);

    const created = client.callsTo('runs.create');
    expect(created).toHaveLength(1);
    const notebookId = readNotebookId(panel.model!.getMetadata(METADATA_KEY));
    expect(notebookId).not.toBeNull();
    expect(created[0][0]).toEqual({
      run_id: tracker.runId(panel),
      kind: 'notebook',
      notebook_path: panel.context.path,
      notebook_id: notebookId,
      kernel_id: kernelOf(panel).id,
      kernel_name: kernelOf(panel).name
    });

    await run(panel, 2);
    expect(client.callsTo('runs.create')).toHaveLength(1);
  });

  it('does not start a run for a markdown cell', async () => {
    await run(panel, 1);
    expect(client.callsTo('runs.create')).toEqual([]);
  });

  it("records each execution in the run, with the parameters cell's source", async () => {
    const executed: string[] = [];
    tracker.executed.connect((_, event) =>
      executed.push(`${event.cellId}:${event.status}:${event.runId}`)
    );
    await run(panel, 0);
    await run(panel, 2);

    const runId = tracker.runId(panel)!;
    const stored = client.runs.runs.get(runId)!;
    expect(stored.executions.map(e => [e.cell_id, e.status])).toEqual([
      ['params', 'ok'],
      ['train', 'ok']
    ]);
    expect(stored.executions[1].source_head).toBe('train(lr)');
    const [params, train] = client.runs.batches.get(runId) as {
      [key: string]: unknown;
    }[];
    expect(params.parameters_source).toBe('lr = 0.1');
    expect(params.cell_id).toBe('params');
    expect(train.parameters_source).toBeUndefined();
    expect(executed).toEqual([`params:ok:${runId}`, `train:ok:${runId}`]);
  });

  it('ends the run as finished when the kernel restarts; the next execution starts another', async () => {
    await run(panel, 0);
    const first = tracker.runId(panel)!;

    (kernelOf(panel).statusChanged as Signal<any, Kernel.Status>).emit(
      'restarting'
    );
    await settle();

    expect(client.callsTo('runs.update')).toEqual([
      [first, { status: 'finished' }]
    ]);
    expect(client.runs.runs.get(first)!.status).toBe('finished');
    expect(tracker.runId(panel)).toBeNull();

    await run(panel, 2);
    const second = tracker.runId(panel)!;
    expect(second).not.toBe(first);
    expect(client.callsTo('runs.create')).toHaveLength(2);
    expect(
      client.runs.runs.get(second)!.executions.map(e => e.cell_id)
    ).toEqual(['train']);
  });

  it('ends the run as interrupted when the kernel dies', async () => {
    await run(panel, 0);
    const runId = tracker.runId(panel)!;

    (kernelOf(panel).statusChanged as Signal<any, Kernel.Status>).emit('dead');
    await settle();

    expect(client.callsTo('runs.update')).toEqual([
      [runId, { status: 'interrupted' }]
    ]);
  });

  it('ends the run on experiments:new-run', async () => {
    await run(panel, 0);
    const runId = tracker.runId(panel)!;
    await tracker.newRun(panel);
    expect(client.callsTo('runs.update')).toEqual([
      [runId, { status: 'finished' }]
    ]);
  });

  it('records nothing while disabled', async () => {
    tracker.enabled = false;
    await run(panel, 0);
    expect(client.calls).toEqual([]);
  });

  it('follows no notebook once disposed', async () => {
    await run(panel, 0);
    const calls = client.calls.length;
    tracker.dispose();

    await run(panel, 2);

    expect(client.calls.length).toBe(calls);
    expect(tracker.runId(panel)).toBeNull();
  });

  it('forgets a closed notebook', async () => {
    await run(panel, 0);
    expect(tracker.runId(panel)).not.toBeNull();
    panel.dispose();
    expect(tracker.runId(panel)).toBeNull();
    expect(tracker.availability(panel)).toBe('unknown');
  });
});
