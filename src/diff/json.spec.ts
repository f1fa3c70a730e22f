/**
 * The generic nbdime-format diff and nbdime's patch semantics.
 */
import * as fc from 'fast-check';

import { deepEqual, diffJson, patch } from './json';
import type { DiffEntry } from './types';

describe('diffJson', () => {
  it('diffs dicts by key, sorted, with nested patches', () => {
    expect(
      diffJson(
        { b: 1, a: { x: 1 }, c: 'keep', d: [1] },
        { a: { x: 2 }, c: 'keep', d: 'now a string', e: null }
      )
    ).toEqual([
      { op: 'patch', key: 'a', diff: [{ op: 'replace', key: 'x', value: 2 }] },
      { op: 'remove', key: 'b' },
      { op: 'replace', key: 'd', value: 'now a string' },
      { op: 'add', key: 'e', value: null }
    ]);
  });

  it('diffs lists by sequence of deep-equal items', () => {
    expect(diffJson([1, { a: 1 }, 3, 4], [{ a: 1 }, 3, 'new', 4])).toEqual([
      { op: 'removerange', key: 0, length: 1 },
      { op: 'addrange', key: 3, valuelist: ['new'] }
    ]);
    // Key order does not make dicts different.
    expect(diffJson([{ a: 1, b: 2 }], [{ b: 2, a: 1 }])).toEqual([]);
  });

  it('diffs strings by lines, addrange before removerange', () => {
    // 'c' and 'c\n' are different lines: only 'a\n' stays.
    expect(diffJson('a\nb\nc', 'a\nB\nc\nd\n')).toEqual([
      { op: 'addrange', key: 1, valuelist: ['B\n', 'c\n', 'd\n'] },
      { op: 'removerange', key: 1, length: 2 }
    ]);
    expect(diffJson('a\nb\nc\n', 'a\nc\nd\n')).toEqual([
      { op: 'removerange', key: 1, length: 1 },
      { op: 'addrange', key: 3, valuelist: ['d\n'] }
    ]);
  });

  it('is empty for equal values and refuses mismatched top levels', () => {
    expect(diffJson({ a: [1, { b: 'x' }] }, { a: [1, { b: 'x' }] })).toEqual(
      []
    );
    expect(diffJson(3, 3)).toEqual([]);
    expect(() => diffJson({}, [])).toThrow(/cannot be diffed/);
    expect(() => diffJson(1, 2)).toThrow(/cannot be diffed/);
  });
});

describe('patch (nbdime semantics)', () => {
  it("applies nbdime's own diffs, per-line character patches included", () => {
    // Made by nbdime 4.0.4: diff_strings_linewise(a, b) and diff(x, y).
    const a = 'first line\nsecond line here\nthird\n';
    const b = 'first line\nsecond lime here\nthird\nfourth';
    const stringDiff = [
      {
        op: 'patch',
        key: 1,
        diff: [
          { op: 'addrange', key: 9, valuelist: 'm' },
          { op: 'removerange', key: 9, length: 1 }
        ]
      },
      { op: 'addrange', key: 3, valuelist: ['fourth'] }
    ] as DiffEntry[];
    expect(patch(a, stringDiff)).toBe(b);
    const x = { a: [1, 2, { b: 'x\ny\n' }], c: 'z' };
    const y = { a: [2, { b: 'x\nq\n' }, 3], d: 1 };
    const dictDiff = [
      {
        op: 'patch',
        key: 'a',
        diff: [
          { op: 'removerange', key: 0, length: 1 },
          { op: 'addrange', key: 2, valuelist: [{ b: 'x\nq\n' }, 3] },
          { op: 'removerange', key: 2, length: 1 }
        ]
      },
      { op: 'remove', key: 'c' },
      { op: 'add', key: 'd', value: 1 }
    ] as DiffEntry[];
    expect(patch(x, dictDiff)).toEqual(y);
  });

  it('takes list items up to each key, never going back', () => {
    expect(
      patch(
        ['a', 'b', 'c'],
        [
          { op: 'addrange', key: 1, valuelist: ['x'] },
          { op: 'removerange', key: 1, length: 1 },
          {
            op: 'patch',
            key: 2,
            diff: [{ op: 'addrange', key: 1, valuelist: ['!\n'] }]
          }
        ]
      )
    ).toEqual(['a', 'x', 'c!\n']);
  });

  it('rejects what nbdime rejects', () => {
    expect(() => patch({ a: 1 }, [{ op: 'add', key: 'a', value: 2 }])).toThrow(
      /already/
    );
    expect(() => patch({}, [{ op: 'patch', key: 'a', diff: [] }])).toThrow(
      /missing/
    );
    expect(() =>
      patch({ a: 1 }, [
        { op: 'replace', key: 'a', value: 2 },
        { op: 'replace', key: 'a', value: 3 }
      ])
    ).toThrow(/same key/);
    expect(() =>
      patch([1], [{ op: 'add', key: 'x', value: 1 } as any])
    ).toThrow(/integer/);
    expect(() => patch(5, [])).toThrow(/cannot patch a number/);
    expect(() => patch({}, [{ op: 'explode', key: 'a' } as any])).toThrow(
      /invalid op/
    );
  });

  it('does not change its input', () => {
    const value = { list: [1, 2, 3], text: 'a\nb\n' };
    const copy = JSON.parse(JSON.stringify(value));
    patch(value, diffJson(value, { list: [3], text: 'b\n' }));
    expect(value).toEqual(copy);
  });
});

describe('patch(a, diffJson(a, b)) is b', () => {
  const text = fc
    .array(fc.constantFrom('a', 'b\n', 'c\r\n', '\r', 'd\u2028', '\x85', 'e'), {
      maxLength: 8
    })
    .map(parts => parts.join(''));
  const { value } = fc.letrec(tie => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null)),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), tie('value'), {
        maxKeys: 4
      })
    )
  }));
  const container = fc.oneof(
    fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), value, { maxKeys: 4 }),
    fc.array(value, { maxLength: 5 }),
    text
  );

  it('for random JSON of the same shape', () => {
    fc.assert(
      fc.property(container, container, (a, b) => {
        fc.pre(
          (Array.isArray(a) && Array.isArray(b)) ||
            (typeof a === 'string' && typeof b === 'string') ||
            (typeof a === 'object' &&
              !Array.isArray(a) &&
              typeof b === 'object' &&
              !Array.isArray(b))
        );
        const diff = diffJson(a, b);
        expect(deepEqual(patch(a, diff), b)).toBe(true);
        expect(diffJson(a, a)).toEqual([]);
      }),
      { numRuns: 1000 }
    );
  });
});

describe('deepEqual', () => {
  it('ignores key order and tells types apart', () => {
    expect(
      deepEqual({ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 })
    ).toBe(true);
    expect(deepEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(deepEqual([1], { 0: 1 })).toBe(false);
    expect(deepEqual(null, {})).toBe(false);
    expect(deepEqual('1', 1)).toBe(false);
    expect(deepEqual({ id: 'a', x: 1 }, { id: 'b', x: 1 }, 'id')).toBe(true);
  });
});
