import React, { act } from 'react';
import { createRoot, Root } from 'react-dom/client';

import { FakeExperimentsClient } from '../../testing/fakeClient';
import type { ICellExecution, IRun } from '../../tokens';
import { CodeSection, EXECUTIONS_SHOWN } from './CodeSection';

// React's act() runs renders and effects to completion in a test environment.
(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

const EVIL = '<img src=x onerror="window.__pwned=1">';

function execution(extra: Partial<ICellExecution> = {}): ICellExecution {
  return {
    cell_id: 'c',
    checkpoint: null,
    execution_count: 1,
    started: 1,
    duration: 0.1,
    status: 'ok',
    error_name: null,
    source_head: 'x = 1',
    ...extra
  };
}

describe('CodeSection', () => {
  let host: HTMLDivElement;
  let root: Root;
  let client: FakeExperimentsClient;
  let checkpoints: string[];
  let diffs: [string, string][];

  beforeEach(() => {
    host = document.createElement('div');
    document.body.appendChild(host);
    root = createRoot(host);
    client = new FakeExperimentsClient();
    checkpoints = [];
    diffs = [];
  });

  afterEach(() => {
    act(() => root.unmount());
    host.remove();
    delete (window as any).__pwned;
  });

  function render(runs: IRun[]): void {
    act(() =>
      root.render(
        <CodeSection
          runs={runs}
          colors={runs.map(() => '#123456')}
          onOpenCheckpoint={commit => checkpoints.push(commit)}
          onDiff={(from, to) => diffs.push([from, to])}
        />
      )
    );
  }

  const $ = (selector: string) => host.querySelector(selector);
  const $$ = (selector: string) => Array.from(host.querySelectorAll(selector));
  const button = () =>
    $('.jp-ExperimentsCompare-diffButton') as HTMLButtonElement;

  function threeRuns(): IRun[] {
    return [
      client.runs.add({
        id: 'none',
        name: 'no checkpoint',
        executions: [execution({ source_head: 'import os' })]
      }),
      client.runs.add({
        id: 'a',
        name: 'alpha',
        executions: [
          execution({
            cell_id: 'c1',
            execution_count: 1,
            source_head: 'import numpy as np\nimport pandas',
            checkpoint: 'aaaaaaa111'
          }),
          execution({
            cell_id: 'c2',
            execution_count: 2,
            status: 'error',
            error_name: 'ValueError',
            source_head: EVIL,
            checkpoint: 'aaaaaaa222'
          })
        ]
      }),
      client.runs.add({
        id: 'b',
        name: 'beta',
        executions: [
          execution({ checkpoint: 'bbbbbbb111' }),
          execution({ checkpoint: null })
        ]
      })
    ];
  }

  it('lists each run’s executed cells in a column, as text', () => {
    render(threeRuns());
    const columns = $$('.jp-ExperimentsCompare-codeColumn');
    expect(columns.map(c => c.getAttribute('data-run-id'))).toEqual([
      'none',
      'a',
      'b'
    ]);
    const alpha = columns[1];
    expect(
      alpha.querySelector('.jp-ExperimentsCompare-runName')!.textContent
    ).toBe('alpha');
    const rows = Array.from(
      alpha.querySelectorAll('.jp-ExperimentsCompare-execution')
    );
    expect(
      rows.map(
        r => r.querySelector('.jp-ExperimentsCompare-source')!.textContent
      )
    ).toEqual(['import numpy as np', EVIL]);
    expect((window as any).__pwned).toBeUndefined();
    expect(rows[0].textContent).toContain('[1]');
    expect(
      rows[1].querySelector('.jp-ExperimentsCompare-badge-error')!.textContent
    ).toBe('error · ValueError');
    expect(
      rows[0].querySelector('.jp-ExperimentsCompare-badge-ok')!.textContent
    ).toBe('ok');
  });

  it('opens the checkpoint of a cell', () => {
    render(threeRuns());
    const link = $(
      '[data-run-id="a"] .jp-ExperimentsCompare-execution .jp-ExperimentsCompare-link'
    ) as HTMLButtonElement;
    expect(link.textContent).toBe('aaaaaaa');
    act(() => link.click());
    expect(checkpoints).toEqual(['aaaaaaa111']);
    // An execution without a checkpoint has no link.
    expect($$('[data-run-id="none"] .jp-ExperimentsCompare-link')).toHaveLength(
      0
    );
  });

  it('diffs the last checkpoints of the first two runs that have one', () => {
    render(threeRuns());
    const selects = $$(
      '.jp-ExperimentsCompare-diff select'
    ) as HTMLSelectElement[];
    expect(selects.map(s => s.value)).toEqual(['a', 'b']);
    expect(button().disabled).toBe(false);
    act(() => button().click());
    expect(diffs).toEqual([['aaaaaaa222', 'bbbbbbb111']]);
  });

  it('is disabled, saying why, for a run without a checkpoint', () => {
    render(threeRuns());
    const [from] = $$(
      '.jp-ExperimentsCompare-diff select'
    ) as HTMLSelectElement[];
    act(() => {
      from.value = 'none';
      from.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(from.value).toBe('none');
    expect(button().disabled).toBe(true);
    expect($('.jp-ExperimentsCompare-reason')!.textContent).toBe(
      'no checkpoint has no checkpoint: none of its executions recorded one.'
    );
    act(() => button().click());
    expect(diffs).toEqual([]);
    act(() => {
      from.value = 'a';
      from.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(button().disabled).toBe(false);
    expect($('.jp-ExperimentsCompare-reason')).toBeNull();
  });

  it('shows long lists in part, and says when nothing was executed', () => {
    const many = [...Array(EXECUTIONS_SHOWN + 5).keys()].map(i =>
      execution({ execution_count: i + 1 })
    );
    render([
      client.runs.add({ id: 'long', executions: many }),
      client.runs.add({ id: 'empty' })
    ]);
    expect(
      $$('[data-run-id="long"] .jp-ExperimentsCompare-execution')
    ).toHaveLength(EXECUTIONS_SHOWN);
    expect($('[data-run-id="empty"]')!.textContent).toContain(
      'No executed cells recorded.'
    );
    act(() =>
      ($('.jp-ExperimentsCompare-showAll') as HTMLButtonElement).click()
    );
    expect(
      $$('[data-run-id="long"] .jp-ExperimentsCompare-execution')
    ).toHaveLength(EXECUTIONS_SHOWN + 5);

    render([client.runs.add({ id: 'x' }), client.runs.add({ id: 'y' })]);
    expect($('.jp-ExperimentsCompare-empty')!.textContent).toBe(
      'None of these runs recorded an executed cell.'
    );
    expect(button().disabled).toBe(true);
  });
});
