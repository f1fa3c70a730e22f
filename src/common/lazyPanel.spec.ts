import { LabIcon } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { LazyPanel } from './lazyPanel';

const icon = new LabIcon({ name: 'test:lazy', svgstr: '<svg></svg>' });

class Content extends Widget {
  shown = 0;
  protected onAfterShow(_: Message): void {
    this.shown++;
  }
}

function panel(load: () => Promise<Widget>): LazyPanel {
  const lazy = new LazyPanel({ id: 'lazy', icon, caption: 'Lazy', load });
  lazy.hide();
  Widget.attach(lazy, document.body);
  return lazy;
}

describe('LazyPanel', () => {
  it('loads nothing until it is shown, then its content once', async () => {
    const content = new Content();
    const load = jest.fn(async () => content);
    const lazy = panel(load);
    expect(load).not.toHaveBeenCalled();

    lazy.show();
    expect(await lazy.ready()).toBe(content);
    lazy.hide();
    lazy.show();
    await lazy.ready();
    expect(load).toHaveBeenCalledTimes(1);
    expect(lazy.content).toBe(content);
    expect(lazy.widgets).toEqual([content]);
    // Shown while it loaded, then shown again: the content saw both.
    expect(content.shown).toBe(2);
    lazy.dispose();
    expect(content.isDisposed).toBe(true);
  });

  it('loads when it is attached already shown, as the first tab of a dock', async () => {
    const content = new Content();
    const load = jest.fn(async () => content);
    const lazy = new LazyPanel({ id: 'lazy', icon, caption: 'Lazy', load });
    Widget.attach(lazy, document.body);
    expect(load).toHaveBeenCalledTimes(1);
    expect(await lazy.ready()).toBe(content);
    expect(content.shown).toBe(1);
    lazy.dispose();
  });

  it('loads nothing when it is attached hidden, as a closed sidebar', () => {
    const load = jest.fn(async () => new Content());
    panel(load).dispose();
    expect(load).not.toHaveBeenCalled();
  });

  it('says why it could not load, and tries again at the next show', async () => {
    const load = jest
      .fn()
      .mockRejectedValueOnce(new Error('chunk not fetched'))
      .mockResolvedValueOnce(new Content());
    const lazy = panel(load);
    lazy.show();
    await expect(lazy.ready()).rejects.toThrow('chunk not fetched');
    expect(lazy.node.textContent).toContain(
      'Could not load this panel: chunk not fetched'
    );

    lazy.hide();
    lazy.show();
    await lazy.ready();
    expect(load).toHaveBeenCalledTimes(2);
    expect(lazy.node.textContent).not.toContain('Could not load');
    expect(lazy.widgets).toHaveLength(1);
    lazy.dispose();
  });
});
