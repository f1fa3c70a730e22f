/// <reference types="node" />
import type { ICodeCell, IError, IOutput } from '@jupyterlab/nbformat';

import { readReference } from '../testing/reference';
import {
  canonicalOutputs,
  checkSanitizers,
  collapseTerminal,
  compileSanitizers,
  RuleIDs,
  sanitizeText,
  SanitizerError,
  stripAnsi,
  textRules
} from './sanitize';

function outputs(name: string, index: number): IOutput[] {
  return (readReference(name).cells[index] as ICodeCell).outputs;
}

const DEFAULTS = textRules();

/** The text after the default rules, and the rules that changed it. */
function clean(text: string, stream = false) {
  return sanitizeText(text, DEFAULTS, stream);
}

describe('collapseTerminal', () => {
  it('shows the last state of a tqdm bar redrawn with carriage returns', () => {
    const bar =
      '\r  0%|          | 0/3 [00:00<?, ?it/s]' +
      '\r 33%|███▎      | 1/3 [00:00<00:01,  1.96it/s]' +
      '\r100%|██████████| 3/3 [00:01<00:00,  1.97it/s]' +
      '\r100%|██████████| 3/3 [00:01<00:00,  1.97it/s]\n';
    expect(collapseTerminal(bar)).toBe(
      '100%|██████████| 3/3 [00:01<00:00,  1.97it/s]\n'
    );
  });

  it('overwrites only as many columns as are written again', () => {
    expect(collapseTerminal('loading...\rdone\n')).toBe('doneing...\n');
    expect(collapseTerminal('ab\bc\n')).toBe('ac\n');
    expect(collapseTerminal('a\r\nb')).toBe('a\nb');
  });
});

describe('stripAnsi', () => {
  it('leaves the text of a coloured traceback line', () => {
    const error = outputs('nbclient/Error.ipynb', 0)[0] as IError;
    expect(stripAnsi(error.traceback[3])).toBe(
      'ZeroDivisionError: division by zero'
    );
  });
});

