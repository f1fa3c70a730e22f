import React, { act } from 'react';
import { createRoot, Root } from 'react-dom/client';

import { emptyCompareState } from '../compare/state';
import { ApiError } from '../rest';
import { FakeExperimentsClient } from '../testing/fakeClient';
import { BrowserView } from './BrowserView';
import { downloadText, ExportMenu } from './ExportMenu';
import { BrowserModel } from './model';
import { defaultSlots, DetailsSlot, IDetailsActions } from './slots';
import { emptyViewState, IViewState } from './viewState';

(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

const actions = (): IDetailsActions => ({
  openCell: jest.fn(),
  openCheckpoint: jest.fn(),
  openNotebook: jest.fn()
});

async function settle(): Promise<void> {
  for (let i = 0; i < 6; i++) {
    await act(async () => {
      await new Promise(resolve => setTimeout(resolve, 0));
    });
  }
}

describe('browser slots', () => {
  let client: FakeExperimentsClient;
  let model: BrowserModel | null;
  let host: HTMLDivElement;
  let root: Root;

  beforeEach(() => {
    client = new FakeExperimentsClient();
    for (let i = 0; i < 150; i++) {
      client.runs.add({
        id: `run${i}`,
        name: `run ${i}`,
        notebook_path: 'a.ipynb',
        notebook_id: 'nb',
        status: 'finished',
        params: { lr: i / 1000 }
      });
      client.runs.logMetric(`run${i}`, 'acc', [i / 150]);
    }
    host = document.createElement('div');
    document.body.appendChild(host);
    root = createRoot(host);
    model = null;
  });

  afterEach(() => {
    act(() => root.unmount());
    host.remove();
    model?.dispose();
  });

  const button = (name: string) =>
    Array.from(host.querySelectorAll('button')).find(
      b => b.textContent?.trim() === name
    ) as HTMLButtonElement | undefined;

  const click = async (element: Element | undefined) => {
    expect(element).toBeTruthy();
    await act(async () => {
      (element as HTMLElement).click();
    });
    await settle();
  };

  async function renderView(
    state = {},
    openLinked?: (view: IViewState) => void
  ): Promise<BrowserModel> {
    model = new BrowserModel(client, { state });
    const slots = defaultSlots({ client, actions: actions(), openLinked });
    await act(async () => {
      root.render(<BrowserView model={model!} slots={slots} />);
    });
    await settle();
    return model;
  }

  it('mounts the filter box, saved views, Copy link and Export', async () => {
    await renderView();
    expect(host.querySelector('.jp-ExperimentsFilter .cm-editor')).toBeTruthy();
    // The plain box is the fallback only.
    expect(host.querySelector('.jp-ExperimentsBrowser-plainFilter')).toBeNull();
    expect(button('Copy link')).toBeTruthy();
    expect(button('Export')).toBeTruthy();
    await click(button('Views'));
    expect(host.querySelector('.jp-ExperimentsViews')).toBeTruthy();
    expect(client.callsTo('views.list')).toHaveLength(1);
  });

  it("shows the server's refusal of the filter under the box", async () => {
    client.failNext(
      'runs.list',
      new ApiError(400, 'at 10: expected a value, found the end', {
        message: 'at 10: expected a value, found the end',
        position: 10,
        found: '',
        expected: 'a value',
        argument: 'filter'
      })
    );
    await renderView({ filter: 'params.x >' });
    const message = host.querySelector('.jp-ExperimentsFilter-message');
    expect(message?.textContent).toBe('at 10: expected a value, found the end');
    expect(host.querySelector('.jp-ExperimentsFilter-errorEnd')).toBeTruthy();
  });

  it('applies a saved view', async () => {
    await client.views.save('best', {
      filter: 'params.lr > 0.1',
      orderBy: [],
      columns: [],
      groupBy: null,
      selection: [],
      anchor: null
    });
    const view = await renderView();
    await click(button('Views'));
    await click(button('best'));
    expect(view.filter).toBe('params.lr > 0.1');
    // Chosen: the list closes.
    expect(host.querySelector('.jp-ExperimentsViews')).toBeNull();
  });

  it('opens the comparison a saved view carries', async () => {
    const compare = { ...emptyCompareState(['run1', 'run2']), smoothing: 0.5 };
    await client.views.save('two runs', {
      ...emptyViewState(),
      filter: 'params.lr > 0.1',
      compare
    });
    await client.views.save('plain', { ...emptyViewState() });
    const linked: IViewState[] = [];
    const view = await renderView({}, v => linked.push(v));
    await click(button('Views'));
    await click(button('two runs'));
    expect(view.filter).toBe('params.lr > 0.1');
    expect(linked.map(v => v.compare)).toEqual([compare]);
    await click(button('Views'));
    await click(button('plain'));
    expect(linked).toHaveLength(1);
  });
});

describe('ExportMenu', () => {
  let client: FakeExperimentsClient;
  let model: BrowserModel;
  let host: HTMLDivElement;
  let root: Root;

  beforeEach(async () => {
    client = new FakeExperimentsClient();
    for (let i = 0; i < 250; i++) {
      client.runs.add({
        id: `run${i}`,
        name: `run ${i}`,
        status: 'finished',
        params: { lr: i / 1000 }
      });
    }
    host = document.createElement('div');
    document.body.appendChild(host);
    root = createRoot(host);
    model = new BrowserModel(client, {
      state: {
        filter: 'params.lr >= 0.1',
        orderBy: [{ key: 'params.lr', descending: true }],
        columns: [
          { id: 'name', pinned: true },
          { id: 'status', hidden: true },
          { id: 'params.lr' }
        ]
      }
    });
    await settle();
    // Only these two shown: the columns the store's keys add are hidden.
    for (const column of model.columns) {
      if (column.id !== 'name' && column.id !== 'params.lr') {
        model.setColumnHidden(column.id, true);
      }
    }
  });

  afterEach(() => {
    act(() => root.unmount());
    host.remove();
    model.dispose();
  });

  const item = (name: string) =>
    Array.from(host.querySelectorAll('button')).find(
      b => b.textContent?.trim() === name
    )!;

  async function choose(name: string): Promise<void> {
    await act(async () => item('Export').click());
    await act(async () => item(name).click());
    await settle();
  }

  it('downloads every run of the view, not only the loaded page', async () => {
    const download = jest.fn();
    await act(async () => {
      root.render(
        <ExportMenu model={model} runs={client.runs} download={download} />
      );
    });
    // The table asked for one page of 100; the view has 150 runs.
    expect(model.total).toBe(150);
    await choose('Download CSV');
    expect(download).toHaveBeenCalledTimes(1);
    const [csv, fileName] = download.mock.calls[0];
    expect(fileName).toBe('experiments.csv');
    const lines = csv.trimEnd().split('\r\n');
    expect(lines).toHaveLength(151);
    // Visible columns only, in order; the view's order and filter.
    expect(lines[0]).toBe('Name,params.lr');
    expect(lines[1]).toBe('run 249,0.249');
    expect(lines[150]).toBe('run 100,0.1');
    expect(host.querySelector('[role="status"]')?.textContent).toBe(
      'Exported 150 runs.'
    );
  });

  it('says when the file stops at the cap', async () => {
    const download = jest.fn();
    await act(async () => {
      root.render(
        <ExportMenu
          model={model}
          runs={client.runs}
          download={download}
          maxRuns={120}
        />
      );
    });
    await choose('Download CSV');
    expect(download.mock.calls[0][0].trimEnd().split('\r\n')).toHaveLength(121);
    expect(host.querySelector('[role="status"]')?.textContent).toContain(
      'first 120 of 150 runs'
    );
  });

  it('shows progress while pages load, and the failure', async () => {
    const release = client.hold('runs.list');
    await act(async () => {
      root.render(
        <ExportMenu model={model} runs={client.runs} download={jest.fn()} />
      );
    });
    await act(async () => item('Export').click());
    await act(async () => item('Download CSV').click());
    expect(host.querySelector('progress')).toBeTruthy();
    expect(item('Export').disabled).toBe(true);
    client.failNext('runs.list', new Error('offline'));
    release();
    await settle();
    expect(host.querySelector('progress')).toBeNull();
    expect(host.querySelector('[role="status"]')?.textContent).toBe(
      'The export failed: offline'
    );
  });

  it('copies a pandas snippet of the view', async () => {
    const copy = jest.fn().mockResolvedValue(undefined);
    await act(async () => {
      root.render(<ExportMenu model={model} runs={client.runs} copy={copy} />);
    });
    await choose('Copy pandas snippet');
    const snippet: string = copy.mock.calls[0][0];
    expect(snippet).toContain("filter_string='params.lr >= 0.1'");
    expect(snippet).toContain("order_by=['params.lr DESC']");
    expect(snippet).toContain('max_results=150');
    expect(snippet).toContain("df = df.reindex(columns=['name', 'params.lr'])");
  });

  it('saves through a link that downloads experiments.csv', () => {
    const created = jest.fn(() => 'blob:csv');
    (URL as any).createObjectURL = created;
    (URL as any).revokeObjectURL = jest.fn();
    const clicked: HTMLAnchorElement[] = [];
    const spy = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function (this: HTMLAnchorElement) {
        clicked.push(this);
      });
    downloadText('a,b\r\n', 'experiments.csv');
    expect(clicked).toHaveLength(1);
    expect(clicked[0].download).toBe('experiments.csv');
    expect(clicked[0].href).toBe('blob:csv');
    expect(clicked[0].isConnected).toBe(false);
    expect((created.mock.calls[0] as unknown[])[0]).toBeInstanceOf(Blob);
    spy.mockRestore();
  });
});

