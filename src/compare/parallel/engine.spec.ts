import type { IMetricSummary, IRunSummary } from '../../tokens';
import { attachColumns, IRunColumns } from '../../rest/runColumns';
import {
  Axis,
  axisCandidates,
  axisValues,
  brushFilter,
  brushKeeps,
  buildAxes,
  categoryText,
  defaultAxes,
  defaultMetric,
  gradientColor,
  GRADIENT,
  ICategoricalAxis,
  INumericAxis,
  numberLiteral,
  plotValue,
  rangeKeeps,
  runLabel,
  scatterPoints,
  snapRange,
  stringLiteral
} from './engine';

function metric(value: number, extra: Partial<IMetricSummary> = {}) {
  return {
    last: value,
    last_step: 0,
    min: value,
    min_step: 0,
    max: value,
    max_step: 0,
    count: 1,
    cell_id: null,
    ...extra
  };
}

function run(
  id: string,
  params: { [key: string]: unknown } = {},
  metrics: { [key: string]: number | IMetricSummary } = {},
  extra: Partial<IRunSummary> = {}
): IRunSummary {
  const summaries: { [key: string]: IMetricSummary } = {};
  for (const key of Object.keys(metrics)) {
    const value = metrics[key];
    summaries[key] = typeof value === 'number' ? metric(value) : value;
  }
  return {
    id,
    name: null,
    kind: 'notebook',
    status: 'finished',
    notebook_path: null,
    notebook_id: null,
    kernel_name: null,
    user: null,
    start_time: 1_700_000_000,
    end_time: 1_700_000_100,
    updated: 1_700_000_100,
    tags: {},
    notes: '',
    params,
    metrics: summaries,
    starred: false,
    archived: false,
    deleted: null,
    ...extra
  };
}

const RUNS = [
  run('r1', { lr: 0.001, opt: 'adam', layers: 2 }, { loss: 0.5 }),
  run('r2', { lr: 0.01, opt: 'sgd', layers: 4 }, { loss: 0.3 }),
  run('r3', { lr: 0.1, opt: 'adam', layers: 8 }, { loss: 0.9 }),
  run('r4', { lr: 0.05, opt: 'rmsprop', layers: 4 }, {})
];

function numeric(axis: Axis): INumericAxis {
  expect(axis.kind).toBe('numeric');
  return axis as INumericAxis;
}

function categorical(axis: Axis): ICategoricalAxis {
  expect(axis.kind).toBe('categorical');
  return axis as ICategoricalAxis;
}

