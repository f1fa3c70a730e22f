/**
 * `git/…`: the checkpoint repository's objects and refs, and its index of
 * commits. The objects themselves are built and read in `checkpoints/`.
 */
import { ServerConnection } from '@jupyterlab/services';

import {
  decodeFrames,
  encodeBatch,
  ILooseObject,
  IRefUpdate,
  queryString,
  rawRequest,
  requestAPI
} from './request';

/** One checkpoint as the server indexes it. */
export interface ICheckpointInfo {
  commit: string;
  parent: string | null;
  time: number;
  cell_id: string | null;
  run_id: string | null;
  execution_count: number | null;
  status: string | null;
  duration: number | null;
  message: string;
  notebook_path: string | null;
}

export interface ICheckpointQuery {
  limit?: number;
  /** The page of commits older than this one. */
  before_commit?: string;
}

export interface IGitClient {
  /** Which of these objects the checkpoint repository lacks. */
  missing(oids: string[]): Promise<string[]>;
  /**
   * Ship a checkpoint's new objects and move its ref, in one request. A 409
   * ApiError means the ref moved meanwhile (another tab).
   */
  write(
    objects: ILooseObject[],
    ref: IRefUpdate
  ): Promise<{ ref: string; oid: string }>;
  /** Where a ref points, or null if it does not exist. */
  readRef(name: string): Promise<string | null>;
  /** Many loose objects in one request; absent ones are left out. */
  readObjects(oids: string[]): Promise<Map<string, Uint8Array>>;
  /** A notebook's checkpoints, newest first, a page at a time. */
  log(
    notebookId: string,
    query?: ICheckpointQuery
  ): Promise<{ checkpoints: ICheckpointInfo[]; total: number }>;
}

export class GitClient implements IGitClient {
  constructor(private _settings: ServerConnection.ISettings) {}

  async missing(oids: string[]): Promise<string[]> {
    const { missing } = await requestAPI<{ missing: string[] }>(
      'git/missing',
      { method: 'POST', body: JSON.stringify({ oids }) },
      this._settings
    );
    return missing;
  }

  write(
    objects: ILooseObject[],
    ref: IRefUpdate
  ): Promise<{ ref: string; oid: string }> {
    return requestAPI(
      'git/batch',
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/octet-stream' },
        body: encodeBatch(objects, ref) as BodyInit
      },
      this._settings
    );
  }

  async readRef(name: string): Promise<string | null> {
    const { oid } = await requestAPI<{ oid: string | null }>(
      `git/${name.split('/').map(encodeURIComponent).join('/')}`,
      {},
      this._settings
    );
    return oid;
  }

  async readObjects(oids: string[]): Promise<Map<string, Uint8Array>> {
    const objects = new Map<string, Uint8Array>();
    // A reply carries a bounded number of bytes and always at least one
    // object; what it left out is asked for again.
    let wanted = oids;
    while (wanted.length) {
      const response = await rawRequest(
        'git/objects',
        { method: 'POST', body: JSON.stringify({ oids: wanted }) },
        this._settings
      );
      const reply = decodeFrames(new Uint8Array(await response.arrayBuffer()));
      reply.objects.forEach((data, oid) => objects.set(oid, data));
      const omitted = reply.header.omitted ?? [];
      if (omitted.length && !reply.objects.size) {
        throw new Error(`the server sent none of ${omitted.length} objects`);
      }
      wanted = omitted;
    }
    return objects;
  }

  log(
    notebookId: string,
    query: ICheckpointQuery = {}
  ): Promise<{ checkpoints: ICheckpointInfo[]; total: number }> {
    return requestAPI(
      `git/log/${encodeURIComponent(notebookId)}?${queryString({ ...query })}`,
      {},
      this._settings
    );
  }
}
