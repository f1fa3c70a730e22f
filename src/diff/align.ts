/**
 * Cell alignment, on abstract sequences (cells of two notebooks, or the cell
 * slots of two checkpoints), in phases that fill one `Alignment`:
 *
 * 1. `matchKeys`: equal keys (cell ids) present and unique on both sides;
 * 2. `matchIdentical`: unmatched items with identical content (a bucket key
 *    and an exact check): first those unique on both sides, then within the
 *    same gap between aligned items in order, then across gaps in order
 *    (run on whole cells, then on cell type + source alone);
 * 3. `matchSimilar`: unmatched items of the same type with similar source,
 *    first inside each gap (a monotone matching maximising similarity, the
 *    candidates banded), then across gaps through an index of shared lines
 *    (a few best candidates per item), so 500 cells stay far from 500².
 *
 * `anchors` is the heaviest increasing subsequence of the pairs (by old
 * index, in new order): longest first, then preferring strong matches (key,
 * unique content) over weaker ones. Pairs outside it are moved. Pure.
 */
import { Interner, lcsLength } from './lines';

/** How a pair was found; stronger pairs stay in place before weaker ones. */
export const Strength = {
  similar: 0,
  similarInGap: 1,
  identical: 2,
  unique: 3,
  key: 3
} as const;

export type Strength = (typeof Strength)[keyof typeof Strength];

export class Alignment {
  readonly oldToNew: Int32Array;
  readonly newToOld: Int32Array;
  readonly strength: Int8Array;

  constructor(
    readonly oldCount: number,
    readonly newCount: number
  ) {
    this.oldToNew = new Int32Array(oldCount).fill(-1);
    this.newToOld = new Int32Array(newCount).fill(-1);
    this.strength = new Int8Array(oldCount);
  }

  pair(o: number, n: number, strength: Strength): void {
    this.oldToNew[o] = n;
    this.newToOld[n] = o;
    this.strength[o] = strength;
  }

  /** Pairs in new order, as [old, new]. */
  pairs(): [number, number][] {
    const pairs: [number, number][] = [];
    for (let n = 0; n < this.newCount; n++) {
      if (this.newToOld[n] >= 0) {
        pairs.push([this.newToOld[n], n]);
      }
    }
    return pairs;
  }

  /**
   * The pairs that stay in place: a heaviest increasing subsequence (by old
   * index, in new order) with weight `4·count + strength`, so the longest
   * one first and, among those, the one keeping the strongest pairs.
   */
  anchors(): [number, number][] {
    const pairs = this.pairs();
    const size = this.oldCount;
    const base = 4 * pairs.length + 4;
    // Fenwick tree over old indices: prefix maximum of (score, pair index).
    const treeScore = new Float64Array(size + 1);
    const treeIndex = new Int32Array(size + 1).fill(-1);
    const previous = new Int32Array(pairs.length).fill(-1);
    const score = new Float64Array(pairs.length);
    let best = -1;
    pairs.forEach(([o], k) => {
      let bestScore = 0;
      let bestIndex = -1;
      for (let i = o; i > 0; i -= i & -i) {
        if (treeScore[i] > bestScore) {
          bestScore = treeScore[i];
          bestIndex = treeIndex[i];
        }
      }
      score[k] = bestScore + base + this.strength[o];
      previous[k] = bestIndex;
      for (let i = o + 1; i <= size; i += i & -i) {
        if (score[k] > treeScore[i]) {
          treeScore[i] = score[k];
          treeIndex[i] = k;
        }
      }
      if (best < 0 || score[k] > score[best]) {
        best = k;
      }
    });
    const anchors: [number, number][] = [];
    for (let k = best; k >= 0; k = previous[k]) {
      anchors.push(pairs[k]);
    }
    return anchors.reverse();
  }

  /**
   * The gap of each unmatched item: the number of anchors before it. Old
   * and new items in the same gap sit between the same two anchors.
   */
  gaps(): { old: Int32Array; new: Int32Array; count: number } {
    const anchors = this.anchors();
    const oldGap = new Int32Array(this.oldCount);
    const newGap = new Int32Array(this.newCount);
    let g = 0;
    for (let o = 0; o < this.oldCount; o++) {
      while (g < anchors.length && anchors[g][0] < o) {
        g++;
      }
      oldGap[o] = g;
    }
    g = 0;
    for (let n = 0; n < this.newCount; n++) {
      while (g < anchors.length && anchors[g][1] < n) {
        g++;
      }
      newGap[n] = g;
    }
    return { old: oldGap, new: newGap, count: anchors.length + 1 };
  }
}

