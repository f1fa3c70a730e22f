/// <reference types="node" />
import type { ICodeCell, IOutput } from '@jupyterlab/nbformat';

import { readReference } from '../testing/reference';
import { classifyCell, compareNumbers, compareOutputs } from './compare';
import { readMarkers } from './markers';
import { RuleIDs, SanitizerError } from './sanitize';

function cell(name: string, index: number): ICodeCell {
  return readReference(name).cells[index] as ICodeCell;
}

const stream = (name: string, text: string): IOutput => ({
  output_type: 'stream',
  name,
  text
});
const display = (data: { [mime: string]: unknown }): IOutput => ({
  output_type: 'display_data',
  data: data as any,
  metadata: {}
});
const result = (count: number, data: { [mime: string]: unknown }): IOutput => ({
  output_type: 'execute_result',
  execution_count: count,
  data: data as any,
  metadata: {}
});
const error = (
  ename: string,
  evalue: string,
  traceback: string[]
): IOutput => ({
  output_type: 'error',
  ename,
  evalue,
  traceback
});

describe('compareOutputs', () => {
  it('finds identical outputs equal without any rule', async () => {
    const saved = cell('nbval/sample_notebook.ipynb', 2).outputs;
    const fresh = [stream('stdout', 'Hello world\n')];
    expect(await compareOutputs(saved, fresh)).toEqual({
      equal: true,
      rules: [],
      differences: []
    });
  });

  it('reads SVG attributes in any order (svg-attribute-order)', async () => {
    const saved = [
      display({
        'image/svg+xml': '<svg width="1"><circle r="4" fill="red"/></svg>'
      })
    ];
    const same = [
      display({
        'image/svg+xml': '<svg width="1"><circle fill="red" r="4"/></svg>'
      })
    ];
    const other = [
      display({
        'image/svg+xml': '<svg width="1"><circle fill="blue" r="4"/></svg>'
      })
    ];
    expect(await compareOutputs(saved, same)).toMatchObject({
      equal: true,
      rules: [RuleIDs.svgAttributeOrder]
    });
    expect((await compareOutputs(saved, other)).equal).toBe(false);
    expect(
      (
        await compareOutputs(saved, same, {
          disabledRules: [RuleIDs.svgAttributeOrder]
        })
      ).equal
    ).toBe(false);
  });

  it('does not compare skipped MIME types, and names the rule', async () => {
    const saved = [result(1, { 'text/plain': 'x', 'image/png': 'AAAA' })];
    const fresh = [result(2, { 'text/plain': 'x' })];
    expect((await compareOutputs(saved, fresh)).equal).toBe(false);
    const skipped = await compareOutputs(saved, fresh, {
      skipMimes: ['image/png']
    });
    expect(skipped.equal).toBe(true);
    expect(skipped.rules).toContain(RuleIDs.skippedMime);
    const changed = [result(2, { 'text/plain': 'y' })];
    expect(
      (await compareOutputs(saved, changed, { skipMimes: ['image/png'] })).equal
    ).toBe(false);
  });

  it('reads multiline and single-string text the same (Unicode.ipynb)', async () => {
    const saved = cell('nbclient/Unicode.ipynb', 0).outputs;
    expect(saved[0].text).toEqual(['\u2603\n']);
    const same = await compareOutputs(saved, [stream('stdout', '☃\n')]);
    expect(same).toMatchObject({ equal: true, rules: [] });
    const other = await compareOutputs(saved, [stream('stdout', '☄\n')]);
    expect(other.differences).toEqual([
      {
        index: 0,
        savedIndex: 0,
        freshIndex: 0,
        mime: 'text/plain',
        kind: 'text',
        saved: '☃\n',
        fresh: '☄\n'
      }
    ]);
  });

  it('ignores execution counts, and says so', async () => {
    // update-display-id.ipynb cell 4 ends with an execute_result of count 5.
    const saved = cell('nbclient/update-display-id.ipynb', 4).outputs;
    const fresh = [
      display({ 'text/plain': '8' }),
      result(2, { 'text/plain': '10' })
    ];
    expect(await compareOutputs(saved, fresh)).toEqual({
      equal: true,
      rules: [RuleIDs.executionCount],
      differences: []
    });
    const strict = await compareOutputs(saved, fresh, {
      disabledRules: [RuleIDs.executionCount]
    });
    expect(strict.differences).toMatchObject([
      { index: 1, mime: null, kind: 'execution-count', saved: '5', fresh: '2' }
    ]);
  });

  it('treats display_data and execute_result with equal data as equal', async () => {
    const saved = [result(3, { 'text/plain': "'Hello world'" })];
    const fresh = [display({ 'text/plain': "'Hello world'" })];
    expect(await compareOutputs(saved, fresh)).toMatchObject({
      equal: true,
      // The result's count has no counterpart in a display.
      rules: [RuleIDs.executionCount, RuleIDs.displayVsResult]
    });
    const strict = await compareOutputs(saved, fresh, {
      disabledRules: [RuleIDs.displayVsResult]
    });
    expect(strict.differences).toMatchObject([
      { kind: 'output-type', saved: 'execute_result', fresh: 'display_data' }
    ]);
  });

  it('merges streams however stdout and stderr were flushed (test_coalesce)', async () => {
    // Cell 3 was saved as stdout then stderr; a fresh run may interleave them.
    const saved = cell('nbval/test_coalesce.ipynb', 3).outputs;
    const fresh = [
      stream('stderr', 'Bar!\n'),
      stream('stdout', 'Combo breaker!\n'),
      stream('stderr', 'Foo!\n')
    ];
    expect(await compareOutputs(saved, fresh)).toEqual({
      equal: true,
      rules: [RuleIDs.streamMerge],
      differences: []
    });
    // Cell 1 saved one chunk of two lines; fresh chunks split differently.
    const split = await compareOutputs(
      cell('nbval/test_coalesce.ipynb', 1).outputs,
      [stream('stdout', 'Foo!\nBa'), stream('stdout', 'r!\n')]
    );
    expect(split).toMatchObject({ equal: true, rules: [RuleIDs.streamMerge] });
  });

  it('still tells stdout from stderr', async () => {
    const saved = cell('nbval/test_coalesce.ipynb', 1).outputs;
    const fresh = [stream('stderr', 'Foo!\nBar!\n')];
    expect((await compareOutputs(saved, fresh)).differences).toMatchObject([
      { kind: 'output-type', saved: 'stream:stdout', fresh: 'stream:stderr' }
    ]);
  });

  it('compares a tqdm bar by what it shows at the end, not its timing', async () => {
    const saved = [
      stream(
        'stderr',
        '\r  0%|          | 0/4 [00:00<?, ?it/s]' +
          '\r 50%|█████     | 2/4 [00:01<00:01,  1.99it/s]' +
          '\r100%|██████████| 4/4 [00:02<00:00,  1.99it/s]\n'
      )
    ];
    const fresh = [
      stream('stderr', '\r  0%|          | 0/4 [00:00<?, ?it/s]'),
      stream(
        'stderr',
        '\r 25%|██▌       | 1/4 [00:00<00:02,  1.41it/s]' +
          '\r100%|██████████| 4/4 [00:03<00:00,  1.32it/s]\n'
      )
    ];
    expect(await compareOutputs(saved, fresh)).toEqual({
      equal: true,
      rules: [
        RuleIDs.streamMerge,
        RuleIDs.terminalOverwrite,
        RuleIDs.progressTiming
      ],
      differences: []
    });
    const stopped = [
      stream('stderr', '\r 75%|███████▌  | 3/4 [00:03<00:01,  1.01s/it]\n')
    ];
    expect((await compareOutputs(saved, stopped)).differences).toMatchObject([
      { kind: 'text', fresh: ' 75%|███████▌  | 3/4 [<PROGRESS-TIMING>]\n' }
    ]);
  });

  it('masks memory addresses but still compares the plot (sample cell 12)', async () => {
    const saved = cell('nbval/sample_notebook.ipynb', 12).outputs;
    const png = (saved[1] as any).data['image/png'];
    const fresh = [
      result(1, {
        'text/plain': '<matplotlib.legend.Legend at 0x7f3c1a2b9d60>'
      }),
      display({
        'image/png': png,
        'text/plain': '<Figure size 432x288 with 1 Axes>'
      })
    ];
    expect(await compareOutputs(saved, fresh)).toEqual({
      equal: true,
      rules: [RuleIDs.executionCount, RuleIDs.memoryAddress],
      differences: []
    });
    const noMasking = await compareOutputs(saved, fresh, {
      disabledRules: [RuleIDs.memoryAddress]
    });
    expect(noMasking.differences).toMatchObject([
      {
        index: 0,
        mime: 'text/plain',
        kind: 'text',
        saved: '<matplotlib.legend.Legend at 0x7fae26a349b0>'
      }
    ]);
  });

  it('masks a timestamp, naming the rules that did (sample cell 11)', async () => {
    const saved = cell('nbval/sample_notebook.ipynb', 11).outputs;
    const fresh = [
      result(2, { 'text/plain': "'Last executed: 2025-11-26, 09:41:02'" })
    ];
    expect(await compareOutputs(saved, fresh)).toMatchObject({
      equal: true,
      rules: [RuleIDs.executionCount, RuleIDs.isoDateTime, RuleIDs.clockTime]
    });
  });

  it('names only the rules that mattered, not those that changed both sides alike', async () => {
    const coloured = (address: string) =>
      stream('stdout', `\u001b[1mmodel\u001b[0m <Net at ${address}>\n`);
    const comparison = await compareOutputs(
      [coloured('0x7fae26a349b0')],
      [coloured('0x7f0011223344')]
    );
    expect(comparison.rules).toEqual([RuleIDs.memoryAddress]);
  });

  it('names no rule when the rules changed nothing that mattered', async () => {
    const bold = (text: string) =>
      stream('stdout', `\u001b[1m${text}\u001b[0m\n`);
    const comparison = await compareOutputs(
      [bold('epoch 1')],
      [bold('epoch 2')]
    );
    expect(comparison).toMatchObject({ equal: false, rules: [] });
  });

  it("names one of two rules that would each do, the user's first", async () => {
    const saved = [stream('stdout', 'run 2024-03-05, born 1999-01-01\n')];
    const fresh = [stream('stdout', 'run 2025-11-26, born 1999-01-01\n')];
    const sanitizers = [
      { name: 'run date', regex: '(?<=run )\\d{4}-\\d{2}-\\d{2}', replace: 'D' }
    ];
    expect(await compareOutputs(saved, fresh, { sanitizers })).toMatchObject({
      equal: true,
      rules: ['user:run date']
    });
  });

  it('compares errors by name and message, not frames (Error.ipynb)', async () => {
    const saved = cell('nbclient/Error.ipynb', 0).outputs;
    const traceback = [
      '\u001b[0;31m---------------------------------------------------------------------------\u001b[0m',
      '\u001b[0;31mZeroDivisionError\u001b[0m                         Traceback (most recent call last)',
      'Cell \u001b[0;32mIn[1], line 1\u001b[0m\n\u001b[0;32m----> 1\u001b[0m \u001b[38;5;241;43m0\u001b[39;49m\u001b[43m \u001b[49m\u001b[38;5;241;43m/\u001b[39;49m\u001b[43m \u001b[49m\u001b[38;5;241;43m0\u001b[39;49m\n',
      '\u001b[0;31mZeroDivisionError\u001b[0m: division by zero'
    ];
    const same = await compareOutputs(saved, [
      error('ZeroDivisionError', 'division by zero', traceback)
    ]);
    expect(same).toEqual({
      equal: true,
      rules: [RuleIDs.tracebackFrames],
      differences: []
    });
    const other = await compareOutputs(saved, [
      error('ZeroDivisionError', 'float division by zero', traceback)
    ]);
    expect(other.differences).toMatchObject([
      {
        mime: null,
        kind: 'error',
        saved: 'ZeroDivisionError: division by zero',
        fresh: 'ZeroDivisionError: float division by zero'
      }
    ]);
  });

  it('sees a different exception (test-exceptions-fail-storedmismatch)', async () => {
    const saved = cell(
      'nbval/ipynb-test-samples/test-exceptions-fail-storedmismatch.ipynb',
      0
    );
    // What the cell's code raises when run: RuntimeError("Foo") from foo().
    const fresh = [error('RuntimeError', 'Foo', ['RuntimeError: Foo'])];
    const comparison = await compareOutputs(saved.outputs, fresh);
    expect(comparison.equal).toBe(false);
    expect(comparison.differences).toMatchObject([
      {
        kind: 'error',
        saved: "NameError: name 'a' is not defined",
        fresh: 'RuntimeError: Foo'
      }
    ]);
  });

  it('compares a DataFrame by its text, whatever its HTML looks like', async () => {
    const text = '   a    b\n0  1  0.5\n1  2  1.5';
    const html = (style: string) =>
      `<div>\n<style scoped>${style}</style>\n<table border="1" class="dataframe">\n  <thead><tr style="text-align: right;"><th></th><th>a</th><th>b</th></tr></thead>\n  <tbody><tr><th>0</th><td>1</td><td>0.5</td></tr><tr><th>1</th><td>2</td><td>1.5</td></tr></tbody>\n</table>\n</div>`;
    const saved = [
      result(4, {
        'text/html': html(
          '.dataframe tbody tr th:only-of-type {vertical-align: middle;}'
        ),
        'text/plain': text
      })
    ];
    const fresh = [result(2, { 'text/html': html(''), 'text/plain': text })];
    expect(await compareOutputs(saved, fresh)).toMatchObject({
      equal: true,
      rules: [RuleIDs.executionCount, RuleIDs.dataframeHtml]
    });
    const changed = [
      result(2, {
        'text/html': html(''),
        'text/plain': text.replace('1.5', '2.5')
      })
    ];
    expect((await compareOutputs(saved, changed)).differences).toMatchObject([
      { mime: 'text/plain', kind: 'number' }
    ]);
  });

  it('keeps comparing HTML that is not a DataFrame', async () => {
    const saved = [display({ 'text/html': '<b>1</b>', 'text/plain': 'x' })];
    const fresh = [display({ 'text/html': '<i>1</i>', 'text/plain': 'x' })];
    expect((await compareOutputs(saved, fresh)).differences).toMatchObject([
      { mime: 'text/html', kind: 'text' }
    ]);
  });

  it('ignores ipywidgets model ids, nothing else of the view (JupyterWidgets.ipynb)', async () => {
    const saved = cell('nbclient/JupyterWidgets.ipynb', 0).outputs;
    const view = (modelId: string, major: number) =>
      display({
        'application/vnd.jupyter.widget-view+json': {
          model_id: modelId,
          version_major: major,
          version_minor: 0
        },
        'text/plain': "Label(value='Hello World')"
      });
    expect(
      await compareOutputs(saved, [view('9c1f0a77e2d84b7c8a5e4f3b2a1d0c9e', 2)])
    ).toMatchObject({ equal: true, rules: [RuleIDs.widgetModelId] });
    const newer = await compareOutputs(saved, [
      view('9c1f0a77e2d84b7c8a5e4f3b2a1d0c9e', 3)
    ]);
    expect(newer.differences).toMatchObject([
      { mime: 'application/vnd.jupyter.widget-view+json', kind: 'number' }
    ]);
  });

  it('accepts floats within the relative tolerance, not beyond', async () => {
    const saved = [stream('stdout', 'loss 0.30000000000000004, acc 0.91\n')];
    const close = [stream('stdout', 'loss 0.3, acc 0.9100000001\n')];
    expect(await compareOutputs(saved, close)).toMatchObject({
      equal: true,
      rules: [RuleIDs.floatTolerance]
    });
    const far = [stream('stdout', 'loss 0.31, acc 0.91\n')];
    expect((await compareOutputs(saved, far)).differences).toMatchObject([
      { kind: 'number', saved: saved[0].text, fresh: far[0].text }
    ]);
    const loose = await compareOutputs(saved, far, { relativeTolerance: 0.05 });
    expect(loose.equal).toBe(true);
  });

  it('never applies the tolerance to integers', async () => {
    const saved = [stream('stdout', 'rows: 10000000\n')];
    const fresh = [stream('stdout', 'rows: 10000001\n')];
    expect((await compareOutputs(saved, fresh)).differences).toMatchObject([
      { kind: 'number' }
    ]);
  });

  it('compares images through the injected comparison', async () => {
    const saved = cell(
      'nbval/ipynb-test-samples/test-latex-fail-randomoutput.ipynb',
      3
    ).outputs;
    const other = (
      cell('nbval/ipynb-test-samples/test-latex-pass-correctouput.ipynb', 1)
        .outputs[0] as any
    ).data['image/png'];
    const fresh = [
      result(6, { ...(saved[0] as any).data, 'image/png': other })
    ];
    const exact = await compareOutputs(saved, fresh);
    expect(exact.differences).toMatchObject([
      { mime: 'image/png', kind: 'image' }
    ]);

    const calls: string[][] = [];
    const lenient = await compareOutputs(saved, fresh, {
      compareImages: async (a, b, mime) => {
        calls.push([a.slice(0, 8), b.slice(0, 8), mime]);
        return true;
      }
    });
    expect(lenient).toMatchObject({ equal: true });
    expect(lenient.rules).toContain(RuleIDs.imagePixels);
    expect(calls[0]).toEqual(['iVBORw0K', 'iVBORw0K', 'image/png']);
  });

  it('does not count line breaks in base64 as a difference', async () => {
    const saved = cell(
      'nbval/ipynb-test-samples/test-latex-fail-randomoutput.ipynb',
      3
    ).outputs;
    const png = (saved[0] as any).data['image/png'] as string;
    expect(png).toContain('\n');
    const fresh = [
      result(6, {
        ...(saved[0] as any).data,
        'image/png': png.replace(/\n/g, '')
      })
    ];
    expect(await compareOutputs(saved, fresh)).toMatchObject({ equal: true });
  });

  it('reports missing and extra outputs and MIME types', async () => {
    const missing = cell(
      'nbval/ipynb-test-samples/test-stream-fail-missingoutput.ipynb',
      1
    ).outputs;
    expect(
      (await compareOutputs(missing, [stream('stdout', 'test\n')])).differences
    ).toEqual([
      {
        index: 0,
        savedIndex: null,
        freshIndex: 0,
        mime: null,
        kind: 'extra-output',
        saved: null,
        fresh: 'test\n'
      }
    ]);
    const mimes = await compareOutputs(
      [display({ 'text/plain': 'x', 'text/latex': '$x$' })],
      [display({ 'text/plain': 'x', 'text/markdown': '*x*' })]
    );
    expect(mimes.differences.map(d => [d.kind, d.mime])).toEqual([
      ['missing-mime', 'text/latex'],
      ['extra-mime', 'text/markdown']
    ]);
  });

  it('passes an ignored cell without comparing', async () => {
    expect(
      await compareOutputs([stream('stdout', 'a')], [], { ignoreOutput: true })
    ).toEqual({ equal: true, rules: [RuleIDs.ignoreOutput], differences: [] });
  });

  it('applies user sanitizers, and rejects an invalid one by name', async () => {
    const saved = [stream('stdout', 'run id: r-8842\n')];
    const fresh = [stream('stdout', 'run id: r-9107\n')];
    const options = {
      sanitizers: [{ name: 'run id', regex: 'r-\\d+', replace: 'r-N' }]
    };
    expect(await compareOutputs(saved, fresh, options)).toMatchObject({
      equal: true,
      rules: ['user:run id']
    });
    await expect(
      compareOutputs(saved, fresh, {
        sanitizers: [{ regex: '(', replace: '' }]
      })
    ).rejects.toThrow(SanitizerError);
  });
});

