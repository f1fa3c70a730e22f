import { ServerConnection } from '@jupyterlab/services';

import { requestAPI } from './request';

export interface IServerInfo {
  store_dir: string;
  version: string;
}

/** `GET info`: whether the server extension answers, and where its store is. */
export interface IInfoClient {
  get(): Promise<IServerInfo>;
}

export class InfoClient implements IInfoClient {
  constructor(private _settings: ServerConnection.ISettings) {}

  get(): Promise<IServerInfo> {
    return requestAPI<IServerInfo>('info', {}, this._settings);
  }
}
