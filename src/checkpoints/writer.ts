/**
 * Builds checkpoint commits in memory and hands back only the git objects the
 * server does not have yet. No DOM, no network: the caller ships the objects.
 *
 * Unchanged cells cost nothing: each cell's subtree is remembered by the
 * cell's identity, and reused without serialising the cell when the caller
 * says it did not change (or, without that hint, when its JSON is the same).
 *
 * A writer that knows nothing yet (after a page load) asks the server which
 * objects it lacks: then blobs are hashed first and only those the server
 * lacks are deflated, not the whole notebook.
 */
import type * as nbformat from '@jupyterlab/nbformat';

import {
  BLOB_MODE,
  FsClient,
  hashBlob,
  IGitObject,
  objectPath,
  TREE_MODE,
  TreeEntry,
  writeBlob,
  writeCommit,
  writeObject,
  writeTree
} from './git';
import {
  CELLS_DIR,
  cellFiles,
  cellKeys,
  Files,
  NOTEBOOK_FILE,
  notebookFile
} from './layout';
import { fileStats, MemFs } from './memfs';
import { formatMessage, ICheckpointTrailers } from './message';

export const AUTHOR = {
  name: 'jupyterlab-experiments',
  email: 'checkpoints@localhost'
};

/** What to checkpoint. */
export interface ICheckpointRequest {
  /** The notebook as it was executed (the in-memory model's JSON). */
  notebook: nbformat.INotebookContent;
  /** The commit this one follows: the ref's current value, or null. */
  parent: string | null;
  /** Index of the executed cell; null or absent for an on-demand checkpoint. */
  cellIndex?: number | null;
  trailers?: ICheckpointTrailers;
  /**
   * Identities (see `cellIds`) of the cells that changed since the previous
   * call: source, metadata, outputs or execution count. Cells not named are
   * taken as unchanged and not serialised. Omit to compare every cell's JSON.
   */
  changedCellIds?: ReadonlySet<string>;
  /**
   * The cells' identities in order, e.g. the model's cell ids. Defaults to
   * the nbformat ids, which nbformat 4.4 notebooks do not have: pass the
   * model's ids then, or the hint cannot apply.
   */
  cellIds?: readonly string[];
  /**
   * Which of these objects the server lacks (`POST git/missing`), asked
   * before any blob is deflated; the others are then known. For a writer
   * that knows nothing yet, e.g. after a page load.
   */
  missing?: (oids: string[]) => Promise<Iterable<string>>;
}

/** A built checkpoint. */
export interface ICheckpoint {
  commit: string;
  tree: string;
  message: string;
  /**
   * Objects not yet known to be on the server: those this checkpoint added
   * and any earlier ones never confirmed with `markKnown`.
   */
  objects: IGitObject[];
}

interface ICellMemo {
  tree: string;
  /** The cell's JSON, kept only for cells the hint does not cover. */
  json: string | null;
}

const GITDIR = '/checkpoints.git';
/** Longest stretch of checkpoint building before the page gets to draw. */
const SLICE_MS = 12;

export class CheckpointWriter {
  constructor(options: { now?: () => Date } = {}) {
    this._now = options.now ?? (() => new Date());
    const memfs = this._memfs;
    // A known object answers `stat` from memory, so isomorphic-git does not
    // write it again once its bytes have been dropped.
    this._fs = {
      readFile: memfs.readFile.bind(memfs),
      writeFile: memfs.writeFile.bind(memfs),
      mkdir: memfs.mkdir.bind(memfs),
      rmdir: memfs.rmdir.bind(memfs),
      unlink: memfs.unlink.bind(memfs),
      readdir: memfs.readdir.bind(memfs),
      readlink: memfs.readlink.bind(memfs),
      symlink: memfs.symlink.bind(memfs),
      stat: (path: string) => this._stat(path, false),
      lstat: (path: string) => this._stat(path, true)
    };
  }

  /** Builds a checkpoint commit. Calls run one at a time, in order. */
  checkpoint(request: ICheckpointRequest): Promise<ICheckpoint> {
    const result = this._queue.then(() => this._build(request));
    this._queue = result.catch(() => undefined);
    return result;
  }

  /**
   * Records that the server has these objects (it confirmed a batch, or did
   * not list them as missing): they are not returned again, and their bytes
   * are dropped.
   */
  async markKnown(oids: Iterable<string>): Promise<void> {
    for (const oid of oids) {
      this._known.add(oid);
      if (this._pending.delete(oid) && !this._blobs.delete(oid)) {
        await this._memfs.unlink(objectPath(GITDIR, oid));
      }
    }
  }

  /** Whether the server is known to have an object. */
  isKnown(oid: string): boolean {
    return this._known.has(oid);
  }

