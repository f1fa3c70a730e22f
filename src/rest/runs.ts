/**
 * `runs/…`: runs, what they logged, and their metric series and images.
 */
import { ServerConnection } from '@jupyterlab/services';

import type {
  IMetricSeries,
  IMetricSummary,
  IRun,
  IRunSummary
} from '../tokens';
import { queryString, rawRequest, requestAPI, reviveNumber } from './request';
import { attachColumns, IRunColumns, NON_FINITE_SUMMARIES } from './runColumns';

export interface IRunQuery {
  limit?: number;
  offset?: number;
  notebook_id?: string;
  status?: string;
  /** A filter in the query grammar: `metrics.acc > 0.9 AND tags.best`. */
  filter?: string;
  /** Sort keys, comma-separated: `metrics.acc DESC, params.lr ASC`. */
  order_by?: string;
  /** List only the runs in the trash (otherwise they never appear). */
  trash?: boolean;
  /**
   * The metric summary fields each run carries (`last`, `min`, `max`,
   * `count`); all of them without it. A table of hundreds of columns shows
   * one figure a metric: a page weighs a third as much.
   */
  summaries?: readonly string[];
  /**
   * `columns`: the reply brings params and metrics column by column, and
   * its runs read them from there (`runColumns.ts`); a wide page parses
   * into a few hundred arrays instead of tens of thousands of objects.
   */
  layout?: 'rows' | 'columns';
}

/** `GET runs/groups`: the runs matching `filter`, grouped by an identifier. */
export interface IGroupQuery {
  /** An identifier: `params.x`, `tags.x`, `notebook`, `kind`, `status`… */
  group_by: string;
  filter?: string;
  /** Numeric column identifiers to aggregate per group (`metrics.acc.max`). */
  columns?: string[];
}

/** One column's figures over a group's runs; null where no run has a value. */
export interface IAggregate {
  mean: number | null;
  std: number | null;
  min: number | null;
  max: number | null;
  count: number;
}

export interface IRunGroup {
  /** The group's value of `group_by`; null for runs without one. */
  value: unknown;
  count: number;
  aggregates: { [column: string]: IAggregate };
}

/** What `POST runs/bulk` changes on every run it names, in one transaction. */
export interface IBulkChange {
  tags?: { set?: { [key: string]: string }; remove?: string[] };
  starred?: boolean;
  archived?: boolean;
}

/** A run to create: the frontend draws the id of a notebook run itself. */
export interface INewRun {
  run_id?: string;
  name?: string;
  kind?: string;
  notebook_path?: string;
  notebook_id?: string;
  kernel_id?: string;
  kernel_name?: string;
}

export interface IRunChange {
  name?: string;
  notes?: string;
  status?: string;
  tags?: { set?: { [key: string]: string }; remove?: string[] };
  starred?: boolean;
  archived?: boolean;
}

export interface IRunsClient {
  list(query?: IRunQuery): Promise<{ runs: IRunSummary[]; total: number }>;
  get(runId: string): Promise<IRun>;
  create(run: INewRun): Promise<IRunSummary>;
  update(runId: string, change: IRunChange): Promise<IRunSummary>;
  /** Groups of the runs matching a filter, with aggregates per column. */
  groups(query: IGroupQuery): Promise<IRunGroup[]>;
  /** The same change on several runs at once: their new summaries. */
  bulk(ids: string[], change: IBulkChange): Promise<IRunSummary[]>;
  /** Move a run to the trash (restorable for 30 days). */
  remove(runId: string): Promise<void>;
  /** Bring a run back from the trash. */
  restore(runId: string): Promise<IRunSummary>;
  /** Delete a run for good, with its series and the images only it used. */
  purge(runId: string): Promise<void>;
  /** Record a batch (executions, parameters, relayed log calls) in a run. */
  log(runId: string, batch: unknown): Promise<unknown>;
  /** A metric's points, downsampled to at most `maxPoints`. */
  metricSeries(
    runId: string,
    key: string,
    maxPoints: number
  ): Promise<IMetricSeries>;
  /**
   * The series of several runs in one request (`runs/metrics`): `keys`
   * of each (all of each run's without), each downsampled to at most
   * `maxPoints`, in the order of `runIds` then of the keys; a key a run
   * lacks is left out.
   */
  metricSeriesMany(
    runIds: readonly string[],
    keys: readonly string[] | null,
    maxPoints: number
  ): Promise<IRunMetricSeries[]>;
  /** A logged image fetched with the server's auth, as an object URL. */
  imageUrl(runId: string, imageId: string): Promise<string>;
}

