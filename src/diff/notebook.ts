/**
 * Notebook diffs: cells aligned (`align.ts`), each matched pair compared
 * (source, metadata, execution count, attachments, outputs), and the result
 * serialized as nbdime's diff format. One algorithm serves two entries:
 * `diffNotebooks` (cells in hand) and `diffCellSlots` (checkpoint cells read
 * only when needed). Pure.
 */
import type * as nbformat from '@jupyterlab/nbformat';

import { Alignment, matchIdentical, matchKeys, matchSimilar } from './align';
import {
  deepEqual,
  diffDicts,
  diffJson,
  diffValueAt,
  isObject,
  patch,
  sortSequenceOps
} from './json';
import type { JsonObject } from './json';
import { diffLines, splitLines } from './lines';
import { normalizedView, normalizeNotebook, rejoinedCell } from './normalize';
import { alignOutputs } from './outputs';
import type {
  DiffEntry,
  ICellDiff,
  IDiffOptions,
  INotebookDiff,
  IOutputDiff
} from './types';

/** One cell position of a notebook whose cell may not be read yet. */
export interface ICellSlot {
  /** Cell id or checkpoint folder key; null = none. */
  key: string | null;
  /** Equal fingerprints ⇒ identical cells (a git subtree id). */
  fingerprint: string;
  /** Null = not read yet. */
  cell: nbformat.ICell | null;
  tree?: string | null;
}

/** Keys compared one by one in a cell pair; others count as "other". */
const CELL_FIELDS = new Set([
  'id',
  'source',
  'metadata',
  'execution_count',
  'attachments',
  'outputs'
]);

function cellId(cell: unknown): string | null {
  return isObject(cell) && typeof cell.id === 'string' && cell.id !== ''
    ? cell.id
    : null;
}

/** Equal cells but for their ids. */
function sameContent(a: unknown, b: unknown): boolean {
  return isObject(a) && isObject(b) ? deepEqual(a, b, 'id') : deepEqual(a, b);
}

function head(text: string): string {
  return text.length <= 96
    ? text
    : `${text.length}:${text.slice(0, 48)}:${text.slice(-48)}`;
}

/**
 * A cheap key for identical content (equal cells, ids aside, share it): the
 * cell type, source, execution count and the size and ends of each output
 * value. Nothing is serialized, so big outputs cost a walk, not a copy.
 */
function contentKey(cell: unknown): string {
  if (!isObject(cell)) {
    return `?${JSON.stringify(cell) ?? ''}`;
  }
  const parts: string[] = [
    String(cell.cell_type),
    typeof cell.source === 'string'
      ? head(cell.source)
      : `~${JSON.stringify(cell.source) ?? ''}`,
    String(cell.execution_count)
  ];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') {
      parts.push(head(value));
    } else if (Array.isArray(value)) {
      parts.push(`[${value.length}`);
      value.forEach(walk);
    } else if (isObject(value)) {
      const keys = Object.keys(value).sort();
      parts.push(`{${keys.join(',')}`);
      for (const key of keys) {
        walk(value[key]);
      }
    } else {
      parts.push(String(value));
    }
  };
  if (Array.isArray(cell.outputs)) {
    walk(cell.outputs);
  }
  parts.push(String(Object.keys(cell).length));
  return parts.join('\u0000');
}

/** The two sequences being aligned, and what is known about their pairs. */
class CellAligner {
  readonly al: Alignment;
  /** Pairs known identical (ids aside) without comparing them again. */
  readonly settled = new Set<number>();

  constructor(
    readonly oldSlots: ICellSlot[],
    readonly newSlots: ICellSlot[]
  ) {
    this.al = new Alignment(oldSlots.length, newSlots.length);
  }

  /** Phase 1: cell ids / folder keys. */
  matchKeys(): void {
    matchKeys(
      this.al,
      this.oldSlots.map(slot => slot.key),
      this.newSlots.map(slot => slot.key)
    );
  }

  /** Phase 2 by fingerprint: identical cells never read. */
  matchFingerprints(): void {
    matchIdentical(
      this.al,
      o => this.oldSlots[o].fingerprint || null,
      n => this.newSlots[n].fingerprint || null,
      (o, n) => this.oldSlots[o].fingerprint === this.newSlots[n].fingerprint
    );
    this.settleByFingerprint();
  }

