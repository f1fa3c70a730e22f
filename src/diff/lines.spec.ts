/**
 * splitLines (Python's `str.splitlines(True)`) and the sequence diff.
 */
import * as fc from 'fast-check';

import { lcsLength, longestIncreasing, matchIds, splitLines } from './lines';

/** Python's line boundaries. */
const BREAKS = [
  '\n',
  '\r\n',
  '\r',
  '\v',
  '\f',
  '\x1c',
  '\x1d',
  '\x1e',
  '\x85',
  '\u2028',
  '\u2029'
];

/** A reference: lines ending at a boundary (regex), the rest last. */
const REFERENCE_LINE =
  // eslint-disable-next-line no-control-regex -- Python's line boundaries
  /[^\n\r\v\f\x1c-\x1e\x85\u2028\u2029]*(?:\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]|[^\n\r\v\f\x1c-\x1e\x85\u2028\u2029]$)/g;

function reference(text: string): string[] {
  return text.match(REFERENCE_LINE) ?? [];
}

/** Length of a longest common subsequence, by dynamic programming. */
function lcsDP(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const row = new Array(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = 0;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j];
      row[j] =
        a[i - 1] === b[j - 1] ? diagonal + 1 : Math.max(row[j], row[j - 1]);
      diagonal = up;
    }
  }
  return row[b.length];
}

describe('splitLines', () => {
  it('is Python str.splitlines(True)', () => {
    expect(splitLines('')).toEqual([]);
    expect(splitLines('a')).toEqual(['a']);
    expect(splitLines('a\n')).toEqual(['a\n']);
    expect(splitLines('\n\n')).toEqual(['\n', '\n']);
    expect(splitLines('a\r\nb')).toEqual(['a\r\n', 'b']);
    expect(splitLines('a\r\rb\n\r')).toEqual(['a\r', '\r', 'b\n', '\r']);
    expect(splitLines('a\n\r\nb')).toEqual(['a\n', '\r\n', 'b']);
    for (const end of BREAKS) {
      expect(splitLines(`x${end}y`)).toEqual([`x${end}`, 'y']);
    }
    // Not boundaries: \x1f, \t, NUL, \u0084, \u2027.
    expect(splitLines('a\x1fb\tc\0d\u0084e\u2027f')).toHaveLength(1);
  });

  it('agrees with a regex reference and joins back', () => {
    const char = fc.constantFrom(
      'a',
      'b',
      ' ',
      '\t',
      '\x1f',
      '\u00e9',
      ...BREAKS
    );
    fc.assert(
      fc.property(fc.array(char, { maxLength: 30 }), chars => {
        const text = chars.join('');
        const lines = splitLines(text);
        expect(lines.join('')).toBe(text);
        expect(lines).toEqual(reference(text));
      }),
      { numRuns: 500 }
    );
  });
});

describe('matchIds (Myers)', () => {
  const small = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 40 });

  it('is a longest common subsequence', () => {
    fc.assert(
      fc.property(small, small, (a, b) => {
        const m = matchIds(a, b);
        expect(m.a).toHaveLength(m.b.length);
        for (let k = 0; k < m.a.length; k++) {
          expect(a[m.a[k]]).toBe(b[m.b[k]]);
          if (k > 0) {
            expect(m.a[k]).toBeGreaterThan(m.a[k - 1]);
            expect(m.b[k]).toBeGreaterThan(m.b[k - 1]);
          }
        }
        expect(m.a.length).toBe(lcsDP(a, b));
      }),
      { numRuns: 500 }
    );
  });

  it('stays a valid common subsequence past its cost bound, and fast', () => {
    let seed = 7;
    const random = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 4294967296;
    };
    const a = Array.from({ length: 20000 }, () => Math.floor(random() * 50000));
    const b = a.map(x => (random() < 0.3 ? Math.floor(random() * 50000) : x));
    const start = Date.now();
    const m = matchIds(a, b);
    expect(Date.now() - start).toBeLessThan(3000);
    for (let k = 0; k < m.a.length; k++) {
      expect(a[m.a[k]]).toBe(b[m.b[k]]);
      if (k > 0) {
        expect(m.a[k]).toBeGreaterThan(m.a[k - 1]);
        expect(m.b[k]).toBeGreaterThan(m.b[k - 1]);
      }
    }
    // Most of the unchanged 70% is found.
    expect(m.a.length).toBeGreaterThan(0.6 * a.length);
  });
});

describe('lcsLength', () => {
  it('is the LCS length within the bound, -1 beyond', () => {
    const small = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 30 });
    fc.assert(
      fc.property(small, small, fc.nat(40), (a, b, maxD) => {
        const lcs = lcsDP(a, b);
        const d = a.length + b.length - 2 * lcs;
        expect(lcsLength(a, b, maxD)).toBe(d <= maxD ? lcs : -1);
      }),
      { numRuns: 500 }
    );
  });
});

describe('longestIncreasing', () => {
  it('is a longest strictly increasing subsequence', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 30 }),
        values => {
          const run = longestIncreasing(values);
          for (let k = 1; k < run.length; k++) {
            expect(run[k]).toBeGreaterThan(run[k - 1]);
            expect(values[run[k]]).toBeGreaterThan(values[run[k - 1]]);
          }
          // Quadratic reference.
          const best = values.map(() => 1);
          values.forEach((v, i) => {
            for (let j = 0; j < i; j++) {
              if (values[j] < v) {
                best[i] = Math.max(best[i], best[j] + 1);
              }
            }
          });
          expect(run.length).toBe(values.length ? Math.max(...best) : 0);
        }
      ),
      { numRuns: 300 }
    );
  });
});
