import { FakeExperimentsClient } from '../testing/fakeClient';
import { CompareModel } from './model';
import {
  emptyCompareState,
  parseCompareState,
  parseProgressState
} from './state';

function seeded(): FakeExperimentsClient {
  const client = new FakeExperimentsClient();
  client.runs.add({ id: 'a', name: 'first', params: { lr: 0.1 } });
  client.runs.add({ id: 'b', name: 'second', params: { lr: 0.2 } });
  client.runs.logMetric('a', 'loss', [3, 2, 1]);
  client.runs.logMetric('b', 'loss', [4, 3]);
  client.runs.logMetric('b', 'acc', [0.5]);
  return client;
}

describe('CompareModel', () => {
  it('loads the runs and every series in one request, by key', async () => {
    const client = seeded();
    const model = new CompareModel(client, { runIds: ['a', 'b'] });
    await model.load();
    expect(model.status).toBe('ready');
    expect(model.runs.map(r => r.id)).toEqual(['a', 'b']);
    expect(
      client.calls.filter(c => c.method === 'runs.metricSeriesMany')
    ).toHaveLength(1);
    expect([...model.series.keys()]).toEqual(['acc', 'loss']);
    expect(model.series.get('loss')!.map(s => s.run_id)).toEqual(['a', 'b']);
    model.dispose();
  });

  it('names the runs that are gone and compares the rest', async () => {
    const client = seeded();
    const model = new CompareModel(client, { runIds: ['a', 'gone', 'b', 'a'] });
    await model.load();
    expect(model.gone).toEqual(['gone']);
    expect(model.runs.map(r => r.id)).toEqual(['a', 'b']);
    expect(model.series.get('loss')).toHaveLength(2);
    model.dispose();
  });

  it('says why when the runs cannot be loaded', async () => {
    const client = seeded();
    client.failNext('runs.get', new Error('server down'));
    const model = new CompareModel(client, { runIds: ['a', 'b'] });
    await model.load();
    expect(model.status).toBe('error');
    expect(model.error).toContain('server down');
    model.dispose();
  });

  it('emits its view on change and reloads when the runs change', async () => {
    const client = seeded();
    const model = new CompareModel(client, { runIds: ['a', 'b'] });
    await model.load();
    const views: unknown[] = [];
    model.stateChanged.connect((_, view) => views.push(view));
    model.setState({ smoothing: 0.5 });
    expect(views).toHaveLength(1);
    const before = client.calls.length;
    model.setState({ runIds: ['b', 'a'] });
    await new Promise(resolve => setTimeout(resolve, 0));
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(client.calls.length).toBeGreaterThan(before);
    expect(model.runs.map(r => r.id)).toEqual(['b', 'a']);
    model.dispose();
  });
});

describe('CompareModel, live', () => {
  it('shows a run purged while compared as gone, after the server says so', async () => {
    jest.useFakeTimers();
    try {
      const client = seeded();
      const model = new CompareModel(client, { runIds: ['a', 'b'] });
      await model.load();
      await client.runs.purge('b');
      client.events.emit(['b'], 'deleted');
      // A burst of events is one reload, half a second later.
      client.events.emit(['b'], 'deleted');
      const before = client.callsTo('runs.get').length;
      await jest.advanceTimersByTimeAsync(600);
      expect(client.callsTo('runs.get').length - before).toBe(2);
      expect(model.gone).toEqual(['b']);
      expect(model.runs.map(r => r.id)).toEqual(['a']);
      expect(model.series.get('acc')).toBeUndefined();
      // A change to a run it does not compare: nothing.
      client.events.emit(['other']);
      await jest.advanceTimersByTimeAsync(600);
      expect(client.callsTo('runs.get').length - before).toBe(2);
      model.dispose();
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('parseCompareState', () => {
  it('reads a view back and refuses wrong shapes', () => {
    const view = {
      ...emptyCompareState(['a', 'b']),
      smoothing: 0.6,
      xAxis: 'wall'
    };
    expect(parseCompareState(JSON.parse(JSON.stringify(view)))).toEqual(view);
    expect(parseCompareState({ runIds: 'a' })).toBeNull();
    expect(parseCompareState({ runIds: ['a'], smoothing: 1.5 })).toBeNull();
    expect(parseCompareState({ runIds: ['a'], xAxis: 'epoch' })).toBeNull();
    expect(
      parseCompareState({ runIds: ['a'], directions: { loss: 'down' } })
    ).toBeNull();
    expect(
      parseCompareState({
        runIds: ['a'],
        parallel: { axes: ['params.lr'], brush: { 'params.lr': [0, 'x'] } }
      })
    ).toBeNull();
    expect(parseCompareState({ runIds: new Array(51).fill('x') })).toBeNull();
  });

  it('reads a progress view and refuses wrong shapes', () => {
    expect(
      parseProgressState({
        filter: 'a = 1',
        metric: 'metrics.acc.max',
        direction: 'max'
      })
    ).toEqual({
      filter: 'a = 1',
      metric: 'metrics.acc.max',
      direction: 'max'
    });
    expect(parseProgressState({ direction: 'up' })).toBeNull();
    expect(parseProgressState([])).toBeNull();
  });
});
