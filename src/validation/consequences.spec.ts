/// <reference types="node" />
import type { ICodeCell, IError } from '@jupyterlab/nbformat';

import { readReference } from '../testing/reference';
import {
  attributeFailures,
  definedNames,
  ICellOutcome,
  undefinedName
} from './consequences';

const names = (source: string) => Array.from(definedNames(source)).sort();

describe('definedNames', () => {
  it.each([
    ['x = 1', ['x']],
    ['x: int = 1\ny: str', ['x']],
    ['a, (b, *c) = f()\n[d, e] = g()', ['a', 'b', 'c', 'd', 'e']],
    ['a = b = 0', ['a', 'b']],
    ['x += 1\nx == 2\nobj.attr = 3\nd["k"] = 4', []],
    ['f = lambda n=1: n\nprint(sep="")', ['f']],
    ['if (n := len(data)) > 3: big = True', ['big', 'n']],
    ['import numpy as np, os.path\nimport pandas', ['np', 'os', 'pandas']],
    [
      'from sklearn.model_selection import (\n  train_test_split as tts,\n  KFold,\n)',
      ['KFold', 'tts']
    ],
    ['from .helpers import load\nfrom m import *', ['load']],
    [
      'for i, (k, v) in enumerate(d.items()):\n    total = v',
      ['i', 'k', 'total', 'v']
    ],
    [
      'with open(p) as fh, lock:\n    pass\nwith (a() as x, b() as y):\n    pass',
      ['fh', 'x', 'y']
    ],
    [
      '@cache\ndef load(path):\n    local = 1\n    return local\nafter = 2',
      ['after', 'load']
    ],
    ['class Model(Base):\n    size = 3\n    def fit(self): pass', ['Model']],
    ['async def fetch():\n    pass', ['fetch']],
    ['s = "y = 1  # x = 2"\n# z = 3\nt = """\nw = 4\n"""', ['s', 't']],
    ['total = (1 +\n   2)\nwidth = \\\n  3', ['total', 'width']],
    ['%matplotlib inline\nfiles = !ls\n!pip install x', ['files']],
    ['%%capture captured\nresult = run()', ['captured', 'result']],
    ['%%bash\nx=1', []],
    [
      'try:\n    import ujson as json\nexcept ImportError:\n    import json',
      ['json']
    ],
    ['α = 1', ['α']]
  ])('finds the names %j binds', (source, expected) => {
    expect(names(source)).toEqual(expected);
  });
});

describe('undefinedName', () => {
  it('reads the name from a NameError only', () => {
    expect(undefinedName('NameError', "name 'df' is not defined")).toBe('df');
    expect(
      undefinedName(
        'NameError',
        "name 'dff' is not defined. Did you mean: 'df'?"
      )
    ).toBe('dff');
    expect(undefinedName('KeyError', "name 'df' is not defined")).toBeNull();
    expect(undefinedName('NameError', null)).toBeNull();
  });
});

describe('attributeFailures', () => {
  const ok = (source: string): ICellOutcome => ({ status: 'passed', source });
  const failed = (source: string, errorName: string, errorValue: string) => ({
    status: 'failed' as const,
    source,
    errorName,
    errorValue
  });
  const nameError = (source: string, name: string) =>
    failed(source, 'NameError', `name '${name}' is not defined`);

  it('traces a cascade back to the first failure', () => {
    const outcomes: ICellOutcome[] = [
      failed(
        'import pandas as pd',
        'ModuleNotFoundError',
        "No module named 'pandas'"
      ),
      nameError("df = pd.read_csv('data.csv')", 'pd'),
      ok('print("unrelated")'),
      nameError('clean = df.dropna()', 'df'),
      nameError('clean.describe()', 'clean')
    ];
    expect(
      attributeFailures(outcomes).map(a => [
        a.cellIndex,
        a.role,
        a.causeIndex,
        a.rootCauseIndex
      ])
    ).toEqual([
      [0, 'root-cause', null, 0],
      [1, 'consequence', 0, 0],
      [3, 'consequence', 1, 0],
      [4, 'consequence', 3, 0]
    ]);
    expect(attributeFailures(outcomes)[2].message).toBe(
      "NameError: 'df' is assigned in cell 2, which failed."
    );
  });

  it('keeps unrelated later failures independent', () => {
    const attributions = attributeFailures([
      failed('x = 1 / 0', 'ZeroDivisionError', 'division by zero'),
      failed('open("missing.csv")', 'FileNotFoundError', 'No such file'),
      nameError('print(y)', 'y')
    ]);
    expect(attributions.map(a => [a.cellIndex, a.role])).toEqual([
      [0, 'root-cause'],
      [1, 'independent'],
      [2, 'independent']
    ]);
  });

  it('does not blame a failed cell when a cell that ran defines the name too', () => {
    const attributions = attributeFailures([
      ok('model = None'),
      failed('model = train()', 'ValueError', 'bad input'),
      nameError('model.score()', 'model')
    ]);
    expect(attributions.map(a => a.role)).toEqual([
      'root-cause',
      'independent'
    ]);
  });

  it('does not count names bound only inside a function body', () => {
    const attributions = attributeFailures([
      failed(
        'def setup():\n    config = {}\nsetup(1)',
        'TypeError',
        'too many'
      ),
      nameError('config["a"]', 'config')
    ]);
    expect(attributions.map(a => a.role)).toEqual([
      'root-cause',
      'independent'
    ]);
  });

  it('blames a skipped or unreached cell, and names it', () => {
    const attributions = attributeFailures([
      { status: 'skipped', source: '# NBVAL_SKIP\ndata = download()' },
      { status: 'not-run', source: 'weights = load()' },
      nameError('data.head()', 'data'),
      nameError('weights.sum()', 'weights'),
      failed('1 / 0', 'ZeroDivisionError', 'division by zero')
    ]);
    expect(
      attributions.map(a => [a.cellIndex, a.role, a.causeIndex, a.message])
    ).toEqual([
      [
        2,
        'consequence',
        0,
        "NameError: 'data' is assigned in cell 1, which was skipped."
      ],
      [
        3,
        'consequence',
        1,
        "NameError: 'weights' is assigned in cell 2, which was not reached."
      ],
      [4, 'root-cause', null, 'First failure of the run.']
    ]);
  });

  it('reads the NameError of a real saved output (test-exceptions-fail-storedmismatch)', () => {
    const cell = readReference(
      'nbval/ipynb-test-samples/test-exceptions-fail-storedmismatch.ipynb'
    ).cells[0] as ICodeCell;
    const error = cell.outputs[0] as IError;
    const attributions = attributeFailures([
      failed('a = compute()', 'RuntimeError', 'Foo'),
      {
        status: 'failed',
        source: (cell.source as string[]).join(''),
        errorName: error.ename,
        errorValue: error.evalue
      }
    ]);
    expect(attributions[1]).toMatchObject({
      role: 'consequence',
      causeIndex: 0,
      name: 'a'
    });
  });
});
