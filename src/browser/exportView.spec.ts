import { FakeExperimentsClient } from '../testing/fakeClient';
import {
  ExportCancelled,
  exportColumnIds,
  fetchViewRuns,
  viewCsv
} from './exportView';

/** A client with `count` runs: run0…, params.lr = i / 100, metric acc = i. */
function clientWith(count: number): FakeExperimentsClient {
  const client = new FakeExperimentsClient();
  for (let i = 0; i < count; i++) {
    client.runs.add({
      id: `run${i}`,
      name: `run ${i}`,
      status: 'finished',
      start_time: 1000 + i,
      params: { lr: i / 100 }
    });
    client.runs.logMetric(`run${i}`, 'acc', [i]);
  }
  return client;
}

const QUERY = { filter: '', orderBy: [], trash: false };

describe('fetchViewRuns', () => {
  it('reads every page of the view, in its order, with its filter', async () => {
    const client = clientWith(7);
    const progress: number[] = [];
    const result = await fetchViewRuns(
      client.runs,
      {
        filter: 'params.lr >= 0.02',
        orderBy: [{ key: 'metrics.acc', descending: true }],
        trash: false
      },
      { pageSize: 2, onProgress: p => progress.push(p.fetched) }
    );
    expect(result.runs.map(r => r.id)).toEqual([
      'run6',
      'run5',
      'run4',
      'run3',
      'run2'
    ]);
    expect(result).toMatchObject({ total: 5, truncated: false });
    const calls = client.callsTo('runs.list') as any[][];
    expect(calls.map(([q]) => [q.offset, q.limit])).toEqual([
      [0, 2],
      [2, 2],
      [4, 2]
    ]);
    expect(calls[0][0]).toMatchObject({
      filter: 'params.lr >= 0.02',
      order_by: 'metrics.acc DESC'
    });
    expect(progress).toEqual([2, 4, 5]);
  });

  it('stops at the cap and says the file is cut', async () => {
    const client = clientWith(7);
    const result = await fetchViewRuns(client.runs, QUERY, {
      pageSize: 2,
      maxRuns: 3
    });
    expect(result.runs).toHaveLength(3);
    expect(result).toMatchObject({ total: 7, truncated: true });
    // The last request asks for what the cap leaves, not a whole page.
    const limits = (client.callsTo('runs.list') as any[][]).map(
      ([q]) => q.limit
    );
    expect(limits).toEqual([2, 1]);
  });

  it('keeps a run once when a new run shifts the pages', async () => {
    const client = clientWith(4);
    const list = client.runs.list.bind(client.runs);
    let first = true;
    jest.spyOn(client.runs, 'list').mockImplementation(async query => {
      const page = await list(query);
      if (first) {
        first = false;
        // A run starts between two pages: newest first, it pushes the rest down.
        client.runs.add({ id: 'new', start_time: 5000 });
      }
      return page;
    });
    const result = await fetchViewRuns(client.runs, QUERY, { pageSize: 2 });
    const ids = result.runs.map(r => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['run3', 'run2', 'run1']));
  });

  it('stops between pages when cancelled', async () => {
    const client = clientWith(5);
    const signal = { aborted: false };
    await expect(
      fetchViewRuns(client.runs, QUERY, {
        pageSize: 2,
        signal,
        onProgress: () => (signal.aborted = true)
      })
    ).rejects.toBeInstanceOf(ExportCancelled);
    expect(client.callsTo('runs.list')).toHaveLength(1);
  });

  it('fails as the server does', async () => {
    const client = clientWith(3);
    client.failNext('runs.list', new Error('offline'));
    await expect(fetchViewRuns(client.runs, QUERY)).rejects.toThrow('offline');
  });
});

describe('exportColumnIds', () => {
  it('keeps the visible columns, pinned ones first as the table shows them', () => {
    expect(
      exportColumnIds([
        { id: 'status' },
        { id: 'name', pinned: true },
        { id: 'params.lr', hidden: true },
        { id: 'metrics.acc' },
        { id: 'starred', pinned: true }
      ])
    ).toEqual(['name', 'starred', 'status', 'metrics.acc']);
  });
});

describe('viewCsv', () => {
  it('holds every run of the view in its visible columns', async () => {
    const client = clientWith(250);
    const { csv, runs } = await viewCsv(
      client.runs,
      {
        filter: '',
        orderBy: [{ key: 'params.lr', descending: false }],
        trash: false
      },
      [
        { id: 'name', pinned: true },
        { id: 'params.lr' },
        { id: 'kind', hidden: true },
        { id: 'metrics.acc' }
      ],
      { pageSize: 100 }
    );
    expect(runs).toHaveLength(250);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines).toHaveLength(251);
    expect(lines[0].split(',')).toHaveLength(3);
    expect(lines[1]).toBe('run 0,0,0');
    expect(lines[250]).toBe('run 249,2.49,249');
  });
});
