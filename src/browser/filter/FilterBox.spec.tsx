import React, { act } from 'react';
import { createRoot, Root } from 'react-dom/client';

import { FakeExperimentsClient } from '../../testing/fakeClient';
import { IFilterError } from './errors';
import { FilterBox } from './FilterBox';

(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

const ERROR: IFilterError = {
  position: 12,
  message: "at 12: expected a value, found ')'",
  expected: 'a value',
  found: ')'
};

describe('FilterBox', () => {
  let host: HTMLDivElement;
  let root: Root;
  const client = new FakeExperimentsClient();

  beforeEach(() => {
    host = document.createElement('div');
    document.body.appendChild(host);
    root = createRoot(host);
  });

  afterEach(() => {
    act(() => root.unmount());
    host.remove();
  });

  const render = (props: Partial<React.ComponentProps<typeof FilterBox>>) =>
    act(() =>
      root.render(
        <FilterBox
          query={client.query}
          value=""
          error={null}
          onApply={() => undefined}
          {...props}
        />
      )
    );

  const text = () => host.querySelector('.cm-content')?.textContent;

  it("shows the view's filter and the server's message at its place", () => {
    render({ value: 'params.lr > ) OR x', error: ERROR });
    expect(text()).toBe('params.lr > ) OR x');
    expect(host.querySelector('[role="alert"]')?.textContent).toBe(
      ERROR.message
    );
    expect(
      host.querySelector('.jp-ExperimentsFilter-errorMark')?.textContent
    ).toBe(')');

    render({ value: 'params.lr > 1', error: null });
    expect(text()).toBe('params.lr > 1');
    expect(host.querySelector('[role="alert"]')).toBeNull();
    expect(host.querySelector('.jp-ExperimentsFilter-errorMark')).toBeNull();
  });

  it('calls the latest onApply on Enter', () => {
    const first = jest.fn();
    const second = jest.fn();
    render({ value: 'tags.best', onApply: first });
    render({ value: 'tags.best', onApply: second });
    host
      .querySelector('.cm-content')!
      .dispatchEvent(
        new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })
      );
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledWith('tags.best');
  });
});
