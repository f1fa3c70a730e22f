/**
 * The outputs of a matched cell, aligned: equal outputs first (a sequence
 * diff), then, between them, outputs of the same type in order (modified);
 * the rest removed or added. A modified pair equal after the validation
 * sanitizers is noise. Pure.
 */
import type * as nbformat from '@jupyterlab/nbformat';

import {
  canonicalOutputs,
  isBitmap,
  sanitizeText,
  textRules
} from '../validation/sanitize';
import type { ICanonicalOutput } from '../validation/sanitize';

import { deepEqual, isObject } from './json';
import type { JsonObject } from './json';
import { matchIds } from './lines';
import type { IOutputDiff } from './types';

/** A cheap key: equal outputs have equal keys (not the converse). */
function outputKey(output: unknown): string {
  if (!isObject(output)) {
    return `?${typeof output}:${String(output).slice(0, 64)}`;
  }
  const parts: string[] = [String(output.output_type), String(output.name)];
  const add = (value: unknown) => {
    if (typeof value === 'string') {
      parts.push(`${value.length}:${value.slice(0, 32)}:${value.slice(-32)}`);
    } else if (Array.isArray(value)) {
      parts.push(`[${value.length}`);
      if (value.length) {
        add(value[0]);
        add(value[value.length - 1]);
      }
    } else if (isObject(value)) {
      parts.push(`{${Object.keys(value).length}`);
    } else {
      parts.push(String(value));
    }
  };
  add(output.text);
  add(output.ename);
  add(output.evalue);
  add(output.traceback);
  add(output.execution_count);
  if (isObject(output.data)) {
    for (const mime of Object.keys(output.data).sort()) {
      parts.push(mime);
      add(output.data[mime]);
    }
  }
  return parts.join('\u0000');
}

/** Classes of deep-equal outputs as small integers. */
function classify(
  outputs: readonly unknown[],
  classes: Map<string, { output: unknown; id: number }[]>,
  next: { id: number }
): Int32Array {
  const ids = new Int32Array(outputs.length);
  outputs.forEach((output, i) => {
    const key = outputKey(output);
    let bucket = classes.get(key);
    if (!bucket) {
      bucket = [];
      classes.set(key, bucket);
    }
    const same = bucket.find(entry => deepEqual(entry.output, output));
    if (same) {
      ids[i] = same.id;
    } else {
      ids[i] = next.id++;
      bucket.push({ output, id: ids[i] });
    }
  });
  return ids;
}

function typeOf(output: unknown): string {
  return isObject(output)
    ? `${String(output.output_type)}:${output.output_type === 'stream' ? String(output.name) : ''}`
    : '?';
}

function kindOf(output: unknown): string {
  return isObject(output) ? String(output.output_type) : '?';
}

/**
 * Pairs of one gap (old `os`, new `ns`) to diff as modified: a longest run
 * of the same type (stream name included), then of the same output_type.
 */
function pairGap(
  old: readonly unknown[],
  os: number[],
  neu: readonly unknown[],
  ns: number[]
): [number, number][] {
  if (os.length === 0 || ns.length === 0) {
    return [];
  }
  if (os.length * ns.length > 40000) {
    // A huge gap: pair by position.
    return os.slice(0, ns.length).map((o, k) => [o, ns[k]]);
  }
  // Weighted LCS: 2 for the same type and stream name, 1 for the same type.
  const n = os.length;
  const m = ns.length;
  const score = (i: number, j: number) =>
    typeOf(old[os[i]]) === typeOf(neu[ns[j]])
      ? 2
      : kindOf(old[os[i]]) === kindOf(neu[ns[j]])
        ? 1
        : 0;
  const best = new Float64Array((n + 1) * (m + 1));
  const at = (i: number, j: number) => i * (m + 1) + j;
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const s = score(i, j);
      best[at(i, j)] = Math.max(
        best[at(i + 1, j)],
        best[at(i, j + 1)],
        s ? best[at(i + 1, j + 1)] + s : 0
      );
    }
  }
  const pairs: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    const s = score(i, j);
    if (s && best[at(i, j)] === best[at(i + 1, j + 1)] + s) {
      pairs.push([os[i], ns[j]]);
      i++;
      j++;
    } else if (best[at(i, j)] === best[at(i + 1, j)]) {
      i++;
    } else {
      j++;
    }
  }
  return pairs;
}

/**
 * The outputs of a matched cell aligned, one entry per output (unchanged
 * ones included), in the new order with removed outputs where they were;
 * `[]` when the outputs are equal (or either side is not a list).
 */
