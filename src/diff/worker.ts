/**
 * The diff engine in a Web Worker: a large notebook is diffed off the page's
 * thread, so scrolling and typing never wait for it.
 */
import { diffNotebooks } from './index';
import type { IWorkerRequest, IWorkerResponse } from './inWorker';

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<IWorkerRequest>) => void) | null;
  postMessage(message: IWorkerResponse): void;
};

scope.onmessage = ({ data }) => {
  try {
    const diff = diffNotebooks(data.a, data.b, data.options);
    scope.postMessage({ id: data.id, diff });
  } catch (error) {
    scope.postMessage({ id: data.id, error: (error as Error).message });
  }
};