/** Phase 1: keys present and unique on both sides. */
export function matchKeys(
  al: Alignment,
  oldKeys: readonly (string | null)[],
  newKeys: readonly (string | null)[]
): void {
  const count = (keys: readonly (string | null)[]) => {
    const counts = new Map<string, number>();
    keys.forEach((key, index) => {
      if (key !== null) {
        counts.set(key, counts.has(key) ? -1 : index);
      }
    });
    return counts;
  };
  const oldIndex = count(oldKeys);
  const newIndex = count(newKeys);
  for (const [key, o] of oldIndex) {
    const n = newIndex.get(key);
    if (o >= 0 && n !== undefined && n >= 0) {
      al.pair(o, n, Strength.key);
    }
  }
}

/**
 * Phase 2: unmatched items whose bucket keys are equal (null: no key) and
 * that `same` confirms identical.
 */
export function matchIdentical(
  al: Alignment,
  oldBucket: (o: number) => string | null,
  newBucket: (n: number) => string | null,
  same: (o: number, n: number) => boolean
): void {
  const buckets = new Map<string, { old: number[]; new: number[] }>();
  const bucket = (key: string) => {
    let entry = buckets.get(key);
    if (!entry) {
      entry = { old: [], new: [] };
      buckets.set(key, entry);
    }
    return entry;
  };
  for (let o = 0; o < al.oldCount; o++) {
    if (al.oldToNew[o] < 0) {
      const key = oldBucket(o);
      if (key !== null) {
        bucket(key).old.push(o);
      }
    }
  }
  let shared = false;
  for (let n = 0; n < al.newCount; n++) {
    if (al.newToOld[n] < 0) {
      const key = newBucket(n);
      const entry = key === null ? undefined : buckets.get(key);
      if (entry) {
        entry.new.push(n);
        shared = true;
      }
    }
  }
  if (!shared) {
    return;
  }
  const candidates = Array.from(buckets.values()).filter(
    entry => entry.old.length && entry.new.length
  );
  // Unique on both sides: the strongest evidence, may cross (a move).
  let paired = false;
  for (const entry of candidates) {
    if (entry.old.length === 1 && entry.new.length === 1) {
      if (same(entry.old[0], entry.new[0])) {
        al.pair(entry.old[0], entry.new[0], Strength.unique);
        paired = true;
      }
    }
  }
  const free = (entry: { old: number[]; new: number[] }) => {
    entry.old = entry.old.filter(o => al.oldToNew[o] < 0);
    entry.new = entry.new.filter(n => al.newToOld[n] < 0);
    return entry.old.length > 0 && entry.new.length > 0;
  };
  const remaining = paired ? candidates.filter(free) : candidates;
  if (remaining.length === 0) {
    return;
  }
  // Repeated content: in order within each gap, then in order across gaps.
  const gaps = al.gaps();
  for (const entry of remaining) {
    for (const n of entry.new) {
      const o = entry.old.find(
        o => al.oldToNew[o] < 0 && gaps.old[o] === gaps.new[n] && same(o, n)
      );
      if (o !== undefined) {
        al.pair(o, n, Strength.identical);
      }
    }
  }
  for (const entry of remaining) {
    if (!free(entry)) {
      continue;
    }
    for (const n of entry.new) {
      const o = entry.old.find(o => al.oldToNew[o] < 0 && same(o, n));
      if (o !== undefined) {
        al.pair(o, n, Strength.identical);
      }
    }
  }
}

/** What similarity looks at in one item. */
export interface ISimilarityInfo {
  /** Only items of the same type are similar (the cell type). */
  type: string;
  /** The source text. */
  text: string;
}

interface IPrepared {
  type: string;
  empty: boolean;
  /** Interned non-blank lines, trailing whitespace removed. */
  lines: Int32Array;
  /** The same, sorted (for a cheap upper bound). */
  sortedLines: Int32Array;
  /** Distinct line ids, for the cross-gap index. */
  distinct: number[];
  /**
   * Words and punctuation of a short text, interned when first needed (most
   * pairs are decided by their lines); null for long texts.
   */
  tokens: (() => ITokens) | null;
}

interface ITokens {
  tokens: Int32Array;
  sortedTokens: Int32Array;
  /** The words alone, sorted. */
  sortedWords: Int32Array;
}

/** Texts with at most this many non-blank lines... */
const SHORT_LINES = 3;
/** ...and characters are also compared word by word (one-line edits). */
const SHORT_TEXT = 400;
/** Items considered on each side of the diagonal of a gap. */
const BAND = 10;
/** Candidates per item in the cross-gap phase. */
const CROSS_CANDIDATES = 8;
/** A line in more old items than this is too common to find candidates. */
const COMMON_LINE = 16;

export const SIMILARITY_THRESHOLD = 0.5;

