import { ApiError } from '../../rest/request';
import { FakeExperimentsClient } from '../../testing/fakeClient';
import { loadErrorText, loadProgressRuns } from './loader';

function addRuns(client: FakeExperimentsClient, count: number) {
  for (let i = 0; i < count; i++) {
    client.runs.add({
      id: `r${String(i).padStart(3, '0')}`,
      start_time: 1000 - i,
      tags: i % 2 ? { odd: '' } : {}
    });
  }
}

describe('compare/progress/loader', () => {
  it('pages through every run, oldest first', async () => {
    const client = new FakeExperimentsClient();
    addRuns(client, 25);
    const found = await loadProgressRuns(client, '', () => true, 10_000, 10);
    expect(found.total).toBe(25);
    expect(found.capped).toBe(false);
    expect(found.runs.map(r => r.start_time)).toEqual(
      [...Array(25).keys()].map(i => 976 + i)
    );
    const queries = client.callsTo('runs.list').map(args => args[0] as any);
    expect(queries.map(q => [q.offset, q.limit])).toEqual([
      [0, 10],
      [10, 10],
      [20, 10]
    ]);
    expect(queries[0].order_by).toBe('started ASC');
    expect(queries[0].filter).toBeUndefined();
  });

  it('passes the filter', async () => {
    const client = new FakeExperimentsClient();
    addRuns(client, 6);
    const found = await loadProgressRuns(client, ' tags.odd ');
    expect(found.runs.map(r => r.id).sort()).toEqual(['r001', 'r003', 'r005']);
    expect((client.callsTo('runs.list')[0][0] as any).filter).toBe('tags.odd');
  });

  it('stops at the cap and says so', async () => {
    const client = new FakeExperimentsClient();
    addRuns(client, 25);
    const found = await loadProgressRuns(client, '', () => true, 12, 5);
    expect(found.runs).toHaveLength(12);
    expect(found.total).toBe(25);
    expect(found.capped).toBe(true);
    const limits = client.callsTo('runs.list').map(a => (a[0] as any).limit);
    expect(limits).toEqual([5, 5, 2]);
  });

  it('is not capped when the cap is exactly the total', async () => {
    const client = new FakeExperimentsClient();
    addRuns(client, 10);
    const found = await loadProgressRuns(client, '', () => true, 10, 5);
    expect(found.capped).toBe(false);
  });

  it('stops paging once the view is gone', async () => {
    const client = new FakeExperimentsClient();
    addRuns(client, 25);
    await loadProgressRuns(client, '', () => false, 10_000, 10);
    expect(client.callsTo('runs.list')).toHaveLength(1);
  });

  it('rejects a bad filter with the server’s message', async () => {
    const client = new FakeExperimentsClient();
    const failure = loadProgressRuns(client, 'metrics.acc >');
    await expect(failure).rejects.toBeInstanceOf(ApiError);
    const reason = await failure.catch(e => e);
    expect(loadErrorText(reason)).toMatch(
      /^The filter was refused: .+\. Correct the filter/
    );
  });

  it('says what to do when the server fails otherwise', () => {
    expect(loadErrorText(new ApiError(500, 'boom.'))).toBe(
      'Could not load the runs: boom. Check that the server is running, then retry.'
    );
    expect(loadErrorText(new Error('offline'))).toMatch(/offline\. Check/);
  });
});
