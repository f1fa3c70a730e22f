import { IIOPubLike, RunOutputs } from './outputs';
import { kernelTime } from './runner';

const msg = (msg_type: string, content: any): IIOPubLike => ({
  header: { msg_type },
  content
});
const stream = (text: string, name = 'stdout') => msg('stream', { name, text });
const display = (text: string, displayId?: string) =>
  msg('display_data', {
    data: { 'text/plain': text },
    metadata: {},
    transient: displayId ? { display_id: displayId } : {}
  });

describe('RunOutputs', () => {
  it('merges consecutive messages of one stream, not of two', () => {
    const run = new RunOutputs();
    run.apply(0, stream('a'));
    run.apply(0, stream('b\n'));
    run.apply(0, stream('oops', 'stderr'));
    run.apply(0, stream('c'));
    expect(run.outputs(0)).toEqual([
      { output_type: 'stream', name: 'stdout', text: 'ab\n' },
      { output_type: 'stream', name: 'stderr', text: 'oops' },
      { output_type: 'stream', name: 'stdout', text: 'c' }
    ]);
  });

  it('keeps execute results and errors as nbformat outputs', () => {
    const run = new RunOutputs();
    run.apply(
      2,
      msg('execute_result', {
        execution_count: 3,
        data: { 'text/plain': '42' },
        metadata: {}
      })
    );
    run.apply(
      2,
      msg('error', { ename: 'ValueError', evalue: 'x', traceback: ['tb'] })
    );
    expect(run.outputs(2)).toEqual([
      {
        output_type: 'execute_result',
        execution_count: 3,
        data: { 'text/plain': '42' },
        metadata: {}
      },
      {
        output_type: 'error',
        ename: 'ValueError',
        evalue: 'x',
        traceback: ['tb']
      }
    ]);
  });

  it('clears at once, or at the next output with wait', () => {
    const run = new RunOutputs();
    run.apply(0, stream('10%'));
    expect(run.apply(0, msg('clear_output', { wait: true }))).toEqual([]);
    expect(run.outputs(0)).toHaveLength(1);
    run.apply(0, stream('100%'));
    expect(run.outputs(0)).toEqual([
      { output_type: 'stream', name: 'stdout', text: '100%' }
    ]);
    expect(run.apply(0, msg('clear_output', { wait: false }))).toEqual([0]);
    expect(run.outputs(0)).toEqual([]);
  });

  it('updates a display shown by an earlier cell and says which cells changed', () => {
    const run = new RunOutputs();
    run.apply(0, display('first', 'd1'));
    run.apply(1, display('again', 'd1'));
    run.apply(1, display('other', 'd2'));
    const changed = run.apply(
      2,
      msg('update_display_data', {
        data: { 'text/plain': 'updated' },
        metadata: {},
        transient: { display_id: 'd1' }
      })
    );
    expect(changed.sort()).toEqual([0, 1]);
    expect(run.outputs(0)[0]).toMatchObject({
      data: { 'text/plain': 'updated' }
    });
    expect(run.outputs(1).map(o => (o.data as any)['text/plain'])).toEqual([
      'updated',
      'other'
    ]);
    expect(run.outputs(2)).toEqual([]);
  });

  it('updates earlier outputs when a display id is shown again', () => {
    const run = new RunOutputs();
    run.apply(0, display('one', 'd1'));
    expect(run.apply(1, display('two', 'd1')).sort()).toEqual([0, 1]);
    expect(run.outputs(0)).toMatchObject([{ data: { 'text/plain': 'two' } }]);
    expect(run.outputs(1)).toMatchObject([{ data: { 'text/plain': 'two' } }]);
  });

  it('forgets displays that were cleared', () => {
    const run = new RunOutputs();
    run.apply(0, display('shown', 'd1'));
    run.apply(0, msg('clear_output', { wait: false }));
    const update = msg('update_display_data', {
      data: { 'text/plain': 'late' },
      metadata: {},
      transient: { display_id: 'd1' }
    });
    expect(run.apply(1, update)).toEqual([]);
    expect(run.outputs(0)).toEqual([]);
  });

  it('ignores messages that carry no output', () => {
    const run = new RunOutputs();
    expect(run.apply(0, msg('status', { execution_state: 'busy' }))).toEqual(
      []
    );
    expect(run.apply(0, msg('comm_open', {}))).toEqual([]);
    expect(run.outputs(0)).toEqual([]);
  });
});

describe('kernelTime', () => {
  it('reads header dates to the microsecond, in any zone', () => {
    const a = kernelTime('2026-11-26T17:04:21.145123Z')!;
    const b = kernelTime('2026-11-26T17:04:21.146623Z')!;
    expect(b - a).toBeCloseTo(1.5, 6);
    expect(kernelTime('2026-11-26T18:04:21.145123+01:00')).toBe(a);
    expect(kernelTime('2026-11-26T17:04:21Z')).toBe(
      Date.UTC(2026, 10, 26, 17, 4, 21)
    );
  });

  it('says null when there is no date to read', () => {
    expect(kernelTime(undefined)).toBeNull();
    expect(kernelTime('yesterday')).toBeNull();
  });
});
