/**
 * A notebook's identity: a UUID written once into its metadata, so a renamed
 * or moved notebook keeps its runs and history.
 */
import { INotebookModel } from '@jupyterlab/notebook';
import { UUID } from '@lumino/coreutils';

export const METADATA_KEY = 'experiments';

export interface IExperimentsMetadata {
  notebook_id?: string;
  [key: string]: unknown;
}

const UUID_PATTERN =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The notebook id in this metadata value, if it holds a valid one. */
export function readNotebookId(metadata: unknown): string | null {
  const id = (metadata as IExperimentsMetadata | undefined)?.notebook_id;
  return typeof id === 'string' && UUID_PATTERN.test(id) ? id : null;
}

/**
 * The metadata value with a notebook id: unchanged if it has a valid one,
 * otherwise a copy with a new id (other keys kept).
 */
export function withNotebookId(
  metadata: unknown,
  newId: () => string = UUID.uuid4
): { metadata: IExperimentsMetadata; id: string; created: boolean } {
  const existing = readNotebookId(metadata);
  if (existing) {
    return {
      metadata: metadata as IExperimentsMetadata,
      id: existing,
      created: false
    };
  }
  const base =
    metadata && typeof metadata === 'object' && !Array.isArray(metadata)
      ? (metadata as IExperimentsMetadata)
      : {};
  const id = newId();
  return { metadata: { ...base, notebook_id: id }, id, created: true };
}

/** The notebook's id, written into its metadata the first time it is needed. */
export function ensureNotebookId(model: INotebookModel): string {
  const { metadata, id, created } = withNotebookId(
    model.getMetadata(METADATA_KEY)
  );
  if (created) {
    model.setMetadata(METADATA_KEY, metadata);
  }
  return id;
}

/**
 * The metadata value with a fresh notebook id, remembering the one it
 * replaces: for a copy of a notebook that kept the original's id.
 */
export function withFreshNotebookId(
  metadata: unknown,
  newId: () => string = UUID.uuid4
): IExperimentsMetadata {
  const base =
    metadata && typeof metadata === 'object' && !Array.isArray(metadata)
      ? (metadata as IExperimentsMetadata)
      : {};
  return {
    ...base,
    notebook_id: newId(),
    copied_from: readNotebookId(base)
  };
}
