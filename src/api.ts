/**
 * The one module that knows the server's REST URLs.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { IMetricSeries, IMetricSummary, IRun, IRunSummary } from './tokens';
import type { IValidationReport, ValidationVerdict } from './validation/types';

/** An error the server explained: its message says what to do. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string
  ) {
    super(message);
  }
}

/**
 * Call `experiments/api/<path>` with auth and XSRF headers; return the parsed
 * JSON body; a failure throws an ApiError carrying the server's message.
 */
export async function requestAPI<T>(
  path: string,
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<T> {
  const url = URLExt.join(settings.baseUrl, 'experiments', 'api', path);
  const response = await ServerConnection.makeRequest(url, init, settings);
  const text = await response.text();
  let body: any = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = { message: text };
    }
  }
  if (!response.ok) {
    throw new ApiError(
      response.status,
      body?.message ?? `${response.status} ${response.statusText}`
    );
  }
  return body as T;
}

/** A request whose reply is not JSON; failures still throw an ApiError. */
async function rawRequest(
  path: string,
  init: RequestInit = {}
): Promise<Response> {
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, 'experiments', 'api', path);
  const response = await ServerConnection.makeRequest(url, init, settings);
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      message = (await response.json()).message ?? message;
    } catch {
      // Not JSON: keep the status line.
    }
    throw new ApiError(response.status, message);
  }
  return response;
}

/**
 * JSON cannot carry NaN or infinities: the server sends them as strings.
 */
