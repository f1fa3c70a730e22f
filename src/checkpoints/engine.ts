/**
 * The checkpoint engine (isomorphic-git, the writer, the reader): one chunk,
 * loaded the first time a notebook is checkpointed or a checkpoint is read.
 */
export { batchedReads } from './batchedReads';
export { NotebookCheckpointer } from './checkpointer';
export { CheckpointReader } from './reader';
export { diffCheckpoints } from '../diff/checkpoints';
