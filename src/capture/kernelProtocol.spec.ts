import {
  attachCode,
  ExecutionClock,
  isPackageMissing,
  sourceHead
} from './kernelProtocol';

describe('attachCode', () => {
  const config = {
    store_dir: '/srv/.experiments',
    run_id: 'abc',
    notebook_path: "it's \"odd\"\\\n'''.ipynb",
    notebook_id: '00000000-0000-4000-8000-000000000000'
  };

  it('carries the config as a JSON string literal that decodes to it', () => {
    const code = attachCode(config);
    const literal = code.match(/loads\((".*")\)\)$/m)![1];
    expect(JSON.parse(JSON.parse(literal))).toEqual(config);
  });

  it('puts every value on one line so no path can inject code', () => {
    const lines = attachCode(config).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain('import');
    expect(lines[2]).toBe('del __jx, __jx_json');
  });
});

describe('isPackageMissing', () => {
  it('recognises a failed import only', () => {
    expect(
      isPackageMissing({ status: 'error', ename: 'ModuleNotFoundError' })
    ).toBe(true);
    expect(isPackageMissing({ status: 'error', ename: 'NameError' })).toBe(
      false
    );
    expect(isPackageMissing({ status: 'ok' })).toBe(false);
  });
});

describe('ExecutionClock', () => {
  it('times an execution from its execute_input to its end', () => {
    let now = 1000;
    const clock = new ExecutionClock(() => now);
    clock.started(1);
    now = 3500;
    expect(clock.finished(1)).toEqual({ started: 1, duration: 2.5 });
  });

  it('pairs by execution count, not by arrival order', () => {
    let now = 0;
    const clock = new ExecutionClock(() => now);
    clock.started(1);
    now = 100;
    clock.started(2);
    now = 400;
    expect(clock.finished(2).duration).toBeCloseTo(0.3);
    expect(clock.finished(1).duration).toBeCloseTo(0.4);
  });

  it('knows nothing of executions it did not see start', () => {
    const clock = new ExecutionClock(() => 0);
    expect(clock.finished(7)).toEqual({ started: null, duration: null });
    expect(clock.finished(null)).toEqual({ started: null, duration: null });
    clock.started(3);
    clock.reset();
    expect(clock.finished(3).duration).toBeNull();
  });
});

describe('sourceHead', () => {
  it('takes the first non-blank line, shortened', () => {
    expect(sourceHead('\n  \nx = 1\ny = 2')).toBe('x = 1');
    expect(sourceHead('a'.repeat(100), 10)).toBe('aaaaaaaaa…');
    expect(sourceHead('')).toBe('');
  });
});
