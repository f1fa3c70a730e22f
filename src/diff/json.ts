/**
 * nbdime's diff format on plain JSON values: a generic diff (`diffJson`) and
 * nbdime's patch semantics (`patch`), in TypeScript. Pure.
 *
 * - dicts: `add`, `remove`, `replace`, `patch`, sorted by key;
 * - lists: `addrange` / `removerange` of deep-equal items, keyed by the old
 *   index, sorted by key, `addrange` before `removerange`/`patch` at a key;
 * - strings: the same on their lines (Python's `splitlines(True)`), as
 *   nbdime's `diff_strings_linewise` output is applied by `patch_string`.
 */
import { stableJson } from '../validation/sanitize';

import { diffLines, Interner, matchIds, splitLines } from './lines';
import type { DiffEntry } from './types';

export type JsonObject = { [key: string]: unknown };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Deep equality of JSON values (key order ignored), with `===` first at
 * every level so shared or equal strings cost nothing more than a compare.
 * `skipKey` is ignored at the top level only.
 */
export function deepEqual(a: unknown, b: unknown, skipKey?: string): boolean {
  if (a === b) {
    return true;
  }
  if (typeof a !== 'object' || typeof b !== 'object' || !a || !b) {
    return false;
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) {
      return false;
    }
    for (let i = 0; i < a.length; i++) {
      if (!deepEqual(a[i], b[i])) {
        return false;
      }
    }
    return true;
  }
  if (Array.isArray(b)) {
    return false;
  }
  const objA = a as JsonObject;
  const objB = b as JsonObject;
  let countA = 0;
  for (const key in objA) {
    if (!Object.prototype.hasOwnProperty.call(objA, key) || key === skipKey) {
      continue;
    }
    countA++;
    if (
      !Object.prototype.hasOwnProperty.call(objB, key) ||
      !deepEqual(objA[key], objB[key])
    ) {
      return false;
    }
  }
  let countB = 0;
  for (const key in objB) {
    if (Object.prototype.hasOwnProperty.call(objB, key) && key !== skipKey) {
      countB++;
    }
  }
  return countA === countB;
}

/** A deep copy of a JSON value (strings are immutable: shared). */
export function deepCopy<T>(value: T): T {
  if (typeof value !== 'object' || value === null) {
    return value;
  }
  if (Array.isArray(value)) {
    return value.map(deepCopy) as unknown as T;
  }
  const copy: JsonObject = {};
  for (const key of Object.keys(value)) {
    copy[key] = deepCopy((value as JsonObject)[key]);
  }
  return copy as T;
}

function typeName(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'list' : typeof value;
}

/**
 * nbdime's diff from `a` to `b`: dicts by key, lists by sequence (deep-equal
 * items kept, others removed and added), strings by lines. `[]` when equal.
 *
 * @throws Error when `a` and `b` are not both dicts, both lists or both
 * strings and differ: nbdime's format has no op for that at the top level.
 */
export function diffJson(a: unknown, b: unknown): DiffEntry[] {
  if (isObject(a) && isObject(b)) {
    return diffDicts(a, b);
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return diffLists(a, b);
  }
  if (typeof a === 'string' && typeof b === 'string') {
    return diffStrings(a, b);
  }
  if (deepEqual(a, b)) {
    return [];
  }
  throw new Error(
    `diffJson: a ${typeName(a)} and a ${typeName(b)} cannot be diffed, ` +
      'only two dicts, two lists or two strings'
  );
}

/** Same container type: diffed by `patch`; otherwise replaced. */
function sameShape(a: unknown, b: unknown): boolean {
  return (
    (isObject(a) && isObject(b)) ||
    (Array.isArray(a) && Array.isArray(b)) ||
    (typeof a === 'string' && typeof b === 'string')
  );
}

/** The op for one dict key present on both sides, or null when equal. */
export function diffValueAt(
  key: string,
  a: unknown,
  b: unknown
): DiffEntry | null {
  if (a === b) {
    return null;
  }
  if (sameShape(a, b)) {
    const diff = diffJson(a, b);
    return diff.length ? { op: 'patch', key, diff } : null;
  }
  return deepEqual(a, b) ? null : { op: 'replace', key, value: b };
}

