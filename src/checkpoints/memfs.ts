/**
 * A minimal in-memory file system with the promise API isomorphic-git needs.
 * Paths are absolute or relative to `/`; errors carry Node's `code`.
 */

interface IFile {
  kind: 'file';
  data: Uint8Array;
  mtimeMs: number;
}

interface IDirectory {
  kind: 'directory';
  children: Set<string>;
  mtimeMs: number;
}

interface ISymlink {
  kind: 'symlink';
  target: string;
  mtimeMs: number;
}

type Node = IFile | IDirectory | ISymlink;

/** What `stat` and `lstat` resolve to: the fields isomorphic-git reads. */
export interface IStats {
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  size: number;
  ino: number;
  uid: number;
  gid: number;
  dev: number;
  mtimeMs: number;
  ctimeMs: number;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

type Encoding = string | { encoding?: string | null } | undefined;

/** An error like Node's fs errors: `code` is ENOENT, EEXIST, ENOTDIR... */
export function fsError(code: string, path: string): Error {
  return Object.assign(new Error(`${code}: ${path}`), { code });
}

/** The stats of a regular file of this size. */
export function fileStats(size: number, mtimeMs = 0): IStats {
  return makeStats('file', size, mtimeMs);
}

/** The stats of a folder. */
export function directoryStats(mtimeMs = 0): IStats {
  return makeStats('dir', 0, mtimeMs);
}

const MAX_SYMLINKS = 40;

export class MemFs {
  /** Bytes held in files. */
  get size(): number {
    let total = 0;
    for (const node of this._nodes.values()) {
      if (node.kind === 'file') {
        total += node.data.byteLength;
      }
    }
    return total;
  }

  async readFile(path?: string, options?: Encoding): Promise<any> {
    // isomorphic-git detects a promise API by calling readFile() bare: it
    // must reject, and touch nothing.
    if (typeof path !== 'string') {
      throw fsError('EINVAL', String(path));
    }
    const node = this._resolve(path, true);
    if (node.kind !== 'file') {
      throw fsError('EISDIR', path);
    }
    const encoding = typeof options === 'string' ? options : options?.encoding;
    return encoding ? new TextDecoder().decode(node.data) : node.data;
  }

  async writeFile(
    path: string,
    data: Uint8Array | string,
    options?: Encoding
  ): Promise<void> {
    const bytes =
      typeof data === 'string' ? new TextEncoder().encode(data) : data;
    const { parent, name, full } = this._parent(path);
    const existing = this._nodes.get(full);
    if (existing?.kind === 'directory') {
      throw fsError('EISDIR', path);
    }
    // Copy: a caller reusing its buffer must not change the file.
    this._nodes.set(full, {
      kind: 'file',
      data: new Uint8Array(bytes),
      mtimeMs: Date.now()
    });
    parent.children.add(name);
  }

  async mkdir(path: string, options?: unknown): Promise<void> {
    const { parent, name, full } = this._parent(path);
    if (this._nodes.has(full)) {
      throw fsError('EEXIST', path);
    }
    this._nodes.set(full, {
      kind: 'directory',
      children: new Set(),
      mtimeMs: Date.now()
    });
    parent.children.add(name);
  }

  async rmdir(path: string, options?: unknown): Promise<void> {
    const full = normalise(path);
    const node = this._resolve(full, false);
    if (node.kind !== 'directory') {
      throw fsError('ENOTDIR', path);
    }
    if (node.children.size) {
      throw fsError('ENOTEMPTY', path);
    }
    if (full === '/') {
      throw fsError('EBUSY', path);
    }
    this._remove(full);
  }

  async unlink(path: string): Promise<void> {
    const full = normalise(path);
    const node = this._resolve(full, false);
    if (node.kind === 'directory') {
      throw fsError('EISDIR', path);
    }
    this._remove(full);
  }

  async stat(path: string, options?: unknown): Promise<IStats> {
    return this._stats(this._resolve(path, true));
  }

  async lstat(path: string, options?: unknown): Promise<IStats> {
    return this._stats(this._resolve(path, false));
  }

