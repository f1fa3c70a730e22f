/**
 * `diffNotebooks` off the page's thread for large notebooks, inline for small
 * ones (starting a worker costs more than diffing a few cells).
 */
import type * as nbformat from '@jupyterlab/nbformat';

import type { IDiffOptions, INotebookDiff } from './types';

export interface IWorkerRequest {
  id: number;
  a: nbformat.INotebookContent;
  b: nbformat.INotebookContent;
  options?: IDiffOptions;
}

export type IWorkerResponse =
  { id: number; diff: INotebookDiff } | { id: number; error: string };

/** Above this many characters of cell content, a diff runs in the worker. */
export const WORKER_THRESHOLD = 1_000_000;

interface IPending {
  request: IWorkerRequest;
  resolve: (diff: INotebookDiff) => void;
  reject: (error: Error) => void;
}

let worker: Worker | null = null;
/** Set when the worker cannot run here: every diff then runs inline. */
let workerFailed = false;
let nextId = 0;
const pending = new Map<number, IPending>();

async function diffInline(request: IWorkerRequest): Promise<INotebookDiff> {
  const { diffNotebooks } = await import('./index');
  return diffNotebooks(request.a, request.b, request.options);
}

export async function diffInBackground(
  a: nbformat.INotebookContent,
  b: nbformat.INotebookContent,
  options?: IDiffOptions
): Promise<INotebookDiff> {
  const request: IWorkerRequest = { id: nextId++, a, b, options };
  if (
    workerFailed ||
    typeof Worker === 'undefined' ||
    contentSize(a) + contentSize(b) < WORKER_THRESHOLD
  ) {
    return diffInline(request);
  }
  return new Promise<INotebookDiff>((resolve, reject) => {
    pending.set(request.id, { request, resolve, reject });
    try {
      diffWorker().postMessage(request);
    } catch {
      failWorker();
    }
  });
}

function diffWorker(): Worker {
  if (!worker) {
    worker = new Worker(new URL('./worker.js', import.meta.url));
    worker.onmessage = ({ data }: MessageEvent<IWorkerResponse>) => {
      const waiting = pending.get(data.id);
      pending.delete(data.id);
      if ('error' in data) {
        waiting?.reject(new Error(data.error));
      } else {
        waiting?.resolve(data.diff);
      }
    };
    // A worker that cannot load here (or crashed) does not lose a diff: what
    // it was given is diffed inline, and so is everything after.
    worker.onerror = event => {
      event.preventDefault();
      failWorker();
    };
  }
  return worker;
}

function failWorker(): void {
  workerFailed = true;
  worker?.terminate();
  worker = null;
  const waiting = [...pending.values()];
  pending.clear();
  for (const { request, resolve, reject } of waiting) {
    diffInline(request).then(resolve, reject);
  }
}

/** Characters of sources and outputs: what a diff's cost grows with. */
export function contentSize(notebook: nbformat.INotebookContent): number {
  let size = 0;
  const add = (value: unknown): void => {
    if (typeof value === 'string') {
      size += value.length;
    } else if (Array.isArray(value)) {
      value.forEach(add);
    } else if (value && typeof value === 'object') {
      Object.values(value).forEach(add);
    }
  };
  for (const cell of notebook.cells ?? []) {
    add(cell.source);
    add((cell as nbformat.ICodeCell).outputs);
    if (size >= WORKER_THRESHOLD) {
      break;
    }
  }
  return size;
}