  settleByFingerprint(): void {
    this.al.oldToNew.forEach((n, o) => {
      if (
        n >= 0 &&
        this.oldSlots[o].fingerprint &&
        this.oldSlots[o].fingerprint === this.newSlots[n].fingerprint
      ) {
        this.settled.add(o);
      }
    });
  }

  /** Phase 2 by content (cells read). */
  matchContent(): void {
    const oldKeys = new Map<number, string>();
    const newKeys = new Map<number, string>();
    matchIdentical(
      this.al,
      o => {
        const key = contentKey(this.oldSlots[o].cell);
        oldKeys.set(o, key);
        return key;
      },
      n => {
        const key = contentKey(this.newSlots[n].cell);
        newKeys.set(n, key);
        return key;
      },
      (o, n) => {
        const same =
          oldKeys.get(o) === newKeys.get(n) &&
          sameContent(this.oldSlots[o].cell, this.newSlots[n].cell);
        if (same) {
          this.settled.add(o);
        }
        return same;
      }
    );
    // `same` may confirm a pair it then does not make: keep only real pairs.
    for (const o of Array.from(this.settled)) {
      if (this.al.oldToNew[o] < 0) {
        this.settled.delete(o);
      }
    }
  }

  /**
   * Phase 2 by source: the same cell type and source, other fields aside (a
   * re-executed cell: new outputs and execution count).
   */
  matchSource(): void {
    const key = (slot: ICellSlot) => {
      const cell = slot.cell as unknown;
      return isObject(cell) && typeof cell.source === 'string'
        ? `${String(cell.cell_type)}\u0000${cell.source}`
        : null;
    };
    matchIdentical(
      this.al,
      o => key(this.oldSlots[o]),
      n => key(this.newSlots[n]),
      (o, n) => key(this.oldSlots[o]) === key(this.newSlots[n])
    );
  }

  /** Phase 3: similar sources of the same cell type. */
  matchSimilar(): void {
    const info = (slot: ICellSlot) => {
      const cell = slot.cell as unknown;
      return isObject(cell)
        ? {
            type: String(cell.cell_type),
            text: typeof cell.source === 'string' ? cell.source : ''
          }
        : { type: '?', text: '' };
    };
    matchSimilar(
      this.al,
      o => info(this.oldSlots[o]),
      n => info(this.newSlots[n])
    );
  }

  /**
   * The cell diffs in the new order, each removed cell before the new cells
   * of its gap (where it was relative to its old neighbours).
   */
  cellDiffs(options: IDiffOptions, withTrees: boolean): ICellDiff[] {
    const { al, oldSlots, newSlots } = this;
    const anchors = al.anchors();
    const result: ICellDiff[] = [];
    const trees = (entry: ICellDiff, o: number | null, n: number | null) => {
      if (withTrees) {
        entry.oldTree = o === null ? null : (oldSlots[o].tree ?? null);
        entry.newTree = n === null ? null : (newSlots[n].tree ?? null);
      }
      return entry;
    };
    const pairDiff = (o: number, n: number, moved: boolean) => {
      const entry = this.settled.has(o)
        ? unchangedCell(o, n, oldSlots[o].cell, newSlots[n].cell)
        : diffCellPair(o, n, oldSlots[o].cell, newSlots[n].cell, options);
      entry.moved = moved;
      return trees(entry, o, n);
    };
    let oldStart = 0;
    let newStart = 0;
    for (let g = 0; g <= anchors.length; g++) {
      const oldEnd = g < anchors.length ? anchors[g][0] : al.oldCount;
      const newEnd = g < anchors.length ? anchors[g][1] : al.newCount;
      for (let o = oldStart; o < oldEnd; o++) {
        if (al.oldToNew[o] < 0) {
          result.push(trees(sideCell('removed', o, oldSlots[o].cell), o, null));
        }
      }
      for (let n = newStart; n < newEnd; n++) {
        const o = al.newToOld[n];
        result.push(
          o >= 0
            ? pairDiff(o, n, true)
            : trees(sideCell('added', n, newSlots[n].cell), null, n)
        );
      }
      if (g < anchors.length) {
        result.push(pairDiff(oldEnd, newEnd, false));
      }
      oldStart = oldEnd + 1;
      newStart = newEnd + 1;
    }
    return result;
  }
}

