/**
 * Reads checkpoints back from loose git objects, fetched one by one through
 * a function the caller provides (the frontend: `GET git/objects/<oid>`).
 * No DOM, no network of its own.
 */
import type * as nbformat from '@jupyterlab/nbformat';

import { FsClient, readBlob, readCommit, readTree, TreeEntry } from './git';
import {
  CELLS_DIR,
  Files,
  NOTEBOOK_FILE,
  readCellOrder,
  reassemble,
  reassembleCell
} from './layout';
import { directoryStats, fsError, IStats } from './memfs';
import { ICheckpointTrailers, parseMessage } from './message';

/**
 * The raw bytes of a loose object (zlib-deflated "<type> <size>\0<body>").
 * Rejects with an error whose `code` is 'ENOENT' when there is no such object.
 */
export type ReadObject = (oid: string) => Promise<Uint8Array>;

/** A checkpoint commit's metadata. */
export interface ICheckpointInfo {
  commit: string;
  tree: string;
  parents: string[];
  message: string;
  subject: string;
  trailers: ICheckpointTrailers;
  /** Seconds since the epoch. */
  timestamp: number;
  /** Minutes, as `Date.getTimezoneOffset` counts them. */
  timezoneOffset: number;
}

/** How one cell differs between two checkpoints. */
export interface ICellChange {
  /** Folder name under cells/ in the newer checkpoint (older when removed). */
  key: string;
  /** Folder name in the older checkpoint, null when added. */
  oldKey: string | null;
  status: 'added' | 'removed' | 'modified' | 'unchanged';
  /** Whether the cell changed place relative to the cells around it. */
  moved: boolean;
  oldIndex: number | null;
  newIndex: number | null;
  /** The cell's subtree in each checkpoint (`readCell` reads it). */
  oldTree: string | null;
  newTree: string | null;
}

/** What `cellTrees` returns. */
export interface ICellTrees {
  /** notebook.json without its cell list: nbformat, nbformat_minor, metadata. */
  header: Omit<nbformat.INotebookContent, 'cells'>;
  /** Each cell's folder key and subtree id, in notebook order. */
  cells: { key: string; tree: string }[];
}

const GITDIR = '/git';
const CACHE_SIZE = 1000;

export class CheckpointReader {
  constructor(readObject: ReadObject) {
    this._fs = objectFs(GITDIR, readObject);
  }

  /** A checkpoint's commit metadata, trailers parsed. */
  async readCheckpoint(commit: string): Promise<ICheckpointInfo> {
    const { oid, commit: c } = await readCommit({
      fs: this._fs,
      gitdir: GITDIR,
      oid: commit
    });
    return {
      commit: oid,
      tree: c.tree,
      parents: c.parent,
      message: c.message,
      ...parseMessage(c.message),
      timestamp: c.committer.timestamp,
      timezoneOffset: c.committer.timezoneOffset
    };
  }

  /** The notebook a checkpoint holds. */
  async readNotebook(commit: string): Promise<nbformat.INotebookContent> {
    const { tree } = await this.readCheckpoint(commit);
    return reassemble(await this.readFiles(tree));
  }

  /** One cell from its subtree (an `ICellChange`'s `oldTree` or `newTree`). */
  async readCell(tree: string): Promise<nbformat.ICell> {
    return reassembleCell(await this.readFiles(tree));
  }

  /** Every file under a tree, by path relative to it. */
  async readFiles(tree: string): Promise<Files> {
    const files: Files = new Map();
    const walk = async (oid: string, prefix: string): Promise<void> => {
      await Promise.all(
        (await this._readTree(oid)).map(async entry => {
          const path = prefix + entry.path;
          if (entry.type === 'tree') {
            await walk(entry.oid, `${path}/`);
          } else if (entry.type === 'blob') {
            files.set(path, await this._readBlob(entry.oid));
          }
        })
      );
    };
    await walk(tree, '');
    return files;
  }