describe('default text rules', () => {
  it('masks memory addresses in reprs, not short hex numbers', () => {
    const saved = outputs('nbval/sample_notebook.ipynb', 12)[0] as any;
    expect(clean(saved.data['text/plain'].join(''))).toEqual({
      text: '<matplotlib.legend.Legend at 0x<ADDRESS>>',
      fired: [RuleIDs.memoryAddress]
    });
    expect(clean('<object at 0x000001D2C3B4A5E0>').text).toBe(
      '<object at 0x<ADDRESS>>'
    );
    expect(clean("hex(255) == '0xff'").fired).toEqual([]);
  });

  it('masks the dates and times nbval sample cells print', () => {
    const cell11 = outputs('nbval/sample_notebook.ipynb', 11)[0] as any;
    expect(clean(cell11.data['text/plain'].join(''))).toEqual({
      text: "'Last executed: <DATE>, <TIME>'",
      fired: [RuleIDs.isoDateTime, RuleIDs.clockTime]
    });
    const cell5 = outputs('nbval/sample_notebook.ipynb', 5)[0] as any;
    expect(clean(cell5.data['text/plain'].join(''))).toEqual({
      text: 'datetime.datetime(<DATETIME>)',
      fired: [RuleIDs.datetimeRepr]
    });
  });

  it.each([
    ["Timestamp('2024-03-05 14:07:59.123456')", "Timestamp('<DATETIME>')"],
    ['at 2024-03-05T14:07:59Z', 'at <DATETIME>'],
    ['at 2024-03-05T14:07:59+01:00.', 'at <DATETIME>.'],
    [
      'datetime.datetime(2024, 3, 5, 14, 7, tzinfo=datetime.timezone.utc)',
      'datetime.datetime(<DATETIME>)'
    ],
    ['on 05/03/2024 and 5.3.2024', 'on <DATE> and <DATE>'],
    ['on Mar 5, 2024 or 5th March 2024', 'on <DATE> or <DATE>'],
    ['Tue Mar  5 14:07:59 2024', '<DATETIME>'],
    ['Date: Tue, 05 Mar 2024 14:07:59 GMT', 'Date: Tue, <DATE> <TIME> GMT'],
    ['started 9:05:03 PM', 'started <TIME>']
  ])('masks the date or time in %j', (text, expected) => {
    expect(clean(text).text).toBe(expected);
  });

  it.each([
    'May 5 people came',
    'ratio 3:4 in row 12',
    'version 1.2.3',
    'x[1:20]'
  ])('leaves %j alone', text => {
    expect(clean(text).fired).toEqual([]);
  });

  it('masks %time and %timeit reports', () => {
    const time = 'CPU times: user 1.2 ms, sys: 0 ns, total: 1.2 ms\n';
    const wall = 'Wall time: 2.31 ms\n';
    const timeit =
      'The slowest run took 5.43 times longer than the fastest. This could mean that an intermediate result is being cached.\n' +
      '271 ns ± 12.3 ns per loop (mean ± std. dev. of 7 runs, 1,000,000 loops each)\n';
    expect(clean(time + wall + '42\n', true)).toEqual({
      text: 'CPU times: <TIMING>\nWall time: <TIMING>\n42\n',
      fired: [RuleIDs.timingOutput]
    });
    expect(clean(timeit).text).toBe('<TIMEIT>\n');
  });

  it('masks temporary paths on Linux, macOS and Windows', () => {
    expect(
      clean(
        "FileNotFoundError: [Errno 2] No such file or directory: '/tmp/tmpk3j2x9/data.csv'"
      ).text
    ).toBe(
      "FileNotFoundError: [Errno 2] No such file or directory: '<TEMP-PATH>'"
    );
    expect(
      clean('/private/var/folders/7x/k2_9s3/T/ipykernel_553/12.py:3').text
    ).toBe('<TEMP-PATH>:3');
    expect(
      clean(
        "PosixPath('C:\\\\Users\\\\ada\\\\AppData\\\\Local\\\\Temp\\\\tmpa1\\\\out.png')"
      ).text
    ).toBe("PosixPath('<TEMP-PATH>')");
    expect(clean('C:\\Users\\ada\\AppData\\Local\\Temp\\x.txt').text).toBe(
      '<TEMP-PATH>'
    );
    expect(clean('/home/ada/tmp/data.csv').fired).toEqual([]);
  });

  it('masks UUIDs', () => {
    expect(clean("UUID('0b8a2f6e-3c1d-4e5f-9a7b-1c2d3e4f5a6b')")).toEqual({
      text: "UUID('<UUID>')",
      fired: [RuleIDs.uuid]
    });
  });

  it('masks tqdm elapsed time and rate, keeping the count', () => {
    expect(
      clean('100%|██████████| 3/3 [00:01<00:00,  1.97it/s]\n', true)
    ).toEqual({
      text: '100%|██████████| 3/3 [<PROGRESS-TIMING>]\n',
      fired: [RuleIDs.progressTiming]
    });
    expect(clean('50/? [00:02, 24.1s/it, loss=0.3]').text).toBe(
      '50/? [<PROGRESS-TIMING>]'
    );
  });

  it('applies the terminal rule to streams only', () => {
    expect(clean('a\rb').fired).toEqual([]);
    expect(clean('a\rb', true).fired).toEqual([RuleIDs.terminalOverwrite]);
  });
});