function sourceLines(cell: unknown): string[] {
  return isObject(cell) && typeof cell.source === 'string'
    ? splitLines(cell.source)
    : [];
}

function sideCell(
  kind: 'added' | 'removed',
  index: number,
  cell: nbformat.ICell | null
): ICellDiff {
  const lines = sourceLines(cell).length;
  return {
    kind,
    moved: false,
    oldIndex: kind === 'removed' ? index : null,
    newIndex: kind === 'added' ? index : null,
    old: kind === 'removed' ? cell : null,
    new: kind === 'added' ? cell : null,
    source: false,
    metadata: false,
    executionCount: false,
    attachments: false,
    outputs: [],
    linesAdded: kind === 'added' ? lines : 0,
    linesRemoved: kind === 'removed' ? lines : 0
  };
}

function unchangedCell(
  o: number,
  n: number,
  old: nbformat.ICell | null,
  neu: nbformat.ICell | null
): ICellDiff {
  return {
    kind: 'unchanged',
    moved: false,
    oldIndex: o,
    newIndex: n,
    old,
    new: neu,
    source: false,
    metadata: false,
    executionCount: false,
    attachments: false,
    outputs: [],
    linesAdded: 0,
    linesRemoved: 0
  };
}

/** A matched pair compared field by field. */
function diffCellPair(
  o: number,
  n: number,
  old: nbformat.ICell | null,
  neu: nbformat.ICell | null,
  options: IDiffOptions
): ICellDiff {
  const entry = unchangedCell(o, n, old, neu);
  const a = old as unknown;
  const b = neu as unknown;
  if (!isObject(a) || !isObject(b)) {
    if (!deepEqual(a, b)) {
      entry.kind = 'modified';
    }
    return entry;
  }
  entry.source = !deepEqual(a.source, b.source);
  entry.metadata = !deepEqual(a.metadata, b.metadata);
  entry.executionCount = !deepEqual(a.execution_count, b.execution_count);
  entry.attachments = !deepEqual(a.attachments, b.attachments);
  entry.outputs = alignOutputs(
    a.outputs,
    b.outputs,
    options.detectNoise !== false
  );
  let other =
    !(Array.isArray(a.outputs) && Array.isArray(b.outputs)) &&
    !deepEqual(a.outputs, b.outputs);
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (!other && !CELL_FIELDS.has(key) && !deepEqual(a[key], b[key])) {
      other = true;
    }
  }
  if (entry.source) {
    const lines = diffLines(sourceLines(a), sourceLines(b));
    entry.linesAdded = lines.added;
    entry.linesRemoved = lines.removed;
  }
  if (
    entry.source ||
    entry.metadata ||
    entry.executionCount ||
    entry.attachments ||
    entry.outputs.length > 0 ||
    other
  ) {
    entry.kind = 'modified';
  }
  return entry;
}

/**
 * The diff of two notebooks (normalized first). Cells are aligned by id
 * (present and unique on both sides), then identical content, then the same
 * source (a re-executed cell), then similar source of the same cell type,
 * preferring the same gap between aligned cells; matched cells out of the
 * longest in-order run are `moved`. Cells are listed in the new order, a
 * removed cell where it was relative to its old neighbours.
 */
export function diffNotebooks(
  a: nbformat.INotebookContent,
  b: nbformat.INotebookContent,
  options: IDiffOptions = {}
): INotebookDiff {
  // Views, not copies: the diff only reads, and shares what it does not join.
  const oldNb = normalizedView(a);
  const newNb = normalizedView(b);
  const slots = (cells: nbformat.ICell[]): ICellSlot[] =>
    cells.map(cell => ({ key: cellId(cell), fingerprint: '', cell }));
  const aligner = new CellAligner(slots(oldNb.cells), slots(newNb.cells));
  aligner.matchKeys();
  // Pairs by id: identical ones are settled with one comparison.
  aligner.al.oldToNew.forEach((n, o) => {
    if (n >= 0 && sameContent(oldNb.cells[o], newNb.cells[n])) {
      aligner.settled.add(o);
    }
  });
  aligner.matchContent();
  aligner.matchSource();
  aligner.matchSimilar();
  return {
    cells: aligner.cellDiffs(options, false),
    metadata: diffNotebookMetadata(oldNb, newNb)
  };
}

