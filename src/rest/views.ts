/**
 * `views/…`: the Experiments browser's views saved by name on the server.
 * The state is opaque here (the browser validates it when it applies one),
 * so this module needs no feature folder.
 */
import { ServerConnection } from '@jupyterlab/services';

import { requestAPI } from './request';

export interface ISavedView {
  name: string;
  state: { [key: string]: unknown };
  /** Unix time of the last save. */
  updated: number;
}

export interface IViewsClient {
  /** The saved views, as the server orders them. */
  list(): Promise<ISavedView[]>;
  /** Save (or replace) the view called `name`. */
  save(name: string, state: { [key: string]: unknown }): Promise<void>;
  delete(name: string): Promise<void>;
}

const viewPath = (name: string) => `views/${encodeURIComponent(name)}`;

export class ViewsClient implements IViewsClient {
  constructor(private _settings: ServerConnection.ISettings) {}

  async list(): Promise<ISavedView[]> {
    const body = await requestAPI<{ views: ISavedView[] }>(
      'views',
      {},
      this._settings
    );
    return Array.isArray(body?.views) ? body.views : [];
  }

  async save(name: string, state: { [key: string]: unknown }): Promise<void> {
    await requestAPI(
      viewPath(name),
      { method: 'PUT', body: JSON.stringify({ state }) },
      this._settings
    );
  }

  async delete(name: string): Promise<void> {
    await requestAPI(viewPath(name), { method: 'DELETE' }, this._settings);
  }
}
