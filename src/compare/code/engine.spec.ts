import { FakeExperimentsClient } from '../../testing/fakeClient';
import type { ICellExecution, IRun } from '../../tokens';
import {
  defaultDiffPair,
  diffPlan,
  firstLine,
  IRunCode,
  lastCheckpoint,
  runCode
} from './engine';

function execution(extra: Partial<ICellExecution> = {}): ICellExecution {
  return {
    cell_id: 'c1',
    checkpoint: null,
    execution_count: 1,
    started: 100,
    duration: 0.5,
    status: 'ok',
    error_name: null,
    source_head: 'x = 1',
    ...extra
  };
}

function run(id: string, executions: ICellExecution[]): IRun {
  return new FakeExperimentsClient().runs.add({ id, executions });
}

function code(runId: string, checkpoint: string | null): IRunCode {
  return { runId, executions: [], lastCheckpoint: checkpoint };
}

describe('compare/code/engine', () => {
  describe('runCode', () => {
    it('lists the executions in order with their fields', () => {
      const r = run('r1', [
        execution({ cell_id: 'a', execution_count: 1, checkpoint: 'aaa' }),
        execution({
          cell_id: 'b',
          execution_count: 2,
          status: 'error',
          error_name: 'ValueError',
          duration: null,
          source_head: 'raise ValueError()\nmore',
          checkpoint: 'bbb'
        })
      ]);
      expect(runCode(r)).toEqual({
        runId: 'r1',
        lastCheckpoint: 'bbb',
        executions: [
          {
            cellId: 'a',
            executionCount: 1,
            status: 'ok',
            errorName: null,
            duration: 0.5,
            sourceHead: 'x = 1',
            checkpoint: 'aaa'
          },
          {
            cellId: 'b',
            executionCount: 2,
            status: 'error',
            errorName: 'ValueError',
            duration: null,
            sourceHead: 'raise ValueError()',
            checkpoint: 'bbb'
          }
        ]
      });
    });

    it('reads missing optional fields as null or empty', () => {
      const r = run('r1', [
        {
          cell_id: null,
          execution_count: null,
          started: null,
          duration: null,
          status: 'ok',
          error_name: null
        }
      ]);
      const [only] = runCode(r).executions;
      expect(only.sourceHead).toBe('');
      expect(only.checkpoint).toBeNull();
      expect(only.cellId).toBeNull();
      expect(runCode(run('r2', [])).executions).toEqual([]);
    });
  });

  describe('lastCheckpoint', () => {
    it('is the checkpoint of the last execution', () => {
      const r = run('r', [
        execution({ checkpoint: 'one' }),
        execution({ checkpoint: 'two' })
      ]);
      expect(lastCheckpoint(r)).toBe('two');
    });

    it('skips trailing executions without one', () => {
      const r = run('r', [
        execution({ checkpoint: 'one' }),
        execution({ checkpoint: 'two' }),
        execution({ checkpoint: null }),
        execution({ checkpoint: '' }),
        execution({ checkpoint: undefined })
      ]);
      expect(lastCheckpoint(r)).toBe('two');
    });

    it('is null without any checkpoint or execution', () => {
      expect(lastCheckpoint(run('r', [execution()]))).toBeNull();
      expect(lastCheckpoint(run('r', []))).toBeNull();
    });
  });

  describe('firstLine', () => {
    it('keeps the first line without trailing blanks', () => {
      expect(firstLine('a = 1  \nb = 2')).toBe('a = 1');
      expect(firstLine('a\r\nb')).toBe('a');
      expect(firstLine('  indented')).toBe('  indented');
      expect(firstLine(null)).toBe('');
      expect(firstLine(undefined)).toBe('');
      expect(firstLine('')).toBe('');
    });
  });

  describe('defaultDiffPair', () => {
    it('picks the first two runs with a checkpoint', () => {
      expect(
        defaultDiffPair([
          code('a', null),
          code('b', 'x'),
          code('c', null),
          code('d', 'y')
        ])
      ).toEqual([1, 3]);
      expect(defaultDiffPair([code('a', 'x'), code('b', 'y')])).toEqual([0, 1]);
    });

    it('keeps the one run with a checkpoint when only one has', () => {
      expect(defaultDiffPair([code('a', null), code('b', 'x')])).toEqual([
        1, 0
      ]);
      expect(defaultDiffPair([code('a', 'x'), code('b', null)])).toEqual([
        0, 1
      ]);
      expect(defaultDiffPair([code('a', null), code('b', null)])).toEqual([
        0, 1
      ]);
    });

    it('is null with fewer than two runs', () => {
      expect(defaultDiffPair([code('a', 'x')])).toBeNull();
      expect(defaultDiffPair([])).toBeNull();
    });
  });

  describe('diffPlan', () => {
    const codes = [
      code('a', 'aaaaaaaa1'),
      code('b', 'bbbbbbbb2'),
      code('c', null),
      code('d', 'aaaaaaaa1')
    ];
    const names = ['alpha', 'beta', 'gamma', 'delta'];

    it('diffs the two runs’ last checkpoints', () => {
      expect(diffPlan(codes, names, 0, 1)).toEqual({
        ok: true,
        from: 'aaaaaaaa1',
        to: 'bbbbbbbb2'
      });
      expect(diffPlan(codes, names, 1, 0)).toEqual({
        ok: true,
        from: 'bbbbbbbb2',
        to: 'aaaaaaaa1'
      });
    });

    it('says which run has no checkpoint', () => {
      const plan = diffPlan(codes, names, 0, 2);
      expect(plan.ok).toBe(false);
      expect(!plan.ok && plan.reason).toMatch(/gamma has no checkpoint/);
    });

    it('refuses the same run, the same checkpoint, or no choice', () => {
      expect(diffPlan(codes, names, 1, 1)).toEqual({
        ok: false,
        reason: 'Choose two different runs.'
      });
      const same = diffPlan(codes, names, 0, 3);
      expect(!same.ok && same.reason).toMatch(/same/);
      expect(diffPlan(codes, names, -1, 0).ok).toBe(false);
    });
  });
});