describe('user sanitizers', () => {
  it('accepts nbval sanitize-file patterns, Python spellings included', () => {
    const [rule] = compileSanitizers([
      {
        regex: '(?P<head><[a-zA-Z_][0-9a-zA-Z_.]* at )(0x[0-9a-fA-F]+)(>)',
        replace: '\\g<head>MEMORY_ADDRESS\\3',
        name: 'addresses'
      }
    ]);
    expect(rule.name).toBe('user:addresses');
    expect(rule.apply('<Foo at 0xdead>, <Bar at 0x1>')).toBe(
      '<Foo at MEMORY_ADDRESS>, <Bar at MEMORY_ADDRESS>'
    );
  });

  it('accepts JavaScript replacements and inline flags', () => {
    const [rule] = compileSanitizers([
      { regex: '(?i)seed=(\\d+)', replace: 'seed=$$N ($&, $1)' }
    ]);
    expect(rule.name).toBe('user:(?i)seed=(\\d+)');
    expect(rule.apply('SEED=42')).toBe('seed=$N (SEED=42, 42)');
  });

  it('runs after ANSI and terminal rules and before the defaults', () => {
    const [rule] = compileSanitizers([{ regex: 'run \\d+', replace: 'run N' }]);
    const result = sanitizeText(
      '\u001b[32mrun 7\u001b[0m at 12:00',
      textRules([rule])
    );
    expect(result).toEqual({
      text: 'run N at <TIME>',
      fired: [RuleIDs.ansiCodes, 'user:run \\d+', RuleIDs.clockTime]
    });
  });

  it('names the sanitizer whose regex is invalid', () => {
    const specs = [
      { regex: 'ok', replace: '' },
      { regex: '(unclosed', replace: 'x', name: 'run ids' }
    ];
    expect(() => compileSanitizers(specs)).toThrow(SanitizerError);
    expect(() => compileSanitizers(specs)).toThrow(
      /^Sanitizer "run ids" \(\/\(unclosed\/\): invalid regex: .*/
    );
  });

  it('reports every problem for settings, with a reason each', () => {
    expect(
      checkSanitizers([
        { regex: '', replace: 'x' },
        { regex: '(a)', replace: '\\2' },
        { regex: 'fine', replace: 'ok' },
        { regex: '[', replace: '' }
      ])
    ).toEqual([
      'Sanitizer //: the regex is missing or empty',
      'Sanitizer /(a)/: the replacement refers to group 2, the regex has 1',
      expect.stringMatching(/^Sanitizer \/\[\/: invalid regex: /)
    ]);
  });
});

describe('canonicalOutputs', () => {
  const all = () => true;

  it('merges each stream of a run of streams, stdout first', () => {
    const fired = new Set<string>();
    const merged = canonicalOutputs(
      outputs('nbval/test_coalesce.ipynb', 4),
      all,
      fired
    );
    expect(merged.map(o => [o.type, o.rawIndex, o.fields[0].value])).toEqual([
      ['stream:stdout', 1, 'Combo breaker!\n'],
      ['stream:stderr', 0, 'Bar!\nFoo!\n']
    ]);
    expect(Array.from(fired)).toEqual([RuleIDs.streamMerge]);
  });

  it('keeps streams apart when merging is off', () => {
    const fired = new Set<string>();
    const separate = canonicalOutputs(
      outputs('nbval/test_coalesce.ipynb', 4),
      rule => rule !== RuleIDs.streamMerge,
      fired
    );
    expect(separate.map(o => o.type)).toEqual([
      'stream:stderr',
      'stream:stdout',
      'stream:stderr'
    ]);
    expect(fired.size).toBe(0);
  });

  it('does not merge streams across a display', () => {
    const merged = canonicalOutputs(
      [
        { output_type: 'stream', name: 'stdout', text: 'a\n' },
        {
          output_type: 'display_data',
          data: { 'text/plain': 'x' },
          metadata: {}
        },
        { output_type: 'stream', name: 'stdout', text: 'b\n' }
      ],
      all,
      new Set()
    );
    expect(merged.map(o => o.type)).toEqual([
      'stream:stdout',
      'display',
      'stream:stdout'
    ]);
  });

  it('keeps a widget view without its model id', () => {
    const [widget] = canonicalOutputs(
      outputs('nbclient/JupyterWidgets.ipynb', 0),
      all,
      new Set()
    );
    expect(widget.fields.map(f => [f.key, f.value])).toEqual([
      [
        'application/vnd.jupyter.widget-view+json',
        '{"version_major":2,"version_minor":0}'
      ],
      ['text/plain', "Label(value='Hello World')"]
    ]);
  });

  it('reduces an error to its name and message unless tracebacks are kept', () => {
    const error = outputs('nbclient/Error.ipynb', 0);
    const [reduced] = canonicalOutputs(error, all, new Set());
    expect(reduced.fields.map(f => [f.key, f.value])).toEqual([
      ['error', 'ZeroDivisionError: division by zero']
    ]);
    const [full] = canonicalOutputs(
      error,
      rule => rule !== RuleIDs.tracebackFrames,
      new Set()
    );
    expect(full.fields.map(f => f.key)).toEqual(['error', 'traceback']);
  });
});
