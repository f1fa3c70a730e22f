import React, { act } from 'react';
import { createRoot, Root } from 'react-dom/client';

import { ApiError } from '../../rest';
import { FakeExperimentsClient } from '../../testing/fakeClient';
import { BrowserView } from '../BrowserView';
import { BrowserModel } from '../model';
import { aggregateText, parseTag } from './cells';
import { matchColumns } from './ColumnChooser';
import { keyAction } from './keyboard';

(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

describe('table helpers', () => {
  it('maps keys to actions', () => {
    expect(keyAction({ key: 'ArrowDown' }, 20)).toEqual({
      type: 'move',
      delta: 1,
      extend: false
    });
    expect(keyAction({ key: 'ArrowUp', shiftKey: true }, 20)).toEqual({
      type: 'move',
      delta: -1,
      extend: true
    });
    expect(keyAction({ key: 'PageDown' }, 20)).toMatchObject({ delta: 19 });
    expect(keyAction({ key: ' ' }, 20)).toEqual({ type: 'toggle' });
    expect(keyAction({ key: 'Enter' }, 20)).toEqual({ type: 'open' });
    expect(keyAction({ key: 'a', ctrlKey: true }, 20)).toBeNull();
    expect(keyAction({ key: 'x' }, 20)).toBeNull();
  });

  it('reads a tag as key or key=value', () => {
    expect(parseTag(' best ')).toEqual({ key: 'best', value: '' });
    expect(parseTag('stage = prod=2')).toEqual({
      key: 'stage',
      value: 'prod=2'
    });
    expect(parseTag(' =x')).toBeNull();
  });

  it('shows a mean ± std, and min, max and count in the tooltip', () => {
    const { text, title } = aggregateText({
      mean: 0.5,
      std: 0.1,
      min: 0.4,
      max: 0.6,
      count: 2
    });
    expect(text).toBe('0.5 ± 0.1');
    expect(title).toContain('min 0.4, max 0.6, 2 runs');
    expect(
      aggregateText({ mean: null, std: null, min: null, max: null, count: 0 })
        .text
    ).toBe('');
  });

  it('finds columns by every word of the search', () => {
    const ids = ['params.lr', 'metrics.val_acc', 'metrics.train_acc', 'name'];
    expect(matchColumns(ids, 'acc val')).toEqual(['metrics.val_acc']);
    expect(matchColumns(ids, 'METRICS')).toHaveLength(2);
    expect(matchColumns(ids, '')).toEqual(ids);
  });
});

describe('BrowserView', () => {
  let client: FakeExperimentsClient;
  let model: BrowserModel;
  let host: HTMLDivElement;
  let root: Root;
  const size = { width: 1200, height: 600 };

  beforeAll(() => {
    // jsdom lays nothing out: the scroller says how big it is.
    Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
      configurable: true,
      get() {
        return this.classList?.contains('jp-ExperimentsTable')
          ? size.height
          : 0;
      }
    });
    Object.defineProperty(HTMLElement.prototype, 'clientWidth', {
      configurable: true,
      get() {
        return this.classList?.contains('jp-ExperimentsTable') ? size.width : 0;
      }
    });
  });

  afterAll(() => {
    delete (HTMLElement.prototype as any).clientHeight;
    delete (HTMLElement.prototype as any).clientWidth;
  });

  beforeEach(() => {
    client = new FakeExperimentsClient();
    host = document.createElement('div');
    document.body.appendChild(host);
    root = createRoot(host);
  });

  afterEach(() => {
    act(() => root.unmount());
    host.remove();
    model?.dispose();
  });

  async function render(state = {}): Promise<void> {
    model = new BrowserModel(client, { state });
    await act(async () => {
      root.render(<BrowserView model={model} />);
    });
    await settle();
  }

  async function settle(): Promise<void> {
    for (let i = 0; i < 4; i++) {
      await act(async () => {
        await new Promise(resolve => setTimeout(resolve, 0));
      });
    }
  }

  const table = () => host.querySelector('.jp-ExperimentsTable') as HTMLElement;
  const headers = () =>
    Array.from(host.querySelectorAll('[role="columnheader"]')).map(
      h => h.textContent
    );

  it('hands the nodes of the rows scrolled out to the rows scrolled in', async () => {
    for (let i = 0; i < 500; i++) {
      client.runs.add({ id: `r${i}`, name: `run ${i}`, params: { lr: i } });
    }
    await render();
    const drawn = () =>
      Array.from(
        host.querySelectorAll<HTMLElement>('[role="row"][aria-rowindex]')
      );
    const before = drawn();
    const indices = (rows: HTMLElement[]) =>
      rows
        .map(row => Number(row.getAttribute('aria-rowindex')))
        .sort((a, b) => a - b);
    expect(indices(before)[0]).toBe(1);
    // Twenty rows down, then far down: the same elements, showing other rows.
    for (const top of [20 * 26, 300 * 26]) {
      await act(async () => {
        table().scrollTop = top;
        table().dispatchEvent(new Event('scroll'));
      });
      await settle();
      const after = drawn();
      expect(after).toHaveLength(before.length);
      expect(after.every(row => before.includes(row))).toBe(true);
      const shown = indices(after);
      expect(shown[0]).toBeGreaterThan(1);
      // Consecutive rows, each once.
      expect(shown).toEqual(shown.map((_, i) => shown[0] + i));
    }
    // The row 301st from the top (newest first) is run 199, in its pinned part.
    const row = drawn().find(r => r.getAttribute('aria-rowindex') === '301')!;
    const pinned = host.querySelector(`#${row.getAttribute('aria-owns')}`)!;
    expect(pinned.textContent).toContain('run 199');
  });

  it('draws only the rows and columns on screen', async () => {
    const params: { [key: string]: number } = {};
    for (let p = 0; p < 290; p++) {
      params[`p${String(p).padStart(3, '0')}`] = p;
    }
    for (let i = 0; i < 10000; i++) {
      client.runs.add({ id: `r${i}`, name: `run ${i}`, params });
    }
    await render();
    expect(model.rowCount).toBe(10000);
    expect(model.columns.length).toBe(300);
    const rows = host.querySelectorAll('[role="row"][aria-rowindex]');
    // 600 px of 26 px rows, and the overscan: not 10,000.
    expect(rows.length).toBeGreaterThan(20);
    expect(rows.length).toBeLessThan(60);
    const cells = rows[0].querySelectorAll('[role="gridcell"]');
    expect(cells.length).toBeGreaterThan(5);
    expect(cells.length).toBeLessThan(30);
    // Its pinned columns, in the block that sticks to the left, are its own.
    const pinned = host.querySelector(`#${rows[0].getAttribute('aria-owns')}`)!;
    expect(pinned.getAttribute('data-index')).toBe('0');
    expect(pinned.textContent).toContain('run 9999');
    // Only the pinned block sticks.
    expect(
      host.querySelectorAll('.jp-ExperimentsTable-pinnedBody')
    ).toHaveLength(1);
    // One page asked for, not the whole table.
    expect(client.callsTo('runs.list')).toHaveLength(1);
    expect(table().getAttribute('aria-rowcount')).toBe('10000');
  });

  it('lights up both parts of the row under the mouse, one row at a time', async () => {
    for (let i = 0; i < 3; i++) {
      client.runs.add({ id: `r${i}`, name: `run ${i}` });
    }
    await render();
    const lit = () =>
      Array.from(host.querySelectorAll('.jp-mod-hover')).map(node =>
        node.getAttribute('data-index')
      );
    const over = (node: Element) =>
      act(async () => {
        node.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
      });
    // A cell of the second row's unpinned part: its pinned part too.
    await over(
      host.querySelector('[role="row"][data-index="1"] [role="gridcell"]')!
    );
    expect(lit()).toEqual(['1', '1']);
    // Onto the first row's pinned part: the second row is dimmed again.
    await over(
      host.querySelector('.jp-ExperimentsTable-pinnedRow[data-index="0"]')!
    );
    expect(lit()).toEqual(['0', '0']);
    await act(async () => {
      // React listens for mouseleave through mouseout at the root.
      table().dispatchEvent(
        new MouseEvent('mouseout', {
          bubbles: true,
          relatedTarget: document.body
        })
      );
    });
    expect(lit()).toEqual([]);
  });

  it('sorts on a header click, several keys with shift', async () => {
    client.runs.add({ id: 'a', name: 'b run' });
    client.runs.add({ id: 'b', name: 'a run' });
    await render();
    expect(headers().slice(0, 3)).toEqual(['★', 'Name', 'Notebook']);
    const name = () =>
      Array.from(host.querySelectorAll('[role="columnheader"]')).find(h =>
        h.textContent?.startsWith('Name')
      )!;
    await act(async () => {
      name().dispatchEvent(new MouseEvent('click', { bubbles: true }));
    });
    await settle();
    expect(model.state.orderBy).toEqual([{ key: 'name', descending: false }]);
    expect(name().getAttribute('aria-sort')).toBe('ascending');
    expect(
      host.querySelector('.jp-ExperimentsTable-row')!.textContent
    ).toContain('a run');
    const kind = Array.from(
      host.querySelectorAll('[role="columnheader"]')
    ).find(h => h.textContent?.startsWith('Kind'))!;
    await act(async () => {
      kind.dispatchEvent(
        new MouseEvent('click', { bubbles: true, shiftKey: true })
      );
    });
    expect(model.state.orderBy.map(k => k.key)).toEqual(['name', 'kind']);
  });

  it('moves, selects and opens with the keyboard', async () => {
    for (let i = 0; i < 5; i++) {
      client.runs.add({ id: `r${i}` });
    }
    await render();
    const opened: string[] = [];
    model.opened.connect((_, id) => opened.push(id));
    const press = async (key: string, shiftKey = false) =>
      act(async () => {
        table().dispatchEvent(
          new KeyboardEvent('keydown', { key, shiftKey, bubbles: true })
        );
      });
    await press('ArrowDown');
    await press('ArrowDown');
    await press(' ');
    expect(model.selection).toEqual(['r3']);
    expect(
      host
        .querySelector('[role="row"].jp-mod-selected')!
        .getAttribute('aria-rowindex')
    ).toBe('2');
    // Both parts of the row show it selected.
    expect(
      host.querySelectorAll('.jp-mod-selected[data-index="1"]')
    ).toHaveLength(2);
    await press('ArrowDown', true);
    expect([...model.selection].sort()).toEqual(['r2', 'r3']);
    await press('Enter');
    expect(opened).toEqual(['r2']);
    await press('Escape');
    expect(model.selection).toEqual([]);
  });

  it('says there are no runs yet, or none matching the filter', async () => {
    await render();
    expect(host.textContent).toContain('No runs yet — run a notebook cell');
    expect(table()).toBeNull();
    client.runs.add({ id: 'x', status: 'finished' });
    await act(async () => model.setFilter("status = 'failed'"));
    await settle();
    expect(host.textContent).toContain("No runs match status = 'failed'.");
    const clear = Array.from(host.querySelectorAll('button')).find(
      b => b.textContent === 'Clear the filter'
    )!;
    await act(async () => clear.click());
    await settle();
    expect(model.filter).toBe('');
    expect(table()).not.toBeNull();
  });

  it('says what to do when the runs cannot be listed', async () => {
    client.failNext('runs.list', new ApiError(503, 'Service unavailable'));
    await render();
    expect(host.querySelector('[role="alert"]')!.textContent).toContain(
      'Could not load the runs: Service unavailable'
    );
    expect(host.textContent).toContain('Check that the Jupyter server');
    const retry = Array.from(host.querySelectorAll('button')).find(
      b => b.textContent === 'Retry'
    )!;
    await act(async () => retry.click());
    await settle();
    expect(host.querySelector('[role="alert"]')).toBeNull();
  });

  it('tags the selected runs from the selection bar', async () => {
    client.runs.add({ id: 'a' });
    client.runs.add({ id: 'b' });
    await render();
    await act(async () => {
      model.select(0);
      model.select(1, 'toggle');
    });
    expect(host.textContent).toContain('2 runs selected');
    const tag = Array.from(host.querySelectorAll('button')).find(
      b => b.textContent === 'Tag…'
    )!;
    await act(async () => tag.click());
    const input = host.querySelector(
      'input[aria-label="Tag: key or key=value"]'
    ) as HTMLInputElement;
    await act(async () => {
      const setter = Object.getOwnPropertyDescriptor(
        HTMLInputElement.prototype,
        'value'
      )!.set!;
      setter.call(input, 'stage=prod');
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await act(async () => {
      input.dispatchEvent(
        new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })
      );
    });
    await settle();
    expect(client.callsTo('runs.bulk')).toEqual([
      [['b', 'a'], { tags: { set: { stage: 'prod' } } }]
    ]);
    expect(host.querySelectorAll('.jp-ExperimentsTable-chip')).toHaveLength(2);
  });
});