describe('compareNumbers', () => {
  const tolerance = { relativeTolerance: 1e-6, absoluteTolerance: 0 };

  it('tells numbers from the text around them', () => {
    expect(compareNumbers('x=1.0000001', 'x=1.0', tolerance)).toBe('close');
    expect(compareNumbers('x=1.1', 'x=1.0', tolerance)).toBe(
      'different-numbers'
    );
    expect(compareNumbers('x=1.0', 'y=1.0', tolerance)).toBe('different-text');
    expect(compareNumbers('n=3', 'n=3.0000001', tolerance)).toBe(
      'different-numbers'
    );
    expect(compareNumbers('1e-300', '0.0', tolerance)).toBe(
      'different-numbers'
    );
    expect(
      compareNumbers('1e-300', '0.0', {
        ...tolerance,
        absoluteTolerance: 1e-12
      })
    ).toBe('close');
  });
});

describe('classifyCell', () => {
  const exceptions = 'nbval/exceptions.ipynb';

  it('passes an expected exception with the same outputs', async () => {
    const saved = cell(exceptions, 0);
    const fresh = [error('RuntimeError', 'foo', ['RuntimeError: foo'])];
    const verdict = await classifyCell(
      saved,
      fresh,
      { ename: 'RuntimeError', evalue: 'foo' },
      readMarkers(saved)
    );
    expect(verdict).toMatchObject({
      status: 'passed',
      reason:
        'outputs equal after traceback-frames (RuntimeError expected: comment # NBVAL_RAISES_EXCEPTION)',
      rules: [RuleIDs.tracebackFrames]
    });
  });

  it('reports an expected exception that changed (test-exceptions-fail-storedmismatch)', async () => {
    const saved = cell(
      'nbval/ipynb-test-samples/test-exceptions-fail-storedmismatch.ipynb',
      0
    );
    const verdict = await classifyCell(
      saved,
      [error('RuntimeError', 'Foo', [])],
      { ename: 'RuntimeError', evalue: 'Foo' },
      readMarkers(saved)
    );
    expect(verdict.status).toBe('output-changed');
    expect(verdict.comparison!.differences[0].kind).toBe('error');
  });

  it('fails an unexpected exception (Error.ipynb)', async () => {
    const saved = cell('nbclient/Error.ipynb', 0);
    const verdict = await classifyCell(
      saved,
      saved.outputs,
      { ename: 'ZeroDivisionError', evalue: 'division by zero' },
      readMarkers(saved)
    );
    expect(verdict).toEqual({
      status: 'failed',
      reason: 'ZeroDivisionError: division by zero',
      rules: [],
      comparison: null
    });
  });

  it('passes the tagged cell of "Skip Exceptions with Cell Tags"', async () => {
    const saved = cell('nbclient/Skip Exceptions with Cell Tags.ipynb', 0);
    const fresh = [
      stream('stdout', 'hello\n'),
      stream('stderr', 'errorred\n'),
      error('Exception', 'message', ['Exception: message'])
    ];
    const verdict = await classifyCell(
      saved,
      fresh,
      { ename: 'Exception', evalue: 'message' },
      readMarkers(saved)
    );
    expect(verdict.status).toBe('passed');
    expect(verdict.reason).toContain('expected: tag raises-exception');
  });

  it('does not fail a marked cell that raised nothing, but reports it', async () => {
    const saved = cell(exceptions, 4);
    const verdict = await classifyCell(saved, [], null, readMarkers(saved));
    expect(verdict.status).toBe('output-changed');
    expect(verdict.reason).toBe(
      '1 output difference; no exception although tag raises-exception'
    );
  });

  it('skips the tagged cell of "Skip Execution with Cell Tag"', async () => {
    const saved = cell('nbclient/Skip Execution with Cell Tag.ipynb', 0);
    expect(
      await classifyCell(saved, [], null, readMarkers(saved))
    ).toMatchObject({
      status: 'skipped',
      reason: 'skipped: tag skip-execution'
    });
  });

  it('ignores output that never repeats (test-latex-pass-failsbutignoreoutput)', async () => {
    const saved = cell(
      'nbval/ipynb-test-samples/test-latex-pass-failsbutignoreoutput.ipynb',
      3
    );
    const fresh = [
      result(3, {
        'image/png': 'iVBORw0KGgoAAAANSUhEUgAAAF0',
        'text/plain': 'x**1764147302'
      })
    ];
    expect(
      await classifyCell(saved, fresh, null, readMarkers(saved))
    ).toMatchObject({
      status: 'passed',
      rules: [RuleIDs.ignoreOutput],
      reason: 'output not compared: comment # NBVAL_IGNORE_OUTPUT'
    });
  });

  it('passes a cell saved unexecuted, fails one saved executed without output', async () => {
    const unexecuted = cell(
      'nbval/ipynb-test-samples/test-stream-pass-missing-unexecuted-output.ipynb',
      1
    );
    const fresh = [stream('stdout', 'test\n')];
    expect(
      await classifyCell(unexecuted, fresh, null, readMarkers(unexecuted))
    ).toMatchObject({
      status: 'passed',
      rules: [RuleIDs.unexecutedCell]
    });
    const executed = cell(
      'nbval/ipynb-test-samples/test-stream-fail-missingoutput.ipynb',
      1
    );
    expect(
      await classifyCell(executed, fresh, null, readMarkers(executed))
    ).toMatchObject({
      status: 'output-changed',
      reason: '1 output difference'
    });
  });

  it('passes a cell whose output was cleared (Clear Output.ipynb)', async () => {
    const saved = cell('nbclient/Clear Output.ipynb', 2);
    expect(saved.execution_count).toBe(3);
    expect(
      await classifyCell(saved, [], null, readMarkers(saved))
    ).toMatchObject({
      status: 'passed',
      reason: 'outputs equal'
    });
    expect(
      (
        await classifyCell(
          saved,
          [stream('stdout', 'Hello world\n')],
          null,
          readMarkers(saved)
        )
      ).status
    ).toBe('output-changed');
  });

  it('compares only check-output cells in lax mode', async () => {
    const sample = 'nbval/sample_notebook.ipynb';
    const plain = cell(sample, 2);
    const fresh = [stream('stdout', 'Bye\n')];
    expect(
      await classifyCell(plain, fresh, null, readMarkers(plain), { lax: true })
    ).toMatchObject({ status: 'passed', rules: [RuleIDs.laxMode] });
    const checked = cell(sample, 10);
    expect(
      (
        await classifyCell(checked, fresh, null, readMarkers(checked), {
          lax: true
        })
      ).status
    ).toBe('output-changed');
  });
});
