import { attachColumns } from '../../rest/runColumns';
import { FakeExperimentsClient } from '../../testing/fakeClient';
import type { IMetricSummary, IRunSummary } from '../../tokens';
import { bestSoFar, metricKey, progressMetrics } from './engine';

function summary(last: number, extra: Partial<IMetricSummary> = {}) {
  return {
    last,
    last_step: 0,
    min: last,
    min_step: 0,
    max: last,
    max_step: 0,
    count: 1,
    cell_id: null,
    ...extra
  };
}

/** Runs started at the given times with these `acc` values (undefined: no metric). */
function runs(values: [number, number | undefined][]): IRunSummary[] {
  const client = new FakeExperimentsClient();
  return values.map(([time, value], i) =>
    client.runs.add({
      id: `r${i}`,
      name: `run ${i}`,
      start_time: time,
      metrics: value === undefined ? {} : { acc: summary(value) }
    })
  );
}

const improved = (progress: ReturnType<typeof bestSoFar>) =>
  progress.improvements.map(p => p.runId);

describe('compare/progress/engine', () => {
  describe('bestSoFar', () => {
    it('marks each run that beats the best so far (max)', () => {
      const progress = bestSoFar(
        runs([
          [1, 0.5],
          [2, 0.4],
          [3, 0.7],
          [4, 0.6],
          [5, 0.9]
        ]),
        'metrics.acc',
        'max'
      );
      expect(progress.points.map(p => p.improved)).toEqual([
        true,
        false,
        true,
        false,
        true
      ]);
      expect(improved(progress)).toEqual(['r0', 'r2', 'r4']);
      expect(progress.line).toEqual([
        { time: 1, value: 0.5 },
        { time: 2, value: 0.5 },
        { time: 3, value: 0.7 },
        { time: 4, value: 0.7 },
        { time: 5, value: 0.9 }
      ]);
      expect(progress.best?.runId).toBe('r4');
      expect(progress.points.map(p => p.previousBest)).toEqual([
        null,
        0.5,
        0.5,
        0.7,
        0.7
      ]);
    });

    it('walks the other way for min', () => {
      const data = runs([
        [1, 0.5],
        [2, 0.4],
        [3, 0.7],
        [4, 0.1]
      ]);
      expect(improved(bestSoFar(data, 'metrics.acc', 'min'))).toEqual([
        'r0',
        'r1',
        'r3'
      ]);
      expect(improved(bestSoFar(data, 'metrics.acc', 'max'))).toEqual([
        'r0',
        'r2'
      ]);
    });

    it('orders runs by start time, not by the order given', () => {
      const progress = bestSoFar(
        runs([
          [30, 0.9],
          [10, 0.5],
          [20, 0.7]
        ]),
        'metrics.acc',
        'max'
      );
      expect(progress.points.map(p => p.runId)).toEqual(['r1', 'r2', 'r0']);
      expect(improved(progress)).toEqual(['r1', 'r2', 'r0']);
    });

    it('keeps the given order for runs that started together', () => {
      const progress = bestSoFar(
        runs([
          [5, 0.1],
          [5, 0.2],
          [1, 0.0]
        ]),
        'metrics.acc',
        'max'
      );
      expect(progress.points.map(p => p.runId)).toEqual(['r2', 'r0', 'r1']);
    });

    it('gives a tie no credit: the first to reach a value keeps it', () => {
      const progress = bestSoFar(
        runs([
          [1, 0.8],
          [2, 0.8],
          [3, 0.9],
          [4, 0.9]
        ]),
        'metrics.acc',
        'max'
      );
      expect(improved(progress)).toEqual(['r0', 'r2']);
      expect(progress.best?.runId).toBe('r2');
    });

    it('skips and counts runs without the metric', () => {
      const progress = bestSoFar(
        runs([
          [1, undefined],
          [2, 0.3],
          [3, undefined]
        ]),
        'metrics.acc',
        'max'
      );
      expect(progress.skipped).toEqual({ missing: 2, nan: 0, infinite: 0 });
      expect(progress.points.map(p => p.runId)).toEqual(['r1']);
      // The first run with a value improves, even after runs without one.
      expect(improved(progress)).toEqual(['r1']);
    });

    it('skips and counts NaN values, which never become the best', () => {
      const progress = bestSoFar(
        runs([
          [1, NaN],
          [2, 0.3],
          [3, NaN],
          [4, 0.2]
        ]),
        'metrics.acc',
        'min'
      );
      expect(progress.skipped).toEqual({ missing: 0, nan: 2, infinite: 0 });
      expect(improved(progress)).toEqual(['r1', 'r3']);
    });

    it('skips and counts infinite values in either direction', () => {
      const data = runs([
        [1, 0.5],
        [2, Infinity],
        [3, -Infinity],
        [4, 0.6]
      ]);
      for (const direction of ['min', 'max'] as const) {
        const progress = bestSoFar(data, 'metrics.acc', direction);
        expect(progress.skipped).toEqual({ missing: 0, nan: 0, infinite: 2 });
        expect(progress.points.map(p => p.runId)).toEqual(['r0', 'r3']);
      }
      expect(improved(bestSoFar(data, 'metrics.acc', 'max'))).toEqual([
        'r0',
        'r3'
      ]);
      expect(improved(bestSoFar(data, 'metrics.acc', 'min'))).toEqual(['r0']);
    });

    it('reads the summary the id names', () => {
      const client = new FakeExperimentsClient();
      const data = [
        client.runs.add({
          id: 'a',
          start_time: 1,
          metrics: { loss: summary(0.9, { min: 0.2, max: 1.5 }) }
        }),
        client.runs.add({
          id: 'b',
          start_time: 2,
          metrics: { loss: summary(0.5, { min: 0.3, max: 2.0 }) }
        })
      ];
      expect(improved(bestSoFar(data, 'metrics.loss', 'min'))).toEqual([
        'a',
        'b'
      ]);
      expect(improved(bestSoFar(data, 'metrics.loss.min', 'min'))).toEqual([
        'a'
      ]);
      expect(improved(bestSoFar(data, 'metrics.loss.max', 'max'))).toEqual([
        'a',
        'b'
      ]);
      // A summary field the listing did not bring reads as missing.
      const trimmed = [
        client.runs.add({
          id: 'c',
          start_time: 3,
          metrics: { loss: { last: 1 } as IMetricSummary }
        })
      ];
      expect(
        bestSoFar(trimmed, 'metrics.loss.min', 'min').skipped.missing
      ).toBe(1);
    });

    it('names runs without a name by their id', () => {
      const client = new FakeExperimentsClient();
      const data = [
        client.runs.add({
          id: 'abcdef123456',
          metrics: { acc: summary(1) }
        })
      ];
      expect(bestSoFar(data, 'metrics.acc', 'max').points[0].name).toBe(
        'Run abcdef12'
      );
    });

    it('is empty for no runs', () => {
      expect(bestSoFar([], 'metrics.acc', 'max')).toEqual({
        points: [],
        improvements: [],
        line: [],
        skipped: { missing: 0, nan: 0, infinite: 0 },
        best: null
      });
    });

    it('reads runs listed column by column', () => {
      const data = runs([
        [1, 0.5],
        [2, undefined],
        [3, 0.7]
      ]).map(({ params, metrics, ...rest }) => rest as IRunSummary);
      attachColumns(data, {
        params: {},
        metrics: { acc: { last: [0.5, null, 0.7], max: [0.5, null, 0.7] } }
      });
      const progress = bestSoFar(data, 'metrics.acc', 'max');
      expect(improved(progress)).toEqual(['r0', 'r2']);
      expect(progress.skipped.missing).toBe(1);
    });
  });

  describe('progressMetrics', () => {
    it('lists last, min and max of every metric any run has, by key', () => {
      const client = new FakeExperimentsClient();
      const data = [
        client.runs.add({ id: 'a', metrics: { zeta: summary(1) } }),
        client.runs.add({
          id: 'b',
          metrics: { acc: summary(1), 'val loss': summary(2) }
        }),
        client.runs.add({ id: 'c' })
      ];
      expect(progressMetrics(data)).toEqual([
        'metrics.acc',
        'metrics.acc.min',
        'metrics.acc.max',
        'metrics.`val loss`',
        'metrics.`val loss`.min',
        'metrics.`val loss`.max',
        'metrics.zeta',
        'metrics.zeta.min',
        'metrics.zeta.max'
      ]);
      expect(progressMetrics([])).toEqual([]);
    });

    it('reads the keys of runs listed column by column', () => {
      const data = runs([
        [1, 0.5],
        [2, undefined]
      ]).map(({ params, metrics, ...rest }) => rest as IRunSummary);
      attachColumns(data, {
        params: {},
        metrics: { acc: { last: [0.5, null] } }
      });
      expect(progressMetrics(data)).toEqual([
        'metrics.acc',
        'metrics.acc.min',
        'metrics.acc.max'
      ]);
    });
  });

  describe('metricKey', () => {
    it('is the key a summary id names', () => {
      expect(metricKey('metrics.valid_auc.max')).toBe('valid_auc');
      expect(metricKey('metrics.loss')).toBe('loss');
      expect(metricKey('metrics.`val loss`.min')).toBe('val loss');
      expect(metricKey('name')).toBe('name');
    });
  });
});