  /** Bytes of objects built and not yet confirmed. */
  get pendingBytes(): number {
    let bytes = this._memfs.size;
    for (const wrapped of this._blobs.values()) {
      bytes += wrapped.byteLength;
    }
    return bytes;
  }

  private async _build(request: ICheckpointRequest): Promise<ICheckpoint> {
    const { notebook } = request;
    this._sliceStart = Date.now();
    this._deferBlobs = request.missing !== undefined;
    const keys = cellKeys(notebook.cells);
    const identities = this._identities(notebook.cells, request.cellIds);
    const hint = request.changedCellIds;
    const memos = new Map<string, ICellMemo>();
    const cellEntries: TreeEntry[] = [];
    for (let i = 0; i < notebook.cells.length; i++) {
      const { memoKey, id } = identities[i];
      const memo = await this._cellTree(
        notebook.cells[i],
        this._memos.get(memoKey),
        id !== null && hint !== undefined ? !hint.has(id) : null
      );
      memos.set(memoKey, memo);
      cellEntries.push({
        mode: TREE_MODE,
        path: keys[i],
        oid: memo.tree,
        type: 'tree'
      });
    }
    // Only the current cells are remembered, so memory follows the notebook.
    this._memos = memos;
    this._byJson = new Map();
    for (const memo of memos.values()) {
      if (memo.json !== null) {
        this._byJson.set(memo.json, memo.tree);
      }
    }

    const rootEntries: TreeEntry[] = [
      {
        mode: BLOB_MODE,
        path: NOTEBOOK_FILE,
        oid: await this._notebookBlob(notebook, keys),
        type: 'blob'
      }
    ];
    if (cellEntries.length) {
      rootEntries.push({
        mode: TREE_MODE,
        path: CELLS_DIR,
        oid: await this._memoTree(this._cellsTree, cellEntries),
        type: 'tree'
      });
    }
    const tree = await this._memoTree(this._rootTree, rootEntries);

    const index = request.cellIndex;
    const cell =
      index === null || index === undefined ? null : notebook.cells[index];
    const message = formatMessage(
      cell
        ? {
            cellNumber: index! + 1,
            source: Array.isArray(cell.source)
              ? cell.source.join('')
              : String(cell.source ?? '')
          }
        : null,
      request.trailers
    );
    const now = this._now();
    const signature = {
      ...AUTHOR,
      timestamp: Math.floor(now.getTime() / 1000),
      timezoneOffset: now.getTimezoneOffset()
    };
    const commit = this._record(
      await writeCommit({
        fs: this._fs,
        gitdir: GITDIR,
        commit: {
          message,
          tree,
          parent: request.parent ? [request.parent] : [],
          author: signature,
          committer: signature
        }
      })
    );

    if (request.missing) {
      const lacking = new Set(await request.missing([...this._pending]));
      await this.markKnown([...this._pending].filter(oid => !lacking.has(oid)));
    }
    const objects: IGitObject[] = [];
    for (const oid of this._pending) {
      const wrapped = this._blobs.get(oid);
      if (wrapped) {
        await this._breathe();
        await writeObject({
          fs: this._fs,
          gitdir: GITDIR,
          type: 'blob',
          object: wrapped,
          format: 'wrapped'
        });
        this._blobs.delete(oid);
      }
      objects.push({
        oid,
        deflated: await this._memfs.readFile(objectPath(GITDIR, oid))
      });
    }
    return { commit, tree, message, objects };
  }

  /**
   * Each cell's memo key, and the id the hint names it by. A cell without an
   * identity is remembered by position, and never trusted by the hint.
   */
  private _identities(
    cells: readonly nbformat.ICell[],
    cellIds: readonly string[] | undefined
  ): { memoKey: string; id: string | null }[] {
    const seen = new Map<string, number>();
    return cells.map((cell, i) => {
      const id = cellIds ? cellIds[i] : cell.id;
      if (typeof id !== 'string') {
        return { memoKey: `\0${i}`, id: null };
      }
      // A repeated id (a malformed notebook) gets an occurrence suffix.
      const count = seen.get(id) ?? 0;
      seen.set(id, count + 1);
      return { memoKey: count ? `${id}\0${count}` : id, id };
    });
  }

