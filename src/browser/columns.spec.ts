import { IRun, IRunSummary } from '../tokens';
import {
  columnHeader,
  columnId,
  columnLabel,
  columnValue,
  defaultColumns,
  formatCell,
  formatDate,
  isNumericColumn,
  normalizeColumnId,
  parseColumnId,
  quoteKey,
  tagsText
} from './columns';

function summary(overrides: Partial<IRunSummary> = {}): IRunSummary {
  return {
    id: 'r1',
    name: 'baseline',
    kind: 'notebook',
    status: 'finished',
    notebook_path: 'nb/train.ipynb',
    notebook_id: 'nb1',
    kernel_name: 'python3',
    user: 'ada',
    start_time: 1000,
    end_time: 1090,
    updated: 1090,
    tags: { stage: 'prod', draft: '' },
    notes: '',
    params: { lr: 0.01, opt: 'adam', layers: [64, 32], flag: true },
    metrics: {
      acc: {
        last: 0.9,
        last_step: 9,
        min: 0.5,
        min_step: 0,
        max: 0.95,
        max_step: 7,
        count: 10,
        cell_id: 'c1'
      },
      'val.loss': {
        last: NaN,
        last_step: 3,
        min: null,
        min_step: null,
        max: null,
        max_step: null,
        count: 4,
        cell_id: null
      }
    },
    starred: false,
    archived: false,
    deleted: null,
    ...overrides
  };
}

