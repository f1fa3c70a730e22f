import { Clipboard, Dialog, InputDialog } from '@jupyterlab/apputils';
import React, { act } from 'react';
import { createRoot, Root } from 'react-dom/client';

import { FakeExperimentsClient } from '../../testing/fakeClient';
import { readShareParam } from '../share';
import { emptyViewState, IViewState } from '../viewState';
import { copyText } from './copy';
import { CopyLinkButton } from './CopyLinkButton';
import { SavedViews } from './SavedViews';

(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

const VIEW: IViewState = { ...emptyViewState(), filter: 'tags.best' };

/** A dialog answer: accepted with `value`, or cancelled. */
const answer = <T,>(accept: boolean, value: T) =>
  Promise.resolve({
    button: { ...Dialog.okButton(), accept },
    value,
    isChecked: null
  } as Dialog.IResult<T>);

describe('copyText', () => {
  const original = navigator.clipboard;
  afterEach(() => {
    Object.defineProperty(navigator, 'clipboard', {
      value: original,
      configurable: true
    });
    jest.restoreAllMocks();
  });

  const setClipboard = (writeText: unknown) =>
    Object.defineProperty(navigator, 'clipboard', {
      value: writeText ? { writeText } : undefined,
      configurable: true
    });

  it('uses the Clipboard API where it is allowed', async () => {
    const writeText = jest.fn().mockResolvedValue(undefined);
    setClipboard(writeText);
    const system = jest.spyOn(Clipboard, 'copyToSystem');
    expect(await copyText('x')).toBe('clipboard');
    expect(writeText).toHaveBeenCalledWith('x');
    expect(system).not.toHaveBeenCalled();
  });

  it("falls back to JupyterLab's copy when denied or missing", async () => {
    const system = jest
      .spyOn(Clipboard, 'copyToSystem')
      .mockImplementation(() => undefined);
    setClipboard(jest.fn().mockRejectedValue(new Error('denied')));
    expect(await copyText('a')).toBe('fallback');
    setClipboard(null);
    expect(await copyText('b')).toBe('fallback');
    expect(system.mock.calls).toEqual([['a'], ['b']]);
  });
});

describe('view components', () => {
  let host: HTMLDivElement;
  let root: Root;
  let client: FakeExperimentsClient;

  beforeEach(() => {
    host = document.createElement('div');
    document.body.appendChild(host);
    root = createRoot(host);
    client = new FakeExperimentsClient();
  });

  afterEach(() => {
    act(() => root.unmount());
    host.remove();
    jest.restoreAllMocks();
  });

  const buttonNamed = (text: string) =>
    Array.from(host.querySelectorAll('button')).find(b =>
      (b.getAttribute('aria-label') ?? b.textContent)?.includes(text)
    )!;

  const flush = () =>
    act(() => new Promise<void>(resolve => setTimeout(resolve, 10)));

  /** Wait, letting React render between checks (it renders when act ends). */
  const waitFor = async (condition: () => boolean) => {
    for (let i = 0; i < 200 && !condition(); i++) {
      await flush();
    }
    expect(condition()).toBe(true);
  };

  /** Answer the next confirmations (showDialog launches a Dialog). */
  const confirmWith = (accept: boolean) =>
    jest
      .spyOn(Dialog.prototype, 'launch')
      .mockImplementation(() => answer(accept, null) as any);

  it('lists, applies, saves and deletes saved views', async () => {
    client.views.saved.set('old', {
      name: 'old',
      state: { filter: 'status = "failed"' },
      updated: 1
    });
    const applied: [IViewState, string][] = [];
    await act(async () =>
      root.render(
        <SavedViews
          views={client.views}
          state={VIEW}
          onApply={(state, name) => applied.push([state, name])}
        />
      )
    );
    await waitFor(() => host.textContent!.includes('old'));

    act(() => buttonNamed('old').click());
    expect(applied).toEqual([
      [{ ...emptyViewState(), filter: 'status = "failed"' }, 'old']
    ]);

    jest
      .spyOn(InputDialog, 'getText')
      .mockReturnValue(answer(true, ' best runs '));
    act(() => buttonNamed('Save current view').click());
    await waitFor(() => host.textContent!.includes('best runs'));
    expect(client.callsTo('views.save')).toEqual([['best runs', VIEW]]);

    confirmWith(true);
    act(() => buttonNamed('Delete the view old').click());
    await waitFor(() => !host.textContent!.includes('old'));
    expect(client.callsTo('views.delete')).toEqual([['old']]);
  });

  it('asks before replacing a view of the same name', async () => {
    client.views.saved.set('a', { name: 'a', state: {}, updated: 1 });
    await act(async () =>
      root.render(
        <SavedViews views={client.views} state={VIEW} onApply={() => {}} />
      )
    );
    await waitFor(() => host.textContent!.includes('a'));
    jest.spyOn(InputDialog, 'getText').mockReturnValue(answer(true, 'a'));
    const asked = confirmWith(false);

    act(() => buttonNamed('Save current view').click());
    await waitFor(() => asked.mock.calls.length > 0);
    await flush();

    expect(client.callsTo('views.save')).toEqual([]);
  });

  it('copies a link that opens the view', async () => {
    const writeText = jest.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, 'clipboard', {
      value: { writeText },
      configurable: true
    });
    await act(async () =>
      root.render(<CopyLinkButton state={VIEW} labUrl="http://host/base/lab" />)
    );

    act(() => buttonNamed('Copy link').click());
    await waitFor(() => writeText.mock.calls.length > 0);
    await flush();

    const url = new URL(writeText.mock.calls[0][0]);
    expect(url.pathname).toBe('/base/lab');
    expect(readShareParam(url.search)).toEqual(VIEW);
    expect(host.querySelector('[role="status"]')?.textContent).toBe(
      'Link copied.'
    );
  });
});
