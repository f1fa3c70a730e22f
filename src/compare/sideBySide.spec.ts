import { FakeExperimentsClient } from '../testing/fakeClient';
import { IRun } from '../tokens';
import {
  bestOf,
  compareRows,
  differingRows,
  packageChange,
  same
} from './sideBySide';

/** A finished run with the fake server's defaults. */
function run(id: string, overrides: Partial<IRun> = {}): IRun {
  return new FakeExperimentsClient().runs.add({
    id,
    name: id,
    status: 'finished',
    ...overrides
  });
}

function metric(
  last: number,
  min: number | null = last,
  max: number | null = last
) {
  return {
    last,
    last_step: 0,
    min,
    min_step: 0,
    max,
    max_step: 0,
    count: 1,
    cell_id: null
  };
}

describe('compareRows', () => {
  it('marks the params that differ, as jx.compare_runs does', () => {
    const rows = compareRows([
      run('a', { params: { lr: 0.1, batch: 32, flag: true, none: null } }),
      run('b', { params: { lr: 0.2, batch: 32.0, flag: 1, extra: 'x' } })
    ]);
    const differs = Object.fromEntries(
      rows.filter(r => r.section === 'params').map(r => [r.id, r.differs])
    );
    expect(differs).toEqual({
      'params.batch': false,
      'params.extra': true,
      'params.flag': true,
      'params.lr': true,
      // null and absent are both "no value".
      'params.none': false
    });
  });

  it('treats NaN as equal to NaN and objects by value', () => {
    const rows = compareRows([
      run('a', { params: { x: NaN, layers: [64, 32] } }),
      run('b', { params: { x: NaN, layers: [64, 32] } })
    ]);
    expect(
      rows.filter(r => r.section === 'params').every(r => !r.differs)
    ).toBe(true);
  });

  it('gives three summary rows per metric with the best run marked by direction', () => {
    const runs = [
      run('a', { metrics: { loss: metric(0.5, 0.4, 0.9), acc: metric(0.7) } }),
      run('b', { metrics: { loss: metric(0.3, 0.3, 0.8), acc: metric(0.9) } })
    ];
    const rows = compareRows(runs);
    const byId = Object.fromEntries(rows.map(r => [r.id, r]));
    expect(byId['metrics.loss'].best).toEqual([1]);
    expect(byId['metrics.acc'].best).toEqual([1]);
    expect(byId['metrics.loss.max'].best).toEqual([1]);
    // The direction is a choice kept with the view.
    const flipped = compareRows(runs, { loss: 'max' });
    expect(flipped.find(r => r.id === 'metrics.loss')!.best).toEqual([0]);
  });

  it('compares data inputs by hash and the environment field by field', () => {
    const rows = compareRows([
      run('a', {
        data: [
          {
            path: 'd.csv',
            sha256: 'aa',
            size: 1,
            file_count: 1,
            timestamp: 0,
            cell_id: null
          }
        ],
        environment: {
          language_version: '3.11',
          packages: { numpy: '1.0', pandas: '2.0' },
          git: { commit: 'c1', dirty: false }
        }
      }),
      run('b', {
        data: [
          {
            path: 'd.csv',
            sha256: 'bb',
            size: 1,
            file_count: 1,
            timestamp: 0,
            cell_id: null
          }
        ],
        environment: {
          language_version: '3.11',
          packages: { numpy: '1.1', torch: '2.1' },
          git: { commit: 'c1', dirty: true }
        }
      })
    ]);
    const differ = differingRows(rows)
      .filter(r => r.section !== 'run')
      .map(r => r.id);
    expect(differ).toEqual([
      'data.`d.csv`.sha256',
      'environment:git.dirty',
      'env.numpy',
      'env.pandas',
      'env.torch'
    ]);
  });

  it('reads keys as own properties only', () => {
    const rows = compareRows([
      run('a', { params: { constructor: 1 } }),
      run('b')
    ]);
    const row = rows.find(r => r.id === 'params.constructor')!;
    expect(row.values).toEqual([1, undefined]);
    expect(row.text).toEqual(['1', '—']);
  });
});

describe('bestOf', () => {
  it('ignores NaN and infinities and marks ties; nothing when all are equal', () => {
    expect(bestOf([1, NaN, 3, 3, Infinity], 'max')).toEqual([2, 3]);
    expect(bestOf([2, 2], 'min')).toEqual([]);
    expect(bestOf([undefined, 'x'], 'min')).toEqual([]);
  });
});

describe('packageChange', () => {
  it('says how a package changed from the first run', () => {
    expect(packageChange(undefined, '1')).toBe('added');
    expect(packageChange('1', undefined)).toBe('removed');
    expect(packageChange('1', '2')).toBe('changed');
    expect(packageChange('1', '1')).toBe('same');
    expect(same(1, 1.0)).toBe(true);
    expect(same(true, 1)).toBe(false);
  });
});
