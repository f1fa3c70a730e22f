/**
 * Lines and sequences: Python's `str.splitlines(True)`, and the sequence
 * diff every other module builds on.
 *
 * The sequence diff is our own Myers O((N+M)D) greedy algorithm (not jsdiff):
 * it runs on arrays of small integers (interned lines or values), so equality
 * is `===` on numbers, after trimming the common prefix and suffix with `===`
 * on the original items. The cost is bounded: past `MAX_COST` edits a region
 * is split at items unique on both sides (patience anchors) and diffed again;
 * a region without anchors is replaced as a whole (still a correct diff, only
 * not a minimal one). Pure.
 */

/** Code units that end a line for Python's `str.splitlines`. */
function isBreak(code: number): boolean {
  return (
    (code >= 0x0a && code <= 0x0d) ||
    (code >= 0x1c && code <= 0x1e) ||
    code === 0x85 ||
    code === 0x2028 ||
    code === 0x2029
  );
}

/**
 * Exactly Python's `text.splitlines(True)`: line ends kept; boundaries are
 * \n, \r\n, \r, \v, \f, \x1c, \x1d, \x1e, \x85, \u2028 and \u2029. An empty
 * string has no lines.
 */
export function splitLines(text: string): string[] {
  const lines: string[] = [];
  const n = text.length;
  let start = 0;
  for (let i = 0; i < n; i++) {
    const code = text.charCodeAt(i);
    if (!isBreak(code)) {
      continue;
    }
    if (code === 0x0d && i + 1 < n && text.charCodeAt(i + 1) === 0x0a) {
      i++;
    }
    lines.push(text.slice(start, i + 1));
    start = i + 1;
  }
  if (start < n) {
    lines.push(start === 0 ? text : text.slice(start));
  }
  return lines;
}

/** Maps values to small integers: equal keys, equal ids. */
export class Interner<T = string> {
  private _ids = new Map<T, number>();

  id(value: T): number {
    let id = this._ids.get(value);
    if (id === undefined) {
      id = this._ids.size;
      this._ids.set(value, id);
    }
    return id;
  }

  ids(values: readonly T[], start = 0, end = values.length): Int32Array {
    const result = new Int32Array(end - start);
    for (let i = start; i < end; i++) {
      result[i - start] = this.id(values[i]);
    }
    return result;
  }
}

/** Edits above which Myers gives up on a region (bounds time and memory). */
const MAX_COST = 1500;

/**
 * The matched index pairs of a longest common subsequence of `a` and `b`
 * (minimal for regions cheaper than `MAX_COST` edits), in increasing order,
 * as two parallel arrays.
 */
export function matchIds(
  a: ArrayLike<number>,
  b: ArrayLike<number>
): { a: number[]; b: number[] } {
  const out = { a: [] as number[], b: [] as number[] };
  matchRegion(a, 0, a.length, b, 0, b.length, out);
  return out;
}

function matchRegion(
  a: ArrayLike<number>,
  aStart: number,
  aEnd: number,
  b: ArrayLike<number>,
  bStart: number,
  bEnd: number,
  out: { a: number[]; b: number[] }
): void {
  // Common prefix.
  while (aStart < aEnd && bStart < bEnd && a[aStart] === b[bStart]) {
    out.a.push(aStart++);
    out.b.push(bStart++);
  }
  // Common suffix (pushed after the middle).
  let suffix = 0;
  while (
    aEnd - suffix > aStart &&
    bEnd - suffix > bStart &&
    a[aEnd - suffix - 1] === b[bEnd - suffix - 1]
  ) {
    suffix++;
  }
  const midAEnd = aEnd - suffix;
  const midBEnd = bEnd - suffix;
  if (aStart < midAEnd && bStart < midBEnd) {
    if (!myers(a, aStart, midAEnd, b, bStart, midBEnd, out)) {
      anchored(a, aStart, midAEnd, b, bStart, midBEnd, out);
    }
  }
  for (let k = 0; k < suffix; k++) {
    out.a.push(midAEnd + k);
    out.b.push(midBEnd + k);
  }
}

/** Myers with a trace for the path; false when the cost exceeds MAX_COST. */
function myers(
  a: ArrayLike<number>,
  aStart: number,
  aEnd: number,
  b: ArrayLike<number>,
  bStart: number,
  bEnd: number,
  out: { a: number[]; b: number[] }
): boolean {
  const n = aEnd - aStart;
  const m = bEnd - bStart;
  const maxD = Math.min(n + m, MAX_COST);
  const offset = maxD + 1;
  const v = new Int32Array(2 * maxD + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= maxD && found < 0; d++) {
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x: number;
      if (k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1])) {
        x = v[offset + k + 1];
      } else {
        x = v[offset + k - 1] + 1;
      }
      let y = x - k;
      while (x < n && y < m && a[aStart + x] === b[bStart + y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
  }
  if (found < 0) {
    return false;
  }
  // Walk back from (n, m); trace[d] is V before step d, stored over
  // k in [-d-1, d+1] at index k + d + 1.
  const pairs: number[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const prev = trace[d];
    const at = (k: number) => prev[k + d + 1];
    const k = x - y;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      pairs.push(x, y);
    }
    x = prevX;
    y = prevY;
  }
  while (x > 0 && y > 0) {
    x--;
    y--;
    pairs.push(x, y);
  }
  for (let i = pairs.length - 2; i >= 0; i -= 2) {
    out.a.push(aStart + pairs[i]);
    out.b.push(bStart + pairs[i + 1]);
  }
  return true;
}