describe('column ids', () => {
  it('parses attributes, their aliases and MLflow spellings', () => {
    expect(parseColumnId('name')).toEqual({ kind: 'attribute', key: 'name' });
    expect(parseColumnId('star')).toEqual({
      kind: 'attribute',
      key: 'starred'
    });
    expect(parseColumnId('attributes.start_time')).toEqual({
      kind: 'attribute',
      key: 'started'
    });
    expect(parseColumnId('run_id')).toEqual({ kind: 'attribute', key: 'id' });
    expect(parseColumnId('STATUS')).toEqual({
      kind: 'attribute',
      key: 'status'
    });
    expect(parseColumnId('colour')).toBeNull();
    expect(parseColumnId('attributes.colour')).toBeNull();
  });

  it('parses params, tags and metric summaries (bare metric = last)', () => {
    expect(parseColumnId('params.lr')).toEqual({ kind: 'params', key: 'lr' });
    expect(parseColumnId('tags.stage')).toEqual({
      kind: 'tags',
      key: 'stage'
    });
    expect(parseColumnId('metrics.acc')).toEqual({
      kind: 'metrics',
      key: 'acc',
      summary: 'last'
    });
    for (const s of ['last', 'min', 'max', 'count']) {
      expect(parseColumnId(`metrics.acc.${s}`)).toEqual({
        kind: 'metrics',
        key: 'acc',
        summary: s
      });
    }
    // A metric named like a summary is a key, not a summary.
    expect(parseColumnId('metrics.max')).toEqual({
      kind: 'metrics',
      key: 'max',
      summary: 'last'
    });
    // As the grammar reads them: unquoted dots belong to the key.
    expect(parseColumnId('metrics.acc.mean')).toEqual({
      kind: 'metrics',
      key: 'acc.mean',
      summary: 'last'
    });
    expect(parseColumnId('metrics.val.acc.max')).toEqual({
      kind: 'metrics',
      key: 'val.acc',
      summary: 'max'
    });
    expect(parseColumnId('metrics.acc.`max`')).toEqual({
      kind: 'metrics',
      key: 'acc.max',
      summary: 'last'
    });
    expect(parseColumnId('params.a.b')).toEqual({ kind: 'params', key: 'a.b' });
    expect(parseColumnId('tags."mlflow.user"')).toEqual({
      kind: 'attribute',
      key: 'user'
    });
    expect(parseColumnId('params.')).toBeNull();
    expect(parseColumnId('colour.x')).toBeNull();
  });

  it('reads keys quoted with backticks or double quotes', () => {
    expect(parseColumnId('params.`a.b`')).toEqual({
      kind: 'params',
      key: 'a.b'
    });
    expect(parseColumnId('params."learning rate"')).toEqual({
      kind: 'params',
      key: 'learning rate'
    });
    expect(parseColumnId('metrics.`val.loss`.max')).toEqual({
      kind: 'metrics',
      key: 'val.loss',
      summary: 'max'
    });
    expect(parseColumnId('params.`a``b`')).toEqual({
      kind: 'params',
      key: 'a`b'
    });
    expect(parseColumnId('params."a\\"b\\\\c"')).toEqual({
      kind: 'params',
      key: 'a"b\\c'
    });
    expect(parseColumnId('params.`a\\`')).toEqual({
      kind: 'params',
      key: 'a\\'
    });
    expect(parseColumnId('params.`open')).toBeNull();
    expect(parseColumnId('params.`a`b')).toBeNull();
    expect(parseColumnId('params.a b')).toBeNull();
    expect(parseColumnId('data.`/tmp/x.csv`')).toBeNull();
    expect(parseColumnId('data.`/tmp/x.csv`.sha256')).toEqual({
      kind: 'data',
      key: '/tmp/x.csv'
    });
    expect(parseColumnId('env.numpy')).toEqual({ kind: 'env', key: 'numpy' });
  });

  it('quotes keys only when they are not plain words', () => {
    expect(quoteKey('lr')).toBe('lr');
    expect(quoteKey('_x9')).toBe('_x9');
    expect(quoteKey('a.b')).toBe('`a.b`');
    expect(quoteKey('learning rate')).toBe('`learning rate`');
    expect(quoteKey('drop-out')).toBe('`drop-out`');
    expect(quoteKey('9lives')).toBe('`9lives`');
    expect(quoteKey('a`b')).toBe('`a``b`');
    expect(quoteKey('')).toBe('``');
  });

  it('builds canonical ids that parse back to the same key', () => {
    expect(columnId('params', 'a.b')).toBe('params.`a.b`');
    expect(columnId('metrics', 'acc')).toBe('metrics.acc');
    expect(columnId('metrics', 'acc', 'last')).toBe('metrics.acc');
    expect(columnId('metrics', 'val loss', 'max')).toBe(
      'metrics.`val loss`.max'
    );
    expect(columnId('attribute', 'star')).toBe('starred');
    expect(columnId('data', 'x.csv')).toBe('data.`x.csv`.sha256');
    const keys = ['lr', 'a.b', 'a b', 'x-y', 'a`b', '`', 'é', '1', 'max'];
    for (const key of keys) {
      for (const kind of ['params', 'tags', 'env'] as const) {
        expect(parseColumnId(columnId(kind, key))).toEqual({ kind, key });
      }
      for (const s of ['last', 'min', 'max', 'count'] as const) {
        expect(parseColumnId(columnId('metrics', key, s))).toEqual({
          kind: 'metrics',
          key,
          summary: s
        });
      }
    }
  });

  it('normalizes equivalent spellings to one id', () => {
    expect(normalizeColumnId('metrics.acc.last')).toBe('metrics.acc');
    expect(normalizeColumnId('params."lr"')).toBe('params.lr');
    expect(normalizeColumnId('params."a.b"')).toBe('params.`a.b`');
    expect(normalizeColumnId('attributes.status')).toBe('status');
    expect(normalizeColumnId('metric.acc.MAX')).toBe('metrics.acc.max');
    expect(normalizeColumnId('nope')).toBeNull();
  });
});

