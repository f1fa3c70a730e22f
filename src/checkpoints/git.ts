/**
 * isomorphic-git, with the global `Buffer` it expects in the browser. Import
 * isomorphic-git through this module only: it reads the global when called,
 * never at load, so setting it here comes before any use.
 */
import { Buffer } from 'buffer';

(globalThis as { Buffer?: unknown }).Buffer ??= Buffer;

export {
  hashBlob,
  readBlob,
  readCommit,
  readTree,
  writeBlob,
  writeCommit,
  writeObject,
  writeTree
} from 'isomorphic-git';
export type { FsClient, TreeEntry } from 'isomorphic-git';

/** A git object as the server stores it: zlib-deflated "<type> <size>\0<body>". */
export interface IGitObject {
  oid: string;
  deflated: Uint8Array;
}

/** Where a loose object lives in a git directory. */
export function objectPath(gitdir: string, oid: string): string {
  return `${gitdir}/objects/${oid.slice(0, 2)}/${oid.slice(2)}`;
}

export const BLOB_MODE = '100644';
export const TREE_MODE = '040000';
