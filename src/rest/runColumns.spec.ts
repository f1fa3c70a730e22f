import type { IRunSummary } from '../tokens';
import {
  attachColumns,
  IRunColumns,
  runColumns,
  runMetricField,
  runParam
} from './runColumns';

const base = (id: string) =>
  ({ id, name: id, tags: {}, starred: false }) as unknown as IRunSummary;

function page(): { runs: IRunSummary[]; columns: IRunColumns } {
  const columns: IRunColumns = {
    params: { lr: [0.1, null], model: ['tree', 'linear'] },
    metrics: {
      acc: { last: [0.9, 'NaN'], max: [0.95, 'Infinity'] },
      loss: { last: [null, 0.1], max: [null, 0.2] }
    }
  };
  return { runs: attachColumns([base('a'), base('b')], columns), columns };
}

describe('runs read column by column', () => {
  it('read their params and metrics from the shared columns, absent keys undefined', () => {
    const { runs, columns } = page();
    const [a, b] = runs;
    expect(runColumns(a)).toBe(columns);
    expect(runColumns(b)).toBe(columns);
    expect(runParam(a, 'lr')).toBe(0.1);
    expect(runParam(b, 'lr')).toBeUndefined();
    expect(runParam(b, 'model')).toBe('linear');
    expect(runParam(a, 'nope')).toBeUndefined();
    expect(runParam(a, 'constructor')).toBeUndefined();
    expect(runMetricField(a, 'acc', 'max')).toBe(0.95);
    // Non-finite values travel as strings and are revived once, in place.
    expect(runMetricField(b, 'acc', 'last')).toBeNaN();
    expect(runMetricField(b, 'acc', 'max')).toBe(Infinity);
    expect(runMetricField(a, 'loss', 'last')).toBeUndefined();
    // A field the listing did not bring is null for a metric the run has.
    expect(runMetricField(a, 'acc', 'count')).toBeNull();
    expect(runColumns(base('plain'))).toBeUndefined();
  });

  it('build plain params and metrics when read, copied or written as JSON', () => {
    const [a, b] = page().runs;
    expect(a.params).toEqual({ lr: 0.1, model: 'tree' });
    expect(a.metrics).toEqual({ acc: { last: 0.9, max: 0.95 } });
    // Built once: the run now reads its own objects.
    expect(a.params).toBe(a.params);
    expect(runColumns(a)).toBeUndefined();
    a.params.lr = 0.5;
    expect(runParam(a, 'lr')).toBe(0.5);

    const copy = { ...b, name: 'renamed' };
    expect(copy.params).toEqual({ model: 'linear' });
    expect(copy.metrics.loss).toEqual({ last: 0.1, max: 0.2 });
    expect(runMetricField(copy, 'loss', 'max')).toBe(0.2);
    expect(runColumns(copy)).toBeUndefined();
    expect(JSON.parse(JSON.stringify(page().runs[0]))).toEqual({
      id: 'a',
      name: 'a',
      tags: {},
      starred: false,
      params: { lr: 0.1, model: 'tree' },
      metrics: { acc: { last: 0.9, max: 0.95 } }
    });
  });

  it('take a new value written over their params', () => {
    const [a] = page().runs;
    a.params = { fresh: 1 };
    expect(a.params).toEqual({ fresh: 1 });
    expect(runParam(a, 'fresh')).toBe(1);
    expect(runParam(a, 'lr')).toBeUndefined();
  });
});