describe('columnValue', () => {
  const run = summary();

  it('reads attributes', () => {
    expect(columnValue(run, 'name')).toBe('baseline');
    expect(columnValue(run, 'notebook')).toBe('nb/train.ipynb');
    expect(columnValue(run, 'kind')).toBe('notebook');
    expect(columnValue(run, 'status')).toBe('finished');
    expect(columnValue(run, 'started')).toBe(1000);
    expect(columnValue(run, 'ended')).toBe(1090);
    expect(columnValue(run, 'duration')).toBe(90);
    expect(columnValue(run, 'user')).toBe('ada');
    expect(columnValue(run, 'id')).toBe('r1');
    expect(columnValue(run, 'tags')).toBe('draft, stage=prod');
  });

  it('reads star, archive and verdict, absent from older summaries', () => {
    expect(columnValue(run, 'starred')).toBe(false);
    expect(columnValue(run, 'archived')).toBe(false);
    expect(columnValue(run, 'verdict')).toBeNull();
    const flagged = {
      ...run,
      starred: true,
      archived: true,
      verdict: 'passed'
    };
    expect(columnValue(flagged, 'star')).toBe(true);
    expect(columnValue(flagged, 'archived')).toBe(true);
    expect(columnValue(flagged, 'verdict')).toBe('passed');
  });

  it('measures a running run up to now', () => {
    const running = summary({ status: 'running', end_time: null });
    expect(columnValue(running, 'duration', 1500)).toBe(500);
    expect(columnValue(running, 'ended')).toBeNull();
    expect(columnValue(running, 'duration', 500)).toBe(0);
  });

  it('reads params with their types, lists as JSON', () => {
    expect(columnValue(run, 'params.lr')).toBe(0.01);
    expect(columnValue(run, 'params.opt')).toBe('adam');
    expect(columnValue(run, 'params.flag')).toBe(true);
    expect(columnValue(run, 'params.layers')).toBe('[64,32]');
    expect(columnValue(run, 'params.missing')).toBeNull();
    expect(columnValue(summary({ params: { x: null } }), 'params.x')).toBe(
      null
    );
  });

  it('reads metric summaries, keeping NaN', () => {
    expect(columnValue(run, 'metrics.acc')).toBe(0.9);
    expect(columnValue(run, 'metrics.acc.min')).toBe(0.5);
    expect(columnValue(run, 'metrics.acc.max')).toBe(0.95);
    expect(columnValue(run, 'metrics.acc.count')).toBe(10);
    expect(columnValue(run, 'metrics.`val.loss`')).toBeNaN();
    expect(columnValue(run, 'metrics.`val.loss`.max')).toBeNull();
    expect(columnValue(run, 'metrics.nope')).toBeNull();
  });

  it('reads tags, an empty tag being set', () => {
    expect(columnValue(run, 'tags.stage')).toBe('prod');
    expect(columnValue(run, 'tags.draft')).toBe('');
    expect(columnValue(run, 'tags.nope')).toBeNull();
    // Keys are data: an inherited property name is not a tag.
    expect(columnValue(run, 'tags.constructor')).toBeNull();
  });

  it('reads env and data from a full run, null from a summary', () => {
    const full: IRun = {
      ...run,
      param_cells: {},
      images: [],
      data: [
        {
          path: 'd/train.csv',
          sha256: 'abc',
          size: 1,
          file_count: 1,
          timestamp: 0,
          cell_id: null
        }
      ],
      environment: { packages: { numpy: '2.1.0' } },
      executions: []
    };
    expect(columnValue(full, 'env.numpy')).toBe('2.1.0');
    expect(columnValue(full, 'env.pandas')).toBeNull();
    expect(columnValue(full, 'data.`d/train.csv`.sha256')).toBe('abc');
    expect(columnValue(run, 'env.numpy')).toBeNull();
  });

  it('answers null for an id it does not know', () => {
    expect(columnValue(run, 'colour')).toBeNull();
  });
});

describe('labels', () => {
  it('names columns as the filter box does', () => {
    expect(columnLabel('starred')).toBe('Star');
    expect(columnLabel('id')).toBe('Run ID');
    expect(columnLabel('params.`a.b`')).toBe('params.a.b');
    expect(columnLabel('metrics.acc')).toBe('metrics.acc');
    expect(columnLabel('metrics.acc.last')).toBe('metrics.acc');
    expect(columnLabel('metrics.acc.max')).toBe('metrics.acc.max');
    expect(columnLabel('tags.stage')).toBe('tags.stage');
    expect(columnLabel('bogus id')).toBe('bogus id');
  });

  it('splits headers into a group and a text', () => {
    expect(columnHeader('params.lr')).toEqual({ group: 'params', text: 'lr' });
    expect(columnHeader('metrics.acc.count')).toEqual({
      group: 'metrics',
      text: 'acc (count)'
    });
    expect(columnHeader('status')).toEqual({ group: '', text: 'Status' });
  });
});