describe('buildAxes', () => {
  it('reads numeric params with their extent and label', () => {
    const [lr] = buildAxes(RUNS, ['params.lr']);
    expect(numeric(lr)).toMatchObject({
      id: 'params.lr',
      label: 'params.lr',
      min: 0.001,
      max: 0.1,
      finite: true,
      integer: false,
      negativeInfinity: false,
      positiveInfinity: false
    });
  });

  it('draws positive values spanning two decades on a log scale', () => {
    const [lr, layers, loss] = buildAxes(RUNS, [
      'params.lr',
      'params.layers',
      'metrics.loss'
    ]);
    expect(numeric(lr).log).toBe(true);
    expect(numeric(layers).log).toBe(false);
    expect(numeric(layers).integer).toBe(true);
    expect(numeric(loss).log).toBe(false);
  });

  it('reads strings as categories in natural order', () => {
    const [opt] = buildAxes(RUNS, ['params.opt']);
    expect(categorical(opt).categories).toEqual(['adam', 'rmsprop', 'sgd']);
    const versions = [
      run('a', { v: 'v10' }),
      run('b', { v: 'v9' }),
      run('c', { v: 'v10' })
    ];
    expect(
      categorical(buildAxes(versions, ['params.v'])[0]).categories
    ).toEqual(['v9', 'v10']);
  });

  it('makes mixed and boolean params categorical, by their text', () => {
    const runs = [
      run('a', { x: 1, flag: true, list: [1, 2] }),
      run('b', { x: 'one', flag: false, list: [3] })
    ];
    const [x, flag, list] = buildAxes(runs, [
      'params.x',
      'params.flag',
      'params.list'
    ]);
    expect(categorical(x).categories).toEqual(['1', 'one']);
    expect(categorical(flag).categories).toEqual(['false', 'true']);
    expect(categorical(list).categories).toEqual(['[1,2]', '[3]']);
    expect(axisValues(runs, [x, flag])).toEqual([
      ['1', 'true'],
      ['one', 'false']
    ]);
  });

  it('labels metric summaries and quoted keys as the filter box writes them', () => {
    const runs = [run('a', { 'a.b': 1 }, { 'val acc': 0.5 })];
    const axes = buildAxes(runs, [
      'params.`a.b`',
      'metrics.`val acc`.max',
      'metrics.`val acc`'
    ]);
    expect(axes.map(a => a.label)).toEqual([
      'params.a.b',
      'metrics.val acc.max',
      'metrics.val acc'
    ]);
    expect(axisValues(runs, axes)).toEqual([[1, 0.5, 0.5]]);
  });

  it('keeps a metric axis numeric when no run has the metric', () => {
    const [axis] = buildAxes(RUNS, ['metrics.nothing']);
    expect(numeric(axis)).toMatchObject({ finite: false, min: 0, max: 1 });
  });

  it('reads runs whose params and metrics came as columns', () => {
    const columns: IRunColumns = {
      params: { lr: [0.1, null] },
      metrics: {
        loss: { last: [1, null], min: ['NaN', null], max: [2, null] }
      }
    };
    const runs = attachColumns(
      [run('a'), run('b')].map(r => {
        const copy: Partial<IRunSummary> = { ...r };
        delete copy.params;
        delete copy.metrics;
        return copy as IRunSummary;
      }),
      columns
    );
    const axes = buildAxes(runs, ['params.lr', 'metrics.loss.min']);
    expect(axisValues(runs, axes)).toEqual([
      [0.1, null],
      [null, null]
    ]);
    expect(axisCandidates(runs)).toEqual({
      params: ['params.lr'],
      metrics: ['metrics.loss', 'metrics.loss.min', 'metrics.loss.max']
    });
  });
});