/**
 * A region too costly for Myers: items that occur once on each side anchor
 * it (their longest increasing run), and the pieces between are diffed again.
 * Without anchors, nothing matches.
 */
function anchored(
  a: ArrayLike<number>,
  aStart: number,
  aEnd: number,
  b: ArrayLike<number>,
  bStart: number,
  bEnd: number,
  out: { a: number[]; b: number[] }
): void {
  const countA = new Map<number, number>();
  for (let i = aStart; i < aEnd; i++) {
    countA.set(a[i], countA.get(a[i]) === undefined ? i : -1);
  }
  const countB = new Map<number, number>();
  for (let j = bStart; j < bEnd; j++) {
    countB.set(b[j], countB.get(b[j]) === undefined ? j : -1);
  }
  // Unique pairs in b order, then the longest run increasing in a.
  const candidates: [number, number][] = [];
  for (let j = bStart; j < bEnd; j++) {
    const inB = countB.get(b[j])!;
    const inA = countA.get(b[j]);
    if (inB === j && inA !== undefined && inA >= 0) {
      candidates.push([inA, j]);
    }
  }
  const run = longestIncreasing(candidates.map(([i]) => i));
  if (run.length === 0) {
    return;
  }
  let lastA = aStart;
  let lastB = bStart;
  for (const index of run) {
    const [i, j] = candidates[index];
    matchRegion(a, lastA, i, b, lastB, j, out);
    out.a.push(i);
    out.b.push(j);
    lastA = i + 1;
    lastB = j + 1;
  }
  matchRegion(a, lastA, aEnd, b, lastB, bEnd, out);
}

/** Indices of a longest strictly increasing subsequence of `values`. */
export function longestIncreasing(values: readonly number[]): number[] {
  const tails: number[] = [];
  const previous = new Int32Array(values.length).fill(-1);
  for (let i = 0; i < values.length; i++) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (values[tails[mid]] < values[i]) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    if (lo > 0) {
      previous[i] = tails[lo - 1];
    }
    tails[lo] = i;
  }
  const result: number[] = [];
  for (let i = tails.length ? tails[tails.length - 1] : -1; i >= 0;) {
    result.push(i);
    i = previous[i];
  }
  return result.reverse();
}

/**
 * The length of a longest common subsequence, or -1 when more than `maxD`
 * insertions and deletions separate the two (Myers, linear space).
 */
export function lcsLength(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  maxD: number
): number {
  let start = 0;
  let aEnd = a.length;
  let bEnd = b.length;
  while (start < aEnd && start < bEnd && a[start] === b[start]) {
    start++;
  }
  while (aEnd > start && bEnd > start && a[aEnd - 1] === b[bEnd - 1]) {
    aEnd--;
    bEnd--;
  }
  const common = start + (a.length - aEnd);
  const n = aEnd - start;
  const m = bEnd - start;
  if (n === 0 || m === 0) {
    return n + m <= maxD ? common : -1;
  }
  const limit = Math.min(maxD, n + m);
  const offset = limit + 1;
  const v = new Int32Array(2 * limit + 3);
  for (let d = 0; d <= limit; d++) {
    for (let k = -d; k <= d; k += 2) {
      let x: number;
      if (k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1])) {
        x = v[offset + k + 1];
      } else {
        x = v[offset + k - 1] + 1;
      }
      let y = x - k;
      while (x < n && y < m && a[start + x] === b[start + y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        return common + (n + m - d) / 2;
      }
    }
  }
  return -1;
}

/**
 * A line diff of two strings: the line index pairs that stay, and the counts
 * added and removed. Lines are compared exactly (ends included).
 */
export function diffLines(
  a: readonly string[],
  b: readonly string[]
): { a: number[]; b: number[]; added: number; removed: number } {
  const interner = new Interner<string>();
  // Trim with string equality before interning: a big output with one
  // changed line interns only that line.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) {
    start++;
  }
  let aEnd = a.length;
  let bEnd = b.length;
  while (aEnd > start && bEnd > start && a[aEnd - 1] === b[bEnd - 1]) {
    aEnd--;
    bEnd--;
  }
  const middle = matchIds(
    interner.ids(a, start, aEnd),
    interner.ids(b, start, bEnd)
  );
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
  return {
    a: matchedA,
    b: matchedB,
    added: b.length - matchedB.length,
    removed: a.length - matchedA.length
  };
}
