/**
 * Where a restored checkpoint goes and what it carries. Pure.
 */
import { INotebookContent } from '@jupyterlab/nbformat';
import { UUID } from '@lumino/coreutils';

import { METADATA_KEY } from '../common/notebookId';

/**
 * Candidate paths for a checkpoint restored next to its notebook, in order:
 * `data/model.ipynb` → `data/model-checkpoint-1a2b3c4.ipynb`, then `-2`, `-3`…
 */
export function* restorePaths(
  notebookPath: string,
  commit: string
): Generator<string> {
  const slash = notebookPath.lastIndexOf('/');
  const folder = slash >= 0 ? notebookPath.slice(0, slash + 1) : '';
  const name = notebookPath.slice(slash + 1).replace(/\.ipynb$/i, '');
  const stem = `${folder}${name}-checkpoint-${commit.slice(0, 7)}`;
  yield `${stem}.ipynb`;
  for (let n = 2; ; n++) {
    yield `${stem}-${n}.ipynb`;
  }
}

/**
 * The checkpoint as a notebook of its own: a new notebook id (so its history
 * does not interleave with the original's) and a note of where it came from.
 */
export function asRestoredCopy(
  content: INotebookContent,
  origin: { notebookId: string | null; commit: string },
  newId: () => string = UUID.uuid4
): INotebookContent {
  const previous = (content.metadata?.[METADATA_KEY] ?? {}) as object;
  return {
    ...content,
    metadata: {
      ...content.metadata,
      [METADATA_KEY]: {
        ...previous,
        notebook_id: newId(),
        restored_from: {
          notebook_id: origin.notebookId,
          commit: origin.commit
        }
      }
    }
  };
}