export function alignOutputs(
  oldOutputs: unknown,
  newOutputs: unknown,
  detectNoise = true
): IOutputDiff[] {
  if (!Array.isArray(oldOutputs) || !Array.isArray(newOutputs)) {
    return [];
  }
  if (
    oldOutputs.length === newOutputs.length &&
    oldOutputs.every((output, i) => deepEqual(output, newOutputs[i]))
  ) {
    return [];
  }
  const classes = new Map<string, { output: unknown; id: number }[]>();
  const next = { id: 0 };
  const matched = matchIds(
    classify(oldOutputs, classes, next),
    classify(newOutputs, classes, next)
  );
  const result: IOutputDiff[] = [];
  const entry = (
    kind: IOutputDiff['kind'],
    oldIndex: number | null,
    newIndex: number | null
  ): IOutputDiff => {
    const old = oldIndex === null ? null : oldOutputs[oldIndex];
    const neu = newIndex === null ? null : newOutputs[newIndex];
    return {
      kind,
      oldIndex,
      newIndex,
      old: old as nbformat.IOutput | null,
      new: neu as nbformat.IOutput | null,
      noise: kind === 'modified' && detectNoise && isNoise(old, neu)
    };
  };
  let i = 0;
  let j = 0;
  for (let k = 0; k <= matched.a.length; k++) {
    const nextA = k < matched.a.length ? matched.a[k] : oldOutputs.length;
    const nextB = k < matched.b.length ? matched.b[k] : newOutputs.length;
    const os: number[] = [];
    const ns: number[] = [];
    for (let o = i; o < nextA; o++) {
      os.push(o);
    }
    for (let n = j; n < nextB; n++) {
      ns.push(n);
    }
    let o = i;
    let n = j;
    for (const [po, pn] of pairGap(oldOutputs, os, newOutputs, ns)) {
      while (o < po) {
        result.push(entry('removed', o++, null));
      }
      while (n < pn) {
        result.push(entry('added', null, n++));
      }
      result.push(entry('modified', o++, n++));
    }
    while (o < nextA) {
      result.push(entry('removed', o++, null));
    }
    while (n < nextB) {
      result.push(entry('added', null, n++));
    }
    if (k < matched.a.length) {
      result.push(entry('unchanged', nextA, nextB));
    }
    i = nextA + 1;
    j = nextB + 1;
  }
  return result;
}

const RULES = textRules();

/**
 * Outputs with more text than this (characters) are not sanitized: noise
 * detection runs a dozen regular expressions over the text, ~30 ms a MB,
 * and a diff of a huge output must stay fast. They are never noise.
 */
export const NOISE_TEXT_LIMIT = 1_000_000;

function textSize(value: unknown, limit: number): number {
  if (typeof value === 'string') {
    return value.length;
  }
  let size = 0;
  if (Array.isArray(value)) {
    for (const item of value) {
      size += textSize(item, limit - size);
      if (size > limit) {
        break;
      }
    }
  } else if (isObject(value)) {
    for (const key of Object.keys(value)) {
      size += textSize(value[key], limit - size);
      if (size > limit) {
        break;
      }
    }
  }
  return size;
}

/** The text the sanitizers would read (bitmaps are compared as they are). */
function sanitizedSize(output: JsonObject): number {
  let size = 0;
  for (const key of Object.keys(output)) {
    const value = output[key];
    if (key === 'data' && isObject(value)) {
      for (const mime of Object.keys(value)) {
        if (!isBitmap(mime)) {
          size += textSize(value[mime], NOISE_TEXT_LIMIT);
        }
      }
    } else {
      size += textSize(value, NOISE_TEXT_LIMIT);
    }
  }
  return size;
}

/** An output as the validation compares it, sanitized; null if it cannot be. */
function sanitized(output: unknown): ICanonicalOutput[] | null {
  if (!isObject(output) || sanitizedSize(output) > NOISE_TEXT_LIMIT) {
    return null;
  }
  try {
    const canonical = canonicalOutputs(
      [output as unknown as nbformat.IOutput],
      () => true,
      new Set<string>()
    );
    return canonical.map(item => ({
      ...item,
      rawIndex: 0,
      fields: item.fields.map(field =>
        field.image || isBitmap(field.key)
          ? field
          : {
              ...field,
              value: sanitizeText(field.value, RULES, field.stream).text
            }
      )
    }));
  } catch {
    return null;
  }
}

/**
 * Two outputs equal once the validation's shape rules and text sanitizers
 * have run (timings, addresses, dates, execution counts...). Outputs over
 * `NOISE_TEXT_LIMIT` characters are never noise.
 */
export function isNoise(old: unknown, neu: unknown): boolean {
  const a = sanitized(old);
  const b = sanitized(neu);
  return a !== null && b !== null && deepEqual(a, b);
}
