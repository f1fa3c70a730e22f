import { IMetricSeries } from '../tokens';
import { chartData, ema, IRunSeries, valuesAt } from './series';

function series(
  steps: number[],
  values: number[],
  timestamps?: number[]
): IMetricSeries {
  return {
    key: 'loss',
    steps,
    values,
    timestamps: timestamps ?? steps.map(s => 100 + s),
    count: steps.length
  };
}

const OFF = { xAxis: 'step' as const, smoothing: 0, logY: false };

describe('chartData', () => {
  it('puts runs with other steps on one x axis, absent points undefined', () => {
    const runs: IRunSeries[] = [
      { series: series([0, 2, 4], [1, 2, 3]), start: 0 },
      { series: series([1, 2], [5, 6]), start: 0 }
    ];
    const data = chartData(runs, OFF);
    expect(data.xs).toEqual([0, 1, 2, 4]);
    expect(data.series[0].values).toEqual([1, undefined, 2, 3]);
    expect(data.series[1].values).toEqual([undefined, 5, 6, undefined]);
    expect(data.series.map(s => s.run)).toEqual([0, 1]);
  });

  it('leaves out runs without the key, keeping the others’ run index', () => {
    const data = chartData(
      [
        { series: null, start: 0 },
        { series: series([0], [1]), start: 0 }
      ],
      OFF
    );
    expect(data.series).toHaveLength(1);
    expect(data.series[0].run).toBe(1);
  });

  it('draws NaN as a gap (null) and clips infinities, marking them', () => {
    const data = chartData(
      [
        {
          series: series([0, 1, 2, 3], [1, NaN, Infinity, -Infinity]),
          start: 0
        }
      ],
      OFF
    );
    expect(data.series[0].values).toEqual([1, null, 1, 1]);
    expect(data.clipped).toEqual([
      { series: 0, index: 2, sign: 1 },
      { series: 0, index: 3, sign: -1 }
    ]);
  });

  it('clips infinities into the finite range of every run', () => {
    const data = chartData(
      [
        { series: series([0, 1], [2, Infinity]), start: 0 },
        { series: series([0, 1], [-3, 5]), start: 0 }
      ],
      OFF
    );
    expect(data.series[0].values).toEqual([2, 5]);
  });

  it('sorts non-monotonic steps; a step logged twice shows the later point', () => {
    const data = chartData(
      [{ series: series([2, 0, 1, 1], [3, 1, 2, 9]), start: 0 }],
      OFF
    );
    expect(data.xs).toEqual([0, 1, 2]);
    expect(data.series[0].values).toEqual([1, 9, 3]);
  });

  it('draws a single point', () => {
    const data = chartData([{ series: series([7], [0.5]), start: 0 }], OFF);
    expect(data.xs).toEqual([7]);
    expect(data.series[0].values).toEqual([0.5]);
  });

  it('hides values ≤ 0 on a log axis and counts them', () => {
    const data = chartData(
      [{ series: series([0, 1, 2], [0, -1, 10]), start: 0 }],
      {
        ...OFF,
        logY: true
      }
    );
    expect(data.series[0].values).toEqual([null, null, 10]);
    expect(data.hidden).toBe(2);
  });

  it('uses wall time or time since the run started as x', () => {
    const one = series([0, 1], [1, 2], [1000, 1010]);
    expect(
      chartData([{ series: one, start: 990 }], { ...OFF, xAxis: 'wall' }).xs
    ).toEqual([1000, 1010]);
    expect(
      chartData([{ series: one, start: 990 }], { ...OFF, xAxis: 'relative' }).xs
    ).toEqual([10, 20]);
  });

  it('smooths, keeping the raw series', () => {
    const data = chartData(
      [{ series: series([0, 1, 2], [0, 10, 0]), start: 0 }],
      {
        ...OFF,
        smoothing: 0.5
      }
    );
    expect(data.series[0].raw).toEqual([0, 10, 0]);
    expect(data.series[0].values).not.toEqual([0, 10, 0]);
  });
});

describe('ema', () => {
  it('is the identity at weight 0 and debiased at the start', () => {
    expect(ema([1, 2, 3], 0)).toEqual([1, 2, 3]);
    // Debiased: a constant series stays constant from its first point.
    for (const v of ema([4, 4, 4], 0.9)) {
      expect(v).toBeCloseTo(4, 10);
    }
  });

  it('keeps gaps and absent points, not resetting the average', () => {
    const out = ema([2, null, undefined, 2], 0.5);
    expect(out[1]).toBeNull();
    expect(out[2]).toBeUndefined();
    expect(out[3]).toBeCloseTo(2, 10);
  });
});

describe('valuesAt', () => {
  it('shows a run’s previous point where it has none', () => {
    const data = chartData(
      [
        { series: series([0, 2], [1, 3]), start: 0 },
        { series: series([1], [5]), start: 0 }
      ],
      OFF
    );
    expect(valuesAt(data, 1)).toEqual([
      { run: 0, value: 1, raw: 1 },
      { run: 1, value: 5, raw: 5 }
    ]);
  });
});

describe('chartData in pixel bins', () => {
  it('bins many distinct xs into two slots a pixel, keeping each run’s min and max', () => {
    const n = 1000;
    const steps = Array.from({ length: n }, (_, i) => i);
    const a = steps.map(i => Math.sin(i / 10));
    const b = steps.map(i => Math.cos(i / 7));
    const data = chartData(
      [
        { series: series(steps, a), start: 0 },
        {
          series: series(
            steps.map(s => s + 0.5),
            b
          ),
          start: 0
        }
      ],
      { ...OFF, columns: 100 }
    );
    expect(data.binned).toBe(true);
    expect(data.xs).toHaveLength(200);
    const finite = (values: unknown[]) =>
      values.filter((v): v is number => typeof v === 'number');
    expect(Math.max(...finite(data.series[0].values))).toBe(Math.max(...a));
    expect(Math.min(...finite(data.series[0].values))).toBe(Math.min(...a));
    expect(Math.min(...finite(data.series[1].values))).toBe(Math.min(...b));
    // Ascending xs, as uPlot needs.
    expect(data.xs.every((x, i) => i === 0 || x > data.xs[i - 1])).toBe(true);
  });

  it('keeps every x when they fit, and NaN-only bins as gaps', () => {
    const few = chartData(
      [
        { series: series([0, 1], [1, 2]), start: 0 },
        { series: series([0, 1], [3, 4]), start: 0 }
      ],
      { ...OFF, columns: 100 }
    );
    expect(few.binned).toBe(false);
    const steps = Array.from({ length: 40 }, (_, i) => i);
    const values = steps.map(i => (i < 20 ? NaN : i));
    const data = chartData(
      [
        { series: series(steps, values), start: 0 },
        { series: series(steps, values), start: 0 }
      ],
      { ...OFF, columns: 10 }
    );
    expect(data.binned).toBe(true);
    expect(data.series[0].values[0]).toBeNull();
    expect(data.series[0].values[data.xs.length - 1]).toBe(39);
  });
});