// eslint-disable-next-line no-control-regex -- Python's line boundaries
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/;
const TOKEN = /\w+|[^\w\s]/g;
const WORD = /^\w/;

function sorted(ids: Int32Array): Int32Array {
  return ids.slice().sort();
}

function prepare(info: ISimilarityInfo, interner: Interner): IPrepared {
  const text = typeof info.text === 'string' ? info.text : '';
  const ids: number[] = [];
  for (const line of text.split(LINE_BREAK)) {
    const trimmed = line.trimEnd();
    if (trimmed !== '') {
      ids.push(interner.id(`L${trimmed}`));
    }
  }
  const lines = Int32Array.from(ids);
  let tokens: (() => ITokens) | null = null;
  if (ids.length <= SHORT_LINES && text.length <= SHORT_TEXT) {
    let made: ITokens | null = null;
    tokens = () => {
      if (!made) {
        const found = text.match(TOKEN) ?? [];
        const all = Int32Array.from(found, token => interner.id(`T${token}`));
        made = {
          tokens: all,
          sortedTokens: sorted(all),
          sortedWords: sorted(all.filter((_, i) => WORD.test(found[i])))
        };
      }
      return made;
    };
  }
  return {
    type: info.type,
    empty: ids.length === 0,
    lines,
    sortedLines: sorted(lines),
    distinct: Array.from(new Set(ids)),
    tokens
  };
}

/** The size of the multiset intersection of two sorted arrays. */
function intersection(a: Int32Array, b: Int32Array): number {
  let i = 0;
  let j = 0;
  let common = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      common++;
      i++;
      j++;
    } else if (a[i] < b[j]) {
      i++;
    } else {
      j++;
    }
  }
  return common;
}

/**
 * 2·LCS/(n+m), or 0 when below the threshold. Cheap bounds first: the
 * lengths, then the common items regardless of order; Myers (bounded by the
 * threshold) only for pairs that can pass.
 */
function ratio(
  a: Int32Array,
  b: Int32Array,
  sortedA: Int32Array,
  sortedB: Int32Array
): number {
  const total = a.length + b.length;
  if (total === 0) {
    return 1;
  }
  if ((2 * Math.min(a.length, b.length)) / total < SIMILARITY_THRESHOLD) {
    return 0;
  }
  if ((2 * intersection(sortedA, sortedB)) / total < SIMILARITY_THRESHOLD) {
    return 0;
  }
  const maxD = Math.floor(total * (1 - SIMILARITY_THRESHOLD));
  const common = lcsLength(a, b, maxD);
  const score = common < 0 ? 0 : (2 * common) / total;
  return score >= SIMILARITY_THRESHOLD ? score : 0;
}

/**
 * Similarity in [0, 1] of two items, 0 below the threshold: 0 for different
 * types; two blank sources are similar (1), a blank and a non-blank one are
 * not; otherwise the ratio 2·LCS/(n+m) over non-blank lines (trailing
 * whitespace ignored), or, for short texts (up to 3 lines, 400 characters)
 * whose lines differ, over their words and punctuation when they share a
 * word (`x = 1` vs `x = 2`).
 */
function similarity(a: IPrepared, b: IPrepared): number {
  if (a.type !== b.type) {
    return 0;
  }
  if (a.empty || b.empty) {
    return a.empty && b.empty ? 1 : 0;
  }
  const byLines = ratio(a.lines, b.lines, a.sortedLines, b.sortedLines);
  if (byLines > 0 || !a.tokens || !b.tokens) {
    return byLines;
  }
  // Punctuation alone (`df.head()` vs `plt.show()`) does not make texts
  // similar: they must share a word.
  const [x, y] = [a.tokens(), b.tokens()];
  if (intersection(x.sortedWords, y.sortedWords) === 0) {
    return 0;
  }
  return ratio(x.tokens, y.tokens, x.sortedTokens, y.sortedTokens);
}

/** The similarity of two texts of the same type (for tests and tuning). */
export function textSimilarity(a: string, b: string): number {
  const interner = new Interner();
  return similarity(
    prepare({ type: '', text: a }, interner),
    prepare({ type: '', text: b }, interner)
  );
}

/**
 * Phase 3: unmatched items of the same type with similar sources, inside
 * gaps first, then across them (those become moves).
 */
