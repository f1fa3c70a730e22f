import { NotebookPanel } from '@jupyterlab/notebook';
import { Signal } from '@lumino/signaling';

import { METADATA_KEY } from '../common/notebookId';
import { ApiError } from '../rest';
import { FakeExperimentsClient } from '../testing/fakeClient';
import {
  closeNotebook,
  codeCell,
  notebook,
  openNotebook,
  quietWarnings,
  settle,
  until
} from '../testing/notebooks';
import type { IRunTracker } from '../tokens';
import { RunPanelModel } from './model';

const NOTEBOOK_ID = '5b0e7c4a-1f0e-4a57-9d1e-2f3b4c5d6e7f';

/** The tracker as the sidebar sees it: the current run id, set by the spec. */
class FakeTracker {
  runIds = new Map<NotebookPanel, string>();
  changed = new Signal<any, NotebookPanel>(this);
  executed = new Signal<any, any>(this);
  runId(panel: NotebookPanel): string | null {
    return this.runIds.get(panel) ?? null;
  }
  availability(): 'direct' {
    return 'direct';
  }
  async newRun(): Promise<void> {
    // Not used by the sidebar.
  }
}

describe('RunPanelModel', () => {
  let panel: NotebookPanel;
  let notebooks: {
    currentWidget: NotebookPanel | null;
    currentChanged: Signal<any, any>;
  };
  let tracker: FakeTracker;
  let client: FakeExperimentsClient;
  let model: RunPanelModel;

  beforeAll(quietWarnings);

  beforeEach(async () => {
    panel = await openNotebook(
      notebook([codeCell('a', 'jx.log_metric("loss", 1)')], {
        [METADATA_KEY]: { notebook_id: NOTEBOOK_ID }
      } as any)
    );
    notebooks = { currentWidget: panel, currentChanged: new Signal(panel) };
    tracker = new FakeTracker();
    client = new FakeExperimentsClient();
    client.runs.add({ id: 'r1', notebook_id: NOTEBOOK_ID });
    client.runs.logMetric('r1', 'loss', [3, 2, 1]);
    tracker.runIds.set(panel, 'r1');
    model = new RunPanelModel(
      notebooks as any,
      tracker as unknown as IRunTracker,
      client
    );
  });

  afterEach(() => {
    model.dispose();
    closeNotebook(panel);
  });

  it('fetches nothing while the sidebar is hidden', async () => {
    tracker.changed.emit(panel);
    notebooks.currentChanged.emit(panel);
    await settle(60);
    expect(client.calls).toEqual([]);
    expect(model.run).toBeNull();
  });

  it('refreshes when its run changes, and asks nothing while nothing does', async () => {
    // The fallback's period is not used while events are available.
    model.pollInterval = 20;
    model.setActive(true);
    await until(() => model.run?.id === 'r1');
    await settle(100);
    expect(client.callsTo('runs.get')).toHaveLength(1);

    client.runs.logMetric('r1', 'loss', [0.5]);
    client.events.emit(['other', 'r1']);
    await until(() => model.series.get('loss')?.count === 4);
    expect(client.callsTo('runs.get')).toHaveLength(2);

    // Another notebook's run: not this sidebar's business.
    client.events.emit(['other']);
    await settle(50);
    expect(client.callsTo('runs.get')).toHaveLength(2);
  });

  it('reads changes announced during a refresh once it lands', async () => {
    model.setActive(true);
    await until(() => model.run?.id === 'r1');
    const release = client.hold('runs.get');
    client.events.emit(['r1']);
    await until(() => client.callsTo('runs.get').length === 2);
    client.events.emit(['r1']);
    client.events.emit(['r1']);
    client.events.emit(['r1']);
    release();
    await settle(50);
    // The one in flight, then one for the three changes that came meanwhile.
    expect(client.callsTo('runs.get')).toHaveLength(3);
  });

  it('looks for a new run on any change when the tracker names none', async () => {
    tracker.runIds.clear();
    model.setActive(true);
    await until(() => model.run?.id === 'r1');
    client.runs.add({ id: 'r9', notebook_id: NOTEBOOK_ID, start_time: 99 });

    client.events.emit(['r9']);

    await until(() => model.run?.id === 'r9');
    expect(client.callsTo('runs.list')).toHaveLength(2);
  });

  it('shows what remains when its run is purged elsewhere', async () => {
    tracker.runIds.clear();
    client.runs.add({ id: 'r0', notebook_id: NOTEBOOK_ID, start_time: -1 });
    model.setActive(true);
    await until(() => model.run?.id === 'r1');

    client.runs.runs.delete('r1');
    client.events.emit(['r1'], 'deleted');

    await until(() => model.run?.id === 'r0');
    expect(model.error).toBeNull();
  });

  it('ignores changes while hidden, and all of them once disposed', async () => {
    client.events.emit(['r1']);
    await settle(30);
    expect(client.calls).toEqual([]);

    model.setActive(true);
    await until(() => model.run?.id === 'r1');
    model.dispose();
    client.events.emit(['r1']);
    await settle(30);
    expect(client.callsTo('runs.get')).toHaveLength(1);
  });

  it('polls slowly only without run events, and stops when hidden', async () => {
    // No event bus in this frontend: nothing would say the run changed.
    client.events.available = false;
    model.pollInterval = 20;
    model.setActive(true);
    await until(() => client.callsTo('runs.get').length >= 3);
    expect(model.run?.id).toBe('r1');

    // Hidden while a refresh is in flight: it lands, and polling stops.
    const release = client.hold('runs.get');
    const asked = client.callsTo('runs.get').length;
    await until(() => client.callsTo('runs.get').length > asked);
    model.setActive(false);
    release();
    await settle(30);
    const polled = client.callsTo('runs.get').length;
    await settle(100);
    expect(client.callsTo('runs.get').length).toBe(polled);
  });

  it('fetches a series only when its count changed', async () => {
    await model.refresh();
    expect(client.callsTo('runs.metricSeries')).toEqual([['r1', 'loss', 60]]);
    expect(model.series.get('loss')?.values).toEqual([3, 2, 1]);

    await model.refresh();
    await model.refresh();
    expect(client.callsTo('runs.metricSeries')).toHaveLength(1);

    client.runs.logMetric('r1', 'loss', [0.5]);
    client.runs.logMetric('r1', 'accuracy', [0.9]);
    await model.refresh();
    expect(
      client
        .callsTo('runs.metricSeries')
        .slice(1)
        .map(([, key]) => key)
    ).toEqual(['loss', 'accuracy']);
    expect(model.series.get('loss')?.values).toEqual([3, 2, 1, 0.5]);
    expect(model.series.get('accuracy')?.count).toBe(1);
  });

  it("shows the notebook's latest run when the tracker has none", async () => {
    tracker.runIds.clear();
    client.runs.add({ id: 'r0', notebook_id: NOTEBOOK_ID, start_time: -1 });
    client.runs.add({ id: 'other', notebook_id: 'another-notebook' });

    await model.refresh();

    expect(client.callsTo('runs.list')).toEqual([
      [{ notebook_id: NOTEBOOK_ID, limit: 1 }]
    ]);
    expect(model.run?.id).toBe('r1');
  });

  it('keeps the series of another run apart', async () => {
    await model.refresh();
    client.runs.add({ id: 'r2', notebook_id: NOTEBOOK_ID });
    client.runs.logMetric('r2', 'loss', [3, 2, 1]);
    tracker.runIds.set(panel, 'r2');

    await model.refresh();

    // Same key and count, but a new run: fetched again.
    expect(client.callsTo('runs.metricSeries')).toEqual([
      ['r1', 'loss', 60],
      ['r2', 'loss', 60]
    ]);
  });

  it('says what the server answered when it fails', async () => {
    client.failNext('runs.get', new ApiError(500, 'database is locked'));
    client.failNext('runs.list', new ApiError(500, 'database is locked'));
    await model.refresh();
    expect(model.error).toBe('database is locked');

    await model.refresh();
    expect(model.error).toBeNull();
    expect(model.run?.id).toBe('r1');
  });
});