  /**
   * Which cells were added, removed, modified or moved from checkpoint `a`
   * to `b`, reading trees and the two notebook.json files only. Cells are
   * matched by key, then unmatched ones by identical subtree (a cell whose
   * generated key changed, e.g. when an nbformat 4.4 cell above was
   * inserted). Ordered as in `b`, removed cells last.
   */
  async changedCells(a: string, b: string): Promise<ICellChange[]> {
    const [before, after] = await Promise.all([this._cells(a), this._cells(b)]);
    const changes: ICellChange[] = after.order.map((key, newIndex) => {
      const newTree = after.trees.get(key) ?? null;
      const oldIndex = before.index.get(key);
      if (oldIndex === undefined) {
        return change(key, null, 'added', null, newIndex, null, newTree);
      }
      const oldTree = before.trees.get(key) ?? null;
      const status = oldTree === newTree ? 'unchanged' : 'modified';
      return change(key, key, status, oldIndex, newIndex, oldTree, newTree);
    });
    const removed = before.order.filter(key => !after.index.has(key));
    // Pair an added and a removed cell with the same subtree.
    const removedByTree = new Map<string, string[]>();
    for (const key of removed) {
      const tree = before.trees.get(key)!;
      removedByTree.set(tree, [...(removedByTree.get(tree) ?? []), key]);
    }
    const paired = new Set<string>();
    for (const c of changes) {
      const candidates =
        c.status === 'added' && c.newTree
          ? removedByTree.get(c.newTree)
          : undefined;
      if (candidates?.length) {
        const oldKey = candidates.shift()!;
        paired.add(oldKey);
        Object.assign(c, {
          oldKey,
          status: 'unchanged',
          oldIndex: before.index.get(oldKey)!,
          oldTree: c.newTree
        });
      }
    }
    for (const key of removed) {
      if (!paired.has(key)) {
        changes.push(
          change(
            key,
            key,
            'removed',
            before.index.get(key)!,
            null,
            before.trees.get(key) ?? null,
            null
          )
        );
      }
    }
    markMoves(changes);
    return changes;
  }

  /**
   * A checkpoint's cells as subtree ids, in order, and its notebook.json
   * without the cell list; no cell is read. Equal subtree ids are equal
   * cells, which is what lets a diff skip them.
   */
  async cellTrees(commit: string): Promise<ICellTrees> {
    const { tree } = await this.readCheckpoint(commit);
    const root = await this._readTree(tree);
    const notebook = root.find(e => e.path === NOTEBOOK_FILE);
    if (!notebook) {
      throw new Error(`checkpoint ${commit} has no ${NOTEBOOK_FILE}`);
    }
    const [header, { order, trees }] = await Promise.all([
      this._readBlob(notebook.oid).then(bytes => {
        const parsed = JSON.parse(new TextDecoder().decode(bytes));
        delete parsed.cells;
        return parsed as ICellTrees['header'];
      }),
      this._cells(commit)
    ]);
    return {
      header,
      cells: order.map(key => ({ key, tree: trees.get(key) ?? '' }))
    };
  }

  private async _cells(commit: string): Promise<{
    order: string[];
    index: Map<string, number>;
    trees: Map<string, string>;
  }> {
    const { tree } = await this.readCheckpoint(commit);
    const root = await this._readTree(tree);
    const notebook = root.find(e => e.path === NOTEBOOK_FILE);
    if (!notebook) {
      throw new Error(`checkpoint ${commit} has no ${NOTEBOOK_FILE}`);
    }
    const cellsEntry = root.find(e => e.path === CELLS_DIR);
    const [order, cellEntries] = await Promise.all([
      this._cellOrder(notebook.oid),
      cellsEntry ? this._readTree(cellsEntry.oid) : Promise.resolve([])
    ]);
    return {
      order,
      index: new Map(order.map((key, i) => [key, i])),
      trees: new Map(cellEntries.map(e => [e.path, e.oid]))
    };
  }

  private _cellOrder(oid: string): Promise<string[]> {
    return cached(this._orders, oid, async () =>
      readCellOrder(await this._readBlob(oid))
    );
  }