describe('non-finite values', () => {
  const runs = [
    run('fine', {}, { loss: 1 }),
    run('high', {}, { loss: 3 }),
    run('nan', {}, { loss: NaN }),
    run('inf', {}, { loss: Infinity }),
    run('neg', {}, { loss: -Infinity }),
    run('none', {}, {})
  ];
  const [axis] = buildAxes(runs, ['metrics.loss']);

  it('takes the extent from finite values and notes infinities', () => {
    expect(numeric(axis)).toMatchObject({
      min: 1,
      max: 3,
      negativeInfinity: true,
      positiveInfinity: true
    });
  });

  it('reads NaN as missing and pins infinities to the axis ends', () => {
    const values = axisValues(runs, [axis]).map(row => row[0]);
    expect(values).toEqual([1, 3, null, Infinity, -Infinity, null]);
    expect(values.map(value => plotValue(axis, value))).toEqual([
      1,
      3,
      null,
      3,
      1,
      null
    ]);
  });

  it('keeps infinities only with a brush reaching their end of the axis', () => {
    expect(brushKeeps(runs, [axis], { 'metrics.loss': [0.5, 2] })).toEqual(
      new Set(['fine', 'neg'])
    );
    expect(brushKeeps(runs, [axis], { 'metrics.loss': [2, 3] })).toEqual(
      new Set(['high', 'inf'])
    );
    expect(brushKeeps(runs, [axis], { 'metrics.loss': [1.5, 2.5] })).toEqual(
      new Set()
    );
    expect(brushKeeps(runs, [axis], { 'metrics.loss': [1, 3] })).toEqual(
      new Set(['fine', 'high', 'inf', 'neg'])
    );
  });

  it('writes such a brush open on that side', () => {
    expect(brushFilter({ 'metrics.loss': [2, 3] }, [axis])).toBe(
      'metrics.loss >= 2'
    );
    expect(brushFilter({ 'metrics.loss': [0.5, 2] }, [axis])).toBe(
      'metrics.loss <= 2'
    );
    expect(brushFilter({ 'metrics.loss': [1, 3] }, [axis])).toBe(
      'metrics.loss IS NOT NULL'
    );
    // Without infinities, the end of an axis is an ordinary bound.
    const [plain] = buildAxes(runs.slice(0, 2), ['metrics.loss']);
    expect(brushFilter({ 'metrics.loss': [2, 3] }, [plain])).toBe(
      'metrics.loss BETWEEN 2 AND 3'
    );
  });

  it('reads infinite bounds of a brush as open', () => {
    expect(brushFilter({ 'metrics.loss': [2, Infinity] })).toBe(
      'metrics.loss >= 2'
    );
    expect(brushFilter({ 'metrics.loss': [-Infinity, 2] })).toBe(
      'metrics.loss <= 2'
    );
    expect(brushKeeps(runs, [axis], { 'metrics.loss': [2, Infinity] })).toEqual(
      new Set(['high', 'inf'])
    );
  });

  it('never keeps NaN or a missing value', () => {
    expect(rangeKeeps(axis, [-Infinity, Infinity], NaN)).toBe(false);
    expect(rangeKeeps(axis, [-Infinity, Infinity], null)).toBe(false);
  });

  it('places an axis holding only infinities between 0 and 1', () => {
    const only = [
      run('a', {}, { x: Infinity }),
      run('b', {}, { x: -Infinity })
    ];
    const [x] = buildAxes(only, ['metrics.x']);
    expect(numeric(x)).toMatchObject({ finite: false, min: 0, max: 1 });
    expect(plotValue(x, Infinity)).toBe(1);
    expect(plotValue(x, -Infinity)).toBe(0);
  });
});

describe('brushKeeps', () => {
  const axes = buildAxes(RUNS, ['params.lr', 'params.opt', 'metrics.loss']);

  it('keeps every run without a brush', () => {
    expect(brushKeeps(RUNS, axes, {})).toEqual(
      new Set(['r1', 'r2', 'r3', 'r4'])
    );
  });

  it('keeps values within a numeric range, bounds included, either way round', () => {
    expect(brushKeeps(RUNS, axes, { 'params.lr': [0.001, 0.01] })).toEqual(
      new Set(['r1', 'r2'])
    );
    expect(brushKeeps(RUNS, axes, { 'params.lr': [0.01, 0.001] })).toEqual(
      new Set(['r1', 'r2'])
    );
  });

  it('keeps the listed categories', () => {
    expect(brushKeeps(RUNS, axes, { 'params.opt': ['adam', 'sgd'] })).toEqual(
      new Set(['r1', 'r2', 'r3'])
    );
    expect(brushKeeps(RUNS, axes, { 'params.opt': [] })).toEqual(new Set());
  });

  it('keeps runs every brushed axis keeps', () => {
    expect(
      brushKeeps(RUNS, axes, {
        'params.lr': [0.005, 1],
        'params.opt': ['adam', 'rmsprop']
      })
    ).toEqual(new Set(['r3', 'r4']));
  });

  it('drops runs missing a brushed axis', () => {
    expect(brushKeeps(RUNS, axes, { 'metrics.loss': [0, 1] })).toEqual(
      new Set(['r1', 'r2', 'r3'])
    );
  });

  it('reads a brushed axis that is not shown from the runs', () => {
    expect(brushKeeps(RUNS, [], { 'params.layers': [3, 5] })).toEqual(
      new Set(['r2', 'r4'])
    );
  });

  it('keeps no value of the wrong kind', () => {
    const [opt] = axes.slice(1);
    expect(rangeKeeps(opt, [0, 1], 'adam')).toBe(false);
    const [lr] = axes;
    // A category brush on numbers compares their text, as the grammar does.
    expect(rangeKeeps(lr, ['0.01'], 0.01)).toBe(true);
  });
});

