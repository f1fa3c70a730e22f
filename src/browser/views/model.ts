/**
 * Saved views: the list the server keeps, saving the current view under a
 * name, deleting one. No DOM. A saved state is read with the share link's
 * validation, so a view saved by an older or newer version (or by hand)
 * that does not read is listed but cannot be applied.
 */
import type { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { errorMessage } from '../../common/format';
import type { IViewsClient } from '../../rest';
import { parseViewState } from '../share';
import type { IViewState } from '../viewState';

export interface ISavedViewItem {
  name: string;
  /** Null: the stored state is not a view this version reads. */
  state: IViewState | null;
  /** Unix time of the last save. */
  updated: number;
}

/** The longest name accepted (the server keeps its own limit too). */
export const MAX_VIEW_NAME = 200;

/** Why a name cannot be used, or null. */
export function checkViewName(name: string): string | null {
  const trimmed = name.trim();
  if (!trimmed) {
    return 'A view needs a name.';
  }
  if (trimmed.length > MAX_VIEW_NAME) {
    return `A view's name has at most ${MAX_VIEW_NAME} characters.`;
  }
  return null;
}

export class SavedViewsModel implements IDisposable {
  constructor(private _client: IViewsClient) {}

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get views(): readonly ISavedViewItem[] {
    return this._views;
  }

  /** Whether the list was fetched at least once. */
  get loaded(): boolean {
    return this._loaded;
  }

  /** The last failure, in the server's words. */
  get error(): string | null {
    return this._error;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  find(name: string): ISavedViewItem | undefined {
    return this._views.find(v => v.name === name.trim());
  }

  async refresh(): Promise<void> {
    const generation = ++this._generation;
    try {
      const views = await this._client.list();
      if (generation !== this._generation || this._isDisposed) {
        return;
      }
      this._views = views.map(view => ({
        name: view.name,
        state: parseViewState(view.state),
        updated: view.updated
      }));
      this._loaded = true;
      this._error = null;
    } catch (reason) {
      if (generation !== this._generation) {
        return;
      }
      this._error = errorMessage(reason);
    }
    this._emit();
  }

  /** Save (or replace) `state` as `name`; false if the server refused. */
  async save(name: string, state: IViewState): Promise<boolean> {
    const problem = checkViewName(name);
    if (problem) {
      this._error = problem;
      this._emit();
      return false;
    }
    return this._change(() =>
      this._client.save(
        name.trim(),
        state as unknown as { [key: string]: unknown }
      )
    );
  }

  /** Delete a saved view; false if the server refused. */
  async remove(name: string): Promise<boolean> {
    return this._change(() => this._client.delete(name));
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private async _change(request: () => Promise<void>): Promise<boolean> {
    try {
      await request();
    } catch (reason) {
      this._error = errorMessage(reason);
      this._emit();
      return false;
    }
    await this.refresh();
    return true;
  }

  private _emit(): void {
    if (!this._isDisposed) {
      this._changed.emit();
    }
  }

  private _views: ISavedViewItem[] = [];
  private _loaded = false;
  private _error: string | null = null;
  private _generation = 0;
  private _changed = new Signal<this, void>(this);
  private _isDisposed = false;
}