  /**
   * A cell's subtree. `unchanged` is what the hint says about the cell, null
   * when it says nothing: then the cell's JSON is compared with last time's.
   */
  private async _cellTree(
    cell: nbformat.ICell,
    memo: ICellMemo | undefined,
    unchanged: boolean | null
  ): Promise<ICellMemo> {
    await this._breathe();
    if (unchanged !== null) {
      // Hinted cells keep no JSON: the hint makes it unnecessary.
      return memo && unchanged
        ? memo
        : { tree: await this._writeFiles(cellFiles(cell)), json: null };
    }
    const json = JSON.stringify(cell);
    if (memo && memo.json === json) {
      return memo;
    }
    // A cell that moved, or has no identity, can match any cell of last time.
    const tree =
      this._byJson.get(json) ?? (await this._writeFiles(cellFiles(cell)));
    return { tree, json };
  }

  /** Writes files as blobs in nested trees, returning the top tree's oid. */
  private async _writeFiles(files: Files): Promise<string> {
    const folders = new Map<string, Files>();
    const entries: TreeEntry[] = [];
    for (const [path, data] of files) {
      const slash = path.indexOf('/');
      if (slash < 0) {
        const oid = await this._blob(data);
        entries.push({ mode: BLOB_MODE, path, oid, type: 'blob' });
      } else {
        const name = path.slice(0, slash);
        if (!folders.has(name)) {
          folders.set(name, new Map());
        }
        folders.get(name)!.set(path.slice(slash + 1), data);
      }
    }
    for (const [name, contents] of folders) {
      const oid = await this._writeFiles(contents);
      entries.push({ mode: TREE_MODE, path: name, oid, type: 'tree' });
    }
    return this._record(
      await writeTree({ fs: this._fs, gitdir: GITDIR, tree: entries })
    );
  }

  private async _notebookBlob(
    notebook: nbformat.INotebookContent,
    keys: string[]
  ): Promise<string> {
    const bytes = notebookFile(notebook, keys);
    const last = this._notebook;
    if (last && sameBytes(last.bytes, bytes)) {
      return last.oid;
    }
    const oid = await this._blob(bytes);
    this._notebook = { bytes, oid };
    return oid;
  }

  private async _memoTree(
    memo: { key: string; oid: string },
    entries: TreeEntry[]
  ): Promise<string> {
    const key = entries.map(e => `${e.mode} ${e.path} ${e.oid}`).join('\n');
    if (memo.key !== key) {
      memo.oid = this._record(
        await writeTree({ fs: this._fs, gitdir: GITDIR, tree: entries })
      );
      memo.key = key;
    }
    return memo.oid;
  }

  /**
   * Writes a blob; or, while blobs are deferred, only hashes it and keeps its
   * wrapped bytes, to deflate if it is shipped.
   */
  private async _blob(data: Uint8Array): Promise<string> {
    if (!this._deferBlobs) {
      return this._record(
        await writeBlob({ fs: this._fs, gitdir: GITDIR, blob: data })
      );
    }
    const { oid, object } = await hashBlob({ object: data });
    if (!this._known.has(oid) && !this._pending.has(oid)) {
      this._blobs.set(oid, object);
    }
    return this._record(oid);
  }

  /**
   * Lets the page draw when building has taken a while (a first checkpoint
   * writes every cell): no task of this work lasts much over `SLICE_MS`.
   */
  private async _breathe(): Promise<void> {
    const time = Date.now();
    if (time - this._sliceStart < SLICE_MS) {
      return;
    }
    await new Promise(resolve => setTimeout(resolve, 0));
    this._sliceStart = Date.now();
  }

  /** Notes a written object as pending unless the server has it. */
  private _record(oid: string): string {
    if (!this._known.has(oid)) {
      this._pending.add(oid);
    }
    return oid;
  }

  private async _stat(path: string, link: boolean) {
    const match = /\/objects\/([0-9a-f]{2})\/([0-9a-f]{38})$/.exec(path);
    if (match && this._known.has(match[1] + match[2])) {
      return fileStats(0);
    }
    return link ? this._memfs.lstat(path) : this._memfs.stat(path);
  }

  private _now: () => Date;
  private _memfs = new MemFs();
  private _fs: FsClient;
  private _known = new Set<string>();
  private _pending = new Set<string>();
  private _sliceStart = Date.now();
  /** Pending blobs not deflated yet: "blob <size>\0<bytes>" by oid. */
  private _blobs = new Map<string, Uint8Array>();
  private _deferBlobs = false;
  private _memos = new Map<string, ICellMemo>();
  /** Last checkpoint's cell trees by cell JSON, where it was computed. */
  private _byJson = new Map<string, string>();
  private _notebook: { bytes: Uint8Array; oid: string } | null = null;
  private _cellsTree = { key: '', oid: '' };
  private _rootTree = { key: '', oid: '' };
  private _queue: Promise<unknown> = Promise.resolve();
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) {
    return false;
  }
  for (let i = 0; i < a.byteLength; i++) {
    if (a[i] !== b[i]) {
      return false;
    }
  }
  return true;
}