/** One run's series of one key, as `runs/metrics` gives it. */
export interface IRunMetricSeries extends IMetricSeries {
  run_id: string;
}

/** One series in the header of a `runs/metrics?encoding=binary` reply. */
interface ISeriesFrameEntry {
  run_id: string;
  key: string;
  /** Points stored. */
  count: number;
  /** Points sent: the length of each of its three columns. */
  points: number;
}

/** Whether this machine stores numbers little-endian, as the reply does. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The body of `runs/metrics?encoding=binary`: a 4-byte big-endian header
 * length, the JSON header `{"series": [{run_id, key, count, points}]}`
 * (padded with spaces to a multiple of 8 bytes with the length), then for
 * each series its `points` steps, values and timestamps as little-endian
 * float64.
 */
export function decodeSeriesFrame(body: Uint8Array): IRunMetricSeries[] {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const length = view.getUint32(0);
  const header = JSON.parse(
    new TextDecoder().decode(body.subarray(4, 4 + length))
  ) as { series: ISeriesFrameEntry[] };
  let offset = 4 + length;
  const column = (points: number): number[] => {
    if (offset + 8 * points > body.byteLength) {
      throw new Error('runs/metrics: the reply ends inside a series');
    }
    const start = body.byteOffset + offset;
    offset += 8 * points;
    // The header pads the columns to 8 bytes: on a little-endian machine
    // (every browser's) they are read in place, not number by number.
    if (LITTLE_ENDIAN && start % 8 === 0) {
      return Array.from(new Float64Array(body.buffer, start, points));
    }
    const numbers = new Array<number>(points);
    for (let i = 0; i < points; i++) {
      numbers[i] = view.getFloat64(start - body.byteOffset + 8 * i, true);
    }
    return numbers;
  };
  return header.series.map(({ run_id, key, count, points }) => {
    const steps = column(points);
    const values = column(points);
    const timestamps = column(points);
    return { run_id, key, count, steps, values, timestamps };
  });
}

/**
 * A run as parsed, its NaN and infinities (sent as strings) made numbers
 * again. In place, and only where a string is: a page of 100 runs of 100
 * metrics is not copied object by object.
 */
function reviveRun<T extends IRunSummary>(run: T): T {
  if (!run.metrics) {
    run.metrics = {};
  }
  for (const key in run.metrics) {
    const summary = run.metrics[key] as Partial<IMetricSummary>;
    for (const field of NON_FINITE_SUMMARIES) {
      const value = summary[field];
      if (value !== undefined && typeof value !== 'number') {
        summary[field] = reviveNumber(value) as number;
      }
    }
  }
  return run;
}

const runPath = (runId: string) => `runs/${encodeURIComponent(runId)}`;

export class RunsClient implements IRunsClient {
  constructor(private _settings: ServerConnection.ISettings) {}

  async list(
    query: IRunQuery = {}
  ): Promise<{ runs: IRunSummary[]; total: number }> {
    const { trash, summaries, ...rest } = query;
    const body = await requestAPI<{
      runs: IRunSummary[];
      total: number;
      columns?: IRunColumns;
    }>(
      `runs?${queryString({
        ...rest,
        trash: trash ? 1 : undefined,
        summaries: summaries?.join(',')
      })}`,
      {},
      this._settings
    );
    if (body.columns) {
      attachColumns(body.runs, body.columns);
    } else {
      body.runs.forEach(reviveRun);
    }
    return { runs: body.runs, total: body.total };
  }

