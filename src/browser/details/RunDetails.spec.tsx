import {
  RenderMimeRegistry,
  standardRendererFactories
} from '@jupyterlab/rendermime';
import React, { act } from 'react';
import { createRoot, Root } from 'react-dom/client';

import { FakeExperimentsClient } from '../../testing/fakeClient';
import type { IRun } from '../../tokens';
import { formatDate } from '../columns';
import {
  environmentText,
  EXECUTIONS_SHOWN,
  IMAGES_SHOWN,
  IRunDetailsProps,
  MAX_SPARKLINES,
  RunDetails
} from './RunDetails';

// React's act() runs renders and effects to completion in a test environment.
(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

const EVIL = '<img src=x onerror="window.__pwned=1">';

function fullRun(client: FakeExperimentsClient, overrides: Partial<IRun> = {}) {
  const run = client.runs.add({
    id: 'run-1234567890',
    name: 'baseline',
    status: 'finished',
    kind: 'notebook',
    notebook_path: 'work/train.ipynb',
    notebook_id: 'nb-1',
    kernel_name: 'python3',
    user: 'ada',
    start_time: 1000,
    end_time: 1090,
    tags: { stage: 'prod', draft: '' },
    notes: '',
    params: { lr: 0.01, layers: [64, 32], opt: EVIL },
    param_cells: {
      lr: { cell_id: 'cell-p', checkpoint: 'abcdef1234567' },
      opt: { cell_id: null, checkpoint: null }
    },
    images: [
      {
        id: 'img1',
        key: 'confusion',
        step: 3,
        sha256: 's',
        width: 64,
        height: 48,
        timestamp: 0,
        cell_id: 'cell-i',
        checkpoint: 'fedcba9876543'
      }
    ],
    data: [
      {
        path: '/data/sets/train.csv',
        sha256: '0123456789abcdef',
        size: 2048,
        file_count: 1,
        timestamp: 0,
        cell_id: 'cell-d',
        checkpoint: null
      }
    ],
    environment: {
      language: 'python',
      language_version: '3.12.1',
      hostname: EVIL,
      git: { commit: 'c0ffee', branch: 'main', dirty: true },
      packages: { numpy: '2.1.0', pandas: '2.2.3', 'scikit-learn': '1.5.0' }
    },
    executions: [
      {
        execution_count: 1,
        started: 1001,
        duration: 0.25,
        status: 'ok',
        error_name: null,
        source_head: 'import numpy as np',
        cell_id: 'cell-a',
        checkpoint: '1111111aaaa'
      },
      {
        execution_count: 2,
        started: 1002,
        duration: 75,
        status: 'error',
        error_name: 'ValueError',
        source_head: EVIL,
        cell_id: 'cell-b',
        checkpoint: null
      }
    ],
    ...overrides
  });
  return run;
}

describe('RunDetails', () => {
  let host: HTMLDivElement;
  let root: Root;
  let client: FakeExperimentsClient;
  let opened: {
    cells: string[][];
    checkpoints: string[][];
    notebooks: string[];
  };
  let revoked: string[];

  beforeEach(() => {
    host = document.createElement('div');
    document.body.appendChild(host);
    root = createRoot(host);
    client = new FakeExperimentsClient();
    opened = { cells: [], checkpoints: [], notebooks: [] };
    revoked = [];
    (URL as any).revokeObjectURL = (url: string) => revoked.push(url);
  });

  afterEach(() => {
    act(() => root.unmount());
    host.remove();
    delete (window as any).__pwned;
  });

  async function render(
    run: IRun,
    props: Partial<IRunDetailsProps> = {}
  ): Promise<void> {
    await act(async () => {
      root.render(
        <RunDetails
          run={run}
          client={client}
          onOpenCell={(path, cell) => opened.cells.push([path, cell])}
          onOpenCheckpoint={(id, commit) =>
            opened.checkpoints.push([id, commit])
          }
          onOpenNotebook={path => opened.notebooks.push(path)}
          now={2000}
          {...props}
        />
      );
    });
    // Let fetched series and images land.
    await act(() => new Promise<void>(resolve => setTimeout(resolve, 0)));
  }

  const $ = (selector: string) => host.querySelector(selector);
  const $$ = (selector: string) => Array.from(host.querySelectorAll(selector));
  const section = (title: string) =>
    host.querySelector(`[data-section="${title}"]`) as HTMLDetailsElement;
  const click = (element: Element | null) =>
    act(() => (element as HTMLElement).click());

  it('shows the header: name, status, kind, notebook, times, user, tags', async () => {
    await render(fullRun(client));
    const header = $('.jp-ExperimentsDetails-header')!;
    expect(header.querySelector('h2')!.textContent).toBe('baseline');
    expect(
      header.querySelector('.jp-Experiments-status-finished')!.textContent
    ).toBe('finished');
    const meta = header.querySelector('dl')!.textContent!;
    expect(meta).toContain('Kindnotebook');
    expect(meta).toContain(`Started${formatDate(1000)}`);
    expect(meta).toContain('Duration1 min 30 s');
    expect(meta).toContain('Userada');
    expect(meta).toContain('Kernelpython3');
    expect(meta).toContain('Run IDrun-1234567890');
    expect(meta).not.toContain('Verdict');
    expect($$('[data-tag]').map(t => t.textContent)).toEqual([
      'draft',
      'stage: prod'
    ]);
    await click($('.jp-ExperimentsDetails-notebook'));
    expect(opened.notebooks).toEqual(['work/train.ipynb']);
  });

  it('shows a running run’s duration so far, a verdict, the star and the archive', async () => {
    await render(
      fullRun(client, {
        name: null,
        status: 'running',
        end_time: null,
        starred: true,
        archived: true,
        verdict: 'output-changed'
      } as Partial<IRun>)
    );
    expect($('h2')!.textContent).toBe('Run run-1234');
    const meta = $('dl')!.textContent!;
    expect(meta).toContain('Duration16 min 40 s so far');
    expect(meta).toContain('Verdictoutput-changed');
    expect($('.jp-Experiments-verdict-output-changed')).not.toBeNull();
    expect($('.jp-ExperimentsDetails-star')).not.toBeNull();
    expect($('.jp-ExperimentsDetails-badge')!.textContent).toBe('archived');
  });

  it('shows the notebook path as text when it cannot be opened', async () => {
    await render(fullRun(client), { onOpenNotebook: undefined });
    expect($('.jp-ExperimentsDetails-notebook')).toBeNull();
    expect($('dl')!.textContent).toContain('Notebookwork/train.ipynb');
  });

  it('links each param to its cell and checkpoint in the run’s notebook', async () => {
    await render(fullRun(client));
    const lr = $('[data-param="lr"]')!;
    expect(lr.querySelector('td')!.textContent).toBe('0.01');
    await click(
      lr.querySelector(
        '.jp-Experiments-cellLink:not(.jp-Experiments-checkpointLink)'
      )
    );
    expect(opened.cells).toEqual([['work/train.ipynb', 'cell-p']]);
    const checkpoint = lr.querySelector('.jp-Experiments-checkpointLink')!;
    expect(checkpoint.textContent).toBe('abcdef1');
    await click(checkpoint);
    expect(opened.checkpoints).toEqual([['nb-1', 'abcdef1234567']]);
    expect($('[data-param="layers"] td')!.textContent).toBe('[64,32]');
    expect($('[data-param="opt"] .jp-Experiments-cellLink')).toBeNull();
  });

  it('offers no links a run without a notebook cannot follow', async () => {
    await render(
      fullRun(client, {
        kind: 'script',
        notebook_path: null,
        notebook_id: null
      })
    );
    expect($$('.jp-Experiments-cellLink')).toHaveLength(0);
    expect($('dl')!.textContent).not.toContain('Notebook');
  });

  it('escapes user text everywhere', async () => {
    await render(
      fullRun(client, {
        name: EVIL,
        tags: { [EVIL]: EVIL },
        notes: EVIL,
        user: EVIL
      })
    );
    // The one <img> is the logged image's thumbnail.
    expect($$('img').map(img => img.getAttribute('alt'))).toEqual([
      'confusion'
    ]);
    expect(host.innerHTML).not.toContain('<img src="x"');
    expect(host.textContent).toContain(EVIL);
    expect($('h2')!.textContent).toBe(EVIL);
    expect($('.jp-ExperimentsDetails-plain')!.textContent).toBe(EVIL);
    expect((window as any).__pwned).toBeUndefined();
  });

  it('tabulates the metrics with a sparkline from their series', async () => {
    const run = fullRun(client);
    client.runs.logMetric(run.id, 'acc', [0.5, 0.7, 0.9]);
    client.runs.logMetric(run.id, 'loss', [NaN]);
    await render(client.runs.runs.get(run.id)!);
    const acc = $('[data-metric="acc"]')!;
    const cells = Array.from(acc.querySelectorAll('td')).map(
      td => td.textContent
    );
    expect(cells.slice(0, 4)).toEqual(['0.9', '0.5', '0.9', '3']);
    expect(acc.querySelector('path')!.getAttribute('d')).toMatch(/^M.*L.*L/);
    expect($('[data-metric="loss"] td')!.textContent).toBe('NaN');
    expect(client.callsTo('runs.metricSeries')).toEqual([
      [run.id, 'acc', 80],
      [run.id, 'loss', 80]
    ]);
  });

  it(`fetches at most ${MAX_SPARKLINES} series, and again when a count changes`, async () => {
    const run = fullRun(client);
    for (let i = 0; i < MAX_SPARKLINES + 5; i++) {
      client.runs.logMetric(run.id, `m${i}`, [i]);
    }
    await render({ ...client.runs.runs.get(run.id)! });
    expect($$('[data-metric]')).toHaveLength(MAX_SPARKLINES + 5);
    expect(client.callsTo('runs.metricSeries')).toHaveLength(MAX_SPARKLINES);
    // The same run again, nothing new: no request.
    await render({ ...client.runs.runs.get(run.id)! });
    expect(client.callsTo('runs.metricSeries')).toHaveLength(MAX_SPARKLINES);
    client.runs.logMetric(run.id, 'm0', [1]);
    await render({ ...client.runs.runs.get(run.id)! });
    expect(client.callsTo('runs.metricSeries')).toHaveLength(
      MAX_SPARKLINES * 2
    );
  });

  it('shows thumbnails through the client and revokes them when gone', async () => {
    await render(fullRun(client));
    const figure = $('[data-image="confusion"]')!;
    expect(figure.querySelector('img')!.getAttribute('src')).toBe(
      'blob:run-1234567890/img1'
    );
    expect(figure.querySelector('figcaption')!.textContent).toContain(
      'confusion · step 3 · 64×48'
    );
    await click(figure.querySelector('.jp-Experiments-checkpointLink'));
    expect(opened.checkpoints).toEqual([['nb-1', 'fedcba9876543']]);
    act(() => root.unmount());
    expect(revoked).toEqual(['blob:run-1234567890/img1']);
    root = createRoot(host);
  });

  it('says when an image cannot be loaded', async () => {
    client.failNext('runs.imageUrl', new Error('gone'));
    await render(fullRun(client));
    expect($('[data-image="confusion"]')!.textContent).toContain(
      'Could not load the image.'
    );
  });

  it(`loads the first ${IMAGES_SHOWN} images, the rest on demand`, async () => {
    const images = Array.from({ length: IMAGES_SHOWN + 3 }, (_, i) => ({
      id: `i${i}`,
      key: `k${i}`,
      step: null,
      sha256: 's',
      width: null,
      height: null,
      timestamp: 0,
      cell_id: null
    }));
    await render(fullRun(client, { images }));
    expect($$('[data-image]')).toHaveLength(IMAGES_SHOWN);
    expect(client.callsTo('runs.imageUrl')).toHaveLength(IMAGES_SHOWN);
    const more = $('[data-section="Images"] .jp-ExperimentsDetails-showAll')!;
    expect(more.textContent).toBe(`Show all ${IMAGES_SHOWN + 3} images`);
    await click(more);
    await act(() => new Promise<void>(resolve => setTimeout(resolve, 0)));
    expect($$('[data-image]')).toHaveLength(IMAGES_SHOWN + 3);
  });

  it('lists data inputs with their hash, size and cell', async () => {
    await render(fullRun(client));
    const row = $('[data-path="/data/sets/train.csv"]')!;
    expect(row.textContent).toContain('…/sets/train.csv');
    expect(row.textContent).toContain('0123456789ab');
    expect(row.textContent).toContain('2.0 KB');
    await click(row.querySelector('.jp-Experiments-cellLink'));
    expect(opened.cells).toEqual([['work/train.ipynb', 'cell-d']]);
  });

  it('lists executed cells with status, times and links', async () => {
    await render(fullRun(client));
    const rows = $$('.jp-ExperimentsDetails-executions tbody tr');
    expect(rows).toHaveLength(2);
    expect(rows[0].textContent).toContain('[1]');
    expect(rows[0].textContent).toContain('import numpy as np');
    expect(rows[0].textContent).toContain('250 ms');
    expect(rows[0].textContent).toContain(formatDate(1001));
    expect(rows[1].className).toContain('jp-Experiments-execution-error');
    expect(rows[1].textContent).toContain('error · ValueError');
    expect(rows[1].textContent).toContain('1 min 15 s');
    expect(rows[1].querySelector('code')!.textContent).toBe(EVIL);
    await click(rows[0].querySelector('.jp-Experiments-checkpointLink'));
    await click(rows[1].querySelector('.jp-Experiments-cellLink'));
    expect(opened.checkpoints).toEqual([['nb-1', '1111111aaaa']]);
    expect(opened.cells).toEqual([['work/train.ipynb', 'cell-b']]);
  });

  it(`lists the first ${EXECUTIONS_SHOWN} executions, all on demand`, async () => {
    const executions = Array.from({ length: EXECUTIONS_SHOWN + 1 }, (_, i) => ({
      execution_count: i,
      started: null,
      duration: null,
      status: 'ok',
      error_name: null,
      cell_id: null
    }));
    await render(fullRun(client, { executions }));
    const rows = () => $$('.jp-ExperimentsDetails-executions tbody tr');
    expect(rows()).toHaveLength(EXECUTIONS_SHOWN);
    await click(
      $('[data-section="Executed cells"] .jp-ExperimentsDetails-showAll')
    );
    expect(rows()).toHaveLength(EXECUTIONS_SHOWN + 1);
  });

  it('shows the environment in full, closed, with a package search', async () => {
    await render(fullRun(client));
    expect(section('Environment').open).toBe(false);
    expect($('[data-field="language_version"] td')!.textContent).toBe('3.12.1');
    expect($('[data-field="git"] td')!.textContent).toBe(
      'commit: c0ffee, branch: main, dirty: yes'
    );
    expect($('[data-field="hostname"] td')!.textContent).toBe(EVIL);
    const names = () =>
      $$('[data-package]').map(row => row.getAttribute('data-package'));
    expect(names()).toEqual(['numpy', 'pandas', 'scikit-learn']);
    const search = $('.jp-ExperimentsDetails-search') as HTMLInputElement;
    await act(async () => {
      // React listens for input events; set the value the way a user does.
      const setter = Object.getOwnPropertyDescriptor(
        HTMLInputElement.prototype,
        'value'
      )!.set!;
      setter.call(search, 'PAN');
      search.dispatchEvent(new Event('input', { bubbles: true }));
    });
    expect(names()).toEqual(['pandas']);
    expect($('.jp-ExperimentsDetails-packages summary')!.textContent).toContain(
      '1 of 3'
    );
  });

  it('says when the environment was not captured', async () => {
    await render(fullRun(client, { environment: null }));
    expect(section('Environment').textContent).toContain('Not captured');
  });

  it('shows a banner for a run in the trash, with Restore', async () => {
    const restored: string[] = [];
    await render(fullRun(client, { deleted: 5000 }), {
      onRestore: id => restored.push(id)
    });
    const banner = $('.jp-ExperimentsDetails-deleted')!;
    expect(banner.getAttribute('role')).toBe('alert');
    expect(banner.textContent).toContain(
      `in the trash since ${formatDate(5000)}`
    );
    expect(banner.textContent).toContain(formatDate(5000 + 30 * 86400));
    await click(banner.querySelector('button'));
    expect(restored).toEqual(['run-1234567890']);
  });

  it('shows no banner for a run outside the trash', async () => {
    await render(fullRun(client));
    expect($('.jp-ExperimentsDetails-deleted')).toBeNull();
  });

  it('renders notes as untrusted markdown through rendermime', async () => {
    const rendermime = new RenderMimeRegistry({
      initialFactories: standardRendererFactories,
      markdownParser: {
        render: async (text: string) =>
          `<h3>${text}</h3><img src="x" onerror="window.__pwned=1"><script>window.__pwned=2</script>`
      }
    });
    await render(fullRun(client, { notes: 'Results' }), { rendermime });
    await act(() => new Promise<void>(resolve => setTimeout(resolve, 10)));
    const notes = $('.jp-ExperimentsDetails-notes')!;
    // (JupyterLab adds a ¶ anchor to headers.)
    expect(notes.querySelector('h3')!.firstChild!.textContent).toBe('Results');
    // Untrusted: the sanitizer removed the handler and the script.
    expect(notes.innerHTML).not.toContain('onerror');
    expect(notes.querySelector('script')).toBeNull();
    expect((window as any).__pwned).toBeUndefined();
    // A new note replaces the old rendering.
    await render(fullRun(client, { notes: 'Second' }), { rendermime });
    await act(() => new Promise<void>(resolve => setTimeout(resolve, 10)));
    expect(
      $$('.jp-ExperimentsDetails-notes h3').map(h => h.firstChild!.textContent)
    ).toEqual(['Second']);
  });

  it('says when there are no notes', async () => {
    await render(fullRun(client));
    expect(section('Notes').textContent).toContain('No notes.');
  });
});

describe('environmentText', () => {
  it('writes nested fields, booleans and lists', () => {
    expect(environmentText('x')).toBe('x');
    expect(environmentText(true)).toBe('yes');
    expect(environmentText(null)).toBe('');
    expect(environmentText([1, 'a'])).toBe('[1,"a"]');
    expect(environmentText({ a: 1, b: null, c: { d: false } })).toBe(
      'a: 1, c: d: no'
    );
  });
});