describe('brushFilter', () => {
  it('is empty without a brush', () => {
    expect(brushFilter({})).toBe('');
  });

  it('writes ranges as BETWEEN and categories as IN, joined by AND', () => {
    expect(
      brushFilter({
        'params.lr': [0.001, 0.01],
        'params.opt': ['adam', 'sgd']
      })
    ).toBe(
      "params.lr BETWEEN 0.001 AND 0.01 AND params.opt IN ('adam', 'sgd')"
    );
  });

  it('writes the low bound first', () => {
    expect(brushFilter({ 'metrics.loss.min': [0.5, -0.25] })).toBe(
      'metrics.loss.min BETWEEN -0.25 AND 0.5'
    );
  });

  it('writes numbers the grammar reads back exactly', () => {
    expect(brushFilter({ 'params.lr': [1e-7, 1.5e21] })).toBe(
      'params.lr BETWEEN 1e-7 AND 1.5e+21'
    );
    expect(numberLiteral(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(() => numberLiteral(NaN)).toThrow(RangeError);
  });

  it('quotes awkward keys with backticks', () => {
    expect(
      brushFilter({
        'params.`learning rate`': [1, 2],
        'params.`a.b`': ['x'],
        'metrics.`val.acc`.max': [0.5, 1],
        'params.`it``s`': ['y'],
        'params.`2nd`': [0, 1]
      })
    ).toBe(
      [
        'params.`learning rate` BETWEEN 1 AND 2',
        "params.`a.b` IN ('x')",
        'metrics.`val.acc`.max BETWEEN 0.5 AND 1',
        "params.`it``s` IN ('y')",
        'params.`2nd` BETWEEN 0 AND 1'
      ].join(' AND ')
    );
  });

  it('writes ids in their canonical spelling', () => {
    expect(brushFilter({ 'params."a.b"': [1, 2] })).toBe(
      'params.`a.b` BETWEEN 1 AND 2'
    );
    expect(brushFilter({ 'metrics.acc.last': [1, 2] })).toBe(
      'metrics.acc BETWEEN 1 AND 2'
    );
    expect(brushFilter({ 'param.lr': [1, 2] })).toBe(
      'params.lr BETWEEN 1 AND 2'
    );
  });

  it('escapes quotes and backslashes in strings', () => {
    expect(stringLiteral("it's")).toBe("'it''s'");
    expect(stringLiteral('a\\b')).toBe("'a\\\\b'");
    expect(stringLiteral('say "hi"')).toBe('\'say "hi"\'');
    expect(
      brushFilter({ 'params.name': ["O'Brien", 'C:\\data', '%_like'] })
    ).toBe("params.name IN ('O''Brien', 'C:\\\\data', '%_like')");
  });

  it('writes boolean attributes with literals and other attributes as text', () => {
    expect(brushFilter({ starred: ['true'] })).toBe('starred IN (true)');
    expect(brushFilter({ status: ['finished', 'failed'] })).toBe(
      "status IN ('finished', 'failed')"
    );
    expect(brushFilter({ 'tags.stage': ['prod'] })).toBe(
      "tags.stage IN ('prod')"
    );
  });

  it('writes a brush keeping no category as a condition no run meets', () => {
    expect(brushFilter({ 'params.opt': [] })).toBe(
      '(params.opt IS NULL AND params.opt IS NOT NULL)'
    );
  });

  it('selects the runs brushKeeps keeps, by a small evaluation of the text', () => {
    const brush = {
      'params.lr': [0.001, 0.05] as [number, number],
      'params.opt': ['adam', 'rmsprop']
    };
    const axes = buildAxes(RUNS, ['params.lr', 'params.opt']);
    const text = brushFilter(brush, axes);
    const match =
      /^params\.lr BETWEEN (\S+) AND (\S+) AND params\.opt IN \((.*)\)$/.exec(
        text
      );
    expect(match).not.toBeNull();
    const [lo, hi] = [Number(match![1]), Number(match![2])];
    const kept = match![3].split(', ').map(s => s.slice(1, -1));
    const selected = RUNS.filter(r => {
      const lr = r.params.lr as number;
      return lo <= lr && lr <= hi && kept.includes(r.params.opt as string);
    }).map(r => r.id);
    expect(new Set(selected)).toEqual(brushKeeps(RUNS, axes, brush));
  });
});

describe('snapRange', () => {
  const runs = [
    run('a', { x: 0, n: 16, lr: 0.0001 }),
    run('b', { x: 1, n: 256, lr: 0.1 })
  ];
  const [x, n, lr] = buildAxes(runs, ['params.x', 'params.n', 'params.lr']);
  const linear = buildAxes(
    [run('a', { y: 0.25 }), run('b', { y: 1.75 })],
    ['params.y']
  )[0];

  it('rounds outwards on a linear axis at a thousandth of its span', () => {
    expect(snapRange(linear, [0.51234567, 1.23456789])).toEqual([0.512, 1.235]);
    expect(snapRange(linear, [1.23456789, 0.51234567])).toEqual([0.512, 1.235]);
  });

  it('rounds to whole numbers inwards on an axis of whole numbers (same runs kept)', () => {
    expect(numeric(x).integer).toBe(true);
    expect(snapRange(n, [31.7, 130.2])).toEqual([32, 130]);
    // Between two whole numbers: kept as brushed (it keeps nothing either way).
    expect(snapRange(n, [31.2, 31.7])).toEqual([31.2, 31.7]);
  });

  it('rounds to significant digits on a log axis', () => {
    expect(numeric(lr).log).toBe(true);
    expect(snapRange(lr, [0.000123456, 0.0456789])).toEqual([0.000123, 0.0457]);
  });

  it('never narrows a range', () => {
    for (const [lo, hi] of [
      [0.3, 0.7],
      [0.2999999, 0.70000001],
      [0.25, 1.75],
      [-0.0004, 1e-9]
    ]) {
      const [a, b] = snapRange(linear, [lo, hi]) as [number, number];
      expect(a).toBeLessThanOrEqual(lo);
      expect(b).toBeGreaterThanOrEqual(hi);
    }
  });

  it('leaves categories and infinite bounds alone', () => {
    expect(snapRange(linear, ['a'])).toEqual(['a']);
    expect(snapRange(linear, [0.5, Infinity])).toEqual([0.5, Infinity]);
  });
});

describe('defaultAxes', () => {
  it('takes the params that vary by name, then the metric most runs have', () => {
    const runs = [
      run('a', { lr: 0.1, seed: 1, same: 'x' }, { loss: 1, acc: 0.5 }),
      run('b', { lr: 0.2, seed: 1, same: 'x' }, { loss: 2 }),
      run('c', { lr: 0.2, seed: 2, same: 'x', batch: 32 }, { loss: 3 })
    ];
    expect(defaultMetric(runs)).toBe('metrics.loss');
    expect(defaultAxes(runs)).toEqual([
      'params.lr',
      'params.seed',
      'metrics.loss'
    ]);
  });

  it('keeps to `max`, the metric included', () => {
    const params: { [key: string]: number } = {};
    const others: { [key: string]: number } = {};
    for (let i = 0; i < 15; i++) {
      params[`p${i}`] = 0;
      others[`p${i}`] = 1;
    }
    const runs = [run('a', params, { m: 1 }), run('b', others, { m: 2 })];
    const axes = defaultAxes(runs, 10);
    expect(axes).toHaveLength(10);
    expect(axes.slice(0, 3)).toEqual(['params.p0', 'params.p1', 'params.p2']);
    expect(axes[9]).toBe('metrics.m');
    expect(defaultAxes(runs, 3, 'metrics.m.min')).toEqual([
      'params.p0',
      'params.p1',
      'metrics.m.min'
    ]);
    expect(defaultAxes(runs, 2, null)).toEqual(['params.p0', 'params.p1']);
  });

  it('ignores NaN when telling whether a param varies', () => {
    const runs = [run('a', { x: NaN }), run('b', { x: 1 }), run('c', { x: 1 })];
    expect(defaultAxes(runs, 10, null)).toEqual([]);
  });

  it('is empty without runs', () => {
    expect(defaultAxes([])).toEqual([]);
    expect(defaultMetric([])).toBeNull();
  });
});

describe('axisCandidates', () => {
  it('lists params and the last, min and max of metrics, keys quoted', () => {
    const runs = [
      run('a', { lr: 1, 'a b': 2 }, { loss: 1 }),
      run('b', { lr: 1 }, { 'val.acc': 1 })
    ];
    expect(axisCandidates(runs)).toEqual({
      params: ['params.`a b`', 'params.lr'],
      metrics: [
        'metrics.loss',
        'metrics.loss.min',
        'metrics.loss.max',
        'metrics.`val.acc`',
        'metrics.`val.acc`.min',
        'metrics.`val.acc`.max'
      ]
    });
  });
});

describe('scatterPoints', () => {
  it('pairs values per run, labelled by name or short id', () => {
    const runs = [
      run('0123456789abcdef', { lr: 0.1 }, { loss: 1 }),
      run('r2', { lr: 0.2 }, { loss: 2 }, { name: ' baseline ' }),
      run('r3', { lr: 0.3 }, {}),
      run('r4', {}, { loss: 4 })
    ];
    expect(scatterPoints(runs, 'params.lr', 'metrics.loss')).toEqual({
      points: [
        { runId: '0123456789abcdef', label: '01234567', x: 0.1, y: 1 },
        { runId: 'r2', label: 'baseline', x: 0.2, y: 2 }
      ],
      xCategories: null,
      xLog: false,
      yLog: false
    });
  });

  it('skips values it cannot place', () => {
    const runs = [
      run('a', {}, { x: NaN, y: 1 }),
      run('b', {}, { x: 1, y: Infinity }),
      run('c', {}, { x: -Infinity, y: 1 }),
      run('d', {}, { x: 2, y: 3 })
    ];
    expect(
      scatterPoints(runs, 'metrics.x', 'metrics.y').points.map(p => p.runId)
    ).toEqual(['d']);
  });

  it('puts categorical x values on a category axis', () => {
    const runs = [
      run('a', { opt: 'sgd' }, { loss: 1 }),
      run('b', { opt: 'adam' }, { loss: 2 })
    ];
    const data = scatterPoints(runs, 'params.opt', 'metrics.loss.min');
    expect(data.xCategories).toEqual(['adam', 'sgd']);
    expect(data.points.map(p => p.x)).toEqual(['sgd', 'adam']);
  });

  it('notes axes for a log scale', () => {
    const runs = [
      run('a', { lr: 1e-5 }, { loss: 1 }),
      run('b', { lr: 1e-1 }, { loss: 2 })
    ];
    expect(scatterPoints(runs, 'params.lr', 'metrics.loss').xLog).toBe(true);
  });
});

describe('helpers', () => {
  it('writes category texts as the grammar compares params with strings', () => {
    expect(categoryText('a')).toBe('a');
    expect(categoryText(0.5)).toBe('0.5');
    expect(categoryText(true)).toBe('true');
    expect(categoryText({ a: 1 })).toBe('{"a":1}');
  });

  it('labels a run by name, else by the start of its id', () => {
    expect(runLabel(run('abcdefghijk', {}, {}, { name: 'x' }))).toBe('x');
    expect(runLabel(run('abcdefghijk', {}, {}, { name: '  ' }))).toBe(
      'abcdefgh'
    );
  });

  it('colours a metric from the gradient, low to high', () => {
    const [loss] = buildAxes(
      [run('a', {}, { loss: 0 }), run('b', {}, { loss: 10 })],
      ['metrics.loss']
    );
    expect(gradientColor(loss, 0)).toBe(GRADIENT[0]);
    expect(gradientColor(loss, 10)).toBe(GRADIENT[GRADIENT.length - 1]);
    expect(gradientColor(loss, Infinity)).toBe(GRADIENT[GRADIENT.length - 1]);
    expect(gradientColor(loss, 5)).toMatch(/^#[0-9a-f]{6}$/);
    expect(gradientColor(loss, null)).toBeNull();
    expect(gradientColor(loss, NaN)).toBeNull();
  });
});

describe('performance', () => {
  it('works out 1,000 runs × 10 axes and a brush quickly', () => {
    const runs: IRunSummary[] = [];
    for (let i = 0; i < 1000; i++) {
      const params: { [key: string]: unknown } = {};
      for (let p = 0; p < 9; p++) {
        params[`p${p}`] = p % 3 === 0 ? `c${i % 7}` : Math.sin(i * (p + 1));
      }
      runs.push(run(`run${i}`, params, { loss: i / 1000 }));
    }
    const ids = [...defaultAxes(runs, 10, 'metrics.loss')];
    expect(ids).toHaveLength(10);
    const start = Date.now();
    const axes = buildAxes(runs, ids);
    axisValues(runs, axes);
    const kept = brushKeeps(runs, axes, {
      'params.p1': [-0.5, 0.5],
      'params.p0': ['c1', 'c2', 'c3']
    });
    // Generous: a brush commit must fit well inside a frame budget.
    expect(Date.now() - start).toBeLessThan(500);
    expect(kept.size).toBeGreaterThan(0);
  });
});

describe('snapRange, again', () => {
  it('leaves a range already rounded as it is', () => {
    const [y] = buildAxes(
      [run('a', { y: 0.25 }), run('b', { y: 1.75 })],
      ['params.y']
    );
    const once = snapRange(y, [1.5123456, 1.612345]);
    expect(once).toEqual([1.512, 1.613]);
    expect(snapRange(y, once)).toEqual(once);
    const [lr] = buildAxes(
      [run('a', { lr: 0.0001 }), run('b', { lr: 0.1 })],
      ['params.lr']
    );
    const twice = snapRange(lr, snapRange(lr, [0.000123456, 0.0456789]));
    expect(twice).toEqual([0.000123, 0.0457]);
  });
});

describe('snapRange over many ranges', () => {
  it('widens or keeps, and is stable once rounded', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const axes = [
      buildAxes(
        [run('a', { y: -3.7 }), run('b', { y: 12.25 })],
        ['params.y']
      )[0],
      buildAxes(
        [run('a', { y: 1e-6 }), run('b', { y: 3e-2 })],
        ['params.y']
      )[0],
      buildAxes(
        [run('a', { y: 1200.5 }), run('b', { y: 987654 })],
        ['params.y']
      )[0]
    ];
    for (const axis of axes) {
      const { min, max } = numeric(axis);
      for (let i = 0; i < 500; i++) {
        const a = min + (max - min) * random();
        const b = min + (max - min) * random();
        const [lo, hi] = [Math.min(a, b), Math.max(a, b)];
        const snapped = snapRange(axis, [a, b]) as [number, number];
        expect(snapped[0]).toBeLessThanOrEqual(lo);
        expect(snapped[1]).toBeGreaterThanOrEqual(hi);
        expect(snapRange(axis, snapped)).toEqual(snapped);
      }
    }
  });
});
