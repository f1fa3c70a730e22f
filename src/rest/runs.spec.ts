import { ServerConnection } from '@jupyterlab/services';

import { runMetricField, runParam } from './runColumns';
import { RunsClient } from './runs';

/** Settings whose fetch answers `body` and notes the URLs asked for. */
const replying = (body: unknown, urls: string[]) =>
  ServerConnection.makeSettings({
    baseUrl: 'http://localhost/',
    fetch: (async (request: Request | string) => {
      urls.push(typeof request === 'string' ? request : request.url);
      const text = JSON.stringify(body);
      return {
        ok: true,
        status: 200,
        statusText: 'OK',
        text: async () => text,
        json: async () => JSON.parse(text)
      };
    }) as unknown as typeof fetch
  });

describe('RunsClient.list', () => {
  it('asks for the metric summaries named, and revives NaN and infinities', async () => {
    const urls: string[] = [];
    const client = new RunsClient(
      replying(
        {
          runs: [
            {
              id: 'a',
              metrics: {
                loss: { last: 'NaN', max: 'Infinity' },
                acc: { last: 0.5, max: 0.75 },
                low: { last: '-Infinity' }
              }
            }
          ],
          total: 1
        },
        urls
      )
    );
    const { runs, total } = await client.list({
      filter: 'x > 1',
      summaries: ['last', 'max'],
      limit: 100
    });
    expect(total).toBe(1);
    const url = new URL(urls[0]);
    expect(url.pathname).toBe('/experiments/api/runs');
    expect(url.searchParams.get('summaries')).toBe('last,max');
    expect(url.searchParams.get('filter')).toBe('x > 1');
    expect(url.searchParams.has('trash')).toBe(false);
    const { metrics } = runs[0];
    expect(metrics.loss.last).toBeNaN();
    expect(metrics.loss.max).toBe(Infinity);
    expect(metrics.acc).toEqual({ last: 0.5, max: 0.75 });
    expect(metrics.low).toEqual({ last: -Infinity });
  });

  it('asks for columns, and gives runs that read them', async () => {
    const urls: string[] = [];
    const client = new RunsClient(
      replying(
        {
          runs: [{ id: 'a' }, { id: 'b' }],
          total: 2,
          columns: {
            params: { lr: [0.1, null] },
            metrics: { loss: { last: ['NaN', 0.5] } }
          }
        },
        urls
      )
    );
    const { runs, total } = await client.list({ layout: 'columns' });
    expect(new URL(urls[0]).searchParams.get('layout')).toBe('columns');
    expect(total).toBe(2);
    expect(runs.map(run => run.id)).toEqual(['a', 'b']);
    expect(runParam(runs[0], 'lr')).toBe(0.1);
    expect(runMetricField(runs[0], 'loss', 'last')).toBeNaN();
    expect(runs[1].params).toEqual({});
    expect(runs[1].metrics).toEqual({ loss: { last: 0.5 } });
  });

  it('asks for every summary when none are named', async () => {
    const urls: string[] = [];
    const client = new RunsClient(replying({ runs: [], total: 0 }, urls));
    await client.list({ trash: true });
    const url = new URL(urls[0]);
    expect(url.searchParams.has('summaries')).toBe(false);
    expect(url.searchParams.get('trash')).toBe('1');
  });
});

describe('RunsClient.metricSeriesMany', () => {
  it('asks for every run and key in one request, and revives NaN', async () => {
    const urls: string[] = [];
    const settings = replying(
      {
        series: [
          {
            run_id: 'a',
            key: 'k,1',
            steps: [0, 1],
            values: [0.5, 'NaN'],
            timestamps: [1, 2],
            count: 2
          }
        ]
      },
      urls
    );
    const series = await new RunsClient(settings).metricSeriesMany(
      ['a', 'b'],
      ['k,1', 'loss'],
      800
    );
    const url = new URL(urls[0]);
    expect(url.pathname).toBe('/experiments/api/runs/metrics');
    expect(url.searchParams.getAll('run_id')).toEqual(['a', 'b']);
    expect(url.searchParams.getAll('key')).toEqual(['k,1', 'loss']);
    expect(url.searchParams.get('max_points')).toBe('800');
    expect(series[0].run_id).toBe('a');
    expect(series[0].values[0]).toBe(0.5);
    expect(series[0].values[1]).toBeNaN();
  });
});
