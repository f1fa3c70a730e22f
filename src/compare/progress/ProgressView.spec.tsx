import React, { act, useState } from 'react';
import { createRoot, Root } from 'react-dom/client';

import { ApiError } from '../../rest/request';
import { FakeExperimentsClient } from '../../testing/fakeClient';
import type { IProgressState } from '../state';
import { ProgressView } from './ProgressView';

// React's act() runs renders and effects to completion in a test environment.
(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

const EVIL = '<img src=x onerror="window.__pwned=1">';

describe('ProgressView', () => {
  let host: HTMLDivElement;
  let root: Root;
  let client: FakeExperimentsClient;
  let opened: string[];
  let states: IProgressState[];

  beforeEach(() => {
    host = document.createElement('div');
    document.body.appendChild(host);
    root = createRoot(host);
    client = new FakeExperimentsClient();
    opened = [];
    states = [];
  });

  afterEach(() => {
    act(() => root.unmount());
    host.remove();
    delete (window as any).__pwned;
  });

  /** Runs started in this order with these accuracies and losses. */
  function addRuns(): void {
    const rows: [string, string, number, number | null, string][] = [
      ['r1', 'first', 0.5, 0.9, 'sweep'],
      ['r2', 'worse', 0.4, 1.2, 'sweep'],
      ['r3', EVIL, 0.7, 0.6, 'sweep'],
      ['r4', 'tie', 0.7, 0.6, 'other'],
      ['r5', 'best', 0.9, null, 'other']
    ];
    rows.forEach(([id, name, acc, loss, group], i) => {
      client.runs.add({
        id,
        name,
        start_time: 1000 + i,
        tags: { [group]: '' }
      });
      client.runs.logMetric(id, 'acc', [acc]);
      if (loss !== null) {
        client.runs.logMetric(id, 'loss', [loss]);
      }
    });
  }

  function Harness(props: { initial: IProgressState }): JSX.Element {
    const [state, setState] = useState(props.initial);
    return (
      <ProgressView
        client={client}
        state={state}
        onChange={next => {
          states.push(next);
          setState(next);
        }}
        onOpenRun={runId => opened.push(runId)}
      />
    );
  }

  const settle = () =>
    act(() => new Promise<void>(resolve => setTimeout(resolve, 0)));

  async function render(state: Partial<IProgressState>): Promise<void> {
    await act(async () =>
      root.render(
        <Harness
          initial={{ filter: '', metric: null, direction: 'max', ...state }}
        />
      )
    );
    await settle();
    await settle();
  }

  const $ = (selector: string) => host.querySelector(selector);
  const $$ = (selector: string) => Array.from(host.querySelectorAll(selector));
  const improvedRuns = () =>
    $$('.jp-ExperimentsCompare-improvement').map(li =>
      li.getAttribute('data-run-id')
    );

  async function choose(select: Element, value: string): Promise<void> {
    await act(async () => {
      (select as HTMLSelectElement).value = value;
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await settle();
  }

  it('lists the improvements of the chosen metric, each opening its run', async () => {
    addRuns();
    await render({ metric: 'metrics.acc', direction: 'max' });
    expect(improvedRuns()).toEqual(['r1', 'r3', 'r5']);
    const items = $$('.jp-ExperimentsCompare-improvement');
    expect(items.map(li => li.getAttribute('data-value'))).toEqual([
      '0.5',
      '0.7',
      '0.9'
    ]);
    expect(items[1].querySelector('button')!.textContent).toBe(EVIL);
    expect((window as any).__pwned).toBeUndefined();
    expect(items[1].textContent).toContain('(was 0.5)');
    expect($('.jp-ExperimentsCompare-progressSummary')!.textContent).toBe(
      '5 of 5 runs have a value; 3 improvements, best 0.9 by best.'
    );
    await act(async () => items[2].querySelector('button')!.click());
    expect(opened).toEqual(['r5']);
  });

  it('asks for all runs of the filter, oldest first', async () => {
    addRuns();
    await render({ metric: 'metrics.acc', filter: 'tags.other' });
    expect(improvedRuns()).toEqual(['r4', 'r5']);
    const query = client.callsTo('runs.list')[0][0] as any;
    expect(query.filter).toBe('tags.other');
    expect(query.order_by).toBe('started ASC');
    expect(query.offset).toBe(0);
  });

  it('walks the other way for min, and counts runs without the metric', async () => {
    addRuns();
    await render({ metric: 'metrics.loss', direction: 'min' });
    expect(improvedRuns()).toEqual(['r1', 'r3']);
    expect($('.jp-ExperimentsCompare-progressSummary')!.textContent).toContain(
      'Left out: 1 without this metric.'
    );
  });

  it('offers the metrics present and picks the direction a metric suggests', async () => {
    addRuns();
    await render({});
    expect($('.jp-ExperimentsCompare-empty')!.textContent).toBe(
      'Choose a metric to see its best value over time.'
    );
    const select = $('select[aria-label="Metric"]')!;
    const options = Array.from((select as HTMLSelectElement).options).map(
      o => o.value
    );
    expect(options).toEqual([
      '',
      'metrics.acc',
      'metrics.acc.min',
      'metrics.acc.max',
      'metrics.loss',
      'metrics.loss.min',
      'metrics.loss.max'
    ]);
    await choose(select, 'metrics.loss.min');
    expect(states[0]).toEqual({
      filter: '',
      metric: 'metrics.loss.min',
      direction: 'min'
    });
    expect(improvedRuns()).toEqual(['r1', 'r3']);
    await choose(select, 'metrics.acc');
    expect(states[1].direction).toBe('max');
    expect(improvedRuns()).toEqual(['r1', 'r3', 'r5']);
  });

  it('toggles the direction', async () => {
    addRuns();
    await render({ metric: 'metrics.acc', direction: 'max' });
    const min = $('button[data-direction="min"]') as HTMLButtonElement;
    expect(min.getAttribute('aria-pressed')).toBe('false');
    await act(async () => min.click());
    expect(states).toEqual([
      { filter: '', metric: 'metrics.acc', direction: 'min' }
    ]);
    expect(min.getAttribute('aria-pressed')).toBe('true');
    expect(improvedRuns()).toEqual(['r1', 'r2']);
  });

  it('applies a filter typed in its box on Enter', async () => {
    addRuns();
    await render({ metric: 'metrics.acc' });
    const box = $('input[aria-label="Filter runs"]') as HTMLInputElement;
    const setter = Object.getOwnPropertyDescriptor(
      HTMLInputElement.prototype,
      'value'
    )!.set!;
    await act(async () => {
      setter.call(box, 'tags.sweep');
      box.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await act(async () => {
      box.dispatchEvent(
        new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })
      );
    });
    await settle();
    await settle();
    expect(states[0].filter).toBe('tags.sweep');
    expect(improvedRuns()).toEqual(['r1', 'r3']);
  });

  it('shows the server’s message for a bad filter, and retries', async () => {
    addRuns();
    client.failNext(
      'runs.list',
      new ApiError(400, 'filter: at 12: expected a value, found the end')
    );
    await render({ metric: 'metrics.acc' });
    expect($('[role="alert"]')!.textContent).toContain(
      'The filter was refused: filter: at 12: expected a value, found the end. Correct the filter above.'
    );
    expect(improvedRuns()).toEqual([]);
    await act(async () =>
      ($('[role="alert"] button') as HTMLButtonElement).click()
    );
    await settle();
    await settle();
    expect($('[role="alert"]')).toBeNull();
    expect(improvedRuns()).toEqual(['r1', 'r3', 'r5']);
  });

  it('shows loading while the runs are fetched', async () => {
    addRuns();
    const release = client.hold('runs.list');
    await render({ metric: 'metrics.acc' });
    expect($('[aria-busy="true"]')!.textContent).toBe('Loading runs…');
    await act(async () => release());
    await settle();
    expect(improvedRuns()).toEqual(['r1', 'r3', 'r5']);
  });

  it('says when no run matches, or none has the metric', async () => {
    await render({ metric: 'metrics.acc' });
    expect($('.jp-ExperimentsCompare-empty')!.textContent).toBe(
      'No run matches this filter.'
    );
    act(() => root.unmount());
    root = createRoot(host);
    client.runs.add({ id: 'x', start_time: 1 });
    await render({ metric: 'metrics.acc' });
    expect($('.jp-ExperimentsCompare-empty')!.textContent).toBe(
      'No run of this filter has a value of metrics.acc.'
    );
    expect($('select[aria-label="Metric"]')!.textContent).toContain(
      'metrics.acc'
    );
  });

  it('still lists the improvements when the chart cannot be drawn', async () => {
    // jsdom has no canvas: the chart fails to load or draw.
    addRuns();
    await render({ metric: 'metrics.acc' });
    await settle();
    expect(improvedRuns()).toEqual(['r1', 'r3', 'r5']);
    expect($('.jp-ExperimentsCompare-progressChart')!.textContent).toContain(
      'The chart could not be drawn'
    );
  });
});