/** Dict diff, ops sorted by key (nbdime's MappingDiffBuilder). */
export function diffDicts(
  a: JsonObject,
  b: JsonObject,
  valueDiff: (
    key: string,
    a: unknown,
    b: unknown
  ) => DiffEntry | null = diffValueAt
): DiffEntry[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const diff: DiffEntry[] = [];
  for (const key of Array.from(keys).sort()) {
    const inA = Object.prototype.hasOwnProperty.call(a, key);
    const inB = Object.prototype.hasOwnProperty.call(b, key);
    if (inA && !inB) {
      diff.push({ op: 'remove', key });
    } else if (!inA && inB) {
      diff.push({ op: 'add', key, value: b[key] });
    } else {
      const entry = valueDiff(key, a[key], b[key]);
      if (entry) {
        diff.push(entry);
      }
    }
  }
  return diff;
}

/** A key standing for a value: equal keys for deep-equal values. */
function valueKey(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return `s${value}`;
    case 'number':
    case 'boolean':
    case 'undefined':
      return `${typeof value}${String(value)}`;
    default:
      return `j${stableJson(value)}`;
  }
}

/**
 * Ops turning `a` into `b` given the matched index pairs (increasing): for
 * each gap, `addrange` of b's items then `removerange` of a's, at the gap's
 * first old index.
 */
export function rangeOps(
  lengthA: number,
  b: readonly unknown[],
  matchedA: readonly number[],
  matchedB: readonly number[]
): DiffEntry[] {
  const diff: DiffEntry[] = [];
  let i = 0;
  let j = 0;
  for (let k = 0; k <= matchedA.length; k++) {
    const nextA = k < matchedA.length ? matchedA[k] : lengthA;
    const nextB = k < matchedB.length ? matchedB[k] : b.length;
    if (nextB > j) {
      diff.push({ op: 'addrange', key: i, valuelist: b.slice(j, nextB) });
    }
    if (nextA > i) {
      diff.push({ op: 'removerange', key: i, length: nextA - i });
    }
    i = nextA + 1;
    j = nextB + 1;
  }
  return diff;
}

/** List diff: deep-equal items kept, the others removed and added. */
export function diffLists(
  a: readonly unknown[],
  b: readonly unknown[]
): DiffEntry[] {
  let start = 0;
  while (
    start < a.length &&
    start < b.length &&
    deepEqual(a[start], b[start])
  ) {
    start++;
  }
  let aEnd = a.length;
  let bEnd = b.length;
  while (aEnd > start && bEnd > start && deepEqual(a[aEnd - 1], b[bEnd - 1])) {
    aEnd--;
    bEnd--;
  }
  if (start === aEnd && start === bEnd) {
    return [];
  }
  const interner = new Interner<string>();
  const ids = (list: readonly unknown[], from: number, to: number) => {
    const result = new Int32Array(to - from);
    for (let i = from; i < to; i++) {
      result[i - from] = interner.id(valueKey(list[i]));
    }
    return result;
  };
  const middle = matchIds(ids(a, start, aEnd), ids(b, start, bEnd));
  const matchedA: number[] = [];
  const matchedB: number[] = [];
  for (let i = 0; i < start; i++) {
    matchedA.push(i);
    matchedB.push(i);
  }
  for (let k = 0; k < middle.a.length; k++) {
    matchedA.push(start + middle.a[k]);
    matchedB.push(start + middle.b[k]);
  }
  for (let k = 0; k < a.length - aEnd; k++) {
    matchedA.push(aEnd + k);
    matchedB.push(bEnd + k);
  }
  return rangeOps(a.length, b, matchedA, matchedB);
}

/**
 * Line diff of two strings: `addrange` of new lines and `removerange` of old
 * ones, keyed by old line index (nbdime's `diff_strings_linewise` without its
 * per-character patches of similar lines).
 */
export function diffStrings(a: string, b: string): DiffEntry[] {
  if (a === b) {
    return [];
  }
  const linesA = splitLines(a);
  const linesB = splitLines(b);
  const matched = diffLines(linesA, linesB);
  return rangeOps(linesA.length, linesB, matched.a, matched.b);
}

/** Sort sequence ops by key, `addrange` first at a key (stable otherwise). */
export function sortSequenceOps(diff: DiffEntry[]): DiffEntry[] {
  return diff.sort((x, y) => {
    const byKey = (x.key as number) - (y.key as number);
    if (byKey !== 0) {
      return byKey;
    }
    return (x.op === 'addrange' ? 0 : 1) - (y.op === 'addrange' ? 0 : 1);
  });
}

class PatchError extends Error {
  constructor(message: string) {
    super(`patch: ${message}`);
    this.name = 'PatchError';
  }
}

/**
 * nbdime's `patch`: the value `diff` was made from, patched. Dicts, lists and
 * strings (diffed by lines) are patched; anything else throws. Unpatched
 * parts of the result are shared with `value` and `diff`, not copied.
 */