  async get(runId: string): Promise<IRun> {
    return reviveRun(
      await requestAPI<IRun>(runPath(runId), {}, this._settings)
    );
  }

  create(run: INewRun): Promise<IRunSummary> {
    return requestAPI<IRunSummary>(
      'runs',
      { method: 'POST', body: JSON.stringify(run) },
      this._settings
    );
  }

  async update(runId: string, change: IRunChange): Promise<IRunSummary> {
    return reviveRun(
      await requestAPI<IRunSummary>(
        runPath(runId),
        { method: 'PATCH', body: JSON.stringify(change) },
        this._settings
      )
    );
  }

  async groups(query: IGroupQuery): Promise<IRunGroup[]> {
    const body = await requestAPI<{ groups: IRunGroup[] }>(
      `runs/groups?${queryString({
        group_by: query.group_by,
        filter: query.filter || undefined,
        columns: query.columns?.length ? query.columns.join(',') : undefined
      })}`,
      {},
      this._settings
    );
    return body.groups.map(group => ({
      ...group,
      aggregates: Object.fromEntries(
        Object.entries(group.aggregates ?? {}).map(([column, a]) => [
          column,
          {
            count: a.count,
            mean: reviveNumber(a.mean),
            std: reviveNumber(a.std),
            min: reviveNumber(a.min),
            max: reviveNumber(a.max)
          }
        ])
      )
    }));
  }

  async bulk(ids: string[], change: IBulkChange): Promise<IRunSummary[]> {
    const body = await requestAPI<{ runs: IRunSummary[] }>(
      'runs/bulk',
      { method: 'POST', body: JSON.stringify({ ...change, ids }) },
      this._settings
    );
    return body.runs.map(reviveRun);
  }

  async remove(runId: string): Promise<void> {
    await requestAPI(runPath(runId), { method: 'DELETE' }, this._settings);
  }

  async restore(runId: string): Promise<IRunSummary> {
    return reviveRun(
      await requestAPI<IRunSummary>(
        `${runPath(runId)}/restore`,
        { method: 'POST' },
        this._settings
      )
    );
  }

  async purge(runId: string): Promise<void> {
    await requestAPI(
      `${runPath(runId)}?purge=1`,
      { method: 'DELETE' },
      this._settings
    );
  }

  log(runId: string, batch: unknown): Promise<unknown> {
    return requestAPI(
      `${runPath(runId)}/log`,
      { method: 'POST', body: JSON.stringify(batch) },
      this._settings
    );
  }

  async metricSeries(
    runId: string,
    key: string,
    maxPoints: number
  ): Promise<IMetricSeries> {
    const series = await requestAPI<IMetricSeries>(
      `${runPath(runId)}/metrics/${encodeURIComponent(key)}?max_points=${maxPoints}`,
      {},
      this._settings
    );
    return {
      ...series,
      values: series.values.map(v => reviveNumber(v) as number)
    };
  }

  async metricSeriesMany(
    runIds: readonly string[],
    keys: readonly string[] | null,
    maxPoints: number
  ): Promise<IRunMetricSeries[]> {
    // Repeated arguments: a metric key may hold a comma.
    const query = new URLSearchParams();
    runIds.forEach(id => query.append('run_id', id));
    (keys ?? []).forEach(key => query.append('key', key));
    query.set('max_points', String(maxPoints));
    // Binary: a chart's hundreds of thousands of numbers are copied instead of
    // formatted and parsed, and NaN and the infinities arrive as numbers.
    query.set('encoding', 'binary');
    const response = await rawRequest(
      `runs/metrics?${query.toString()}`,
      {},
      this._settings
    );
    return decodeSeriesFrame(new Uint8Array(await response.arrayBuffer()));
  }

  async imageUrl(runId: string, imageId: string): Promise<string> {
    const response = await rawRequest(
      `${runPath(runId)}/images/${encodeURIComponent(imageId)}`,
      {},
      this._settings
    );
    return URL.createObjectURL(await response.blob());
  }
}
