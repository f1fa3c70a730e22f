import { IRunSummary } from '../tokens';
import { csvText, frameColumn, pandasSnippet, pyStr, toCsv } from './export';
import { emptyViewState, IViewState } from './viewState';

function run(overrides: Partial<IRunSummary> = {}): IRunSummary {
  return {
    id: 'r1',
    name: 'baseline',
    kind: 'notebook',
    status: 'finished',
    notebook_path: 'train.ipynb',
    notebook_id: 'nb1',
    kernel_name: null,
    user: 'ada',
    start_time: 1000.5,
    end_time: 1100,
    updated: 1100,
    tags: {},
    notes: '',
    params: {},
    metrics: {},
    starred: false,
    archived: false,
    deleted: null,
    ...overrides
  };
}

function metric(last: number, max: number | null = last) {
  return {
    last,
    last_step: 0,
    min: last,
    min_step: 0,
    max,
    max_step: 0,
    count: 3,
    cell_id: null
  };
}

/** RFC 4180 parser, to read back what toCsv wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (ch === '"') {
        quoted = false;
        i++;
      } else {
        field += ch;
        i++;
      }
    } else if (ch === '"') {
      quoted = true;
      i++;
    } else if (ch === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else {
      field += ch;
      i++;
    }
  }
  expect(field).toBe('');
  expect(row).toEqual([]);
  return rows;
}

describe('toCsv', () => {
  it('writes a header of labels and one line per run, CRLF-terminated', () => {
    const csv = toCsv(
      [
        run({ params: { lr: 0.1 }, metrics: { acc: metric(0.9, 0.95) } }),
        run({ id: 'r2', name: null, end_time: null, status: 'running' })
      ],
      ['id', 'name', 'status', 'params.lr', 'metrics.acc', 'metrics.acc.max'],
      { now: 2000 }
    );
    expect(csv).toBe(
      'Run ID,Name,Status,params.lr,metrics.acc,metrics.acc.max\r\n' +
        'r1,baseline,finished,0.1,0.9,0.95\r\n' +
        'r2,,running,,,\r\n'
    );
  });

  it('keeps full precision and writes NaN and infinities as pandas reads them', () => {
    const csv = toCsv(
      [
        run({
          params: { lr: 0.1 + 0.2, big: 1e21, tiny: 1e-7 },
          metrics: { a: metric(NaN), b: metric(Infinity), c: metric(-Infinity) }
        })
      ],
      [
        'params.lr',
        'params.big',
        'params.tiny',
        'metrics.a',
        'metrics.b',
        'metrics.c',
        'started',
        'duration'
      ]
    );
    expect(parseCsv(csv)[1]).toEqual([
      '0.30000000000000004',
      '1e+21',
      '1e-7',
      'NaN',
      'Infinity',
      '-Infinity',
      '1000.5',
      '99.5'
    ]);
  });

  it('measures a running run up to now', () => {
    const csv = toCsv([run({ end_time: null })], ['duration'], { now: 1500.5 });
    expect(parseCsv(csv)[1]).toEqual(['500']);
  });

  it('quotes commas, quotes and line breaks (RFC 4180)', () => {
    const runs = [
      run({
        name: 'a, "b"\nc',
        tags: { note: 'x\r\ny' },
        params: { list: [1, 2] }
      })
    ];
    const csv = toCsv(runs, ['name', 'tags.note', 'params.list', 'tags']);
    expect(csv.split('\r\n')[1]).toBe('"a, ""b""\nc","x');
    expect(parseCsv(csv)).toEqual([
      ['Name', 'tags.note', 'params.list', 'Tags'],
      ['a, "b"\nc', 'x\r\ny', '[1,2]', 'note=x\r\ny']
    ]);
  });

  it("prefixes user text a spreadsheet would run as a formula with '", () => {
    const runs = [
      run({
        name: '=HYPERLINK("http://x","y")',
        user: '@SUM(1)',
        tags: { a: '+1', b: '-cmd', c: '\tx', d: 'safe=1' },
        params: { neg: -0.5, text: '-2' }
      })
    ];
    const ids = [
      'name',
      'user',
      'tags.a',
      'tags.b',
      'tags.c',
      'tags.d',
      'params.neg',
      'params.text'
    ];
    expect(parseCsv(toCsv(runs, ids))[1]).toEqual([
      '\'=HYPERLINK("http://x","y")',
      "'@SUM(1)",
      "'+1",
      "'-cmd",
      "'\tx",
      'safe=1',
      '-0.5',
      "'-2"
    ]);
    expect(parseCsv(toCsv(runs, ids, { guardFormulas: false }))[1][0]).toBe(
      '=HYPERLINK("http://x","y")'
    );
  });

  it('quotes header labels too: keys are user text', () => {
    expect(toCsv([], ['params.`a,"b"`', 'params.`=cmd`'])).toBe(
      '"params.a,""b""",params.=cmd\r\n'
    );
  });

  it('writes booleans and empty tags', () => {
    const csv = toCsv(
      [
        run({
          params: { flag: false },
          tags: { draft: '' },
          starred: true
        } as any)
      ],
      ['starred', 'params.flag', 'tags.draft', 'tags.none']
    );
    expect(parseCsv(csv)[1]).toEqual(['true', 'false', '', '']);
  });

  it('quotes a field only when it must', () => {
    expect(csvText('plain')).toBe('plain');
    expect(csvText('')).toBe('');
    expect(csvText('a"b')).toBe('"a""b"');
    expect(csvText('=1,2')).toBe('"\'=1,2"');
  });
});

describe('pyStr', () => {
  // Expected values are Python's own repr() of the same strings.
  it.each([
    ['abc', "'abc'"],
    ['', "''"],
    ["it's", '"it\'s"'],
    ['say "hi"', '\'say "hi"\''],
    ['both \' and "', "'both \\' and \"'"],
    ['back\\slash', "'back\\\\slash'"],
    ['line\nbreak\r\ttab', "'line\\nbreak\\r\\ttab'"],
    ['nul\u0000bell\u0007del\u007f', "'nul\\x00bell\\x07del\\x7f'"],
    ['nbsp\u00a0c1\u0085', "'nbsp\\xa0c1\\x85'"],
    ['sep\u2028para\u2029', "'sep\\u2028para\\u2029'"],
    ['é ü 日本 😀', "'é ü 日本 😀'"],
    ['lone \ud800 low \udc00', "'lone \\ud800 low \\udc00'"],
    [
      'metrics.acc > 0.9 AND tags.`a\'b` = "x\\y"',
      "'metrics.acc > 0.9 AND tags.`a\\'b` = \"x\\\\y\"'"
    ]
  ])('writes %j as Python does', (text, expected) => {
    expect(pyStr(text)).toBe(expected);
  });
});

describe('frameColumn', () => {
  it("names the search_runs DataFrame's columns", () => {
    expect(frameColumn('id')).toBe('run_id');
    expect(frameColumn('name')).toBe('name');
    expect(frameColumn('status')).toBe('status');
    expect(frameColumn('started')).toBe('start_time');
    expect(frameColumn('attributes.end_time')).toBe('end_time');
    expect(frameColumn('params.`a.b`')).toBe('params.a.b');
    expect(frameColumn('metrics.acc')).toBe('metrics.acc');
    expect(frameColumn('metrics.acc.last')).toBe('metrics.acc');
    expect(frameColumn('tags.stage')).toBe('tags.stage');
  });

  it('answers null for what the frame does not hold', () => {
    for (const id of [
      'metrics.acc.max',
      'kind',
      'notebook',
      'user',
      'starred',
      'verdict',
      'tags',
      'duration',
      'env.numpy',
      'bogus'
    ]) {
      expect(frameColumn(id)).toBeNull();
    }
  });
});

describe('pandasSnippet', () => {
  function view(overrides: Partial<IViewState>): IViewState {
    return { ...emptyViewState(), ...overrides };
  }

  it('asks search_runs for the view and keeps its visible columns', () => {
    const snippet = pandasSnippet(
      view({
        filter: "params.lr > 0.01 AND tags.stage = 'prod'",
        orderBy: [
          { key: 'metrics.acc.max', descending: true },
          { key: 'params.`a.b`', descending: false }
        ],
        columns: [
          { id: 'starred' },
          { id: 'name', pinned: true },
          { id: 'params.lr' },
          { id: 'params.hidden', hidden: true },
          { id: 'metrics.acc' },
          { id: 'metrics.acc.max' },
          { id: 'params.`a.b`' }
        ]
      }),
      { maxResults: 250 }
    );
    expect(snippet).toBe(
      [
        'import jupyterlab_experiments as jx',
        '',
        'df = jx.search_runs(',
        '    filter_string="params.lr > 0.01 AND tags.stage = \'prod\'",',
        "    order_by=['metrics.acc.max DESC', 'params.`a.b` ASC'],",
        '    max_results=250,',
        ')',
        "df = df.reindex(columns=['name', 'params.lr', 'metrics.acc', 'params.a.b'])",
        "# Not in search_runs' DataFrame: starred, metrics.acc.max",
        ''
      ].join('\n')
    );
  });

  it('passes None for an empty filter or order, and 1000 runs by default', () => {
    const snippet = pandasSnippet(view({ filter: '  ', orderBy: [] }));
    expect(snippet).toContain('filter_string=None,');
    expect(snippet).toContain('order_by=None,');
    expect(snippet).toContain('max_results=1000,');
    expect(snippet).not.toContain('reindex');
  });

  it('escapes the filter so Python reads the same text', () => {
    const snippet = pandasSnippet(
      view({ filter: 'name = "a\\b"\nOR name = \'c\'' })
    );
    expect(snippet).toContain(
      "filter_string='name = \"a\\\\b\"\\nOR name = \\'c\\'',"
    );
    // The filter is one line of Python whatever it holds.
    expect(snippet.split('\n')[3]).toMatch(/^ {4}filter_string=.*,$/);
  });

  it('derives the duration and keeps a comment on one line', () => {
    const snippet = pandasSnippet(
      view({
        columns: [{ id: 'duration' }, { id: 'env.`evil\nimport os`' }]
      })
    );
    expect(snippet).toContain(
      'df["duration"] = (df["end_time"] - df["start_time"]).dt.total_seconds()'
    );
    expect(snippet).toContain("df = df.reindex(columns=['duration'])");
    expect(snippet).toContain(
      "# Not in search_runs' DataFrame: env.`evil import os`"
    );
    expect(snippet).not.toMatch(/^import os/m);
  });

  it('groups by a frame column, aggregating the metrics', () => {
    const snippet = pandasSnippet(
      view({
        groupBy: 'params.opt',
        columns: [
          { id: 'name' },
          { id: 'params.lr' },
          { id: 'metrics.acc' },
          { id: 'duration' }
        ]
      })
    );
    expect(snippet).toContain(
      "df = df.reindex(columns=['params.opt', 'name', 'params.lr', 'metrics.acc', 'duration'])"
    );
    expect(snippet).toContain(
      "groups = df.groupby('params.opt', dropna=False)[['metrics.acc', 'duration']]" +
        '.agg(["count", "mean", "std", "min", "max"])'
    );
  });

  it('counts groups when no metric is shown, and says when it cannot group', () => {
    expect(
      pandasSnippet(view({ groupBy: 'status', columns: [{ id: 'name' }] }))
    ).toContain("groups = df.groupby('status', dropna=False).size()");
    expect(
      pandasSnippet(view({ groupBy: 'kind', columns: [{ id: 'name' }] }))
    ).toContain('# Grouped by kind, not in the DataFrame');
  });
});