/**
 * The cell diffs of two sequences of cell slots (checkpoints): aligned as
 * `diffNotebooks` aligns cells, but a pair with equal fingerprints is
 * unchanged and never read (its `old`/`new` are the slots' cells, null when
 * not read; `oldTree`/`newTree` name them). Every other slot without a cell
 * is read with `load` before its content is compared.
 */
export async function diffCellSlots(
  oldSlots: ICellSlot[],
  newSlots: ICellSlot[],
  load: (slot: ICellSlot) => Promise<nbformat.ICell>,
  options: IDiffOptions = {}
): Promise<ICellDiff[]> {
  const copy = (slots: ICellSlot[]) =>
    slots.map(slot => ({
      ...slot,
      cell: slot.cell ? (rejoinedCell(slot.cell) as nbformat.ICell) : null
    }));
  const aligner = new CellAligner(copy(oldSlots), copy(newSlots));
  aligner.matchKeys();
  aligner.matchFingerprints();
  // Read every slot but those of pairs with equal fingerprints.
  const { al, settled } = aligner;
  const reads: Promise<void>[] = [];
  const read = (slot: ICellSlot, original: ICellSlot, pairedOld: number) => {
    if (slot.cell === null && !(pairedOld >= 0 && settled.has(pairedOld))) {
      reads.push(
        load(original).then(cell => {
          slot.cell = rejoinedCell(cell) as nbformat.ICell;
        })
      );
    }
  };
  aligner.oldSlots.forEach((slot, o) =>
    read(slot, oldSlots[o], al.oldToNew[o] >= 0 ? o : -1)
  );
  aligner.newSlots.forEach((slot, n) =>
    read(slot, newSlots[n], al.newToOld[n])
  );
  await Promise.all(reads);
  aligner.matchContent();
  aligner.matchSource();
  aligner.matchSimilar();
  return aligner.cellDiffs(options, true);
}

/**
 * nbdime-style diff of a notebook's top-level keys other than `cells`
 * (`metadata`, `nbformat`, `nbformat_minor`...).
 */
export function diffNotebookMetadata(
  a: nbformat.INotebookContent | object,
  b: nbformat.INotebookContent | object
): DiffEntry[] {
  const strip = (nb: unknown): JsonObject => {
    const result: JsonObject = {};
    if (isObject(nb)) {
      for (const key of Object.keys(nb)) {
        if (key !== 'cells') {
          result[key] = nb[key];
        }
      }
    }
    return result;
  };
  const [before, after] = [strip(a), strip(b)];
  // Most diffs keep the metadata: an equality walk is cheaper than a diff.
  return deepEqual(before, after) ? [] : diffDicts(before, after);
}

/** Ops on the list of outputs of a matched cell, from its aligned outputs. */
function outputOps(outputs: readonly IOutputDiff[]): DiffEntry[] {
  const ops: DiffEntry[] = [];
  const adds = new Map<number, unknown[]>();
  let lastOld = -1;
  for (const entry of outputs) {
    if (entry.kind === 'added') {
      const key = lastOld + 1;
      adds.set(key, [...(adds.get(key) ?? []), entry.new]);
      continue;
    }
    if (entry.oldIndex === null) {
      continue;
    }
    lastOld = entry.oldIndex;
    if (entry.kind === 'removed') {
      ops.push({ op: 'removerange', key: entry.oldIndex, length: 1 });
    } else if (entry.kind === 'modified') {
      if (isObject(entry.old) && isObject(entry.new)) {
        const diff = diffJson(entry.old, entry.new);
        if (diff.length) {
          ops.push({ op: 'patch', key: entry.oldIndex, diff });
        }
      } else {
        ops.push({ op: 'removerange', key: entry.oldIndex, length: 1 });
        adds.set(entry.oldIndex, [
          ...(adds.get(entry.oldIndex) ?? []),
          entry.new
        ]);
      }
    }
  }
  for (const [key, valuelist] of adds) {
    ops.push({ op: 'addrange', key, valuelist });
  }
  return mergeRemoves(sortSequenceOps(ops));
}

/** Adjacent `removerange` ops merged (nbdime's own output is merged). */
function mergeRemoves(ops: DiffEntry[]): DiffEntry[] {
  const merged: DiffEntry[] = [];
  for (const op of ops) {
    const last = merged[merged.length - 1];
    if (
      op.op === 'removerange' &&
      last?.op === 'removerange' &&
      last.key + last.length === op.key
    ) {
      merged[merged.length - 1] = { ...last, length: last.length + op.length };
    } else {
      merged.push(op);
    }
  }
  return merged;
}