  private _readTree(oid: string): Promise<TreeEntry[]> {
    return cached(this._trees, oid, async () => {
      const { tree } = await readTree({ fs: this._fs, gitdir: GITDIR, oid });
      return tree;
    });
  }

  private async _readBlob(oid: string): Promise<Uint8Array> {
    return (await readBlob({ fs: this._fs, gitdir: GITDIR, oid })).blob;
  }

  private _fs: FsClient;
  /** Trees and cell orders never change: keep the recent ones. */
  private _trees = new Map<string, Promise<TreeEntry[]>>();
  private _orders = new Map<string, Promise<string[]>>();
}

/** Reads loose objects from a (mem)fs holding a git directory. */
export function fsObjectReader(
  fs: { readFile(path: string): Promise<Uint8Array> },
  gitdir: string
): ReadObject {
  return oid =>
    fs.readFile(`${gitdir}/objects/${oid.slice(0, 2)}/${oid.slice(2)}`);
}

/**
 * A read-only fs for isomorphic-git holding only a git directory whose
 * loose objects come from `readObject`.
 */
function objectFs(gitdir: string, readObject: ReadObject): FsClient {
  const objectPath = new RegExp(
    `^${gitdir}/objects/([0-9a-f]{2})/([0-9a-f]{38})$`
  );
  const refuse = async (path?: unknown): Promise<never> => {
    throw fsError('EROFS', String(path));
  };
  const stat = async (path: string): Promise<IStats> => {
    if (path === gitdir) {
      return directoryStats();
    }
    throw fsError('ENOENT', path);
  };
  const missing = async (path: string): Promise<never> => {
    throw fsError('ENOENT', path);
  };
  return {
    async readFile(path?: string): Promise<Uint8Array> {
      const match = typeof path === 'string' && objectPath.exec(path);
      if (!match) {
        throw fsError('ENOENT', String(path));
      }
      return readObject(match[1] + match[2]);
    },
    stat,
    lstat: stat,
    readdir: missing,
    readlink: missing,
    writeFile: refuse,
    mkdir: refuse,
    rmdir: refuse,
    unlink: refuse,
    symlink: refuse
  };
}

function change(
  key: string,
  oldKey: string | null,
  status: ICellChange['status'],
  oldIndex: number | null,
  newIndex: number | null,
  oldTree: string | null,
  newTree: string | null
): ICellChange {
  return {
    key,
    oldKey,
    status,
    moved: false,
    oldIndex,
    newIndex,
    oldTree,
    newTree
  };
}

/**
 * Marks as moved the cells present in both checkpoints that are not in the
 * longest run keeping their old relative order, so inserting or deleting a
 * cell moves nothing.
 */
function markMoves(changes: ICellChange[]): void {
  const kept = changes.filter(c => c.oldIndex !== null && c.newIndex !== null);
  // Longest increasing subsequence of old indices, in new order.
  const tails: number[] = [];
  const previous: number[] = new Array(kept.length).fill(-1);
  kept.forEach((c, i) => {
    let low = 0;
    let high = tails.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (kept[tails[middle]].oldIndex! < c.oldIndex!) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    previous[i] = low > 0 ? tails[low - 1] : -1;
    tails[low] = i;
  });
  const inOrder = new Set<number>();
  for (
    let i = tails.length ? tails[tails.length - 1] : -1;
    i >= 0;
    i = previous[i]
  ) {
    inOrder.add(i);
  }
  kept.forEach((c, i) => {
    c.moved = !inOrder.has(i);
  });
}

/**
 * A value from a bounded cache of promises, so concurrent reads of one object
 * share one request; a failed read is not kept.
 */
function cached<T>(
  cache: Map<string, Promise<T>>,
  key: string,
  read: () => Promise<T>
): Promise<T> {
  let value = cache.get(key);
  if (!value) {
    if (cache.size >= CACHE_SIZE) {
      cache.delete(cache.keys().next().value as string);
    }
    value = read();
    cache.set(key, value);
    value.catch(() => cache.delete(key));
  }
  return value;
}
