/**
 * One main-area panel whose content loads on first show and whose view is
 * saved with the layout: the Experiments browser, Compare and Progress
 * panels each are one. `open` shows the panel (created if it is not open)
 * and, given a view, applies it; the restorer reopens it on its last view.
 */
import type { ILayoutRestorer, JupyterFrontEnd } from '@jupyterlab/application';
import { MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import type { LabIcon } from '@jupyterlab/ui-components';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import type { ISignal } from '@lumino/signaling';
import type { Widget } from '@lumino/widgets';

import { LazyPanel } from './lazyPanel';

export interface IViewPanelOptions<V, C extends Widget> {
  app: JupyterFrontEnd;
  /** The widget's id; its tracker's namespace and restore name too. */
  id: string;
  label: string;
  caption: string;
  icon: LabIcon;
  className: string;
  /** The command that opens the panel with `{state}` (restores it). */
  command: string;
  restorer: ILayoutRestorer | null;
  /** The content on a view (null: its default view); loaded on first show. */
  load: (view: V | null) => Promise<C>;
  /** The content's view changes (what the layout keeps). */
  viewChanged: (content: C) => ISignal<unknown, V>;
  /** Apply a view to the loaded content. */
  apply: (content: C, view: V) => void;
}

export class ViewPanel<V, C extends Widget> {
  constructor(private _options: IViewPanelOptions<V, C>) {
    this._tracker = new WidgetTracker({ namespace: _options.id });
    const { restorer, command, id } = _options;
    void restorer?.restore(this._tracker, {
      command,
      args: widget => {
        const view = this._views.get(widget);
        return (
          view ? { state: view as unknown as ReadonlyPartialJSONObject } : {}
        ) as ReadonlyPartialJSONObject;
      },
      name: () => id
    });
  }

  /** Show the panel, created if it is not open, on `view` when given. */
  async open(view: V | null): Promise<MainAreaWidget<LazyPanel>> {
    let widget = this._tracker.find(() => true);
    if (!widget || widget.isDisposed) {
      widget = this._create(view);
      void this._tracker.add(widget);
      this._options.app.shell.add(widget, 'main');
    } else if (view) {
      this._options.apply(await this.content(widget), view);
    }
    this._options.app.shell.activateById(widget.id);
    return widget;
  }

  /** The widget's content, loading it if it is not loaded yet. */
  async content(widget: MainAreaWidget<LazyPanel>): Promise<C> {
    return (await widget.content.ready()) as C;
  }

  private _create(view: V | null): MainAreaWidget<LazyPanel> {
    const options = this._options;
    const lazyPanel = new LazyPanel({
      id: `${options.id}-content`,
      icon: options.icon,
      caption: `Experiments: ${options.caption}`,
      load: async () => {
        const content = await options.load(view);
        options.viewChanged(content).connect((_, next) => {
          this._views.set(widget, next);
          void this._tracker.save(widget);
        });
        return content;
      }
    });
    const widget = new MainAreaWidget({ content: lazyPanel });
    widget.id = options.id;
    widget.title.label = options.label;
    widget.title.caption = options.caption;
    widget.title.icon = options.icon;
    widget.title.closable = true;
    widget.addClass(options.className);
    if (view) {
      this._views.set(widget, view);
    }
    return widget;
  }

  private _tracker: WidgetTracker<MainAreaWidget<LazyPanel>>;
  /** Each panel's latest view, saved with the layout. */
  private _views = new WeakMap<MainAreaWidget<LazyPanel>, V>();
}
