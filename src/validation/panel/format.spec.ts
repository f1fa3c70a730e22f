import { pendingCell } from '../runner';
import type { IValidationCell } from '../types';
import {
  badgeText,
  formatCellDuration,
  previousDurations,
  progressText,
  roleLabel,
  sourceHash,
  validationSettings,
  verdictText
} from './format';

function cell(patch: Partial<IValidationCell>): IValidationCell {
  return pendingCell({ index: 0, codeIndex: 0, status: 'passed', ...patch });
}

const failing = [
  cell({ index: 1, status: 'passed' }),
  cell({
    index: 3,
    status: 'failed',
    role: 'root-cause',
    error: { ename: 'ValueError', evalue: 'bad' }
  }),
  cell({
    index: 4,
    status: 'failed',
    role: 'consequence',
    causeIndex: 3,
    error: { ename: 'NameError', evalue: "name 'df' is not defined" }
  }),
  cell({ index: 5, status: 'pending' })
];

describe('cell rows', () => {
  it('shows a duration and its change since the previous validation', () => {
    expect(formatCellDuration(null, 800)).toBe('');
    expect(formatCellDuration(1200, null)).toBe('1.2 s');
    expect(formatCellDuration(1200, 800)).toBe('1.2 s (+400 ms)');
    expect(formatCellDuration(800, 2000)).toBe('800 ms (−1.2 s)');
    expect(formatCellDuration(500, 500.2)).toBe('500 ms (±0)');
  });

  it('names root causes and what a consequence follows from, numbered from 1', () => {
    expect(roleLabel(failing[1])).toBe('root cause');
    expect(roleLabel(failing[2])).toBe(
      "follows from cell 4: name 'df' is not defined"
    );
    expect(roleLabel(cell({ status: 'failed', role: 'independent' }))).toBe(
      'independent failure'
    );
    expect(roleLabel(failing[0])).toBe('');
  });

  it('counts finished cells as progress', () => {
    expect(progressText({ cells: failing })).toBe('3 of 4 cells');
    expect(progressText({ cells: [] })).toBe('0 of 0 cells');
  });
});

describe('verdicts and the badge', () => {
  const base = {
    cells: failing,
    startedAt: Date.UTC(2024, 0, 5, 12),
    finishedAt: Date.UTC(2024, 0, 5, 12, 1),
    durationMs: 61_000
  };

  it('points a failure at its root cause, not at its consequences', () => {
    const report = { ...base, verdict: 'failed' as const };
    expect(verdictText(report)).toBe('Fails at cell 4');
    expect(badgeText(report, false)).toEqual({
      text: '✗ fails at cell 4',
      kind: 'failed'
    });
  });

  it('names the first changed output', () => {
    const report = {
      ...base,
      verdict: 'output-changed' as const,
      cells: [
        cell({ index: 0 }),
        cell({ index: 2, status: 'output-changed' }),
        cell({ index: 6, status: 'output-changed' })
      ]
    };
    expect(badgeText(report, false).text).toBe('≠ output changed at cell 3');
  });

  it('says when and how long a passing notebook ran', () => {
    const { text, kind } = badgeText({ ...base, verdict: 'passed' }, false);
    expect(kind).toBe('passed');
    expect(text).toMatch(/^✓ runs top to bottom \(.*2024.*, 1 min 1 s\)$/);
  });

  it('is outdated once the notebook changed, whatever the verdict', () => {
    expect(badgeText({ ...base, verdict: 'failed' }, true)).toEqual({
      text: 'validation outdated',
      kind: 'outdated'
    });
  });

  it('is running while there is no verdict', () => {
    expect(verdictText({ verdict: null, cells: [] })).toBe('Running');
  });
});

describe('source hash', () => {
  const code = (source: string | string[]) => ({ cell_type: 'code', source });

  it('changes with code sources and their order, not with markdown', () => {
    const a = sourceHash([code('x = 1'), code('y = 2')]);
    expect(sourceHash([code(['x = ', '1']), code('y = 2')])).toBe(a);
    expect(
      sourceHash([
        code('x = 1'),
        { cell_type: 'markdown', source: '# t' },
        code('y = 2')
      ])
    ).toBe(a);
    expect(sourceHash([code('y = 2'), code('x = 1')])).not.toBe(a);
    expect(sourceHash([code('x = 1'), code('y = 3')])).not.toBe(a);
    expect(sourceHash([code('x = 1y = 2')])).not.toBe(a);
  });
});

describe('previous durations', () => {
  it('keys cells by id, or by code position without one', () => {
    const durations = previousDurations([
      { cellId: 'a', codeIndex: 0, durationMs: 10 },
      { cellId: null, codeIndex: 1, durationMs: 20 },
      { cellId: 'c', codeIndex: 2, durationMs: null }
    ]);
    expect([...durations]).toEqual([
      ['a', 10],
      ['#1', 20]
    ]);
  });
});

describe('settings', () => {
  it('turns the Settings Editor values (seconds) into run settings (ms)', () => {
    expect(
      validationSettings({
        stopOnError: true,
        cellTimeout: 30,
        notebookBudget: 600,
        lateOutputTimeout: 0.5,
        relativeTolerance: 1e-3,
        sanitizers: [{ name: 'ids', regex: 'id=\\d+', replace: 'id=N' }],
        skipMimes: ['text/html']
      })
    ).toEqual({
      stopOnError: true,
      cellTimeoutMs: 30_000,
      budgetMs: 600_000,
      lateOutputMs: 500,
      relativeTolerance: 1e-3,
      sanitizers: [{ name: 'ids', regex: 'id=\\d+', replace: 'id=N' }],
      skipMimes: ['text/html']
    });
  });

  it('falls back to the defaults for missing or invalid values', () => {
    expect(validationSettings({ cellTimeout: -1, stopOnError: 'yes' })).toEqual(
      {
        stopOnError: false,
        cellTimeoutMs: 600_000,
        budgetMs: 3_600_000,
        lateOutputMs: 2_000,
        relativeTolerance: 1e-6,
        sanitizers: [],
        skipMimes: []
      }
    );
  });
});
