import React, { act, useState } from 'react';
import { createRoot, Root } from 'react-dom/client';

import { ApiError } from '../../rest/request';
import { FakeExperimentsClient } from '../../testing/fakeClient';
import type { IRun, IRunImage } from '../../tokens';
import { NULL_STEP } from './engine';
import { ImagesSection, KEYS_OPEN } from './ImagesSection';

// React's act() runs renders and effects to completion in a test environment.
(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

const EVIL = '<img src=x onerror="window.__pwned=1">';

function image(
  id: string,
  key: string,
  step: number | null,
  timestamp = 0
): IRunImage {
  return {
    id,
    key,
    step,
    sha256: id,
    width: 8,
    height: 8,
    timestamp,
    cell_id: null,
    checkpoint: null
  };
}

describe('ImagesSection', () => {
  let host: HTMLDivElement;
  let root: Root;
  let client: FakeExperimentsClient;
  let revoked: string[];
  let changes: [string, number][];

  beforeEach(() => {
    host = document.createElement('div');
    document.body.appendChild(host);
    root = createRoot(host);
    client = new FakeExperimentsClient();
    revoked = [];
    changes = [];
    (URL as any).revokeObjectURL = (url: string) => revoked.push(url);
  });

  afterEach(() => {
    act(() => root.unmount());
    host.remove();
    delete (window as any).__pwned;
  });

  function twoRuns(): IRun[] {
    return [
      client.runs.add({
        id: 'a',
        name: 'alpha',
        images: [
          image('a0', 'samples', 0),
          image('a10', 'samples', 10),
          image('anull', 'samples', null)
        ]
      }),
      client.runs.add({
        id: 'b',
        name: EVIL,
        images: [image('b5', 'samples', 5), image('b10', 'samples', 10)]
      })
    ];
  }

  /** The section with its step state held as the panel would hold it. */
  function Harness(props: {
    runs: IRun[];
    initial?: { [key: string]: number };
  }): JSX.Element {
    const [steps, setSteps] = useState(props.initial ?? {});
    return (
      <ImagesSection
        client={client}
        runs={props.runs}
        colors={['#111111', '#222222']}
        steps={steps}
        onStepChange={(key, step) => {
          changes.push([key, step]);
          setSteps(previous => ({ ...previous, [key]: step }));
        }}
      />
    );
  }

  async function render(element: JSX.Element): Promise<void> {
    await act(async () => root.render(element));
    // Let the object URLs land.
    await act(() => new Promise<void>(resolve => setTimeout(resolve, 0)));
  }

  const $ = (selector: string) => host.querySelector(selector);
  const $$ = (selector: string) => Array.from(host.querySelectorAll(selector));
  const shown = () =>
    $$('.jp-ExperimentsCompare-imageCell').map(
      cell =>
        cell.querySelector('img')?.getAttribute('src') ??
        (cell.querySelector('.jp-ExperimentsCompare-noImage') ? 'none' : '?')
    );

  async function slide(input: Element, index: number): Promise<void> {
    const setter = Object.getOwnPropertyDescriptor(
      HTMLInputElement.prototype,
      'value'
    )!.set!;
    await act(async () => {
      setter.call(input, String(index));
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await act(() => new Promise<void>(resolve => setTimeout(resolve, 0)));
  }

  it('says so when no run logged an image', async () => {
    await render(
      <Harness
        runs={[client.runs.add({ id: 'x' }), client.runs.add({ id: 'y' })]}
      />
    );
    expect($('.jp-ExperimentsCompare-empty')!.textContent).toMatch(
      /None of these runs logged an image/
    );
    expect(client.callsTo('runs.imageUrl')).toEqual([]);
  });

  it('shows each run’s image at the last step by default, under its name and colour', async () => {
    await render(<Harness runs={twoRuns()} />);
    const block = $('[data-image-key="samples"]')!;
    expect(block.querySelector('summary')!.textContent).toContain(
      '2 of 2 runs · 4 steps'
    );
    expect($('.jp-ExperimentsCompare-stepValue')!.textContent).toBe('10');
    expect(shown()).toEqual(['blob:a/a10', 'blob:b/b10']);
    const names = $$('.jp-ExperimentsCompare-runName').map(n => n.textContent);
    expect(names).toEqual(['alpha', EVIL]);
    expect((window as any).__pwned).toBeUndefined();
    const swatches = $$('.jp-ExperimentsCompare-swatch') as HTMLElement[];
    expect(swatches.map(s => s.style.background)).toEqual([
      'rgb(17, 17, 17)',
      'rgb(34, 34, 34)'
    ]);
  });

  it('switches the images when the slider moves, saying which runs have none', async () => {
    await render(<Harness runs={twoRuns()} />);
    const slider = $('input[type="range"]')!;
    expect(slider.getAttribute('max')).toBe('3');
    await slide(slider, 2);
    expect(changes).toEqual([['samples', 5]]);
    expect($('.jp-ExperimentsCompare-stepValue')!.textContent).toBe('5');
    expect(slider.getAttribute('aria-valuetext')).toBe('step 5');
    expect(shown()).toEqual(['none', 'blob:b/b5']);
    expect($('.jp-ExperimentsCompare-noImage')!.textContent).toBe(
      'No image at this step'
    );
    // The images of step 10 were let go.
    expect(revoked.sort()).toEqual(['blob:a/a10', 'blob:b/b10']);

    // The null step: first, shown as a dash, stored as NULL_STEP.
    await slide(slider, 0);
    expect(changes[1]).toEqual(['samples', NULL_STEP]);
    expect($('.jp-ExperimentsCompare-stepValue')!.textContent).toBe('—');
    expect(shown()).toEqual(['blob:a/anull', 'none']);
  });

  it('starts at the stored step', async () => {
    await render(<Harness runs={twoRuns()} initial={{ samples: 0 }} />);
    expect($('.jp-ExperimentsCompare-stepValue')!.textContent).toBe('0');
    expect(shown()).toEqual(['blob:a/a0', 'none']);
  });

  it('enlarges an image on click; Escape closes it and gives the focus back', async () => {
    await render(<Harness runs={twoRuns()} />);
    const thumb = $$('.jp-ExperimentsCompare-thumb')[1] as HTMLButtonElement;
    await act(async () => thumb.click());
    const overlay = $('[role="dialog"]') as HTMLElement;
    expect(overlay).not.toBeNull();
    expect(overlay.querySelector('img')!.getAttribute('src')).toBe(
      'blob:b/b10'
    );
    expect(overlay.getAttribute('aria-label')).toBe(
      `${EVIL} · samples · step 10`
    );
    expect(document.activeElement).toBe(overlay);
    await act(async () => {
      document.dispatchEvent(
        new KeyboardEvent('keydown', { key: 'Escape', bubbles: true })
      );
    });
    expect($('[role="dialog"]')).toBeNull();
    expect(document.activeElement).toBe(thumb);
    // Its object URL is still the thumbnail's: not revoked by closing.
    expect(revoked).toEqual([]);
  });

  it('closes the enlarged image on a click', async () => {
    await render(<Harness runs={twoRuns()} />);
    const thumb = $$('.jp-ExperimentsCompare-thumb')[0] as HTMLButtonElement;
    await act(async () => thumb.click());
    await act(async () => ($('[role="dialog"]') as HTMLElement).click());
    expect($('[role="dialog"]')).toBeNull();
    expect(document.activeElement).toBe(thumb);
  });

  it('shows a failed image as an error, the others still load', async () => {
    client.failNext('runs.imageUrl', new ApiError(404, 'No image a10'));
    await render(<Harness runs={twoRuns()} />);
    expect($('.jp-ExperimentsCompare-imageError')!.textContent).toContain(
      'No image a10'
    );
    expect(shown()).toEqual(['?', 'blob:b/b10']);
  });

  it('shows loading until the image lands', async () => {
    const release = client.hold('runs.imageUrl');
    await render(<Harness runs={twoRuns()} />);
    expect($$('.jp-ExperimentsCompare-imageLoading')).toHaveLength(2);
    await act(async () => release());
    await act(() => new Promise<void>(resolve => setTimeout(resolve, 0)));
    expect(shown()).toEqual(['blob:a/a10', 'blob:b/b10']);
  });

  it('revokes every object URL on unmount, and those that land after it', async () => {
    const release = client.hold('runs.imageUrl');
    await render(<Harness runs={twoRuns()} />);
    act(() => root.unmount());
    await act(async () => release());
    await act(() => new Promise<void>(resolve => setTimeout(resolve, 0)));
    expect(revoked.sort()).toEqual(['blob:a/a10', 'blob:b/b10']);
    root = createRoot(host);

    await render(<Harness runs={twoRuns()} />);
    revoked = [];
    act(() => root.unmount());
    expect(revoked.sort()).toEqual(['blob:a/a10', 'blob:b/b10']);
    root = createRoot(host);
  });

  it('loads the first keys only, the others when opened', async () => {
    const keys = [...Array(KEYS_OPEN + 2).keys()].map(i => `k${i}`);
    const run = client.runs.add({
      id: 'a',
      images: keys.map((key, i) => image(`i${i}`, key, 1))
    });
    await render(<Harness runs={[run]} />);
    expect(client.callsTo('runs.imageUrl')).toHaveLength(KEYS_OPEN);
    const last = $(
      `[data-image-key="k${KEYS_OPEN + 1}"]`
    ) as HTMLDetailsElement;
    expect(last.open).toBe(false);
    await act(async () => {
      last.open = true;
      last.dispatchEvent(new Event('toggle'));
    });
    await act(() => new Promise<void>(resolve => setTimeout(resolve, 0)));
    expect(client.callsTo('runs.imageUrl')).toHaveLength(KEYS_OPEN + 1);
    expect(last.querySelector('img')!.getAttribute('src')).toBe(
      `blob:a/i${KEYS_OPEN + 1}`
    );
  });
});