export function reviveNumber(value: unknown): number | null {
  if (typeof value === 'number') {
    return value;
  }
  switch (value) {
    case 'NaN':
      return NaN;
    case 'Infinity':
      return Infinity;
    case '-Infinity':
      return -Infinity;
    default:
      return null;
  }
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

/** A loose git object, deflated as git stores it. */
export interface ILooseObject {
  oid: string;
  deflated: Uint8Array;
}

/** The ref moved by a checkpoint: compare-and-swap from `old` to `new`. */
export interface IRefUpdate {
  name: string;
  old: string | null;
  new: string;
}

/**
 * The body of `POST git/batch`: a 4-byte big-endian header length, the JSON
 * header, then the objects' bytes in header order. Binary, so objects travel
 * at their deflated size instead of growing by a third as base64.
 */
export function encodeBatch(
  objects: ILooseObject[],
  ref: IRefUpdate | null
): Uint8Array {
  const header = new TextEncoder().encode(
    JSON.stringify({
      objects: objects.map(o => ({ oid: o.oid, size: o.deflated.length })),
      ...(ref ? { ref } : {})
    })
  );
  const size = objects.reduce((n, o) => n + o.deflated.length, 0);
  const body = new Uint8Array(4 + header.length + size);
  new DataView(body.buffer).setUint32(0, header.length);
  body.set(header, 4);
  let offset = 4 + header.length;
  for (const object of objects) {
    body.set(object.deflated, offset);
    offset += object.deflated.length;
  }
  return body;
}

/** The inverse of `encodeBatch`: the JSON header and each object's bytes. */
export function decodeFrames(body: Uint8Array): {
  header: { objects: { oid: string; size: number }[]; missing?: string[] };
  objects: Map<string, Uint8Array>;
} {
  const length = new DataView(body.buffer, body.byteOffset).getUint32(0);
  const header = JSON.parse(
    new TextDecoder().decode(body.subarray(4, 4 + length))
  );
  const objects = new Map<string, Uint8Array>();
  let offset = 4 + length;
  for (const { oid, size } of header.objects) {
    objects.set(oid, body.subarray(offset, offset + size));
    offset += size;
  }
  return { header, objects };
}

/** A stored validation as `GET validations` lists them: the report without its cells. */
export interface IValidationSummary extends Omit<
  IValidationReport,
  'cells' | 'runId'
> {
  runId: string;
  cellCount: number;
  /** Notebook index of the first failed or timed-out cell. */
  failedAt: number | null;
}

/** A validation starts: the run of kind `validation` and what it will check. */
export interface INewValidation {
  run_id: string;
  notebook_path: string;
  notebook_id: string | null;
  checkpoint: string | null;
  kernel_name: string;
  kernel_id: string | null;
  settings: unknown;
  static_findings: unknown[];
  cell_count: number;
}

export type ValidationExport = 'json' | 'junit';

export interface IServerInfo {
  store_dir: string;
  version: string;
}

export namespace Api {
  export function info(): Promise<IServerInfo> {
    return requestAPI<IServerInfo>('info');
  }

  export async function listRuns(
    query: {
      limit?: number;
      offset?: number;
      notebook_id?: string;
      status?: string;
    } = {}
  ): Promise<{ runs: IRunSummary[]; total: number }> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) {
        params.set(key, String(value));
      }
    }
    const body = await requestAPI<{ runs: IRunSummary[]; total: number }>(
      `runs?${params.toString()}`
    );
    return { ...body, runs: body.runs.map(reviveRun) };
  }

  export async function getRun(runId: string): Promise<IRun> {
    return reviveRun(
      await requestAPI<IRun>(`runs/${encodeURIComponent(runId)}`)
    );
  }

  export function createRun(run: {
    run_id?: string;
    name?: string;
    kind?: string;
    notebook_path?: string;
    notebook_id?: string;
    kernel_id?: string;
    kernel_name?: string;
  }): Promise<IRunSummary> {
    return requestAPI<IRunSummary>('runs', {
      method: 'POST',
      body: JSON.stringify(run)
    });
  }

  export function updateRun(
    runId: string,
    change: {
      name?: string;
      notes?: string;
      status?: string;
      tags?: { set?: { [key: string]: string }; remove?: string[] };
    }
  ): Promise<IRunSummary> {
    return requestAPI<IRunSummary>(`runs/${encodeURIComponent(runId)}`, {
      method: 'PATCH',
      body: JSON.stringify(change)
    });
  }

  export function logBatch(runId: string, batch: unknown): Promise<unknown> {
    return requestAPI(`runs/${encodeURIComponent(runId)}/log`, {
      method: 'POST',
      body: JSON.stringify(batch)
    });
  }

  export async function getMetricSeries(
    runId: string,
    key: string,
    maxPoints: number
  ): Promise<IMetricSeries> {
    const series = await requestAPI<IMetricSeries>(
      `runs/${encodeURIComponent(runId)}/metrics/${encodeURIComponent(key)}?max_points=${maxPoints}`
    );
    return {
      ...series,
      values: series.values.map(v => reviveNumber(v) as number)
    };
  }

  /** Which of these objects the checkpoint repository lacks. */
  export async function missingObjects(oids: string[]): Promise<string[]> {
    const { missing } = await requestAPI<{ missing: string[] }>('git/missing', {
      method: 'POST',
      body: JSON.stringify({ oids })
    });
    return missing;
  }

  /**
   * Ship a checkpoint's new objects and move its ref, in one request. A 409
   * ApiError means the ref moved meanwhile (another tab): `current` says where.
   */
  export async function writeCheckpoint(
    objects: ILooseObject[],
    ref: IRefUpdate
  ): Promise<{ ref: string; oid: string }> {
    return requestAPI('git/batch', {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: encodeBatch(objects, ref) as BodyInit
    });
  }

  export async function readRef(name: string): Promise<string | null> {
    const { oid } = await requestAPI<{ oid: string | null }>(
      `git/${name.split('/').map(encodeURIComponent).join('/')}`
    );
    return oid;
  }

  /** Many loose objects in one request; absent ones are left out. */
  export async function readObjects(
    oids: string[]
  ): Promise<Map<string, Uint8Array>> {
    const response = await rawRequest('git/objects', {
      method: 'POST',
      body: JSON.stringify({ oids })
    });
    return decodeFrames(new Uint8Array(await response.arrayBuffer())).objects;
  }

  export function listCheckpoints(
    notebookId: string,
    query: { limit?: number; before_commit?: string } = {}
  ): Promise<{ checkpoints: ICheckpointInfo[]; total: number }> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) {
        params.set(key, String(value));
      }
    }
    return requestAPI(
      `git/log/${encodeURIComponent(notebookId)}?${params.toString()}`
    );
  }

  /** Fetch a logged image with the server's auth, as an object URL. */
  export async function imageObjectUrl(
    runId: string,
    imageId: string
  ): Promise<string> {
    const response = await rawRequest(
      `runs/${encodeURIComponent(runId)}/images/${encodeURIComponent(imageId)}`
    );
    return URL.createObjectURL(await response.blob());
  }

  export function createValidation(
    validation: INewValidation
  ): Promise<{ run_id: string }> {
    return requestAPI('validations', {
      method: 'POST',
      body: JSON.stringify(validation)
    });
  }

  /** Results of finished cells (snake_case records); a cell sent again replaces itself. */
  export function addValidationCells(
    runId: string,
    cells: unknown[]
  ): Promise<unknown> {
    return requestAPI(`validations/${encodeURIComponent(runId)}/cells`, {
      method: 'POST',
      body: JSON.stringify({ cells })
    });
  }

  export function finishValidation(
    runId: string,
    end: {
      verdict: ValidationVerdict;
      duration_ms: number | null;
      message: string | null;
    }
  ): Promise<unknown> {
    return requestAPI(`validations/${encodeURIComponent(runId)}`, {
      method: 'PATCH',
      body: JSON.stringify(end)
    });
  }

  export function listValidations(query: {
    notebook_id?: string;
    notebook_path?: string;
    limit?: number;
  }): Promise<{ validations: IValidationSummary[] }> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) {
        params.set(key, String(value));
      }
    }
    return requestAPI(`validations?${params.toString()}`);
  }

  export function getValidation(runId: string): Promise<IValidationReport> {
    return requestAPI(`validations/${encodeURIComponent(runId)}`);
  }

  /** A stored validation as a file: the JSON report or JUnit XML. */
  export async function exportValidation(
    runId: string,
    format: ValidationExport
  ): Promise<Blob> {
    const id = encodeURIComponent(runId);
    const response = await rawRequest(
      format === 'json'
        ? `validations/${id}?download=1`
        : `validations/${id}/junit`
    );
    return response.blob();
  }
}
