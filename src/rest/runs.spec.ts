import { ServerConnection } from '@jupyterlab/services';

import { runMetricField, runParam } from './runColumns';
import { decodeSeriesFrame, RunsClient } from './runs';

/**
 * Settings whose fetch answers `body` (JSON, or bytes as they are) with
 * `status` and notes the URLs asked for.
 */
const replying = (body: unknown, urls: string[], status = 200) =>
  ServerConnection.makeSettings({
    baseUrl: 'http://localhost/',
    fetch: (async (request: Request | string) => {
      urls.push(typeof request === 'string' ? request : request.url);
      const bytes =
        body instanceof Uint8Array
          ? body
          : new TextEncoder().encode(JSON.stringify(body));
      const text = new TextDecoder().decode(bytes);
      return {
        ok: status < 400,
        status,
        statusText: status < 400 ? 'OK' : 'Not Found',
        text: async () => text,
        json: async () => JSON.parse(text),
        arrayBuffer: async () =>
          bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)
      };
    }) as unknown as typeof fetch
  });

/** A `runs/metrics?encoding=binary` body, as the server frames it. */
function seriesFrame(
  series: {
    run_id: string;
    key: string;
    count: number;
    steps: number[];
    values: number[];
    timestamps: number[];
  }[]
): Uint8Array {
  let header = new TextEncoder().encode(
    JSON.stringify({
      series: series.map(({ run_id, key, count, values }) => ({
        run_id,
        key,
        count,
        points: values.length
      }))
    })
  );
  const padded = new Uint8Array(
    header.length + ((8 - ((4 + header.length) % 8)) % 8)
  );
  padded.fill(0x20);
  padded.set(header);
  header = padded;
  const numbers = series.flatMap(one => [
    ...one.steps,
    ...one.values,
    ...one.timestamps
  ]);
  const body = new Uint8Array(4 + header.length + 8 * numbers.length);
  const view = new DataView(body.buffer);
  view.setUint32(0, header.length);
  body.set(header, 4);
  numbers.forEach((n, i) =>
    view.setFloat64(4 + header.length + 8 * i, n, true)
  );
  return body;
}

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

/** Series as the server sends them: NaN, infinities, a comma and accents in keys, an empty one. */
const SERIES = [
  {
    run_id: 'a',
    key: 'k,1',
    count: 5,
    steps: [0, 1, 4],
    values: [0.5, NaN, -Infinity],
    timestamps: [1.5, 2, 3.25]
  },
  {
    run_id: 'b',
    key: 'lössé',
    count: 1,
    steps: [2 ** 40],
    values: [Infinity],
    timestamps: [1.7e9]
  },
  {
    run_id: 'b',
    key: 'empty',
    count: 0,
    steps: [],
    values: [],
    timestamps: []
  }
];

describe('RunsClient.metricSeriesMany', () => {
  it('asks for every run and key in one binary request, and decodes it', async () => {
    const urls: string[] = [];
    const settings = replying(seriesFrame(SERIES), urls);
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
    expect(url.searchParams.get('encoding')).toBe('binary');
    expect(series).toEqual(SERIES);
    expect(Array.isArray(series[0].values)).toBe(true);
  });

  it("throws the server's message for a refused request", async () => {
    const settings = replying({ message: "run 'nope' not found" }, [], 404);
    await expect(
      new RunsClient(settings).metricSeriesMany(['nope'], null, 800)
    ).rejects.toMatchObject({ status: 404, message: "run 'nope' not found" });
  });

  it('refuses a reply that ends inside a series', () => {
    const body = seriesFrame([
      {
        run_id: 'a',
        key: 'k',
        count: 2,
        steps: [0, 1],
        values: [1, 2],
        timestamps: [0, 1]
      }
    ]);
    expect(() => decodeSeriesFrame(body.subarray(0, body.length - 8))).toThrow(
      /ends inside a series/
    );
  });
});
