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

export interface IRunQuery {
  limit?: number;
  offset?: number;
  notebook_id?: string;
  status?: string;
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
}

export interface IRunsClient {
  list(query?: IRunQuery): Promise<{ runs: IRunSummary[]; total: number }>;
  get(runId: string): Promise<IRun>;
  create(run: INewRun): Promise<IRunSummary>;
  update(runId: string, change: IRunChange): Promise<IRunSummary>;
  /** Record a batch (executions, parameters, relayed log calls) in a run. */
  log(runId: string, batch: unknown): Promise<unknown>;
  /** A metric's points, downsampled to at most `maxPoints`. */
  metricSeries(
    runId: string,
    key: string,
    maxPoints: number
  ): Promise<IMetricSeries>;
  /** A logged image fetched with the server's auth, as an object URL. */
  imageUrl(runId: string, imageId: string): Promise<string>;
}

function reviveSummary(summary: any): IMetricSummary {
  return {
    ...summary,
    last: reviveNumber(summary.last) as number,
    min: reviveNumber(summary.min),
    max: reviveNumber(summary.max)
  };
}

function reviveRun<T extends IRunSummary>(run: T): T {
  const metrics: { [key: string]: IMetricSummary } = {};
  for (const [key, summary] of Object.entries(run.metrics ?? {})) {
    metrics[key] = reviveSummary(summary);
  }
  return { ...run, metrics };
}

const runPath = (runId: string) => `runs/${encodeURIComponent(runId)}`;

export class RunsClient implements IRunsClient {
  constructor(private _settings: ServerConnection.ISettings) {}

  async list(
    query: IRunQuery = {}
  ): Promise<{ runs: IRunSummary[]; total: number }> {
    const body = await requestAPI<{ runs: IRunSummary[]; total: number }>(
      `runs?${queryString({ ...query })}`,
      {},
      this._settings
    );
    return { ...body, runs: body.runs.map(reviveRun) };
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

  update(runId: string, change: IRunChange): Promise<IRunSummary> {
    return requestAPI<IRunSummary>(
      runPath(runId),
      { method: 'PATCH', body: JSON.stringify(change) },
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

  async imageUrl(runId: string, imageId: string): Promise<string> {
    const response = await rawRequest(
      `${runPath(runId)}/images/${encodeURIComponent(imageId)}`,
      {},
      this._settings
    );
    return URL.createObjectURL(await response.blob());
  }
}
