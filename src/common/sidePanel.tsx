import { ReactWidget, UseSignal } from '@jupyterlab/apputils';
import { LabIcon } from '@jupyterlab/ui-components';
import { IDisposable } from '@lumino/disposable';
import { Message } from '@lumino/messaging';
import { ISignal } from '@lumino/signaling';
import React from 'react';

/** A model that refreshes only while its panel is visible. */
export interface IPanelModel extends IDisposable {
  readonly changed: ISignal<any, void>;
  setActive(active: boolean): void;
}

/**
 * A panel rendering a model with React (in the right sidebar or the main
 * area): the model refreshes while the panel is shown and is disposed with it.
 */
export class ModelPanel<M extends IPanelModel> extends ReactWidget {
  constructor(
    readonly model: M,
    options: {
      id: string;
      icon?: LabIcon;
      caption: string;
      view: (model: M) => JSX.Element;
    }
  ) {
    super();
    this.id = options.id;
    if (options.icon) {
      this.title.icon = options.icon;
    }
    this.title.caption = options.caption;
    this.addClass('jp-Experiments-panel');
    this._view = options.view;
  }

  protected onAfterShow(): void {
    this.model.setActive(true);
  }

  protected onAfterHide(): void {
    this.model.setActive(false);
  }

  /** A closed panel is done with: its model goes with it. */
  protected onCloseRequest(msg: Message): void {
    super.onCloseRequest(msg);
    this.dispose();
  }

  dispose(): void {
    this.model.dispose();
    super.dispose();
  }

  render(): JSX.Element {
    return (
      <UseSignal signal={this.model.changed}>
        {() => this._view(this.model)}
      </UseSignal>
    );
  }

  private _view: (model: M) => JSX.Element;
}
