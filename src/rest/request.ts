/**
 * Requests to `{base_url}experiments/api/`, and the encodings the server
 * uses: NaN and infinities as strings, objects framed in a binary body.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/** An error the server explained: its message says what to do. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The reply's JSON body, when it had one. */
    readonly body: { [key: string]: unknown } | null = null
  ) {
    super(message);
    // A refused query says where: read those fields, not the message.
    const fields = body ?? {};
    if (Number.isInteger(fields.position)) {
      this.position = fields.position as number;
    }
    if (typeof fields.found === 'string') {
      this.found = fields.found;
    }
    if (typeof fields.expected === 'string') {
      this.expected = fields.expected;
    }
    if (typeof fields.argument === 'string') {
      this.argument = fields.argument;
    }
  }

  /** For a query the server could not read: the 0-based offset of the fault. */
  readonly position?: number;
  /** What the server found there ('' for the end of the text). */
  readonly found?: string;
  /** What the server expected there. */
  readonly expected?: string;
  /** The request argument the position is in (`filter`, `order_by`). */
  readonly argument?: string;
}

/** A parsed reply body as an object, or null for anything else. */
function bodyObject(body: unknown): { [key: string]: unknown } | null {
  return body && typeof body === 'object' && !Array.isArray(body)
    ? (body as { [key: string]: unknown })
    : null;
}

function apiUrl(settings: ServerConnection.ISettings, path: string): string {
  return URLExt.join(settings.baseUrl, 'experiments', 'api', path);
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
  const response = await ServerConnection.makeRequest(
    apiUrl(settings, path),
    init,
    settings
  );
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
      body?.message ?? `${response.status} ${response.statusText}`,
      bodyObject(body)
    );
  }
  return body as T;
}

/** A request whose reply is not JSON; failures still throw an ApiError. */
export async function rawRequest(
  path: string,
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<Response> {
  const response = await ServerConnection.makeRequest(
    apiUrl(settings, path),
    init,
    settings
  );
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    let body: { [key: string]: unknown } | null = null;
    try {
      body = bodyObject(await response.json());
      message = (body?.message as string | undefined) ?? message;
    } catch {
      // Not JSON: keep the status line.
    }
    throw new ApiError(response.status, message, body);
  }
  return response;
}

/** A query string of the defined values. */
export function queryString(query: { [key: string]: unknown }): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) {
      params.set(key, String(value));
    }
  }
  return params.toString();
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
  header: {
    objects: { oid: string; size: number }[];
    missing?: string[];
    omitted?: string[];
  };
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
