/**
 * The checkpoint tree layout: how a notebook becomes files in a git tree and
 * back. The one module that knows the layout. Pure: no DOM, no network.
 *
 * ```
 * notebook.json                  the notebook but its cells, and `cells`: [<key>...]
 * cells/<key>/cell.json          the cell but its outputs, source as one string
 * cells/<key>/outputs.json       the outputs (code cells), payloads replaced by references
 * cells/<key>/outputs/<n>-<mime> one payload, decoded: e.g. 0-image-png for output 0
 * ```
 *
 * - `<key>` is the cell id when it matches `[A-Za-z0-9_-]{1,64}` and no earlier
 *   cell has it, else `cell-<index>-<FNV-1a of type and source>` (`cellKeys`).
 * - A payload is a string (or list of strings) value of `output.data` that is
 *   base64 of an image/png, image/jpeg, image/gif or application/pdf, or of any
 *   non-text MIME type over 4 KB. Its reference is `{"$blob": "<file name>"}`,
 *   plus `"$wrap": <line length>`, `"$trailing_newline": true` and
 *   `"$lines": true` when the base64 was wrapped, ended with "\n" or was a list
 *   of lines. A value is a payload only if re-encoding its bytes gives it back
 *   exactly; otherwise it stays inline.
 * - A JSON value in `output.data` with a `$blob` or `$json` key is stored as
 *   `{"$json": <value>}`.
 * - Files are JSON with sorted keys, indented by one space, ending in "\n".
 *
 * A cell's files do not depend on its key or position, so an unchanged cell
 * is the same git tree in every checkpoint, and an image shown again is the
 * same blob.
 */
import type * as nbformat from '@jupyterlab/nbformat';
import { Buffer } from 'buffer';

export const NOTEBOOK_FILE = 'notebook.json';
export const CELLS_DIR = 'cells';
export const CELL_FILE = 'cell.json';
export const OUTPUTS_FILE = 'outputs.json';
export const PAYLOADS_DIR = 'outputs';

/** Files by path ('/'-separated, relative to the tree the map describes). */
export type Files = Map<string, Uint8Array>;

/** Binary MIME types stored as blobs whatever their size. */
const BINARY_MIME_TYPES = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'application/pdf'
]);

/** Other base64 values are stored as blobs from this length (characters). */
const LARGE_PAYLOAD = 4096;

const KEY_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const BASE64_PATTERN = /^[A-Za-z0-9+/]*={0,2}$/;

