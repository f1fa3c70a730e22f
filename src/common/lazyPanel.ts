import { LabIcon } from '@jupyterlab/ui-components';
import { MessageLoop } from '@lumino/messaging';
import { Panel, Widget } from '@lumino/widgets';

import { errorMessage } from './format';

/**
 * A sidebar panel whose content (its view, its model and their code) is
 * loaded the first time the panel is shown: the tab is there at start-up, the
 * code and the requests behind it come only when the user opens it.
 */
export class LazyPanel extends Panel {
  constructor(options: {
    id: string;
    icon: LabIcon;
    caption: string;
    load: () => Promise<Widget>;
  }) {
    super();
    this.id = options.id;
    this.title.icon = options.icon;
    this.title.caption = options.caption;
    this.addClass('jp-Experiments-lazyPanel');
    this._load = options.load;
  }

  /** The loaded content, once the panel has been shown. */
  get content(): Widget | null {
    return this._content;
  }

  /** Resolves with the content, loading it if it is not loaded yet. */
  ready(): Promise<Widget> {
    if (!this._loading) {
      this._status?.dispose();
      const status = (this._status = new Widget());
      status.addClass('jp-Experiments-lazyStatus');
      status.node.textContent = 'Loading…';
      this.addWidget(status);
      this._loading = this._load().then(
        content => {
          status.dispose();
          if (this.isDisposed) {
            content.dispose();
            throw new Error('The panel was closed while it loaded.');
          }
          this._content = content;
          this.addWidget(content);
          // Shown before its content came: the content starts shown too.
          if (this.isVisible) {
            MessageLoop.sendMessage(content, Widget.Msg.AfterShow);
          }
          return content;
        },
        reason => {
          // The next show tries again (a chunk that could not be fetched).
          this._loading = null;
          status.node.textContent = `Could not load this panel: ${errorMessage(reason)}. Hide and show it again to retry; reload the page if it persists.`;
          status.addClass('jp-mod-error');
          throw reason;
        }
      );
    }
    return this._loading;
  }

  protected onAfterShow(): void {
    void this.ready().catch(() => {
      // Said in the panel itself.
    });
  }

  // A widget added to an empty dock area is attached already shown, and
  // gets no after-show message: load then too.
  protected onAfterAttach(): void {
    if (this.isVisible) {
      this.onAfterShow();
    }
  }

  private _load: () => Promise<Widget>;
  private _loading: Promise<Widget> | null = null;
  private _content: Widget | null = null;
  private _status: Widget | null = null;
}