describe('DetailsSlot', () => {
  let client: FakeExperimentsClient;
  let model: BrowserModel;
  let host: HTMLDivElement;
  let root: Root;

  beforeEach(() => {
    client = new FakeExperimentsClient();
    client.runs.add({
      id: 'r1',
      name: 'first',
      notebook_path: 'a.ipynb',
      notebook_id: 'nb'
    });
    model = new BrowserModel(client);
    host = document.createElement('div');
    document.body.appendChild(host);
    root = createRoot(host);
  });

  afterEach(() => {
    act(() => root.unmount());
    host.remove();
    model.dispose();
  });

  const render = async (runId: string, close = jest.fn(), acts = actions()) => {
    await act(async () => {
      root.render(
        <DetailsSlot
          model={model}
          runId={runId}
          close={close}
          client={client}
          actions={acts}
          rendermime={null}
        />
      );
    });
  };

  it('loads the run, and again when the server names it', async () => {
    const release = client.hold('runs.get');
    await render('r1');
    expect(host.textContent).toContain('Loading the run');
    release();
    await settle();
    expect(host.querySelector('.jp-Experiments-runName')?.textContent).toBe(
      'first'
    );
    client.runs.runs.get('r1')!.name = 'renamed';
    client.events.emit(['other']);
    await settle();
    expect(client.callsTo('runs.get')).toHaveLength(1);
    client.events.emit(['r1']);
    await settle();
    expect(client.callsTo('runs.get')).toHaveLength(2);
    expect(host.querySelector('.jp-Experiments-runName')?.textContent).toBe(
      'renamed'
    );
  });

  it('opens the notebook through the actions, and closes', async () => {
    const close = jest.fn();
    const acts = actions();
    await render('r1', close, acts);
    await settle();
    const notebook = host.querySelector(
      '.jp-ExperimentsDetails-notebook'
    ) as HTMLButtonElement;
    await act(async () => notebook.click());
    expect(acts.openNotebook).toHaveBeenCalledWith('a.ipynb');
    await act(async () =>
      (
        host.querySelector(
          '[aria-label="Close the run details"]'
        ) as HTMLButtonElement
      ).click()
    );
    expect(close).toHaveBeenCalled();
  });

  it('says a purged run is gone, and retries other failures', async () => {
    await render('missing');
    await settle();
    expect(host.textContent).toContain('no longer exists');
    client.failNext('runs.get', new Error('offline'));
    await render('r1');
    await settle();
    expect(host.textContent).toContain('Could not load the run: offline');
    const retry = Array.from(host.querySelectorAll('button')).find(
      b => b.textContent === 'Retry'
    )!;
    await act(async () => retry.click());
    await settle();
    expect(host.querySelector('.jp-Experiments-runName')?.textContent).toBe(
      'first'
    );
  });
});