/** The dict diff of a modified, matched cell; outputs from their alignment. */
function cellPatch(cell: ICellDiff): DiffEntry[] {
  const a = cell.old as unknown as JsonObject;
  const b = cell.new as unknown as JsonObject;
  if (cell.kind === 'unchanged') {
    // Equal but for the id.
    return diffDicts(pick(a, 'id'), pick(b, 'id'));
  }
  return diffDicts(a, b, (key, x, y) => {
    if (key === 'outputs' && Array.isArray(x) && Array.isArray(y)) {
      const ops = outputOps(cell.outputs);
      return ops.length ? { op: 'patch', key, diff: ops } : null;
    }
    return diffValueAt(key, x, y);
  });
}

function pick(obj: JsonObject, key: string): JsonObject {
  return Object.prototype.hasOwnProperty.call(obj, key)
    ? { [key]: obj[key] }
    : {};
}

/**
 * A cell of a checkpoint diff that was never read: null, with a tree naming
 * it. (In a diff of notebooks, null is a cell's value: malformed, but data.)
 */
function unread(cell: ICellDiff, side: 'old' | 'new'): boolean {
  return (
    cell[side] === null &&
    (side === 'old' ? cell.oldTree : cell.newTree) !== undefined
  );
}

function missing(cell: ICellDiff): Error {
  return new Error(
    `toNbdime: cell ${cell.oldIndex ?? '-'}→${cell.newIndex ?? '-'} was ` +
      'not read (a checkpoint diff): read its old and new cells first'
  );
}

/**
 * nbdime's diff of the notebook dict: ops on `cells` keyed by old index (a
 * moved cell is `removerange` + `addrange`, a modified one a dict `patch`),
 * then `diff.metadata`. Unchanged cells that were never read add no op.
 *
 * @throws Error for a moved or modified cell whose contents were not read.
 */
export function toNbdime(diff: INotebookDiff): DiffEntry[] {
  const ops: DiffEntry[] = [];
  const adds = new Map<number, unknown[]>();
  const add = (key: number, cell: unknown) => {
    adds.set(key, [...(adds.get(key) ?? []), cell]);
  };
  let lastAnchor = -1;
  for (const cell of diff.cells) {
    if (cell.kind === 'removed') {
      ops.push({ op: 'removerange', key: cell.oldIndex!, length: 1 });
      continue;
    }
    if (cell.kind === 'added' || cell.moved) {
      if (unread(cell, 'new')) {
        throw missing(cell);
      }
      if (cell.moved) {
        ops.push({ op: 'removerange', key: cell.oldIndex!, length: 1 });
      }
      add(lastAnchor + 1, cell.new);
      continue;
    }
    const o = cell.oldIndex!;
    lastAnchor = o;
    if (unread(cell, 'old') || unread(cell, 'new')) {
      if (cell.kind === 'unchanged') {
        continue;
      }
      throw missing(cell);
    }
    if (isObject(cell.old) && isObject(cell.new)) {
      const cellDiff = cellPatch(cell);
      if (cellDiff.length) {
        ops.push({ op: 'patch', key: o, diff: cellDiff });
      }
    } else if (cell.kind !== 'unchanged') {
      // Not a dict (malformed input): replaced whole.
      ops.push({ op: 'removerange', key: o, length: 1 });
      add(o, cell.new);
    }
  }
  for (const [key, valuelist] of adds) {
    ops.push({ op: 'addrange', key, valuelist });
  }
  const cellOps = mergeRemoves(sortSequenceOps(ops));
  const result: DiffEntry[] = [...diff.metadata];
  if (cellOps.length) {
    result.push({ op: 'patch', key: 'cells', diff: cellOps });
  }
  return result.sort((x, y) =>
    String(x.key) < String(y.key) ? -1 : String(x.key) > String(y.key) ? 1 : 0
  );
}

/** `patch(normalizeNotebook(a), toNbdime(diff))`: `a` turned into `b`. */
export function applyDiff(
  a: nbformat.INotebookContent,
  diff: INotebookDiff
): nbformat.INotebookContent {
  return patch(
    normalizeNotebook(a),
    toNbdime(diff)
  ) as nbformat.INotebookContent;
}