  async readdir(path: string, options?: unknown): Promise<string[]> {
    const node = this._resolve(path, true);
    if (node.kind !== 'directory') {
      throw fsError('ENOTDIR', path);
    }
    return [...node.children];
  }

  async readlink(path: string, options?: unknown): Promise<string> {
    const node = this._resolve(path, false);
    if (node.kind !== 'symlink') {
      throw fsError('EINVAL', path);
    }
    return node.target;
  }

  async symlink(target: string, path: string): Promise<void> {
    const { parent, name, full } = this._parent(path);
    if (this._nodes.has(full)) {
      throw fsError('EEXIST', path);
    }
    this._nodes.set(full, { kind: 'symlink', target, mtimeMs: Date.now() });
    parent.children.add(name);
  }

  /**
   * The node at a path. Folders in the path must be real folders (symlinks
   * are not followed there); a final symlink is followed when `follow`.
   */
  private _resolve(path: string, follow: boolean, depth = 0): Node {
    const full = normalise(path);
    const node = this._nodes.get(full);
    if (!node) {
      throw fsError(this._missingCode(full), path);
    }
    if (node.kind === 'symlink' && follow) {
      if (depth >= MAX_SYMLINKS) {
        throw fsError('ELOOP', path);
      }
      const target = node.target.startsWith('/')
        ? node.target
        : join(dirname(full), node.target);
      return this._resolve(target, true, depth + 1);
    }
    return node;
  }

  /** ENOTDIR when a folder in the path is not a folder, else ENOENT. */
  private _missingCode(full: string): string {
    const parts = split(full);
    let current = '/';
    for (const part of parts.slice(0, -1)) {
      current = join(current, part);
      const node = this._nodes.get(current);
      if (!node) {
        return 'ENOENT';
      }
      if (node.kind !== 'directory') {
        return 'ENOTDIR';
      }
    }
    return 'ENOENT';
  }

  /** The folder that will hold a new entry at a path. */
  private _parent(path: string): {
    parent: IDirectory;
    name: string;
    full: string;
  } {
    const full = normalise(path);
    if (full === '/') {
      throw fsError('EEXIST', path);
    }
    const parentPath = dirname(full);
    const parent = this._nodes.get(parentPath);
    if (!parent) {
      throw fsError(this._missingCode(full), path);
    }
    if (parent.kind !== 'directory') {
      throw fsError('ENOTDIR', path);
    }
    return {
      parent,
      name: full.slice(parentPath.length).replace(/^\//, ''),
      full
    };
  }

  private _remove(full: string): void {
    const parent = this._nodes.get(dirname(full));
    if (parent?.kind === 'directory') {
      parent.children.delete(full.slice(full.lastIndexOf('/') + 1));
    }
    this._nodes.delete(full);
  }

  private _stats(node: Node): IStats {
    const kind =
      node.kind === 'file'
        ? 'file'
        : node.kind === 'directory'
          ? 'dir'
          : 'symlink';
    const size =
      node.kind === 'file'
        ? node.data.byteLength
        : node.kind === 'symlink'
          ? node.target.length
          : 0;
    return makeStats(kind, size, node.mtimeMs);
  }

  private _nodes = new Map<string, Node>([
    ['/', { kind: 'directory', children: new Set(), mtimeMs: 0 }]
  ]);
}

function makeStats(
  type: IStats['type'],
  size: number,
  mtimeMs: number
): IStats {
  const mode =
    type === 'file' ? 0o100644 : type === 'dir' ? 0o040755 : 0o120000;
  return {
    type,
    mode,
    size,
    ino: 0,
    uid: 0,
    gid: 0,
    dev: 0,
    mtimeMs,
    ctimeMs: mtimeMs,
    isFile: () => type === 'file',
    isDirectory: () => type === 'dir',
    isSymbolicLink: () => type === 'symlink'
  };
}

function split(path: string): string[] {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '..') {
      parts.pop();
    } else if (part && part !== '.') {
      parts.push(part);
    }
  }
  return parts;
}

function normalise(path: string): string {
  return '/' + split(path).join('/');
}

function dirname(full: string): string {
  return full.slice(0, full.lastIndexOf('/')) || '/';
}

function join(directory: string, name: string): string {
  return normalise(`${directory}/${name}`);
}
