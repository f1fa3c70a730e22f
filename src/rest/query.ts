/**
 * `keys` and `values`: what the store holds, for completing filters.
 */
import { ServerConnection } from '@jupyterlab/services';

import { queryString, requestAPI } from './request';

/** Distinct keys over the runs not in the trash, each list sorted. */
export interface IStoreKeys {
  params: string[];
  metrics: string[];
  tags: string[];
  env: string[];
}

export interface IQueryClient {
  /** Every param, metric, tag and package key the store holds. */
  keys(): Promise<IStoreKeys>;
  /**
   * Distinct values of an identifier (`params.lr`, `tags.stage`, `status`)
   * starting with `prefix`, at most `limit` of them.
   */
  values(key: string, prefix?: string, limit?: number): Promise<unknown[]>;
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter(v => typeof v === 'string') : [];

export class QueryClient implements IQueryClient {
  constructor(private _settings: ServerConnection.ISettings) {}

  async keys(): Promise<IStoreKeys> {
    const body = await requestAPI<Partial<IStoreKeys>>(
      'keys',
      {},
      this._settings
    );
    return {
      params: strings(body?.params),
      metrics: strings(body?.metrics),
      tags: strings(body?.tags),
      env: strings(body?.env)
    };
  }

  async values(key: string, prefix = '', limit = 20): Promise<unknown[]> {
    const body = await requestAPI<{ values: unknown[] }>(
      `values?${queryString({ key, prefix, limit })}`,
      {},
      this._settings
    );
    return Array.isArray(body?.values) ? body.values : [];
  }
}