export function matchSimilar(
  al: Alignment,
  oldInfo: (o: number) => ISimilarityInfo,
  newInfo: (n: number) => ISimilarityInfo
): void {
  const interner = new Interner();
  const oldPrepared = new Map<number, IPrepared>();
  const newPrepared = new Map<number, IPrepared>();
  const getOld = (o: number) => {
    let p = oldPrepared.get(o);
    if (!p) {
      p = prepare(oldInfo(o), interner);
      oldPrepared.set(o, p);
    }
    return p;
  };
  const getNew = (n: number) => {
    let p = newPrepared.get(n);
    if (!p) {
      p = prepare(newInfo(n), interner);
      newPrepared.set(n, p);
    }
    return p;
  };
  const gaps = al.gaps();
  const oldByGap: number[][] = Array.from({ length: gaps.count }, () => []);
  const newByGap: number[][] = Array.from({ length: gaps.count }, () => []);
  for (let o = 0; o < al.oldCount; o++) {
    if (al.oldToNew[o] < 0) {
      oldByGap[gaps.old[o]].push(o);
    }
  }
  for (let n = 0; n < al.newCount; n++) {
    if (al.newToOld[n] < 0) {
      newByGap[gaps.new[n]].push(n);
    }
  }
  for (let g = 0; g < gaps.count; g++) {
    if (oldByGap[g].length && newByGap[g].length) {
      matchGap(al, oldByGap[g], newByGap[g], getOld, getNew);
    }
  }
  matchAcross(al, getOld, getNew);
}

/** A monotone matching of one gap maximising the summed similarity. */
function matchGap(
  al: Alignment,
  os: number[],
  ns: number[],
  getOld: (o: number) => IPrepared,
  getNew: (n: number) => IPrepared
): void {
  const n = os.length;
  const m = ns.length;
  const inBand = (i: number, j: number) =>
    n * m <= 4 * BAND * BAND || Math.abs(i - Math.round((j * n) / m)) <= BAND;
  if (n * m > 1_000_000) {
    // Huge gap: greedy along the diagonal band.
    let from = 0;
    for (let j = 0; j < m; j++) {
      let best = -1;
      let bestScore = 0;
      for (let i = from; i < n; i++) {
        if (!inBand(i, j)) {
          if (i > Math.round((j * n) / m)) {
            break;
          }
          continue;
        }
        const s = similarity(getOld(os[i]), getNew(ns[j]));
        if (s > bestScore) {
          bestScore = s;
          best = i;
        }
      }
      if (best >= 0) {
        al.pair(os[best], ns[j], Strength.similarInGap);
        from = best + 1;
      }
    }
    return;
  }
  const scores = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      if (inBand(i, j)) {
        scores[i * m + j] = similarity(getOld(os[i]), getNew(ns[j]));
      }
    }
  }
  const best = new Float64Array((n + 1) * (m + 1));
  const at = (i: number, j: number) => i * (m + 1) + j;
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const s = scores[i * m + j];
      best[at(i, j)] = Math.max(
        best[at(i + 1, j)],
        best[at(i, j + 1)],
        s > 0 ? best[at(i + 1, j + 1)] + s : 0
      );
    }
  }
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    const s = scores[i * m + j];
    if (s > 0 && best[at(i, j)] === best[at(i + 1, j + 1)] + s) {
      al.pair(os[i], ns[j], Strength.similarInGap);
      i++;
      j++;
    } else if (best[at(i, j)] === best[at(i + 1, j)]) {
      i++;
    } else {
      j++;
    }
  }
}

/** Cross-gap candidates through shared lines, best pairs first. */
function matchAcross(
  al: Alignment,
  getOld: (o: number) => IPrepared,
  getNew: (n: number) => IPrepared
): void {
  const index = new Map<number, number[]>();
  let anyOld = false;
  for (let o = 0; o < al.oldCount; o++) {
    if (al.oldToNew[o] >= 0) {
      continue;
    }
    anyOld = true;
    for (const line of getOld(o).distinct) {
      let list = index.get(line);
      if (!list) {
        list = [];
        index.set(line, list);
      }
      list.push(o);
    }
  }
  if (!anyOld) {
    return;
  }
  const found: { o: number; n: number; score: number }[] = [];
  for (let n = 0; n < al.newCount; n++) {
    if (al.newToOld[n] >= 0) {
      continue;
    }
    const item = getNew(n);
    const shared = new Map<number, number>();
    for (const line of item.distinct) {
      const list = index.get(line);
      if (list && list.length <= COMMON_LINE) {
        for (const o of list) {
          shared.set(o, (shared.get(o) ?? 0) + 1);
        }
      }
    }
    const best = Array.from(shared.entries())
      .sort((x, y) => y[1] - x[1] || x[0] - y[0])
      .slice(0, CROSS_CANDIDATES);
    for (const [o] of best) {
      const score = similarity(getOld(o), item);
      if (score > 0) {
        found.push({ o, n, score });
      }
    }
  }
  found.sort((x, y) => y.score - x.score || x.n - y.n || x.o - y.o);
  for (const { o, n } of found) {
    if (al.oldToNew[o] < 0 && al.newToOld[n] < 0) {
      al.pair(o, n, Strength.similar);
    }
  }
}