export function patch(value: unknown, diff: readonly DiffEntry[]): unknown {
  if (!Array.isArray(diff)) {
    throw new PatchError('the diff is not a list of entries');
  }
  if (isObject(value)) {
    return patchDict(value, diff);
  }
  if (Array.isArray(value)) {
    return patchList(value, diff, patch);
  }
  if (typeof value === 'string') {
    return patchString(value, diff);
  }
  throw new PatchError(`cannot patch a ${typeName(value)}`);
}

function patchDict(obj: JsonObject, diff: readonly DiffEntry[]): JsonObject {
  const changed = new Map<string, unknown>();
  const deleted = new Set<string>();
  for (const e of diff) {
    const key = e.key;
    if (typeof key !== 'string') {
      throw new PatchError(`dict key must be a string, not ${typeName(key)}`);
    }
    if (changed.has(key)) {
      throw new PatchError(`multiple diff entries target the same key: ${key}`);
    }
    const has = Object.prototype.hasOwnProperty.call(obj, key);
    switch (e.op) {
      case 'add':
        if (has) {
          throw new PatchError(`add: the key ${key} is already there`);
        }
        changed.set(key, e.value);
        break;
      case 'remove':
        deleted.add(key);
        break;
      case 'replace':
        if (deleted.has(key)) {
          throw new PatchError(`cannot replace the deleted key ${key}`);
        }
        changed.set(key, e.value);
        break;
      case 'patch':
        if (deleted.has(key)) {
          throw new PatchError(`cannot patch the deleted key ${key}`);
        }
        if (!has) {
          throw new PatchError(`patch: the key ${key} is missing`);
        }
        changed.set(key, patch(obj[key], e.diff));
        break;
      default:
        throw new PatchError(`invalid op ${(e as DiffEntry).op} on a dict`);
    }
  }
  // Keys in their original order, added ones after (nbdime's order differs;
  // key order carries no meaning in JSON).
  const result: JsonObject = {};
  for (const key of Object.keys(obj)) {
    if (deleted.has(key) && !changed.has(key)) {
      continue;
    }
    result[key] = changed.has(key) ? changed.get(key) : obj[key];
  }
  for (const [key, value] of changed) {
    if (!Object.prototype.hasOwnProperty.call(obj, key)) {
      result[key] = value;
    }
  }
  return result;
}

/** nbdime's `patch_list`; `patchItem` patches one item (`patch` op). */
function patchList<T>(
  obj: readonly T[],
  diff: readonly DiffEntry[],
  patchItem: (item: T, diff: DiffEntry[]) => unknown
): unknown[] {
  const result: unknown[] = [];
  let take = 0;
  for (const e of diff) {
    const index = e.key;
    if (typeof index !== 'number' || !Number.isInteger(index)) {
      throw new PatchError(`list key must be an integer, not ${String(index)}`);
    }
    for (let i = take; i < index && i < obj.length; i++) {
      result.push(obj[i]);
    }
    let skip: number;
    switch (e.op) {
      case 'addrange':
        if (typeof e.valuelist === 'string') {
          result.push(...Array.from(e.valuelist as string));
        } else if (Array.isArray(e.valuelist)) {
          for (const item of e.valuelist) {
            result.push(item);
          }
        } else {
          throw new PatchError('addrange expects a list of values');
        }
        skip = 0;
        break;
      case 'removerange':
        if (typeof e.length !== 'number') {
          throw new PatchError('removerange expects a length');
        }
        skip = e.length;
        break;
      case 'patch':
        if (index >= obj.length) {
          throw new PatchError(`patch: no item at index ${index}`);
        }
        result.push(patchItem(obj[index], e.diff));
        skip = 1;
        break;
      case 'add':
        result.push(e.value);
        skip = 0;
        break;
      case 'remove':
        skip = 1;
        break;
      case 'replace':
        result.push(e.value);
        skip = 1;
        break;
      default:
        throw new PatchError(`invalid op ${(e as DiffEntry).op} on a list`);
    }
    take = Math.max(take, index + skip);
  }
  for (let i = take; i < obj.length; i++) {
    result.push(obj[i]);
  }
  return result;
}

/**
 * nbdime's `patch_string`: ops on the string's lines; a `patch` of a line is
 * a character diff of that line (`patch_singleline_string`).
 */
function patchString(text: string, diff: readonly DiffEntry[]): string {
  const pieces = patchList(splitLines(text), diff, (line, lineDiff) =>
    (
      patchList(Array.from(line), lineDiff, () => {
        throw new PatchError('cannot patch a character');
      }) as string[]
    ).join('')
  );
  return pieces.join('');
}