describe('isNumericColumn', () => {
  it('knows metrics and times are numbers, text attributes are not', () => {
    expect(isNumericColumn('metrics.acc')).toBe(true);
    expect(isNumericColumn('metrics.acc.count')).toBe(true);
    expect(isNumericColumn('duration')).toBe(true);
    expect(isNumericColumn('started')).toBe(true);
    expect(isNumericColumn('name')).toBe(false);
    expect(isNumericColumn('tags.stage')).toBe(false);
    expect(isNumericColumn('nope')).toBe(false);
  });

  it('judges a param by the runs that have it', () => {
    const runs = [
      summary({ params: { lr: 0.1, opt: 'sgd' } }),
      summary({ params: { lr: 1, opt: 'adam', mixed: 1 } }),
      summary({ params: { mixed: 'a' } })
    ];
    expect(isNumericColumn('params.lr', runs)).toBe(true);
    expect(isNumericColumn('params.opt', runs)).toBe(false);
    expect(isNumericColumn('params.mixed', runs)).toBe(false);
    expect(isNumericColumn('params.absent', runs)).toBe(false);
    expect(isNumericColumn('params.lr')).toBe(false);
  });
});

describe('formatCell', () => {
  it('formats numbers as the sidebar does, NaN and infinities as such', () => {
    expect(formatCell(0.123456789, 'metrics.acc')).toBe('0.12346');
    expect(formatCell(NaN, 'metrics.acc')).toBe('NaN');
    expect(formatCell(Infinity, 'metrics.acc')).toBe('∞');
    expect(formatCell(-Infinity, 'metrics.acc.min')).toBe('-∞');
    expect(formatCell(12, 'metrics.acc.count')).toBe('12');
  });

  it('shows params exactly as logged', () => {
    expect(formatCell(0.000123456789, 'params.lr')).toBe('0.000123456789');
    expect(formatCell(NaN, 'params.lr')).toBe('NaN');
    expect(formatCell(true, 'params.flag')).toBe('true');
    expect(formatCell('adam', 'params.opt')).toBe('adam');
  });

  it('formats times, durations, stars and empties', () => {
    expect(formatCell(null, 'metrics.acc')).toBe('');
    expect(formatCell(undefined, 'name')).toBe('');
    expect(formatCell(90, 'duration')).toBe('1 min 30 s');
    expect(formatCell(0.25, 'duration')).toBe('250 ms');
    expect(formatCell(true, 'starred')).toBe('★');
    expect(formatCell(false, 'starred')).toBe('');
    const t = new Date(2024, 0, 2, 3, 4, 5).getTime() / 1000;
    expect(formatCell(t, 'started')).toBe('2024-01-02 03:04:05');
    expect(formatDate(NaN)).toBe('NaN');
    expect(formatCell({ a: 1 }, 'params.x')).toBe('{"a":1}');
  });

  it('writes tags by key', () => {
    expect(tagsText({ b: '2', a: '' })).toBe('a, b=2');
    expect(tagsText({})).toBe('');
  });
});

describe('defaultColumns', () => {
  it('shows the attributes, then every param and metric, star and name pinned', () => {
    const columns = defaultColumns({
      params: ['lr', 'a.b'],
      metrics: ['acc']
    });
    expect(columns.map(c => c.id)).toEqual([
      'starred',
      'name',
      'notebook',
      'kind',
      'status',
      'started',
      'duration',
      'user',
      'tags',
      'verdict',
      'params.lr',
      'params.`a.b`',
      'metrics.acc'
    ]);
    expect(columns.filter(c => c.pinned).map(c => c.id)).toEqual([
      'starred',
      'name'
    ]);
    for (const column of columns) {
      expect(parseColumnId(column.id)).not.toBeNull();
    }
  });
});
