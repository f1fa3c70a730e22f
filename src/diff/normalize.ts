/**
 * Notebooks as nbformat reads them: multiline strings joined, exactly as
 * Python's `nbformat.v4.rwbase.rejoin_lines` does. Pure.
 */
import type * as nbformat from '@jupyterlab/nbformat';

import { deepCopy, isObject } from './json';
import type { JsonObject } from './json';

/** nbformat's `_is_json_mime`: JSON MIME types keep their structure. */
export function isJsonMime(mime: string): boolean {
  return (
    mime === 'application/json' ||
    (mime.startsWith('application/') && mime.endsWith('+json'))
  );
}

function joinable(value: unknown): value is string[] {
  return Array.isArray(value) && value.every(line => typeof line === 'string');
}

/** nbformat's `_rejoin_mimebundle`, in place. */
function rejoinMimeBundle(data: JsonObject): void {
  for (const key of Object.keys(data)) {
    const value = data[key];
    if (!isJsonMime(key) && joinable(value)) {
      data[key] = value.join('');
    }
  }
}

const NOTEBOOK_KEYS = [
  'cells',
  'nbformat',
  'nbformat_minor',
  'metadata',
  'worksheets'
];

/** Throws unless `value` is a notebook object at all. */
function checkNotebook(value: unknown): asserts value is JsonObject {
  if (!isObject(value) || !NOTEBOOK_KEYS.some(key => key in value)) {
    const what =
      value === null
        ? 'null'
        : Array.isArray(value)
          ? 'a list'
          : isObject(value)
            ? 'an object without cells, metadata or nbformat'
            : `a ${typeof value}`;
    throw new Error(`Not a notebook: expected a notebook object, got ${what}`);
  }
}

/**
 * A deep copy of `nb` with multiline strings joined as nbformat's
 * `rejoin_lines` does: cell `source`, attachments' MIME bundles, and for code
 * cells, `data` values of `execute_result`/`display_data` whose MIME type is
 * not JSON, and the `text` of other outputs. Malformed parts are copied as
 * they are (a list mixing strings and other values is not joined); a missing
 * or non-list `cells` becomes `[]`.
 *
 * @throws Error when `nb` is not a notebook object at all.
 */
export function normalizeNotebook(
  nb: nbformat.INotebookContent
): nbformat.INotebookContent {
  const value: unknown = nb;
  checkNotebook(value);
  const copy = deepCopy(value);
  if (!Array.isArray(copy.cells)) {
    copy.cells = [];
  }
  for (const cell of copy.cells as unknown[]) {
    if (isObject(cell)) {
      rejoinCell(cell);
    }
  }
  return copy as unknown as nbformat.INotebookContent;
}

/** `rejoin_lines` on one cell (a copy), in place. */
export function rejoinCell(cell: JsonObject): void {
  if (joinable(cell.source)) {
    cell.source = cell.source.join('');
  }
  if (isObject(cell.attachments)) {
    for (const attachment of Object.values(cell.attachments)) {
      if (isObject(attachment)) {
        rejoinMimeBundle(attachment);
      }
    }
  }
  if (cell.cell_type !== 'code' || !Array.isArray(cell.outputs)) {
    return;
  }
  for (const output of cell.outputs) {
    if (!isObject(output)) {
      continue;
    }
    const type = output.output_type;
    if (type === 'execute_result' || type === 'display_data') {
      if (isObject(output.data)) {
        rejoinMimeBundle(output.data);
      }
    } else if (type && joinable(output.text)) {
      output.text = output.text.join('');
    }
  }
}

/** A MIME bundle joined, copied only when a value needs joining. */
function rejoinedBundle(data: JsonObject): JsonObject {
  let copy: JsonObject | null = null;
  for (const key of Object.keys(data)) {
    const value = data[key];
    if (!isJsonMime(key) && joinable(value)) {
      copy = copy ?? { ...data };
      copy[key] = value.join('');
    }
  }
  return copy ?? data;
}

/** One output joined, copied only when something needs joining. */
function rejoinedOutput(output: unknown): unknown {
  if (!isObject(output)) {
    return output;
  }
  const type = output.output_type;
  if (type === 'execute_result' || type === 'display_data') {
    if (isObject(output.data)) {
      const data = rejoinedBundle(output.data);
      return data === output.data ? output : { ...output, data };
    }
  } else if (type && joinable(output.text)) {
    return { ...output, text: output.text.join('') };
  }
  return output;
}

/**
 * The cell as `rejoinCell` leaves it, but sharing every part that needs no
 * joining with `cell`: a diff reads cells, never writes them, and copying a
 * notebook's outputs costs more than diffing them.
 */
export function rejoinedCell(cell: unknown): unknown {
  if (!isObject(cell)) {
    return cell;
  }
  let copy: JsonObject | null = null;
  const edit = () => (copy = copy ?? { ...cell });
  if (joinable(cell.source)) {
    edit().source = cell.source.join('');
  }
  if (isObject(cell.attachments)) {
    const attachments = cell.attachments;
    let changed = false;
    const joined: JsonObject = {};
    for (const name of Object.keys(attachments)) {
      const bundle = attachments[name];
      joined[name] = isObject(bundle) ? rejoinedBundle(bundle) : bundle;
      changed = changed || joined[name] !== bundle;
    }
    if (changed) {
      edit().attachments = joined;
    }
  }
  if (cell.cell_type === 'code' && Array.isArray(cell.outputs)) {
    const outputs = cell.outputs.map(rejoinedOutput);
    if (
      outputs.some((output, i) => output !== (cell.outputs as unknown[])[i])
    ) {
      edit().outputs = outputs;
    }
  }
  return copy ?? cell;
}

/**
 * What `normalizeNotebook` returns, as a read-only view: parts that need no
 * joining are `nb`'s own, not copies. For the diff, which only reads.
 *
 * @throws Error when `nb` is not a notebook object at all.
 */
export function normalizedView(
  nb: nbformat.INotebookContent
): nbformat.INotebookContent {
  const value: unknown = nb;
  checkNotebook(value);
  const cells = Array.isArray(value.cells) ? value.cells.map(rejoinedCell) : [];
  return { ...value, cells } as unknown as nbformat.INotebookContent;
}