/** A payload reference in outputs.json, in place of the base64 value. */
interface IPayloadReference {
  /** File name under the cell's outputs/ folder. */
  $blob: string;
  /** Line length when the base64 text was wrapped with "\n". */
  $wrap?: number;
  /** Whether the wrapped text ended with "\n". */
  $trailing_newline?: true;
  /** Whether the value was a list of lines (nbformat's multiline string). */
  $lines?: true;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The notebook as JupyterLab's model holds it: each cell's `source` joined
 * into one string (`source.join('')`, as `@jupyter/ydoc` does on load).
 * Nothing else changes: outputs keep their multiline strings as given.
 * `reassemble(notebookFiles(nb))` deep-equals `normalise(nb)`.
 */
export function normalise(
  notebook: nbformat.INotebookContent
): nbformat.INotebookContent {
  return { ...notebook, cells: notebook.cells.map(normaliseCell) };
}

function normaliseCell(cell: nbformat.ICell): nbformat.ICell {
  return Array.isArray(cell.source)
    ? { ...cell, source: cell.source.join('') }
    : cell;
}

/**
 * Folder names of the cells under `cells/`, in order: the nbformat cell id
 * when it is a valid path segment and not taken by an earlier cell, else
 * `cell-<index>-<hash of type and source>` (nbformat 4.4 cells have no id),
 * made unique with a `-<n>` suffix in the unlikely case it is taken.
 */
export function cellKeys(cells: readonly nbformat.ICell[]): string[] {
  const ids = cells.map(cell =>
    typeof cell.id === 'string' && KEY_PATTERN.test(cell.id) ? cell.id : null
  );
  // Every valid id is reserved first, so a generated key never takes the id
  // of a later cell.
  const used = new Set<string>();
  const keys: string[] = [];
  ids.forEach(id => {
    if (id !== null && !used.has(id)) {
      used.add(id);
      keys.push(id);
    } else {
      keys.push('');
    }
  });
  return keys.map((key, index) => {
    if (key) {
      return key;
    }
    const base = `cell-${index}-${contentHash(cells[index])}`;
    let candidate = base;
    for (let n = 2; used.has(candidate); n++) {
      candidate = `${base}-${n}`;
    }
    used.add(candidate);
    return candidate;
  });
}

/** 8 hex digits of FNV-1a over the cell type and source. */
function contentHash(cell: nbformat.ICell): string {
  const source = Array.isArray(cell.source)
    ? cell.source.join('')
    : String(cell.source ?? '');
  const text = `${cell.cell_type}\n${source}`;
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/** The bytes of notebook.json for a notebook whose cells have these keys. */
export function notebookFile(
  notebook: nbformat.INotebookContent,
  keys: readonly string[]
): Uint8Array {
  return jsonFile({ ...notebook, cells: keys });
}

/** The cell order recorded in a notebook.json. */
export function readCellOrder(file: Uint8Array): string[] {
  const { cells } = parseJson(file, NOTEBOOK_FILE) as { cells?: unknown };
  if (!Array.isArray(cells) || !cells.every(k => typeof k === 'string')) {
    throw new Error(`${NOTEBOOK_FILE} has no list of cell keys`);
  }
  return cells;
}

/** A cell's files, relative to its folder. */
export function cellFiles(cell: nbformat.ICell): Files {
  const { outputs, ...rest } = cell;
  const files: Files = new Map();
  files.set(CELL_FILE, jsonFile(normaliseCell(rest as nbformat.ICell)));
  if (outputs !== undefined) {
    const stored = Array.isArray(outputs)
      ? (outputs as nbformat.IOutput[]).map((output, n) =>
          storeOutput(output, n, files)
        )
      : outputs;
    files.set(OUTPUTS_FILE, jsonFile(stored));
  }
  return files;
}

/** Every file of a notebook's tree. */
export function notebookFiles(notebook: nbformat.INotebookContent): Files {
  const keys = cellKeys(notebook.cells);
  const files: Files = new Map([[NOTEBOOK_FILE, notebookFile(notebook, keys)]]);
  notebook.cells.forEach((cell, index) => {
    for (const [path, data] of cellFiles(cell)) {
      files.set(`${CELLS_DIR}/${keys[index]}/${path}`, data);
    }
  });
  return files;
}

/** The notebook a tree's files describe: the inverse of `notebookFiles`. */
export function reassemble(
  files: ReadonlyMap<string, Uint8Array>
): nbformat.INotebookContent {
  const notebookJson = files.get(NOTEBOOK_FILE);
  if (!notebookJson) {
    throw new Error(`missing ${NOTEBOOK_FILE}`);
  }
  const keys = readCellOrder(notebookJson);
  const byCell = new Map<string, Files>(keys.map(key => [key, new Map()]));
  const prefix = `${CELLS_DIR}/`;
  for (const [path, data] of files) {
    if (path.startsWith(prefix)) {
      const slash = path.indexOf('/', prefix.length);
      const cell = byCell.get(path.slice(prefix.length, slash));
      cell?.set(path.slice(slash + 1), data);
    }
  }
  const notebook = parseJson(
    notebookJson,
    NOTEBOOK_FILE
  ) as nbformat.INotebookContent;
  notebook.cells = keys.map(key => {
    try {
      return reassembleCell(byCell.get(key)!);
    } catch (error) {
      throw new Error(`${CELLS_DIR}/${key}: ${(error as Error).message}`);
    }
  });
  return notebook;
}

/** The cell a cell folder's files describe: the inverse of `cellFiles`. */
export function reassembleCell(
  files: ReadonlyMap<string, Uint8Array>
): nbformat.ICell {
  const cellJson = files.get(CELL_FILE);
  if (!cellJson) {
    throw new Error(`missing ${CELL_FILE}`);
  }
  const cell = parseJson(cellJson, CELL_FILE) as nbformat.ICell;
  const outputsJson = files.get(OUTPUTS_FILE);
  if (outputsJson) {
    const outputs = parseJson(outputsJson, OUTPUTS_FILE);
    cell.outputs = Array.isArray(outputs)
      ? outputs.map(output => loadOutput(output, files))
      : outputs;
  }
  return cell;
}

/** The name of an output's payload file: `<n>-<mime with / as ->`. */
function payloadName(n: number, mimeType: string): string {
  return `${n}-${mimeType.replace('/', '-').replace(/[^A-Za-z0-9._+-]/g, '_')}`;
}

function storeOutput(output: nbformat.IOutput, n: number, files: Files) {
  const data = output.data;
  if (!isObject(data)) {
    return output;
  }
  const stored: Record<string, unknown> = Object.create(null);
  for (const [mimeType, value] of Object.entries(data)) {
    stored[mimeType] = storeValue(mimeType, value, n, files);
  }
  return { ...output, data: stored };
}

function storeValue(mimeType: string, value: unknown, n: number, files: Files) {
  if (isObject(value)) {
    // A JSON value that looks like a reference is escaped, so it reads back
    // as itself.
    return '$blob' in value || '$json' in value ? { $json: value } : value;
  }
  if (!isPayloadCandidate(mimeType, value)) {
    return value;
  }
  const payload = decodePayload(value as string | string[]);
  if (!payload) {
    return value;
  }
  let name = payloadName(n, mimeType);
  for (let k = 2; files.has(`${PAYLOADS_DIR}/${name}`); k++) {
    name = `${payloadName(n, mimeType)}~${k}`;
  }
  files.set(`${PAYLOADS_DIR}/${name}`, payload.bytes);
  return { $blob: name, ...payload.format };
}

function loadOutput(output: unknown, files: ReadonlyMap<string, Uint8Array>) {
  if (!isObject(output) || !isObject(output.data)) {
    return output;
  }
  const data: Record<string, unknown> = Object.create(null);
  for (const [mimeType, value] of Object.entries(output.data)) {
    data[mimeType] = loadValue(value, files);
  }
  return { ...output, data };
}

function loadValue(value: unknown, files: ReadonlyMap<string, Uint8Array>) {
  if (!isObject(value)) {
    return value;
  }
  if ('$json' in value) {
    return value.$json;
  }
  if (!('$blob' in value)) {
    return value;
  }
  const reference = value as unknown as IPayloadReference;
  const bytes = files.get(`${PAYLOADS_DIR}/${reference.$blob}`);
  if (!bytes) {
    throw new Error(`missing ${PAYLOADS_DIR}/${reference.$blob}`);
  }
  return encodePayload(bytes, reference);
}

function isPayloadCandidate(mimeType: string, value: unknown): boolean {
  const length = Array.isArray(value)
    ? value.reduce((sum: number, line) => sum + String(line).length, 0)
    : typeof value === 'string'
      ? value.length
      : 0;
  if (length === 0) {
    return false;
  }
  return (
    BINARY_MIME_TYPES.has(mimeType) ||
    (length > LARGE_PAYLOAD && !isTextual(mimeType))
  );
}

function isTextual(mimeType: string): boolean {
  return (
    mimeType.startsWith('text/') || /(json|xml|javascript)$/.test(mimeType)
  );
}

/**
 * The bytes of a base64 value and how its text was laid out, if re-encoding
 * the bytes gives back exactly the value; otherwise null and the value stays
 * inline.
 */
function decodePayload(
  value: string | string[]
): { bytes: Uint8Array; format: Omit<IPayloadReference, '$blob'> } | null {
  if (Array.isArray(value) && !value.every(line => typeof line === 'string')) {
    return null;
  }
  const text = Array.isArray(value) ? value.join('') : value;
  const format: Omit<IPayloadReference, '$blob'> = {};
  let body = text;
  if (text.includes('\n')) {
    const trailing = text.endsWith('\n');
    const lines = (trailing ? text.slice(0, -1) : text).split('\n');
    format.$wrap = lines[0].length;
    if (trailing) {
      format.$trailing_newline = true;
    }
    body = lines.join('');
  }
  if (Array.isArray(value)) {
    format.$lines = true;
  }
  if (body.length % 4 !== 0 || !BASE64_PATTERN.test(body)) {
    return null;
  }
  const bytes = new Uint8Array(Buffer.from(body, 'base64'));
  const again = encodePayload(bytes, { $blob: '', ...format });
  return sameValue(again, value) ? { bytes, format } : null;
}

function encodePayload(
  bytes: Uint8Array,
  reference: IPayloadReference
): string | string[] {
  let text = Buffer.from(
    bytes.buffer,
    bytes.byteOffset,
    bytes.byteLength
  ).toString('base64');
  const wrap = reference.$wrap;
  if (wrap) {
    const lines: string[] = [];
    for (let i = 0; i < text.length; i += wrap) {
      lines.push(text.slice(i, i + wrap));
    }
    text = lines.join('\n') + (reference.$trailing_newline ? '\n' : '');
  }
  if (reference.$lines) {
    return text.split(/(?<=\n)/);
  }
  return text;
}

function sameValue(a: string | string[], b: string | string[]): boolean {
  if (typeof a === 'string' || typeof b === 'string') {
    return a === b;
  }
  return a.length === b.length && a.every((line, i) => line === b[i]);
}

/** Canonical JSON bytes: keys sorted, indented by one space as nbformat does. */
function jsonFile(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value, sortKeys, 1) + '\n');
}

function sortKeys(_key: string, value: unknown): unknown {
  if (!isObject(value)) {
    return value;
  }
  const sorted: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(value).sort()) {
    sorted[key] = value[key];
  }
  return sorted;
}

function parseJson(file: Uint8Array, name: string): any {
  try {
    return JSON.parse(decoder.decode(file));
  } catch (error) {
    throw new Error(`${name} is not JSON: ${(error as Error).message}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
